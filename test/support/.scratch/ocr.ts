import { readFile, writeFile } from 'node:fs/promises';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { characterErrorRate, paperText, samplePaper } from '#test/support/make-test-scans.ts';
const engine = createTesseractOcrEngine({ workers: 1 });
let t = Date.now();
const img = await readFile('/tmp/ks-noisy.png');
const r = await engine.recognize(img, { language: 'vie', wantPdf: true });
console.log(Date.now() - t, r.confidence, r.searchablePdf?.length); t = Date.now();
console.log(r.text);
console.log('CER', characterErrorRate(paperText(samplePaper('KS')), r.text));
if (r.searchablePdf) { await writeFile('/tmp/ocr.pdf', r.searchablePdf); console.log(await extractPdfText(r.searchablePdf)); }
await engine.close();
