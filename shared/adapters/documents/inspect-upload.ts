import sharp, { type Metadata } from 'sharp';
import { hasMeaningfulText } from '#shared/adapters/documents/extract-pdf-text.ts';
import { loadPdfDocument } from '#shared/adapters/documents/load-pdf-document.ts';
import { type SupportedMediaType, sniffMediaType } from '#shared/adapters/documents/sniff-media-type.ts';
import { QuarantineError } from '#shared/domain/errors.ts';

/** What the uploader declared. */
export interface DeclaredUpload {
  mediaType: string;
  size: number;
}

/** Upload limits (the province configuration's `uploads`). */
export interface UploadLimits {
  maxBytes: number;
  maxPages: number;
  /** Decompression-bomb guard: the largest image page, in pixels. */
  maxPixelsPerPage: number;
}

/** What an accepted upload is. */
export interface UploadInspection {
  mediaType: SupportedMediaType;
  pageCount: number;
  /** PDFs only: whether the pages carry a meaningful text layer (then no OCR is needed). */
  hasTextLayer?: boolean;
}

const MEDIA_TYPE_ALIASES: Record<string, SupportedMediaType> = {
  'application/pdf': 'application/pdf',
  'application/x-pdf': 'application/pdf',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/png': 'image/png',
  'image/tiff': 'image/tiff',
  'image/tif': 'image/tiff',
};

const NAMES: Record<SupportedMediaType, string> = {
  'application/pdf': 'a PDF',
  'image/jpeg': 'a JPEG image',
  'image/png': 'a PNG image',
  'image/tiff': 'a TIFF image',
};

/** A PDF's end-of-file marker must appear in its last 1,024 bytes (PDF 32000-1, 7.5.5). */
const EOF_WINDOW = 1024;

/**
 * Checks an upload before any processing: size, magic bytes against the declared type, that the
 * file opens (PDF structure, image headers and pixel data), page count, and page dimensions read
 * from the header before any pixel is decoded. Fails with a `QuarantineError` whose reason says
 * which check failed and whose detail says why, in plain English. The checks are the ones
 * `inspectUploadStream` applies while it reads an upload as a stream.
 */
export async function inspectUpload(
  bytes: Uint8Array,
  declared: DeclaredUpload,
  limits: UploadLimits,
): Promise<UploadInspection> {
  checkUploadSize(bytes.length, declared, limits, { complete: true });
  const mediaType = checkMediaType(bytes, declared.mediaType);
  return mediaType === 'application/pdf'
    ? inspectPdfContent(bytes, limits)
    : { mediaType, pageCount: await inspectImageContent(bytes, mediaType, limits) };
}

/**
 * Checks the size of an upload against the declaration and the limit. With `complete: false`,
 * `size` is what has been read so far: only an excess can be judged, so that a reader stops as
 * soon as the file is too large; with `complete: true` it is the whole file's size.
 */
export function checkUploadSize(
  size: number,
  declared: DeclaredUpload,
  limits: Pick<UploadLimits, 'maxBytes'>,
  { complete }: { complete: boolean },
): void {
  if (complete && size === 0) throw new QuarantineError('EMPTY_FILE', 'the file is empty (0 bytes)');
  if (size > limits.maxBytes) {
    throw new QuarantineError(
      'TOO_LARGE',
      complete
        ? `the file has ${size} bytes, over the limit of ${limits.maxBytes}`
        : `the file is larger than the limit of ${limits.maxBytes} bytes (reading stopped at ${size})`,
    );
  }
  if (complete ? size !== declared.size : size > declared.size) {
    throw new QuarantineError(
      'SIZE_MISMATCH',
      complete
        ? `the upload declared ${declared.size} bytes but the file has ${size} bytes`
        : `the upload declared ${declared.size} bytes but the file has more (reading stopped at ${size})`,
    );
  }
}

/**
 * The media type a file's first bytes (`SNIFF_BYTES` of them suffice) announce, when it is the
 * declared one; fails with UNSUPPORTED_MEDIA_TYPE or MEDIA_TYPE_MISMATCH otherwise.
 */
export function checkMediaType(head: Uint8Array, declaredType: string): SupportedMediaType {
  const sniffed = sniffMediaType(head);
  if (!sniffed) {
    throw new QuarantineError(
      'UNSUPPORTED_MEDIA_TYPE',
      `the file starts like none of PDF, JPEG, PNG or TIFF (first bytes ${hexHead(head)})`,
    );
  }
  const declared = MEDIA_TYPE_ALIASES[declaredType.split(';')[0]?.trim().toLowerCase() ?? ''];
  if (declared !== sniffed) {
    throw new QuarantineError(
      'MEDIA_TYPE_MISMATCH',
      `declared ${declaredType} but the file starts like ${NAMES[sniffed]}`,
    );
  }
  return sniffed;
}

