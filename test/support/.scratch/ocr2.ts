import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { characterErrorRate, paperText, samplePaper } from '#test/support/make-test-scans.ts';
const engine = createTesseractOcrEngine({ workers: 1 });
const png = await readFile('/tmp/ks-noisy.png');
const variants: Record<string, Buffer> = {
  jpeg85: await sharp(png).greyscale().jpeg({ quality: 85 }).toBuffer(),
  median3png: await sharp(png).median(3).greyscale().png({compressionLevel: 3}).toBuffer(),
  median3jpeg: await sharp(png).median(3).greyscale().jpeg({ quality: 85 }).toBuffer(),
};
const ref = paperText(samplePaper('KS'));
for (const [name, img] of Object.entries(variants)) {
  const t = Date.now();
  const r = await engine.recognize(img, { language: 'vie', wantPdf: true });
  console.log(name, img.length, Date.now() - t, r.confidence, r.searchablePdf?.length, 'CER', characterErrorRate(ref, r.text), r.text.includes('038319001234'));
  await writeFile(`/tmp/ocr-${name}.pdf`, r.searchablePdf!);
}
await engine.close();
