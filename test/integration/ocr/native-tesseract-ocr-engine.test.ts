import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import {
  chooseOcrEngine,
  createChosenTesseractEngine,
  probeTesseract,
  type TesseractProbe,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  characterErrorRate,
  NOISY_SCAN,
  renderPaperJpeg,
  samplePaper,
} from '#test/support/make-test-scans.ts';

// No skip: CI installs Debian's tesseract-ocr (.ci/run), and a machine without it fails here.
describe('native Tesseract on a Vietnamese scan (same best_int model as tesseract.js)', () => {
  const paper = samplePaper('KS');
  let probe: TesseractProbe;
  let engine: OcrEngine;
  let native: OcrResult;
  let wasm: OcrResult;

  beforeAll(async () => {
    probe = probeTesseract();
    if (!probe.found)
      throw new Error(`native Tesseract is needed here (apt-get install tesseract-ocr): ${probe.error}`);
    const choice = chooseOcrEngine({ engine: 'tesseract-native', model: 'best_int' }, () => probe);
    engine = createChosenTesseractEngine(
      { ...choice, engine: 'tesseract-native' },
      { language: 'vie', workers: 1, probe },
    );
    const jpeg = await renderPaperJpeg(paper, NOISY_SCAN);
    const reference = createTesseractOcrEngine({ workers: 1, language: 'vie' });
    try {
      [native, wasm] = await Promise.all([
        engine.recognize(jpeg, { language: 'vie', wantPdf: true }),
        reference.recognize(jpeg, { language: 'vie', wantPdf: false }),
      ]);
    } finally {
      await reference.close?.();
    }
  }, 60_000);

  afterAll(async () => {
    await engine?.close?.();
  });

  it('is a Tesseract 5 or later', () => {
    expect(probe.found && probe.major).toBeGreaterThanOrEqual(5);
  });

  it('reads the title, the diacritics and the personal ID', () => {
    expect(native.text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(native.text).toContain('GIẤY KHAI SINH');
    expect(native.text).toContain('Nơi sinh: Bệnh viện Đa khoa tỉnh Thanh Hóa');
    expect(native.text).toContain('Số định danh cá nhân: 038319001234');
    expect(native.text).toBe(native.text.normalize('NFC'));
    const body = native.text.slice(native.text.indexOf(paper.title) + paper.title.length);
    expect(characterErrorRate(paper.lines.join('\n'), body)).toBeLessThan(0.03);
  });

  it('reads what tesseract.js reads from the same model, with the same confidence', () => {
    expect(characterErrorRate(wasm.text, native.text)).toBeLessThan(0.01);
    expect(Math.abs(native.confidence - wasm.confidence)).toBeLessThan(0.02);
    expect(native.confidence).toBeGreaterThan(0.7);
    expect(native.confidence).toBeLessThanOrEqual(1);
  });

  it("makes Tesseract's one-page searchable PDF whose text layer holds what was read", async () => {
    const pdf = native.searchablePdf ?? new Uint8Array();
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { pages, hasTextLayer } = await extractPdfText(pdf);
    expect(hasTextLayer).toBe(true);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('GIẤY KHAI SINH');
    expect(pages[0]).toContain('038319001234');
  });
});
