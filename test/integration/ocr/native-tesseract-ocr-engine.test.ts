import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { chooseOcrEngine } from '#shared/adapters/ocr/select-ocr-engine.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  characterErrorRate,
  NOISY_SCAN,
  renderPaperJpeg,
  samplePaper,
} from '#test/support/make-test-scans.ts';
import {
  describeNative,
  hasNativeTesseract,
  nativeEngineForTests,
  tesseractProbe,
} from '#test/support/native-tesseract.ts';

describeNative('native Tesseract on a Vietnamese scan (same best_int model as tesseract.js)', () => {
  const paper = samplePaper('KS');
  let engine: OcrEngine;
  let native: OcrResult;
  let wasm: OcrResult;

  beforeAll(async () => {
    const [entry] = nativeEngineForTests(1);
    if (!entry) throw new Error('no native Tesseract');
    engine = entry.create();
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
    expect(tesseractProbe.found && tesseractProbe.major).toBeGreaterThanOrEqual(5);
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

describe('the OCR engine this machine runs', () => {
  it('is native Tesseract when a tesseract 5 is on the PATH, and tesseract.js, saying why, when not', () => {
    const choice = chooseOcrEngine({ engine: 'auto', model: 'best_int' }, () => tesseractProbe);
    expect(choice.engine).toBe(hasNativeTesseract ? 'tesseract-native' : 'tesseract-wasm');
    expect(choice.reason).toMatch(hasNativeTesseract ? /is on the PATH/ : /tesseract\.js instead/);
  });
});
