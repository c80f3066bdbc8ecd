import { readFile } from 'node:fs/promises';
import { loadPdfDocument } from '#shared/adapters/documents/load-pdf-document.ts';
for (const f of ['/tmp/ocr-jpeg85.pdf', '/tmp/ks-text.pdf']) {
const { document, close } = await loadPdfDocument(await readFile(f));
const page = await document.getPage(1);
const c = await page.getTextContent();
console.log(c.items.slice(0, 12).map((i: any) => JSON.stringify([i.str, i.hasEOL, i.transform.map((n: number) => Math.round(n*100)/100), Math.round(i.width), Math.round(i.height)])).join('\n'));
await close();
}
