import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { renderPdfPages } from '#shared/adapters/documents/render-pages.ts';
import { estimateSkew } from '#shared/adapters/ocr/estimate-skew.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  characterErrorRate,
  paperText,
  renderPaperJpeg,
  samplePaper,
} from '#test/support/make-test-scans.ts';
import { nativeEngineForTests } from '#test/support/native-tesseract.ts';

const PAPER = samplePaper('KS');
const SKEWS = [0, 0.7, 3, 7] as const;
/** Below the default `resampleFromDegrees`: read as scanned, straightened in its PDF only. */
const SMALL_SKEW = 0.7;

/** Native Tesseract embeds a JPEG page in its PDF as it is; tesseract.js re-encodes it. */
const ENGINES: { name: string; embedsScanAsIs: boolean; create: () => OcrEngine }[] = [
  ...nativeEngineForTests(2).map((entry) => ({ ...entry, embedsScanAsIs: true })),
  {
    name: 'tesseract.js',
    embedsScanAsIs: false,
    create: () => createTesseractOcrEngine({ workers: 2, language: 'vie' }),
  },
];

describe.each(ENGINES)('$name reads pages fed at a slant straight', ({ create, embedsScanAsIs }) => {
  let engine: OcrEngine;
  const results = new Map<number, OcrResult>();
  const scans = new Map<number, Uint8Array>();
  const errorRate = (skew: number) => characterErrorRate(paperText(PAPER), results.get(skew)?.text ?? '');

  beforeAll(async () => {
    engine = create();
    await Promise.all(
      SKEWS.map(async (skew) => {
        const scan = await renderPaperJpeg(PAPER, { rotationDeg: skew });
        scans.set(skew, scan);
        results.set(skew, await engine.recognize(scan, { language: 'vie', wantPdf: true }));
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await engine?.close?.();
  });

  it('leaves the straight page as it is', () => {
    expect(results.get(0)?.skew).toBe(0);
    expect(errorRate(0)).toBeLessThan(0.02);
  });

  it.each(SKEWS.filter((skew) => skew !== 0))(
    'straightens the page fed at %d° and reads it about as well as the straight one',
    async (skew) => {
      const result = results.get(skew) as OcrResult;
      expect(Math.abs((result.skew ?? 0) - skew)).toBeLessThanOrEqual(0.5);
      expect(result.rotation).toBe(0);
      expect(result.text).toContain(PAPER.title);
      expect(result.text).toContain(PAPER.ownerId);
      expect(errorRate(skew)).toBeLessThanOrEqual(errorRate(0) + 0.01);

      const pdf = result.searchablePdf ?? new Uint8Array();
      const { width, height } = (await PDFDocument.load(pdf)).getPage(0).getSize();
      expect(width).toBeLessThan(height);
      expect((await extractPdfText(pdf)).pages[0]).toContain(PAPER.ownerId);
    },
  );

  it.each([SMALL_SKEW, 3])(
    'shows the page fed at %d° straight in its PDF',
    { timeout: 30_000 },
    async (skew) => {
      let shown: Uint8Array | undefined;
      for await (const page of renderPdfPages(results.get(skew)?.searchablePdf ?? new Uint8Array(), {
        dpi: 150,
        maxPixelsPerPage: 40_000_000,
      }))
        shown ??= page.image;
      expect(Math.abs((await estimateSkew(shown ?? new Uint8Array())).degrees)).toBeLessThanOrEqual(0.3);
      // Native Tesseract reads a straightened copy (from 1°) or the scan, and the PDF shows the scan
      // itself turned; tesseract.js's PDF shows the straightened copy it read.
      const holdsScan = Buffer.from(results.get(skew)?.searchablePdf ?? []).includes(
        Buffer.from(scans.get(skew) ?? []),
      );
      expect(holdsScan).toBe(embedsScanAsIs);
    },
  );
});
