import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, PDFString } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergePdfPages } from '#shared/adapters/documents/merge-pdf-pages.ts';
import { appendSignaturePlaceholder } from '#shared/adapters/signing/append-signature-placeholder.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { UnsupportedPdfStructureError } from '#shared/adapters/signing/read-pdf-objects.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import type { DigestSigner } from '#shared/ports.ts';
import { makeSamplePdf, runPdfsig, SAMPLE_IDENTITY } from '#test/unit/signing/signing-fixtures.ts';

const OPTIONS = {
  reason: 'Số hoá giấy tờ hồ sơ',
  location: 'Bộ phận Một cửa tỉnh Mẫu',
  signedAt: new Date('2025-03-04T05:06:07.000Z'),
};
const FIELDS = { signatureLength: 64, signedAt: OPTIONS.signedAt, appName: 'motcua' };

/** A Tesseract-style scan PDF: one page holding a large noisy JPEG, saved with a classic xref. */
async function makeLargeScanPdf(): Promise<Uint8Array> {
  const [width, height] = [1800, 2550];
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    raw[i] = 64 + ((seed >>> 16) % 192);
  }
  const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const document = await PDFDocument.create();
  const image = await document.embedJpg(jpeg);
  document.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  return document.save({ useObjectStreams: false });
}

