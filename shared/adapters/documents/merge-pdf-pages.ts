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
