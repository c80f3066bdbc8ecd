import { PDFDocument } from 'pdf-lib';

/**
 * Save options for every PDF handed to the signer: a classic cross-reference table and no
 * object streams, because the PAdES signer appends an incremental update to a classic xref.
 */
const CLASSIC_XREF = { useObjectStreams: false } as const;

/** Concatenates PDFs (e.g. one searchable page per OCR'd image) into one PDF with a classic xref. */
export async function mergePdfPages(pages: readonly Uint8Array[]): Promise<Uint8Array> {
  if (pages.length === 0) throw new Error('mergePdfPages needs at least one page');
  const merged = await PDFDocument.create();
  for (const bytes of pages) {
    const source = await PDFDocument.load(bytes);
    const copied = await merged.copyPages(source, source.getPageIndices());
    for (const page of copied) merged.addPage(page);
  }
  return merged.save(CLASSIC_XREF);
}

/**
 * Re-saves any PDF (e.g. an uploaded born-digital one, which may use object streams and
 * cross-reference streams) with a classic xref table, keeping its pages and content.
 */
export async function ensureClassicXref(pdf: Uint8Array): Promise<Uint8Array> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  return document.save(CLASSIC_XREF);
}

/** Points per inch: PDF user space units. */
const POINTS_PER_INCH = 72;

/**
 * A one-page PDF showing a page image at its physical size (for engines that make no searchable
 * PDF of their own, such as Textract). JPEG is embedded as is; anything else as PNG.
 */
export async function imagePageToPdf(image: Uint8Array, dpi: number): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const isJpeg = image[0] === 0xff && image[1] === 0xd8;
  const embedded = isJpeg ? await document.embedJpg(image) : await document.embedPng(image);
  const scale = POINTS_PER_INCH / dpi;
  const width = embedded.width * scale;
  const height = embedded.height * scale;
  document.addPage([width, height]).drawImage(embedded, { x: 0, y: 0, width, height });
  return document.save(CLASSIC_XREF);
}
