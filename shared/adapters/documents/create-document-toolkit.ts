import { inspectUploadStream } from '#shared/adapters/documents/inspect-upload-stream.ts';
import { imagePageToPdf, mergePdfPages } from '#shared/adapters/documents/merge-pdf-pages.ts';
import {
  isOcrReadyJpegHeader,
  normaliseImagePages,
  renderPdfPages,
} from '#shared/adapters/documents/render-pages.ts';
import type { DocumentToolkit } from '#shared/ports.ts';

/** The pipeline's PDF and image toolkit: pdfjs-dist, @napi-rs/canvas, sharp and pdf-lib. */
export function createDocumentToolkit(): DocumentToolkit {
  return {
    inspectStream: (chunks, declared, limits, options) =>
      inspectUploadStream(chunks, declared, limits, options),
    renderPdfPages,
    normaliseImagePages,
    isOcrReadyJpegHeader,
    mergePdfPages,
    imagePageToPdf,
  };
}
