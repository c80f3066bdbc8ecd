import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import {
  chooseOcrEngine,
  createChosenTesseractEngine,
  probeTesseract,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  characterErrorRate,
  paperText,
  renderPaperJpeg,
  samplePaper,
} from '#test/support/make-test-scans.ts';

const PAPER = samplePaper('KS');
const SKEWS = [0, 3, 7] as const;

const ENGINES: { name: string; create: () => OcrEngine }[] = [
  {
    name: 'native Tesseract',
    create: () => {
      // No skip: CI installs Debian's tesseract-ocr (.ci/run), and a machine without it fails here.
      const probe = probeTesseract();
      if (!probe.found) throw new Error(`native Tesseract is needed here: ${probe.error}`);
      const choice = chooseOcrEngine({ engine: 'tesseract-native', model: 'best_int' }, () => probe);
      return createChosenTesseractEngine(
        { ...choice, engine: 'tesseract-native' },
        { language: 'vie', workers: 2, probe },
      );
    },
  },
  { name: 'tesseract.js', create: () => createTesseractOcrEngine({ workers: 2, language: 'vie' }) },
];

describe.each(ENGINES)('$name reads pages fed at a slant straight', ({ create }) => {
  let engine: OcrEngine;
  const results = new Map<number, OcrResult>();
  const errorRate = (skew: number) => characterErrorRate(paperText(PAPER), results.get(skew)?.text ?? '');

  beforeAll(async () => {
    engine = create();
    await Promise.all(
      SKEWS.map(async (skew) => {
        const scan = await renderPaperJpeg(PAPER, { rotationDeg: skew });
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
    'straightens the page fed at %i° and reads it about as well as the straight one',
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
});
