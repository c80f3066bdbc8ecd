import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { inspectUpload } from '#shared/adapters/documents/inspect-upload.ts';
import { inspectUploadStream } from '#shared/adapters/documents/inspect-upload-stream.ts';
import {
  ensureClassicXref,
  imagePageToPdf,
  mergePdfPages,
} from '#shared/adapters/documents/merge-pdf-pages.ts';
import {
  isOcrReadyJpegHeader,
  normaliseImagePages,
  renderPdfPages,
} from '#shared/adapters/documents/render-pages.ts';
import type { DocumentToolkit } from '#shared/ports.ts';

/** The pipeline's PDF and image toolkit: pdfjs-dist, @napi-rs/canvas, sharp and pdf-lib. */
export function createDocumentToolkit(): DocumentToolkit {
  return {
    inspect: inspectUpload,
    inspectStream: (chunks, declared, limits, options) =>
      inspectUploadStream(chunks, declared, limits, options),
    extractPdfText,
    renderPdfPages,
    normaliseImagePages,
    isOcrReadyJpegHeader,
    mergePdfPages,
    ensureClassicXref,
    imagePageToPdf,
  };
}
