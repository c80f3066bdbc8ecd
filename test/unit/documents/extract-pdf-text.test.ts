import { describe, expect, it } from 'vitest';
import { extractPdfText, hasMeaningfulText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { makeScannedPdf, makeTextLayerPdf, paperText, samplePaper } from '#test/support/make-test-scans.ts';

describe('extractPdfText', () => {
  it('reads the Vietnamese text layer line by line, NFC with its diacritics', async () => {
    const paper = samplePaper('KS');
    const { pages, hasTextLayer } = await extractPdfText(await makeTextLayerPdf(paper));
    expect(hasTextLayer).toBe(true);
    expect(pages).toHaveLength(1);
    const lines = pages[0]?.split('\n') ?? [];
    expect(lines.slice(0, 4)).toEqual([
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'GIẤY KHAI SINH',
      'Họ, chữ đệm, tên: NGUYỄN THỊ HỒNG NHUNG',
    ]);
    expect(pages[0]).toBe(pages[0]?.normalize('NFC'));
    expect(pages[0]).toBe(paperText(paper).replace(/ {2,}/gu, ' '));
  });

  it('reports no text layer for a scanned PDF', async () => {
    const { pages, hasTextLayer } = await extractPdfText(await makeScannedPdf([samplePaper('LLTP')]));
    expect(pages).toEqual(['']);
    expect(hasTextLayer).toBe(false);
  });
});

describe('hasMeaningfulText', () => {
  it('needs 20 letters per page on average, not digits or a stray page number', () => {
    expect(hasMeaningfulText(['Trang 1', '2'])).toBe(false);
    expect(hasMeaningfulText(['0123456789 0123456789 0123456789'])).toBe(false);
    expect(hasMeaningfulText(['Giấy khai sinh của Nguyễn Thị Hồng Nhung', 'Trang 2'])).toBe(false);
    expect(hasMeaningfulText(['Giấy khai sinh của Nguyễn Thị Hồng Nhung, sinh ngày 14/03/2019', ''])).toBe(
      true,
    );
    expect(hasMeaningfulText([])).toBe(false);
  });
});
