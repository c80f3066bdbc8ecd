import { createCanvas } from '@napi-rs/canvas';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { loadPdfDocument } from '#shared/adapters/documents/load-pdf-document.ts';
import { QuarantineError } from '#shared/domain/errors.ts';
import type { PageImage } from '#shared/ports.ts';

export type { PageImage };

/** Options for rasterising a PDF. */
export interface RenderPdfOptions {
  /** Resolution of the page images. @default 300 */
  dpi?: number;
  /** Decompression-bomb guard: the largest page image (and embedded image) allowed, in pixels. */
  maxPixelsPerPage: number;
}

const POINTS_PER_INCH = 72;
/** JPEG quality of page images: no measurable OCR loss against PNG, 2–4× smaller. */
export const PAGE_JPEG_QUALITY = 85;

/**
 * Rasterises every page of a PDF with pdfjs-dist onto an @napi-rs/canvas, one page at a time
 * (print intent, white background), and yields greyscale page JPEGs. Page images are greyscale
 * content in a three-channel JPEG (quality {@link PAGE_JPEG_QUALITY}) because Tesseract embeds a
 * JPEG in its searchable PDF as is, and declares it RGB. A page whose image would exceed
 * `maxPixelsPerPage` fails with `QuarantineError('TOO_MANY_PIXELS')`.
 */
export async function* renderPdfPages(pdf: Uint8Array, options: RenderPdfOptions): AsyncIterable<PageImage> {
  const scale = (options.dpi ?? 300) / POINTS_PER_INCH;
  const { document, close } = await loadPdfDocument(pdf, { maxImagePixels: options.maxPixelsPerPage });
  try {
    for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
      const page = await document.getPage(pageNumber);
      const viewport = page.getViewport({ scale });
      const width = Math.ceil(viewport.width);
      const height = Math.ceil(viewport.height);
      assertPixels(width, height, options.maxPixelsPerPage, `page ${pageNumber}`);
      const canvas = createCanvas(width, height);
      const context = canvas.getContext('2d');
      // biome-ignore lint/suspicious/noExplicitAny: pdfjs types the canvas as a DOM element; @napi-rs/canvas implements the same API.
      const renderParams: any = {
        canvas,
        canvasContext: context,
        viewport,
        intent: 'print',
        background: '#ffffff',
      };
      await page.render(renderParams).promise;
      const rgba = context.getImageData(0, 0, width, height).data;
      page.cleanup();
      yield { pageNumber, image: await toPageJpeg(sharp(rgba, { raw: { width, height, channels: 4 } })) };
    }
  } finally {
    await close();
  }
}

/** Media types {@link normaliseImagePages} accepts. */
export type ImageMediaType = 'image/jpeg' | 'image/png' | 'image/tiff';

/**
 * Turns a JPEG, PNG or (multi-page) TIFF into one greyscale page JPEG per page, upright (EXIF
 * orientation applied) and flattened on white; an upright grey or RGB JPEG is passed through as is. Every decode is bounded by `maxPixelsPerPage`
 * (sharp's `limitInputPixels`): a larger page fails with `QuarantineError('TOO_MANY_PIXELS')`.
 */
export async function* normaliseImagePages(
  bytes: Uint8Array,
  mediaType: ImageMediaType | string,
  options: { maxPixelsPerPage: number },
): AsyncIterable<PageImage> {
  const metadata = await readImageMetadata(bytes);
  const pageCount = mediaType === 'image/tiff' ? (metadata.pages ?? 1) : 1;
  for (let index = 0; index < pageCount; index++) {
    const page = index === 0 ? metadata : await readImageMetadata(bytes, index);
    assertPixels(page.width ?? 0, page.height ?? 0, options.maxPixelsPerPage, `page ${index + 1}`);
    if (mediaType === 'image/jpeg' && isOcrReadyJpeg(page)) {
      // Re-encoding would cost a decode and an encode and gain Tesseract nothing.
      yield { pageNumber: 1, image: bytes };
      continue;
    }
    const image = sharp(bytes, { page: index, limitInputPixels: options.maxPixelsPerPage, failOn: 'error' })
      .rotate()
      .flatten({ background: '#ffffff' });
    yield { pageNumber: index + 1, image: await toPageJpeg(image) };
  }
}

/**
 * Whether a JPEG can go to OCR as it is, judged from its first bytes (the header and EXIF
 * segments precede the image data); false when the header is not within them.
 */
export async function isOcrReadyJpegHeader(head: Uint8Array): Promise<boolean> {
  try {
    return isOcrReadyJpeg(await sharp(head, { limitInputPixels: false }).metadata());
  } catch {
    return false;
  }
}

/** Upright, opaque, grey or RGB: Tesseract reads it as it is and embeds it unchanged in its PDF. */
function isOcrReadyJpeg(metadata: Metadata): boolean {
  return (
    (metadata.orientation ?? 1) === 1 &&
    !metadata.hasAlpha &&
    (metadata.channels === 1 || metadata.channels === 3) &&
    (metadata.space === 'srgb' || metadata.space === 'b-w')
  );
}

async function readImageMetadata(bytes: Uint8Array, page = 0): Promise<Metadata> {
  try {
    // Header only: the pixel limit is checked by the caller, with a clearer message.
    return await sharp(bytes, { page, limitInputPixels: false }).metadata();
  } catch (error) {
    throw new QuarantineError(
      'CORRUPT_FILE',
      `the image header cannot be read (${(error as Error).message})`,
    );
  }
}

function assertPixels(width: number, height: number, maxPixels: number, what: string): void {
  if (width * height > maxPixels) {
    throw new QuarantineError(
      'TOO_MANY_PIXELS',
      `${what} is ${width}×${height} pixels (${formatMegapixels(width * height)}), over the limit of ${formatMegapixels(maxPixels)}`,
    );
  }
}

function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} megapixels`;
}

async function toPageJpeg(image: Sharp): Promise<Uint8Array> {
  try {
    return await image
      .greyscale()
      .toColourspace('srgb')
      .jpeg({ quality: PAGE_JPEG_QUALITY, mozjpeg: false })
      .toBuffer();
  } catch (error) {
    throw new QuarantineError('CORRUPT_FILE', `the image cannot be decoded (${(error as Error).message})`);
  }
}
