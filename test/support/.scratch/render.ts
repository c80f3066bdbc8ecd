import { readFile, writeFile } from 'node:fs/promises';
import { renderPdfPages, normaliseImagePages } from '#shared/adapters/documents/render-pages.ts';
import { makeScannedPdf, samplePaper } from '#test/support/make-test-scans.ts';
let t = Date.now();
const pdf = await makeScannedPdf([samplePaper('LLTP'), samplePaper('GPXD')]);
console.log('pdf', pdf.length, Date.now() - t); t = Date.now();
for await (const p of renderPdfPages(pdf, { dpi: 300, maxPixelsPerPage: 60e6 })) { console.log(p.pageNumber, p.image.length, Date.now() - t); t = Date.now(); await writeFile(`/tmp/r${p.pageNumber}.png`, p.image); }
for await (const p of renderPdfPages(await readFile('/tmp/ks-text.pdf'), { dpi: 300, maxPixelsPerPage: 60e6 })) { console.log(p.pageNumber, p.image.length, Date.now() - t); t = Date.now(); await writeFile(`/tmp/text${p.pageNumber}.png`, p.image); }
for await (const p of normaliseImagePages(await readFile('/tmp/two.tiff'), 'image/tiff', { maxPixelsPerPage: 60e6 })) { console.log('tiff', p.pageNumber, p.image.length, Date.now() - t); t = Date.now(); }
