import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { createPadesPdfSigner, SignedPdfRewriteError } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import type { SignatureInfo } from '#shared/domain/document.ts';
import type { DigestSigner } from '#shared/ports.ts';
import { flipByte, makeSamplePdf, runPdfsig, SAMPLE_IDENTITY } from '#test/unit/signing/signing-fixtures.ts';

const execFileAsync = promisify(execFile);
const SIGNED_AT = new Date('2025-03-04T05:06:07.000Z');
const OPTIONS = { reason: 'Số hoá giấy tờ hồ sơ', location: 'Bộ phận Một cửa tỉnh Mẫu', signedAt: SIGNED_AT };

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-pades-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/**
 * Length of the DER element at the start of `bytes`, header included. The placeholder's zero
 * padding cannot simply be trimmed: the CMS itself may end in zero bytes.
 */
const derLength = (bytes: Buffer): number => {
  const first = bytes[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  return 2 + octets + bytes.subarray(2, 2 + octets).reduce((length, byte) => length * 256 + byte, 0);
};

/** The signed byte ranges and the CMS of the first signature, as a reader extracts them. */
const extractSignature = (pdf: Uint8Array) => {
  const text = Buffer.from(pdf).toString('latin1');
  const match = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)/.exec(text);
  const [a, b, c, d] = (match?.slice(1) ?? []).map(Number) as [number, number, number, number];
  const contents = Buffer.from(text.slice(a + b + 1, c - 1), 'hex');
  return {
    byteRange: [a, b, c, d],
    content: Buffer.concat([Buffer.from(pdf.subarray(a, a + b)), Buffer.from(pdf.subarray(c, c + d))]),
    cms: contents.subarray(0, derLength(contents)),
  };
};

describe.each(['RSA_2048', 'ECC_NIST_P256'] as const)('PAdES signature with a local %s key', (keySpec) => {
  let signer: DigestSigner;
  let signed: Uint8Array;
  let info: SignatureInfo;

  beforeAll(async () => {
    const directory = createLocalSignerDirectory({
      directory: join(folder, keySpec),
      keySpec,
      identityFor: () => SAMPLE_IDENTITY,
    });
    signer = await directory.forAgency('so-tu-phap');
    ({ pdf: signed, info } = await createPadesPdfSigner().sign(await makeSamplePdf(), signer, OPTIONS));
  });

  it('verifies, with the exact Vietnamese signer name, reason and time', async () => {
    expect(await verifyPdfSignatures(signed)).toEqual([
      {
        valid: true,
        integrity: true,
        signatureValid: true,
        signer: 'Sở Tư pháp tỉnh Mẫu',
        certificateFingerprint: info.certificateFingerprint,
        signedAt: '2025-03-04T05:06:07.000Z',
        coversWholeDocument: true,
        message: 'Chữ ký hợp lệ',
        reason: 'Số hoá giấy tờ hồ sơ',
        certification: { permission: 2, changesPermitted: true },
        certificateValidity: {
          notBefore: info.certificate?.notBefore,
          notAfter: info.certificate?.notAfter,
          status: 'valid',
        },
        certificateValidAt: 'verification-time',
      },
    ]);
  });

  it('describes the signature, its certificate and the signed file', async () => {
    expect(info).toEqual({
      signer: 'Sở Tư pháp tỉnh Mẫu',
      algorithm: signer.algorithm(),
      signedAt: '2025-03-04T05:06:07.000Z',
      certificateFingerprint: createHash('sha256')
        .update(await signer.certificate())
        .digest('hex'),
      certificate: {
        subject: expect.stringMatching(/^C=VN, ST=Tỉnh Mẫu, O=.+, CN=Sở Tư pháp tỉnh Mẫu$/),
        issuer: expect.stringMatching(/CN=Sở Tư pháp tỉnh Mẫu$/),
        notBefore: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      signedPdfSha256: createHash('sha256').update(signed).digest('hex'),
      certification: { permission: 2 },
    });
    expect(Date.parse(info.certificate?.notAfter ?? '')).toBeGreaterThan(
      Date.parse(info.certificate?.notBefore ?? ''),
    );
  });

  it('is valid for poppler pdfsig, which reads the UTF-8 name correctly', async () => {
    const report = await runPdfsig(signed);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signer Certificate Common Name: Sở Tư pháp tỉnh Mẫu');
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
  });

  it('is a CMS that openssl cms -verify accepts over the signed ranges', async () => {
    const { content, cms } = extractSignature(signed);
    const cmsFile = join(folder, `${keySpec}.p7s`);
    const contentFile = join(folder, `${keySpec}.bin`);
    await writeFile(cmsFile, cms);
    await writeFile(contentFile, content);
    const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cmsFile, '-content', contentFile];
    const { stderr } = await execFileAsync('openssl', [...args, '-noverify', '-out', '/dev/null']);
    expect(stderr).toContain('Verification successful');
    const attributes = await execFileAsync('openssl', [
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      cmsFile,
    ]);
    expect(attributes.stdout).toContain('id-smime-aa-signingCertificateV2');
    expect(attributes.stdout).not.toContain('signingTime');
  });

  it('is invalid once one byte inside the signed range changes', async () => {
    const { byteRange } = extractSignature(signed);
    const tampered = flipByte(signed, Math.floor((byteRange[1] ?? 0) / 2));
    const [result] = await verifyPdfSignatures(tampered);
    expect(result).toMatchObject({
      valid: false,
      integrity: false,
      message: 'Tài liệu đã bị thay đổi sau khi ký',
    });
    expect(await runPdfsig(tampered)).not.toContain('Signature is Valid.');
  });

  it('reports content appended after an approval signature, which stays valid', async () => {
    const approval = await createPadesPdfSigner({ certify: false }).sign(
      await makeSamplePdf(),
      signer,
      OPTIONS,
    );
    const appended = Buffer.concat([Buffer.from(approval.pdf), Buffer.from('\n1 0 obj\n<< >>\nendobj\n')]);
    const [result] = await verifyPdfSignatures(appended);
    expect(result).toMatchObject({ valid: true, coversWholeDocument: false });
    expect(result?.certification).toBeUndefined();
    expect(result?.message).toBe('Chữ ký hợp lệ, nhưng tài liệu có nội dung được thêm sau khi ký');
  });

  it('reports content appended after a certification as a change it does not permit', async () => {
    const appended = Buffer.concat([Buffer.from(signed), Buffer.from('\n1 0 obj\n<< >>\nendobj\n')]);
    const [result] = await verifyPdfSignatures(appended);
    expect(result).toMatchObject({
      valid: false,
      integrity: true,
      coversWholeDocument: false,
      certification: { permission: 2, changesPermitted: false },
    });
    expect(result?.message).toBe(
      'Tài liệu đã được chứng thực, nhưng sau đó bị thay đổi theo cách không được phép',
    );
  });
});

