import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkMediaType,
  checkUploadSize,
  type DeclaredUpload,
  inspectImageContent,
  inspectPdfContent,
  type UploadInspection,
  type UploadLimits,
} from '#shared/adapters/documents/inspect-upload.ts';
import { SNIFF_BYTES, type SupportedMediaType } from '#shared/adapters/documents/sniff-media-type.ts';
import { QuarantineError } from '#shared/domain/errors.ts';

/** What the uploader declared, with the SHA-256 the upload URL was bound to when there is one. */
export interface DeclaredStreamedUpload extends DeclaredUpload {
  /** Base64 SHA-256 of the file: a file with another digest fails with CHECKSUM_MISMATCH. */
  sha256Base64?: string;
}

/** Upload limits (the province configuration's `uploads`), with the cap on PDFs held in memory. */
export interface StreamedUploadLimits extends UploadLimits {
  /** The largest PDF read into memory (pdfjs parses whole files); a larger one fails with TOO_LARGE. */
  maxInMemoryPdfBytes: number;
}

/** What an accepted upload is, with what reading it taught. */
export interface StreamedUploadInspection extends UploadInspection {
  /** Base64 SHA-256 of the bytes read. */
  sha256Base64: string;
  /** Bytes read. */
  size: number;
  /** PDFs only: the whole file, as read, so that the caller need not read it again. */
  pdf?: Uint8Array;
}

/** Options of {@link inspectUploadStream}. */
export interface InspectUploadStreamOptions {
  /** Folder for the temporary copy of an image upload, removed before returning. @default os.tmpdir() */
  tempDir?: string;
  /**
   * Whether a PDF comes back as `pdf`; without it, pdfjs takes the buffer as it is instead of a
   * copy, which saves the PDF's size in memory. @default true
   */
  keepPdf?: boolean;
}

/** Where the bytes after the first ones go, once the media type is known. */
interface ContentSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Runs the content checks once every byte is written. */
  inspect(): Promise<UploadInspection & { pdf?: Uint8Array }>;
  /** Frees what the sink holds (a temporary file); safe to call twice. */
  discard(): Promise<void>;
}

/**
 * Inspects an upload while reading it once, as chunks arrive (an S3 GetObject body): counts and
 * hashes the bytes (SHA-256), stops reading and fails as soon as the file outgrows its declared
 * size or the limit, and sniffs the magic bytes from the first {@link SNIFF_BYTES}. Then applies
 * the checks of `inspectUpload`, with the same `QuarantineError` reasons:
 * - images (JPEG, PNG, TIFF) are copied to a temporary file that sharp reads as it decodes, so
 *   memory depends on page dimensions (bounded by `maxPixelsPerPage`), not on file size;
 * - PDFs are buffered, because pdfjs parses whole files: up to `maxInMemoryPdfBytes`, beyond which
 *   reading stops with TOO_LARGE.
 * When a file has several faults, the first one met while reading is reported. With a declared
 * SHA-256, a different digest fails with CHECKSUM_MISMATCH before the content is checked.
 * Leaving early ends the iteration of `chunks` (which aborts an S3 download).
 */
export async function inspectUploadStream(
  chunks: AsyncIterable<Uint8Array>,
  declared: DeclaredStreamedUpload,
  limits: StreamedUploadLimits,
  options: InspectUploadStreamOptions = {},
): Promise<StreamedUploadInspection> {
  const hash = createHash('sha256');
  let size = 0;
  let leading: Uint8Array[] = [];
  let sink: ContentSink | undefined;
  const openSink = async () => {
    const mediaType = checkMediaType(headOf(leading), declared.mediaType);
    sink =
      mediaType === 'application/pdf'
        ? createPdfSink(declared, limits, options.keepPdf ?? true)
        : await createImageSink(mediaType, limits, options.tempDir ?? tmpdir());
    for (const chunk of leading) await sink.write(chunk);
    leading = [];
    return sink;
  };
  try {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      checkUploadSize(size, declared, limits, { complete: false });
      hash.update(chunk);
      if (sink) await sink.write(chunk);
      else {
        leading.push(chunk);
        if (size >= SNIFF_BYTES) await openSink();
      }
    }
    checkUploadSize(size, declared, limits, { complete: true });
    const content = sink ?? (await openSink());
    const sha256Base64 = hash.digest('base64');
    if (declared.sha256Base64 !== undefined && sha256Base64 !== declared.sha256Base64) {
      throw new QuarantineError(
        'CHECKSUM_MISMATCH',
        `SHA-256 of the file is ${sha256Base64}, declared ${declared.sha256Base64}`,
      );
    }
    return { ...(await content.inspect()), sha256Base64, size };
  } finally {
    await sink?.discard();
  }
}

function headOf(chunks: readonly Uint8Array[]): Uint8Array {
  const head = new Uint8Array(SNIFF_BYTES);
  let length = 0;
  for (const chunk of chunks) {
    if (length === SNIFF_BYTES) break;
    const part = chunk.subarray(0, SNIFF_BYTES - length);
    head.set(part, length);
    length += part.byteLength;
  }
  return head.subarray(0, length);
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toLocaleString('en', { maximumFractionDigits: 1 })} MiB`;
}

function createPdfSink(
  declared: DeclaredUpload,
  limits: StreamedUploadLimits,
  keepPdf: boolean,
): ContentSink {
  const cap = limits.maxInMemoryPdfBytes;
  // Allocated once at the declared size: the size checks stop any file that would outgrow it, and
  // a file declared larger than it may hold is never inspected, so it is not stored at all.
  const buffer = declared.size <= Math.min(cap, limits.maxBytes) ? new Uint8Array(declared.size) : undefined;
  let length = 0;
  return {
    async write(chunk) {
      if (length + chunk.byteLength > cap) {
        throw new QuarantineError(
          'TOO_LARGE',
          `the PDF is larger than ${cap} bytes: PDFs over ${mebibytes(cap)} cannot be inspected, because the whole file must be held in memory (reading stopped at ${length + chunk.byteLength} bytes); split it, or upload its pages as images`,
        );
      }
      buffer?.set(chunk, length);
      length += chunk.byteLength;
    },
    async inspect() {
      if (!buffer || length !== buffer.byteLength) throw new Error('the PDF was not read whole');
      const inspection = await inspectPdfContent(buffer, limits, { transfer: !keepPdf });
      return keepPdf ? { ...inspection, pdf: buffer } : inspection;
    },
    async discard() {},
  };
}

async function createImageSink(
  mediaType: Exclude<SupportedMediaType, 'application/pdf'>,
  limits: StreamedUploadLimits,
  tempDir: string,
): Promise<ContentSink> {
  const folder = await mkdtemp(join(tempDir, 'motcua-upload-'));
  const path = join(folder, 'upload');
  const file = await open(path, 'wx').catch(async (error: unknown) => {
    await rm(folder, { recursive: true, force: true });
    throw error;
  });
  let isOpen = true;
  const close = async () => {
    if (!isOpen) return;
    isOpen = false;
    await file.close();
  };
  return {
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
        offset += bytesWritten;
      }
    },
    async inspect() {
      await close();
      return { mediaType, pageCount: await inspectImageContent(path, mediaType, limits) };
    },
    async discard() {
      await close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
