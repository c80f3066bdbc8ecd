import { PDFArray, PDFDocument, PDFName } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagePageToPdf } from '#shared/adapters/documents/merge-pdf-pages.ts';
import { renderPdfPages } from '#shared/adapters/documents/render-pages.ts';
import { turnPdfPages } from '#shared/adapters/documents/turn-pdf-pages.ts';
import { estimateSkew } from '#shared/adapters/ocr/estimate-skew.ts';
import { renderPaperJpeg, samplePaper } from '#test/support/make-test-scans.ts';

const SKEW = 1.5;

const renderFirstPage = async (pdf: Uint8Array): Promise<Uint8Array> => {
  for await (const page of renderPdfPages(pdf, { dpi: 150, maxPixelsPerPage: 40_000_000 })) return page.image;
  throw new Error('no page');
};

describe('turnPdfPages', () => {
  let scan: Uint8Array;
  let slanted: Uint8Array;
  let turned: Uint8Array;

  beforeAll(async () => {
    scan = await renderPaperJpeg(samplePaper('KS'), { rotationDeg: SKEW });
    slanted = await imagePageToPdf(scan, 300);
    turned = await turnPdfPages(slanted, SKEW);
  }, 60_000);

  it('shows a page scanned at a slant straight', async () => {
    const before = await estimateSkew(await renderFirstPage(slanted));
    const after = await estimateSkew(await renderFirstPage(turned));
    expect(Math.abs(before.degrees - SKEW)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(after.degrees)).toBeLessThanOrEqual(0.3);
  }, 60_000);

  it('keeps the scan as it was, byte for byte, and the page its size', async () => {
    expect(Buffer.from(turned).indexOf(Buffer.from(scan))).toBeGreaterThan(0);
    const [page] = (await PDFDocument.load(turned)).getPages();
    const [original] = (await PDFDocument.load(slanted)).getPages();
    expect(page?.getSize()).toEqual(original?.getSize());
  });

  it('turns a page whose /Contents is a single stream (as Tesseract writes it)', async () => {
    const document = await PDFDocument.load(slanted);
    const page = document.getPage(0);
    const contents = page.node.Contents();
    const single = contents instanceof PDFArray ? contents.get(0) : contents;
    if (!single) throw new Error('the page has no content');
    page.node.set(PDFName.of('Contents'), single);
    const turnedSingle = await turnPdfPages(await document.save(), SKEW);
    expect(Math.abs((await estimateSkew(await renderFirstPage(turnedSingle))).degrees)).toBeLessThanOrEqual(
      0.3,
    );
  }, 60_000);

  it('writes a classic cross-reference table, as the signer needs', () => {
    const text = Buffer.from(turned).toString('latin1');
    expect(text).toMatch(/\nxref\n/);
    expect(text).not.toMatch(/\/Type\s*\/ObjStm/);
  });
});
