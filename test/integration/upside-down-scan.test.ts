import { S3Client } from '@aws-sdk/client-s3';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { renderPdfPages } from '#shared/adapters/documents/render-pages.ts';
import { estimateSkew } from '#shared/adapters/ocr/estimate-skew.ts';
import { renderPaperJpeg, renderTurnedPaperJpeg, samplePaper } from '#test/support/make-test-scans.ts';
import { startTestBackOffice, type TestBackOffice } from '#test/support/start-test-back-office.ts';

let office: TestBackOffice;

beforeAll(async () => {
  office = await startTestBackOffice();
}, 120_000);

afterAll(async () => {
  await office?.stop();
});

/** What the OCR step recorded for a page (kept in the ingest bucket's work folder). */
async function pageOcr(
  documentId: string,
  pageNumber = 1,
): Promise<{ rotation?: number; skew?: number; engine: string }> {
  const { runtimeConfig } = office.backOffice;
  const objects = createS3ObjectStore(new S3Client(awsClientSettings(runtimeConfig.aws, 's3')));
  const key = `work/${documentId}/page-${String(pageNumber).padStart(4, '0')}.ocr.json`;
  return JSON.parse(Buffer.from(await objects.get(runtimeConfig.buckets.ingest, key)).toString('utf8'));
}

/** The JPEG scans a PDF shows (Tesseract's searchable pages embed the page image as it is). */
async function embeddedJpegs(pdf: Uint8Array): Promise<Uint8Array[]> {
  const document = await PDFDocument.load(pdf);
  return document.context
    .enumerateIndirectObjects()
    .map(([, object]) => object)
    .filter(
      (object): object is PDFRawStream =>
        object instanceof PDFRawStream && object.dict.get(PDFName.of('Filter')) === PDFName.of('DCTDecode'),
    )
    .map((stream) => stream.contents);
}

describe('scans fed the wrong way round, on the embedded runtime', () => {
  it('archives an upside-down birth certificate with its type, owner and code, its signed copy upright', async () => {
    const paper = samplePaper('KS');
    const { document } = await office.uploadAndSettle(await renderTurnedPaperJpeg(paper, 180), 'image/jpeg');
    expect(document.status).toBe('ARCHIVED');
    expect(document.classification).toMatchObject({ docType: 'KS', ownerId: paper.ownerId });
    expect(document.code).toBe(`${paper.ownerId}.KS.01`);
    expect((await pageOcr(document.documentId)).rotation).toBe(180);

    const signed = await office.downloadSigned(document.documentId);
    const text = await extractPdfText(signed);
    expect(text.pages[0]).toContain(paper.title);
    expect(text.pages[0]).toContain(paper.ownerId);
  });

  it('archives a judicial record scanned sideways as an upright portrait page', async () => {
    const paper = samplePaper('LLTP');
    const { document } = await office.uploadAndSettle(await renderTurnedPaperJpeg(paper, 90), 'image/jpeg');
    expect(document.status).toBe('ARCHIVED');
    expect(document.classification).toMatchObject({ docType: 'LLTP', ownerId: paper.ownerId });
    expect(document.code).toBe(`${paper.ownerId}.LLTP.01`);
    expect((await pageOcr(document.documentId)).rotation).toBe(270);

    const signed = await office.downloadSigned(document.documentId);
    const page = (await PDFDocument.load(signed)).getPage(0);
    expect(page.getSize().width).toBeLessThan(page.getSize().height);
    expect((await extractPdfText(signed)).pages[0]).toContain(paper.title);
  });
});

describe('scans fed at a slant, on the embedded runtime', () => {
  it.each([
    { docType: 'TTHN', skew: 3 },
    { docType: 'GPXD', skew: -7 },
  ])(
    'archives a $docType paper fed at $skew° with its type and owner, its signed copy straight',
    async ({ docType, skew }) => {
      const paper = samplePaper(docType);
      const scan = await renderPaperJpeg(paper, { rotationDeg: skew });
      const { document } = await office.uploadAndSettle(scan, 'image/jpeg');
      expect(document.status).toBe('ARCHIVED');
      expect(document.classification).toMatchObject({ docType, ownerId: paper.ownerId });
      expect(document.code).toBe(`${paper.ownerId}.${docType}.01`);
      expect(Math.abs(((await pageOcr(document.documentId)).skew ?? 0) - skew)).toBeLessThanOrEqual(0.5);

      const signed = await office.downloadSigned(document.documentId);
      expect((await extractPdfText(signed)).pages[0]).toContain(paper.ownerId);
      // One image, shown straight: the scan turned in the page (native Tesseract) or a straightened copy.
      expect(await embeddedJpegs(signed)).toHaveLength(1);
      let shown: Uint8Array | undefined;
      for await (const page of renderPdfPages(signed, { dpi: 150, maxPixelsPerPage: 40_000_000 }))
        shown ??= page.image;
      expect(Math.abs((await estimateSkew(shown ?? new Uint8Array())).degrees)).toBeLessThan(0.3);
      expect(Math.abs((await estimateSkew(scan)).degrees - skew)).toBeLessThanOrEqual(0.5);
    },
  );
});
