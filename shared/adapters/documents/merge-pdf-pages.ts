import { PDFDocument } from 'pdf-lib';
import { QuarantineError } from '#shared/domain/errors.ts';

/**
 * Save options for every PDF handed to the signer: a classic cross-reference table and no
 * object streams, because the PAdES signer appends an incremental update to a classic xref.
 */
const CLASSIC_XREF = { useObjectStreams: false } as const;

/** Options of {@link mergePdfPages}. */
export interface MergePdfPagesOptions {
  /**
   * The most bytes the page PDFs may add up to (the merged PDF is about as large, and is held in
   * memory); more fails with `QuarantineError('TOO_LARGE')` before the next page is read.
   * @default Number.POSITIVE_INFINITY
   */
  maxTotalBytes?: number;
}

/**
 * Concatenates PDFs (e.g. one searchable page per OCR'd image) into one PDF with a classic xref.
 * The pages may come lazily (an async generator that reads each from storage): each is pulled only
 * once the previous one has been copied into the output and released, so at most one source PDF
 * is held besides the output.
 */
export async function mergePdfPages(
  pages: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: MergePdfPagesOptions = {},
): Promise<Uint8Array> {
  const maxTotalBytes = options.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  const merged = await PDFDocument.create();
  let total = 0;
  let count = 0;
  for await (const bytes of pages) {
    total += bytes.byteLength;
    if (total > maxTotalBytes) {
      throw new QuarantineError(
        'TOO_LARGE',
        `the searchable pages add up to more than ${maxTotalBytes} bytes (over ${total} after page ${count + 1}), more than a signed copy may hold in memory`,
      );
    }
    await appendPages(merged, bytes);
    count++;
  }
  if (count === 0) throw new Error('mergePdfPages needs at least one page');
  return merged.save(CLASSIC_XREF);
}

/** Copies every page of `source` to the end of `target`; the parsed source is garbage once this returns. */
async function appendPages(target: PDFDocument, source: Uint8Array): Promise<void> {
  const document = await PDFDocument.load(source, { updateMetadata: false });
  const copied = await target.copyPages(document, document.getPageIndices());
  for (const page of copied) target.addPage(page);
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
