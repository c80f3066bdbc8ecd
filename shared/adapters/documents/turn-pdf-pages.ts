import {
  concatTransformationMatrix,
  PDFDocument,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
} from 'pdf-lib';

/**
 * The PDF with every page's content (scan and text layer alike) turned anticlockwise by
 * `degrees` about the centre of its media box, which stays as it is: a scan fed at a small slant
 * shows straight without its image being decoded, resampled or re-encoded. The page's content
 * streams are wrapped, not rewritten, and the result keeps a classic cross-reference table (what
 * the PAdES signer appends to).
 */
export async function turnPdfPages(pdf: Uint8Array, degrees: number): Promise<Uint8Array> {
  const document = await PDFDocument.load(pdf, { updateMetadata: false });
  for (const page of document.getPages()) {
    const start = document.context.contentStream([pushGraphicsState(), turnAboutCentre(page, degrees)]);
    const end = document.context.contentStream([popGraphicsState()]);
    // A single /Contents stream becomes an array, which wrapping needs.
    page.node.normalize();
    page.node.wrapContentStreams(document.context.register(start), document.context.register(end));
  }
  return document.save({ useObjectStreams: false });
}

/**
 * A one-page searchable PDF from a scan and the text layer Tesseract read from it (its
 * `textonly_pdf` output, same page size): the scan, turned anticlockwise by `degrees` about the
 * page's centre, under the invisible text. The text may have been read from a straightened copy
 * of the scan: turned, the scan lies where that copy was. A JPEG scan is embedded as it is.
 */
export async function composeSearchablePage(
  scan: Uint8Array,
  textLayer: Uint8Array,
  degrees: number,
): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const [text] = await document.embedPdf(textLayer, [0]);
  if (!text) throw new Error('the text layer PDF has no page');
  const isJpeg = scan[0] === 0xff && scan[1] === 0xd8;
  const image = isJpeg ? await document.embedJpg(scan) : await document.embedPng(scan);
  const page = document.addPage([text.width, text.height]);
  page.pushOperators(pushGraphicsState(), turnAboutCentre(page, degrees));
  page.drawImage(image, { x: 0, y: 0, width: text.width, height: text.height });
  page.pushOperators(popGraphicsState());
  page.drawPage(text, { x: 0, y: 0 });
  return document.save({ useObjectStreams: false });
}

/** The matrix that turns a page's content anticlockwise by `degrees` about its media box's centre. */
function turnAboutCentre(page: PDFPage, degrees: number) {
  const box = page.getMediaBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  const radians = (degrees * Math.PI) / 180;
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  // Move the centre to the origin, turn, move it back: one matrix.
  return concatTransformationMatrix(cos, sin, -sin, cos, x - cos * x + sin * y, y - sin * x - cos * y);
}
