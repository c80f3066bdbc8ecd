import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { normaliseImagePages } from '#shared/adapters/documents/render-pages.ts';
import {
  createTesseractOcrEngine,
  resolveLanguageDataDir,
} from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrResult } from '#shared/ports.ts';
import {
  characterErrorRate,
  NOISY_SCAN,
  renderPaperPng,
  samplePaper,
} from '#test/support/make-test-scans.ts';

describe('createTesseractOcrEngine', () => {
  const engine = createTesseractOcrEngine({ workers: 1, language: 'vie' });
  const paper = samplePaper('KS');
  let result: OcrResult;

  beforeAll(async () => {
    // The pipeline's path for an uploaded image: normalise, then OCR the page.
    const png = await renderPaperPng(paper, NOISY_SCAN);
    for await (const page of normaliseImagePages(png, 'image/png', { maxPixelsPerPage: 60_000_000 })) {
      result = await engine.recognize(page.image, { language: 'vie', wantPdf: true });
    }
  });

  afterAll(async () => {
    await engine.close?.();
  });

  it('reads the title and the personal ID of a noisy, skewed birth certificate', () => {
    expect(result.text).toContain('GIẤY KHAI SINH');
    expect(result.text).toContain('Số định danh cá nhân: 038319001234');
    expect(result.text).toBe(result.text.normalize('NFC'));
  });

  it('reads the body with a character error rate under 3 %', () => {
    const body = result.text.slice(result.text.indexOf(paper.title) + paper.title.length);
    expect(characterErrorRate(paper.lines.join('\n'), body)).toBeLessThan(0.03);
  });

  it('reports a mean confidence between 0 and 1', () => {
    expect(result.confidence).toBeGreaterThan(0.7);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('makes a one-page searchable PDF whose text layer holds what was read', async () => {
    const pdf = result.searchablePdf ?? new Uint8Array();
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const { pages, hasTextLayer } = await extractPdfText(pdf);
    expect(hasTextLayer).toBe(true);
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('GIẤY KHAI SINH');
    expect(pages[0]).toContain('038319001234');
  });

  it('refuses a language it was not loaded for', async () => {
    await expect(engine.recognize(new Uint8Array([1]), { language: 'eng', wantPdf: false })).rejects.toThrow(
      "loaded for 'vie', not 'eng'",
    );
  });

  it('finds the best_int model in its npm package', () => {
    expect(resolveLanguageDataDir('vie')).toMatch(/@tesseract\.js-data\/vie\/4\.0\.0_best_int$/u);
  });
});
