import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

const require = createRequire(import.meta.url);
const PDFJS_DIR = dirname(require.resolve('pdfjs-dist/package.json'));

/** An open PDF and the way to release it. */
export interface LoadedPdf {
  document: PDFDocumentProxy;
  close(): Promise<void>;
}

/** Options that keep pdfjs offline and self-contained in Node. */
export interface LoadPdfOptions {
  /** Largest embedded image pdfjs decodes, in pixels (-1: no limit). @default -1 */
  maxImagePixels?: number;
  /** Hands `pdf` to pdfjs without a copy: the caller gives it up (it is detached). @default false */
  transfer?: boolean;
}

/**
 * Opens a PDF with pdfjs-dist (legacy build, in-process "fake" worker): no network,
 * no system fonts; standard fonts, CMaps and the JPEG 2000/ICC decoders come from the package.
 * The bytes are copied (unless `transfer`) because pdfjs takes ownership of (detaches) the buffer
 * it is given.
 * Call `close()` when done: it ends the in-process worker and frees the document.
 */
export async function loadPdfDocument(pdf: Uint8Array, options: LoadPdfOptions = {}): Promise<LoadedPdf> {
  const task = getDocument({
    data: options.transfer ? pdf : new Uint8Array(pdf),
    useSystemFonts: false,
    disableFontFace: true,
    stopAtErrors: false,
    verbosity: 0,
    maxImageSize: options.maxImagePixels ?? -1,
    standardFontDataUrl: `${join(PDFJS_DIR, 'standard_fonts')}/`,
    cMapUrl: `${join(PDFJS_DIR, 'cmaps')}/`,
    cMapPacked: true,
    wasmUrl: `${join(PDFJS_DIR, 'wasm')}/`,
    iccUrl: `${join(PDFJS_DIR, 'iccs')}/`,
  });
  try {
    return { document: await task.promise, close: () => task.destroy() };
  } catch (error) {
    await task.destroy();
    throw error;
  }
}
