import { readFile } from 'node:fs/promises';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { makeScannedPdf, samplePaper } from '#test/support/make-test-scans.ts';
let t = Date.now();
const r = await extractPdfText(await readFile('/tmp/ks-text.pdf'));
console.log(r, Date.now() - t); t = Date.now();
console.log(await extractPdfText(await makeScannedPdf([samplePaper('LLTP')])), Date.now() - t);