/** A PDF written by hand from numbered object bodies, with a classic xref table; `prev` appends an update. */
function writeRawPdf(objects: Record<number, string>, trailer: string, base?: Buffer): Buffer {
  let text = base ? '' : '%PDF-1.7\n';
  const start = base?.length ?? 0;
  const offsets: string[] = [];
  for (const [num, body] of Object.entries(objects)) {
    offsets.push(`${num} 1\n${String(start + text.length).padStart(10, '0')} 00000 n\r\n`);
    text += `${num} 0 obj\n${body}\nendobj\n`;
  }
  const xrefAt = start + text.length;
  const head = base ? '' : '0 1\n0000000000 65535 f\r\n';
  text += `xref\n${head}${offsets.join('')}trailer\n${trailer}\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([base ?? Buffer.alloc(0), Buffer.from(text, 'latin1')]);
}

/** Nested page tree, /Annots by reference, an indirect /AcroForm whose field is already "Signature1", and an update whose /Prev holds the page. */
function makeStructuredPdf(): Buffer {
  const original = writeRawPdf(
    {
      1: '<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R >>',
      2: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      3: '<< /Type /Pages /Parent 2 0 R /Kids [4 0 R] /Count 1 >>',
      4: '<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] /Contents 5 0 R /Annots 6 0 R >>',
      5: '<< /Length 17 >>\nstream\n0 0 m 100 100 l S\nendstream',
      6: '[8 0 R]',
      7: '<< /Fields [9 0 R] /DA (/Helv 0 Tf 0 g) >>',
      8: '<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /Border [0 0 0] /P 4 0 R >>',
      9: '<< /FT /Tx /T (Signature1) /V (x) >>',
    },
    '<< /Size 10 /Root 1 0 R /ID [<0A0B> <0A0B>] >>',
  );
  return writeRawPdf(
    { 1: '<< /Type /Catalog /Pages 2 0 R /AcroForm 7 0 R /Lang (vi) >>' },
    `<< /Size 10 /Root 1 0 R /ID [<0A0B> <0C0D>] /Prev ${/startxref\n(\d+)/.exec(original.toString('latin1'))?.[1]} >>`,
    original,
  );
}

const dictOf = (document: PDFDocument, value: unknown): PDFDict =>
  document.context.lookup(value as PDFRef, PDFDict);

let folder: string;
let signer: DigestSigner;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'motcua-placeholder-'));
  signer = await createLocalSignerDirectory({
    directory: folder,
    keySpec: 'RSA_2048',
    identityFor: () => SAMPLE_IDENTITY,
  }).forAgency('so-tu-phap');
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('appendSignaturePlaceholder', () => {
  it('keeps the original bytes and fills /ByteRange around the reserved /Contents', () => {
    const original = makeStructuredPdf();
    const { pdf, byteRange, contents } = appendSignaturePlaceholder(original, FIELDS);
    expect(pdf.subarray(0, original.length).equals(original)).toBe(true);
    const [, length1, start2, length2] = byteRange;
    expect(start2 + length2).toBe(pdf.length);
    expect(pdf.toString('latin1', length1, start2)).toBe(`<${'0'.repeat(128)}>`);
    expect(contents).toEqual({ start: length1 + 1, length: 128 });
    expect(pdf.toString('latin1', original.length)).toContain(`/ByteRange [${byteRange.join(' ')}`);
  });

  it('adds a uniquely named field to an indirect AcroForm, keeping /Annots and the nested page tree', async () => {
    const original = makeStructuredPdf();
    const { pdf } = appendSignaturePlaceholder(original, FIELDS);
    const update = pdf.toString('latin1', original.length);
    expect(update).toMatch(/\/T \(Signature2\)/);
    expect(update).toMatch(/\/Prev \d+\n/);
    expect(update).toContain('/ID [<0A0B> <0C0D>]');

    const document = await PDFDocument.load(pdf);
    const page = document.getPage(0).node;
    const annots = page.lookup(PDFName.of('Annots'), PDFArray).asArray();
    expect(annots).toHaveLength(2);
    expect(dictOf(document, annots[0]).get(PDFName.of('Subtype'))).toBe(PDFName.of('Link'));
    const widget = dictOf(document, annots[1]);
    expect(widget.get(PDFName.of('FT'))).toBe(PDFName.of('Sig'));
    expect(widget.get(PDFName.of('P'))).toBe(document.getPage(0).ref);
    const acroForm = document.catalog.lookup(PDFName.of('AcroForm'), PDFDict);
    expect(acroForm.lookup(PDFName.of('Fields'), PDFArray).asArray()).toEqual([PDFRef.of(9), annots[1]]);
    expect(acroForm.get(PDFName.of('DA'))).toEqual(PDFString.of('/Helv 0 Tf 0 g'));
    expect(document.catalog.get(PDFName.of('Lang'))).toEqual(PDFString.of('vi'));
  });

  it('certifies on request: /Reference DocMDP P=2 in the signature, /Perms in a new catalog version', async () => {
    const original = makeStructuredPdf();
    const { pdf, certification } = appendSignaturePlaceholder(original, { ...FIELDS, certify: true });
    expect(certification).toEqual({ permission: 2 });
    const update = pdf.toString('latin1', original.length);
    expect(update).toContain(
      '/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >>',
    );
    const document = await PDFDocument.load(pdf);
    const perms = document.catalog.lookup(PDFName.of('Perms'), PDFDict);
    const acroForm = document.catalog.lookup(PDFName.of('AcroForm'), PDFDict);
    const widget = dictOf(document, acroForm.lookup(PDFName.of('Fields'), PDFArray).get(1));
    expect(perms.get(PDFName.of('DocMDP'))).toBe(widget.get(PDFName.of('V')));
    expect(document.catalog.get(PDFName.of('AcroForm'))).toBe(PDFRef.of(7));
    expect(document.catalog.get(PDFName.of('Lang'))).toEqual(PDFString.of('vi'));
  });

  it('makes no certification unless asked', () => {
    const original = makeStructuredPdf();
    const { pdf, certification } = appendSignaturePlaceholder(original, FIELDS);
    expect(certification).toBeUndefined();
    expect(pdf.toString('latin1', original.length)).not.toMatch(/DocMDP|\/Perms/);
  });

  it('does not certify a PDF that already holds a signature', async () => {
    const { pdf: signed } = await createPadesPdfSigner({ certify: false }).sign(
      makeStructuredPdf(),
      signer,
      OPTIONS,
    );
    const { pdf, certification } = appendSignaturePlaceholder(Buffer.from(signed), {
      ...FIELDS,
      certify: true,
    });
    expect(certification).toBeUndefined();
    expect(pdf.toString('latin1', signed.length)).not.toMatch(/DocMDP|\/Perms/);
  });

  it('refuses a PDF whose last cross-reference section is a stream', async () => {
    const pdf = Buffer.from(await makeSamplePdf());
    expect(() => appendSignaturePlaceholder(pdf, FIELDS)).toThrow(UnsupportedPdfStructureError);
  });
});

describe('createPadesPdfSigner on real document shapes', () => {
  it('signs a ~3 MB one-page scan PDF as an incremental update', async () => {
    const scan = await makeLargeScanPdf();
    expect(scan.length).toBeGreaterThan(2_500_000);
    const { pdf } = await createPadesPdfSigner().sign(scan, signer, OPTIONS);
    expect(Buffer.from(pdf.subarray(0, scan.length)).equals(Buffer.from(scan))).toBe(true);
    expect(await verifyPdfSignatures(pdf)).toMatchObject([
      { valid: true, coversWholeDocument: true, signer: 'Sở Tư pháp tỉnh Mẫu', reason: OPTIONS.reason },
    ]);
    expect(await runPdfsig(pdf)).toContain('Signature Validation: Signature is Valid.');
  });

  it('signs a merged multi-page PDF, the widget on its first page', async () => {
    const pages = await Promise.all([1, 2, 3].map(() => makeSamplePdf({ useObjectStreams: false })));
    const merged = await mergePdfPages(pages);
    const { pdf } = await createPadesPdfSigner().sign(merged, signer, OPTIONS);
    expect(await verifyPdfSignatures(pdf)).toMatchObject([{ valid: true, coversWholeDocument: true }]);
    expect(await runPdfsig(pdf)).toContain('Signature Validation: Signature is Valid.');
    const document = await PDFDocument.load(pdf);
    expect(document.getPageCount()).toBe(3);
    expect(document.getPage(0).node.lookup(PDFName.of('Annots'), PDFArray).size()).toBe(1);
    expect(document.getPage(1).node.Annots()?.size() ?? 0).toBe(0);
  });

  it('signs a hand-written PDF whose page is found through /Prev, valid for pdfsig', async () => {
    const { pdf } = await createPadesPdfSigner().sign(makeStructuredPdf(), signer, OPTIONS);
    expect(await verifyPdfSignatures(pdf)).toMatchObject([
      { valid: true, coversWholeDocument: true, certification: { permission: 2, changesPermitted: true } },
    ]);
    expect(await runPdfsig(pdf)).toContain('Signature Validation: Signature is Valid.');
  });

  it('keeps a certification with an indirect AcroForm and /Annots permitted after a second signature', async () => {
    const once = await createPadesPdfSigner().sign(makeStructuredPdf(), signer, OPTIONS);
    const twice = await createPadesPdfSigner().sign(once.pdf, signer, OPTIONS);
    expect(Buffer.from(twice.pdf).toString('latin1', once.pdf.length)).toMatch(/^7 0 obj/m);
    expect(await verifyPdfSignatures(twice.pdf)).toMatchObject([
      { valid: true, certification: { permission: 2, changesPermitted: true } },
      { valid: true, coversWholeDocument: true },
    ]);
  });
});
