import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, type PDFRef } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendSignaturePlaceholder } from '#shared/adapters/signing/append-signature-placeholder.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import {
  buildCadesDetachedSignature,
  createPadesPdfSigner,
} from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import type { DigestSigner } from '#shared/ports.ts';
import {
  appendIncrementalUpdate,
  makeSamplePdf,
  readLastRevision,
  runPdfsig,
  SAMPLE_IDENTITY,
} from '#test/unit/signing/signing-fixtures.ts';

const OPTIONS = {
  reason: 'Số hoá giấy tờ hồ sơ',
  location: 'Bộ phận Một cửa tỉnh Mẫu',
  signedAt: new Date('2025-03-04T05:06:07.000Z'),
};
const NOT_PERMITTED = 'Tài liệu đã được chứng thực, nhưng sau đó bị thay đổi theo cách không được phép';

let folder: string;
let agency: DigestSigner;
let commune: DigestSigner;
let certified: Uint8Array;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-certify-'));
  agency = await createLocalSignerDirectory({
    directory: join(folder, 'agency'),
    keySpec: 'ECC_NIST_P256',
    identityFor: () => SAMPLE_IDENTITY,
  }).forAgency('so-tu-phap');
  commune = await createLocalSignerDirectory({
    directory: join(folder, 'commune'),
    keySpec: 'RSA_2048',
    identityFor: () => ({ ...SAMPLE_IDENTITY, commonName: 'Ủy ban nhân dân xã Ân Đức' }),
  }).forAgency('ubnd-xa-an-duc');
  ({ pdf: certified } = await createPadesPdfSigner().sign(await makeSamplePdf(), agency, OPTIONS));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The signature dictionaries of a PDF, in field order, and the catalog's /Perms /DocMDP target. */
async function readSignatureStructure(pdf: Uint8Array) {
  const document = await PDFDocument.load(pdf);
  const fields = document.catalog
    .lookup(PDFName.of('AcroForm'), PDFDict)
    .lookup(PDFName.of('Fields'), PDFArray)
    .asArray()
    .map((ref) => document.context.lookup(ref as PDFRef, PDFDict))
    .filter((field) => field.get(PDFName.of('FT')) === PDFName.of('Sig'));
  const signatures = fields.map((field) => ({
    ref: field.get(PDFName.of('V')),
    dict: field.lookup(PDFName.of('V'), PDFDict),
  }));
  const perms = document.catalog.lookupMaybe(PDFName.of('Perms'), PDFDict);
  return { signatures, docMdp: perms?.get(PDFName.of('DocMDP')) };
}

/** /TransformParams of the DocMDP reference of a signature dictionary, if it has one. */
function docMdpParams(signature: PDFDict): PDFDict | undefined {
  const reference = signature.lookupMaybe(PDFName.of('Reference'), PDFArray);
  const docMdp = reference
    ?.asArray()
    .map((item) => signature.context.lookup(item, PDFDict))
    .find((item) => item.get(PDFName.of('TransformMethod')) === PDFName.of('DocMDP'));
  return docMdp?.lookup(PDFName.of('TransformParams'), PDFDict);
}

