import { describe, expect, it } from 'vitest';
import { parsePdfsigOutput } from '../../../scripts/lib/run-pdfsig.ts';

const SIGNED = `Digital Signature Info of: demo-output/038319001234.KS.01.pdf
Signature #1:
  - Signature Field Name: Signature1
  - Signer Certificate Common Name: Trung tâm Phục vụ hành chính công tỉnh Mẫu
  - Signing Hash Algorithm: SHA-256
  - Signature Type: ETSI.CAdES.detached
  - Total document signed
  - Signature Validation: Signature is Valid.
  - Certificate Validation: Certificate issuer is unknown.
`;

describe('parsePdfsigOutput', () => {
  it('reads the verdict and signer of each signature', () => {
    expect(parsePdfsigOutput(SIGNED)).toEqual({
      verdicts: ['Signature is Valid.'],
      signers: ['Trung tâm Phục vụ hành chính công tỉnh Mẫu'],
    });
  });

  it('falls back to the last line when pdfsig found no signature', () => {
    const output = "Digital Signature Info of: a.pdf\nFile 'a.pdf' does not contain any signatures\n";

    expect(parsePdfsigOutput(output)).toEqual({
      verdicts: ["File 'a.pdf' does not contain any signatures"],
      signers: [],
    });
  });
});