describe('createPadesPdfSigner inputs', () => {
  let signer: DigestSigner;
  beforeAll(async () => {
    const directory = createLocalSignerDirectory({
      directory: join(folder, 'inputs'),
      keySpec: 'ECC_NIST_P256',
      identityFor: () => SAMPLE_IDENTITY,
    });
    signer = await directory.forAgency('so-tu-phap');
  });

  it('signs a PDF with a classic xref table as is (incremental update)', async () => {
    const original = await makeSamplePdf({ useObjectStreams: false });
    const { pdf } = await createPadesPdfSigner().sign(original, signer, { ...OPTIONS, reason: 'Ky so' });
    expect(Buffer.from(pdf.subarray(0, original.length - 1))).toEqual(
      Buffer.from(original.subarray(0, original.length - 1)),
    );
    expect(await verifyPdfSignatures(pdf)).toMatchObject([{ valid: true, reason: 'Ky so' }]);
  });

  it('adds a second signature as an incremental update that keeps the first valid', async () => {
    const other = await createLocalSignerDirectory({
      directory: join(folder, 'inputs'),
      keySpec: 'RSA_2048',
      identityFor: () => ({ ...SAMPLE_IDENTITY, commonName: 'Ủy ban nhân dân xã Ân Đức' }),
    }).forAgency('ubnd-xa-an-duc');
    const pdfSigner = createPadesPdfSigner();
    const once = await pdfSigner.sign(await makeSamplePdf(), signer, OPTIONS);
    const twice = await pdfSigner.sign(once.pdf, other, { ...OPTIONS, reason: 'Trả kết quả' });
    expect(await verifyPdfSignatures(twice.pdf)).toMatchObject([
      { valid: true, signer: 'Sở Tư pháp tỉnh Mẫu', coversWholeDocument: false },
      { valid: true, signer: 'Ủy ban nhân dân xã Ân Đức', coversWholeDocument: true, reason: 'Trả kết quả' },
    ]);
    const report = await runPdfsig(twice.pdf);
    expect(report.match(/Signature is Valid\./g)).toHaveLength(2);
  });

  it('refuses to rewrite a signed PDF that has cross-reference streams', async () => {
    const { pdf } = await createPadesPdfSigner().sign(await makeSamplePdf(), signer, OPTIONS);
    const rewritten = await (await PDFDocument.load(pdf)).save({ useObjectStreams: true });
    await expect(createPadesPdfSigner().sign(rewritten, signer, OPTIONS)).rejects.toBeInstanceOf(
      SignedPdfRewriteError,
    );
  });

  it('finds no signature in an unsigned PDF', async () => {
    expect(await verifyPdfSignatures(await makeSamplePdf())).toEqual([]);
  });

  it('reports an unreadable signature container', async () => {
    const { pdf } = await createPadesPdfSigner().sign(await makeSamplePdf(), signer, OPTIONS);
    const { byteRange } = extractSignature(pdf);
    const contentsStart = (byteRange[0] ?? 0) + (byteRange[1] ?? 0) + 1;
    const broken = Buffer.from(pdf);
    broken.write('ffff', contentsStart, 'latin1');
    expect(await verifyPdfSignatures(broken)).toMatchObject([
      { valid: false, message: 'Không đọc được chữ ký' },
    ]);
  });
});
