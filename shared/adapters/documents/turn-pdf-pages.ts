import { concatTransformationMatrix, PDFDocument, popGraphicsState, pushGraphicsState } from 'pdf-lib';

/**
 * The PDF with every page's content (scan and text layer alike) turned anticlockwise by
 * `degrees` about the centre of its media box, which stays as it is: a scan fed at a small slant
 * shows straight without its image being decoded, resampled or re-encoded. The page's content
 * streams are wrapped, not rewritten, and the result keeps a classic cross-reference table (what
 * the PAdES signer appends to).
 */
export async function turnPdfPages(pdf: Uint8Array, degrees: number): Promise<Uint8Array> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  for (const page of document.getPages()) {
    const box = page.getMediaBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    // Move the centre to the origin, turn, move it back: one matrix.
    const start = document.context.contentStream([
      pushGraphicsState(),
      concatTransformationMatrix(cos, sin, -sin, cos, x - cos * x + sin * y, y - sin * x - cos * y),
    ]);
    const end = document.context.contentStream([popGraphicsState()]);
    // A single /Contents stream becomes an array, which wrapping needs.
    page.node.normalize();
    page.node.wrapContentStreams(document.context.register(start), document.context.register(end));
  }
  return document.save({ useObjectStreams: false });
}
