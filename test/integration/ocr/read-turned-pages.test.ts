import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  characterErrorRate,
  NOISY_SCAN,
  renderPaperJpeg,
  renderTurnedPaperJpeg,
  samplePaper,
  type TestPaper,
} from '#test/support/make-test-scans.ts';
import { nativeEngineForTests } from '#test/support/native-tesseract.ts';

/** A scan, how it was turned, and the rotation that reads it upright. */
interface TurnedCase {
  name: string;
  paper: TestPaper;
  scan: () => Promise<Uint8Array>;
  rotation: 0 | 90 | 180 | 270;
}

// Papers that these engines read without error upright (others lose a capital's diacritic).
const CASES: TurnedCase[] = [
  {
    name: 'an upright noisy scan',
    paper: samplePaper('KS'),
    scan: () => renderPaperJpeg(samplePaper('KS'), NOISY_SCAN),
    rotation: 0,
  },
  {
    name: 'an upside-down scan',
    paper: samplePaper('TTHN'),
    scan: () => renderTurnedPaperJpeg(samplePaper('TTHN'), 180),
    rotation: 180,
  },
  {
    name: 'a noisy scan turned a quarter clockwise',
    paper: samplePaper('LLTP'),
    scan: () => renderTurnedPaperJpeg(samplePaper('LLTP'), 90, NOISY_SCAN),
    rotation: 270,
  },
  {
    name: 'a scan turned a quarter anticlockwise',
    paper: samplePaper('KS'),
    scan: () => renderTurnedPaperJpeg(samplePaper('KS'), 270),
    rotation: 90,
  },
];

const ENGINES: { name: string; create: () => OcrEngine }[] = [
  ...nativeEngineForTests(2),
  { name: 'tesseract.js', create: () => createTesseractOcrEngine({ workers: 2, language: 'vie' }) },
];

describe.each(ENGINES)('$name reads turned pages upright', ({ create }) => {
  let engine: OcrEngine;
  const results = new Map<string, OcrResult>();

  beforeAll(async () => {
    engine = create();
    await Promise.all(
      CASES.map(async (turned) => {
        results.set(
          turned.name,
          await engine.recognize(await turned.scan(), { language: 'vie', wantPdf: true }),
        );
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await engine?.close?.();
  });

  describe.each(CASES)('$name', (turned) => {
    const result = () => results.get(turned.name) as OcrResult;

    it(`is turned ${turned.rotation}° to be read`, () => {
      expect(result().rotation).toBe(turned.rotation);
    });

    it('reads the title and the owner ID with few character errors', () => {
      const { text, confidence } = result();
      expect(text).toContain(turned.paper.title);
      expect(text).toContain(turned.paper.ownerId);
      const body = text.slice(text.indexOf(turned.paper.title) + turned.paper.title.length);
      expect(characterErrorRate(turned.paper.lines.join('\n'), body)).toBeLessThan(0.03);
      expect(confidence).toBeGreaterThan(0.85);
    });

    it('makes an upright portrait searchable PDF whose text layer holds the title', async () => {
      const pdf = result().searchablePdf ?? new Uint8Array();
      const page = (await PDFDocument.load(pdf)).getPage(0);
      const { width, height } = page.getSize();
      expect(width).toBeLessThan(height);
      expect(page.getRotation().angle % 360).toBe(0);
      const { pages } = await extractPdfText(pdf);
      expect(pages[0]).toContain(turned.paper.title);
      expect(pages[0]).toContain(turned.paper.ownerId);
    });
  });
});