describe('certification signature', () => {
  it('is a DocMDP certification with P=2 that the catalog /Perms names', async () => {
    const { signatures, docMdp } = await readSignatureStructure(certified);
    expect(signatures).toHaveLength(1);
    const [first] = signatures;
    const params = first && docMdpParams(first.dict);
    expect(params?.get(PDFName.of('Type'))).toBe(PDFName.of('TransformParams'));
    expect(params?.get(PDFName.of('P'))).toEqual(PDFNumber.of(2));
    expect(params?.get(PDFName.of('V'))).toBe(PDFName.of('1.2'));
    expect(docMdp).toBeDefined();
    expect(docMdp).toBe(first?.ref);
  });

  it('is reported by our verifier as a certification with P=2 and no later change', async () => {
    expect(await verifyPdfSignatures(certified)).toMatchObject([
      {
        valid: true,
        coversWholeDocument: true,
        certification: { permission: 2, changesPermitted: true },
        message: 'Chữ ký hợp lệ',
      },
    ]);
  });

  it('is described as a certification by the signer', async () => {
    const { info } = await createPadesPdfSigner().sign(await makeSamplePdf(), agency, OPTIONS);
    expect(info).toMatchObject({
      signer: 'Sở Tư pháp tỉnh Mẫu',
      algorithm: 'ECDSA_SHA_256',
      signedAt: OPTIONS.signedAt.toISOString(),
      certificateFingerprint: createHash('sha256')
        .update(await agency.certificate())
        .digest('hex'),
      certification: { permission: 2 },
    });
  });

  it('stays valid for poppler pdfsig', async () => {
    // pdfsig 22.12 (Debian bookworm) prints nothing about DocMDP or /Perms: its "Signature
    // Type" is the /SubFilter. Certification itself is checked from the structure above.
    const report = await runPdfsig(certified);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
  });

  it('is an approval signature when the signer is told not to certify', async () => {
    const { pdf, info } = await createPadesPdfSigner({ certify: false }).sign(
      await makeSamplePdf(),
      agency,
      OPTIONS,
    );
    expect(info.certification).toBeUndefined();
    const { signatures, docMdp } = await readSignatureStructure(pdf);
    expect(docMdp).toBeUndefined();
    expect(signatures[0]?.dict.has(PDFName.of('Reference'))).toBe(false);
    const [result] = await verifyPdfSignatures(pdf);
    expect(result?.valid).toBe(true);
    expect(result?.certification).toBeUndefined();
  });
});

describe('a later signature on a certified PDF', () => {
  let twice: { pdf: Uint8Array; info: { certification?: unknown } };
  beforeAll(async () => {
    twice = await createPadesPdfSigner().sign(certified, commune, { ...OPTIONS, reason: 'Trả kết quả' });
  });

  it('is an approval signature that adds no second /Perms, the first still certifying', async () => {
    expect(twice.info.certification).toBeUndefined();
    const { signatures, docMdp } = await readSignatureStructure(twice.pdf);
    expect(signatures).toHaveLength(2);
    expect(docMdp).toBe(signatures[0]?.ref);
    expect(signatures[0] && docMdpParams(signatures[0].dict)).toBeDefined();
    expect(signatures[1]?.dict.has(PDFName.of('Reference'))).toBe(false);
    const update = Buffer.from(twice.pdf).toString('latin1', certified.length);
    expect(update).not.toContain('/TransformMethod /DocMDP');
    expect(update.match(/\/Perms/g)).toHaveLength(1);
  });

  it('keeps the certification valid and its permission respected', async () => {
    expect(await verifyPdfSignatures(twice.pdf)).toEqual([
      expect.objectContaining({
        valid: true,
        signer: 'Sở Tư pháp tỉnh Mẫu',
        coversWholeDocument: false,
        certification: { permission: 2, changesPermitted: true },
      }),
      expect.not.objectContaining({ certification: expect.anything() }),
    ]);
    expect((await verifyPdfSignatures(twice.pdf))[1]).toMatchObject({
      valid: true,
      signer: 'Ủy ban nhân dân xã Ân Đức',
      coversWholeDocument: true,
    });
    expect((await runPdfsig(twice.pdf)).match(/Signature is Valid\./g)).toHaveLength(2);
  });

  it('keeps a third signature permitted too', async () => {
    const third = await createPadesPdfSigner().sign(twice.pdf, agency, OPTIONS);
    const results = await verifyPdfSignatures(third.pdf);
    expect(results.map((result) => result.valid)).toEqual([true, true, true]);
    expect(results[0]?.certification).toEqual({ permission: 2, changesPermitted: true });
  });
});