function hexHead(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Checks a whole PDF: end-of-file marker, that pdfjs opens it and every page, the page limit; and
 * whether its pages carry a text layer. With `transfer`, pdfjs takes `bytes` without a copy and
 * they are unusable afterwards.
 */
export async function inspectPdfContent(
  bytes: Uint8Array,
  limits: Pick<UploadLimits, 'maxPages' | 'maxPixelsPerPage'>,
  options: { transfer?: boolean } = {},
): Promise<UploadInspection> {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - EOF_WINDOW))).toString('latin1');
  if (!tail.includes('%%EOF')) {
    throw new QuarantineError(
      'CORRUPT_FILE',
      'the PDF has no end-of-file marker: it is truncated or damaged',
    );
  }
  let loaded: Awaited<ReturnType<typeof loadPdfDocument>>;
  try {
    loaded = await loadPdfDocument(bytes, {
      maxImagePixels: limits.maxPixelsPerPage,
      transfer: options.transfer,
    });
  } catch (error) {
    throw new QuarantineError('CORRUPT_FILE', `the PDF cannot be opened (${(error as Error).message})`);
  }
  const { document, close } = loaded;
  try {
    const pageCount = document.numPages;
    if (pageCount === 0) throw new QuarantineError('CORRUPT_FILE', 'the PDF has no pages');
    if (pageCount > limits.maxPages) {
      throw new QuarantineError(
        'TOO_MANY_PAGES',
        `the PDF has ${pageCount} pages, over the limit of ${limits.maxPages}`,
      );
    }
    const pages: string[] = [];
    for (let pageNumber = 1; pageNumber <= pageCount; pageNumber++) {
      const page = await document.getPage(pageNumber).catch((error: unknown) => {
        throw new QuarantineError(
          'CORRUPT_FILE',
          `page ${pageNumber} cannot be read (${(error as Error).message})`,
        );
      });
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
      page.cleanup();
    }
    return { mediaType: 'application/pdf', pageCount, hasTextLayer: hasMeaningfulText(pages) };
  } finally {
    await close();
  }
}

/**
 * Checks a JPEG, PNG or (multi-page) TIFF, given as bytes or as the path of a file (which sharp
 * reads as it decodes, so the file need not be in memory): page count, each page's dimensions from
 * its header before any pixel is decoded, then a full decode of each page. Resolves with the page
 * count.
 */
export async function inspectImageContent(
  input: Uint8Array | string,
  mediaType: Exclude<SupportedMediaType, 'application/pdf'>,
  limits: Pick<UploadLimits, 'maxPages' | 'maxPixelsPerPage'>,
): Promise<number> {
  const header = await readHeader(input, 0);
  const pageCount = mediaType === 'image/tiff' ? (header.pages ?? 1) : 1;
  if (pageCount > limits.maxPages) {
    throw new QuarantineError(
      'TOO_MANY_PAGES',
      `the TIFF has ${pageCount} pages, over the limit of ${limits.maxPages}`,
    );
  }
  for (let page = 0; page < pageCount; page++) {
    const { width = 0, height = 0 } = page === 0 ? header : await readHeader(input, page);
    if (width * height > limits.maxPixelsPerPage) {
      throw new QuarantineError(
        'TOO_MANY_PIXELS',
        `${pageCount > 1 ? `page ${page + 1} of ` : ''}the image declares ${width}×${height} pixels (${megapixels(width * height)}), over the limit of ${megapixels(limits.maxPixelsPerPage)}`,
      );
    }
    await decodeFully(input, page, limits.maxPixelsPerPage);
  }
  return pageCount;
}

async function readHeader(input: Uint8Array | string, page: number): Promise<Metadata> {
  try {
    // Reads the header only: dimensions are checked against the limit before any decoding.
    return await sharp(input, { page, limitInputPixels: false }).metadata();
  } catch (error) {
    throw new QuarantineError('CORRUPT_FILE', `the image header cannot be read (${firstLine(error)})`);
  }
}

/** Decodes every pixel (into a tiny thumbnail) so that truncated or damaged data is caught now. */
async function decodeFully(input: Uint8Array | string, page: number, maxPixels: number): Promise<void> {
  try {
    await sharp(input, { page, limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true })
      .resize(32, 32, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (error) {
    throw new QuarantineError('CORRUPT_FILE', `the image data cannot be decoded (${firstLine(error)})`);
  }
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toLocaleString('en', { maximumFractionDigits: 1 })} megapixels`;
}