describe('a non-signature change after certification', () => {
  const expectNotPermitted = async (pdf: Uint8Array) => {
    const [first] = await verifyPdfSignatures(pdf);
    expect(first).toMatchObject({
      valid: false,
      integrity: true,
      signatureValid: true,
      coversWholeDocument: false,
      certification: { permission: 2, changesPermitted: false },
      message: NOT_PERMITTED,
    });
    // pdfsig 22.12 does not judge DocMDP: it still calls the signature valid and only says
    // that the signed ranges no longer cover the file.
    const report = await runPdfsig(pdf);
    expect(report).toContain('Signature is Valid.');
    expect(report).toContain('Not total document signed');
  };

  it('is flagged when an update adds a JavaScript /OpenAction to the catalog', async () => {
    const { catalog, size } = readLastRevision(certified);
    const edited = appendIncrementalUpdate(certified, {
      [catalog.num]: catalog.raw.replace(/>>$/, `/OpenAction ${size} 0 R\n>>`),
      [size]: "<< /Type /Action /S /JavaScript /JS (app.alert('x')) >>",
    });
    expect((await PDFDocument.load(edited)).catalog.has(PDFName.of('OpenAction'))).toBe(true);
    await expectNotPermitted(edited);
  });

  it('is flagged when an update replaces the content of a page', async () => {
    const { page } = readLastRevision(certified);
    const content = 'BT /F1 24 Tf 50 700 Td (GIAY KHAI SINH - SUA) Tj ET';
    const edited = appendIncrementalUpdate(certified, {
      [page.contents]: `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    });
    await expectNotPermitted(edited);
  });

  it('is flagged when a page gains an annotation that is no signature', async () => {
    const { page, size } = readLastRevision(certified);
    const edited = appendIncrementalUpdate(certified, {
      [page.num]: page.raw.replace(/\/Annots \[/, `/Annots [${size} 0 R `),
      [size]: '<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /Contents (note) >>',
    });
    await expectNotPermitted(edited);
  });

  it('is flagged for bytes appended without any update', async () => {
    await expectNotPermitted(
      Buffer.concat([Buffer.from(certified), Buffer.from('\n1 0 obj\n<< >>\nendobj\n')]),
    );
  });

  it('is still flagged when a later signature covers the change', async () => {
    const { page } = readLastRevision(certified);
    const content = 'BT /F1 24 Tf 50 700 Td (SUA) Tj ET';
    const edited = appendIncrementalUpdate(certified, {
      [page.contents]: `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    });
    const { pdf } = await createPadesPdfSigner().sign(edited, commune, OPTIONS);
    const [first, second] = await verifyPdfSignatures(pdf);
    expect(first).toMatchObject({ valid: false, certification: { changesPermitted: false } });
    expect(second).toMatchObject({ valid: true, coversWholeDocument: true });
  });
});

describe('a P=1 certification', () => {
  it('forbids even a later signature, which is why the agency certifies with P=2', async () => {
    const prepared = appendSignaturePlaceholder(
      Buffer.from(await (await PDFDocument.load(await makeSamplePdf())).save({ useObjectStreams: false })),
      {
        signatureLength: 8192,
        signedAt: OPTIONS.signedAt,
        appName: 'motcua',
        certify: true,
      },
    );
    const text = prepared.pdf.toString('latin1');
    const at = text.indexOf('/P 2 /V /1.2');
    expect(at).toBeGreaterThan(0);
    prepared.pdf.write('/P 1 /V /1.2', at, 'latin1');
    const [start1, length1, start2, length2] = prepared.byteRange;
    const cms = await buildCadesDetachedSignature(
      Buffer.concat([
        prepared.pdf.subarray(start1, start1 + length1),
        prepared.pdf.subarray(start2, start2 + length2),
      ]),
      agency,
    );
    prepared.pdf.write(Buffer.from(cms).toString('hex'), prepared.contents.start, 'latin1');
    expect(await verifyPdfSignatures(prepared.pdf)).toMatchObject([
      { valid: true, certification: { permission: 1, changesPermitted: true } },
    ]);

    const { pdf } = await createPadesPdfSigner().sign(prepared.pdf, commune, OPTIONS);
    expect((await verifyPdfSignatures(pdf))[0]).toMatchObject({
      valid: false,
      certification: { permission: 1, changesPermitted: false },
    });
  });
});
