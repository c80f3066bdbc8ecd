import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentToolkit } from '#shared/adapters/documents/create-document-toolkit.ts';
import { inspectUpload } from '#shared/adapters/documents/inspect-upload.ts';
import {
  inspectUploadStream,
  type StreamedUploadLimits,
} from '#shared/adapters/documents/inspect-upload-stream.ts';
import { QuarantineError } from '#shared/domain/errors.ts';
import {
  BAD_INPUT_LIMITS,
  type BadInput,
  type BadInputName,
  makeBadInputs,
  makePaddedPdf,
  makeScannedPdf,
  makeTextLayerPdf,
  renderPaperJpeg,
  renderPaperPng,
  renderPaperTiff,
  samplePaper,
} from '#test/support/make-test-scans.ts';

const MiB = 1024 ** 2;
const limits: StreamedUploadLimits = { ...BAD_INPUT_LIMITS, maxBytes: MiB, maxInMemoryPdfBytes: MiB };

/** A source of `bytes` in `chunkBytes` pieces that records how far it was read. */
function chunked(bytes: Uint8Array, chunkBytes = 64 * 1024) {
  const source = { pulled: 0, total: Math.ceil(bytes.length / chunkBytes), closed: false };
  const chunks = (async function* () {
    try {
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
        source.pulled++;
        yield bytes.subarray(offset, offset + chunkBytes);
      }
    } finally {
      source.closed = true;
    }
  })();
  return { chunks, stats: source };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

async function quarantineOf(promise: Promise<unknown>): Promise<QuarantineError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(QuarantineError);
  return error as QuarantineError;
}

describe('inspectUploadStream', () => {
  let bad: Record<BadInputName, BadInput>;
  let tempDir: string;
  beforeAll(async () => {
    bad = await makeBadInputs({ oversizeBytes: limits.maxBytes + 1 });
    tempDir = await mkdtemp(join(tmpdir(), 'inspect-stream-'));
  });
  afterAll(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it.each([
    'empty',
    'sizeMismatch',
    'truncatedPdf',
    'wrongMagic',
    'mismatchedType',
    'corruptImage',
    'oversize',
    'tooManyPages',
    'decompressionBomb',
  ] as const)('quarantines the %s input with the reason inspectUpload gives', async (name) => {
    const input = bad[name];
    const declared = { mediaType: input.mediaType, size: input.declaredSize };
    const streamed = await quarantineOf(inspectUploadStream(chunked(input.bytes).chunks, declared, limits));
    const whole = await quarantineOf(inspectUpload(input.bytes, declared, limits));
    expect(streamed.code).toBe(input.reason);
    expect(streamed.code).toBe(whole.code);
  });

  it.each([
    ['a scanned PDF', 'application/pdf', () => makeScannedPdf([samplePaper('KS'), samplePaper('GPXD')])],
    ['a born-digital PDF', 'application/pdf', () => makeTextLayerPdf(samplePaper('DKDN'))],
    ['a JPEG', 'image/jpeg', () => renderPaperJpeg(samplePaper('TTHN'))],
    ['a PNG', 'image/png', () => renderPaperPng(samplePaper('TTHN'))],
    ['a two-page TIFF', 'image/tiff', () => renderPaperTiff([samplePaper('KS'), samplePaper('LLTP')])],
  ] as const)(
    'accepts %s as inspectUpload does, with the whole file’s SHA-256 and size',
    async (_, mediaType, make) => {
      const bytes = await make();
      const declared = { mediaType, size: bytes.length };
      const big = { ...limits, maxBytes: 50 * MiB, maxInMemoryPdfBytes: 50 * MiB };
      const result = await inspectUploadStream(chunked(bytes, 7_919).chunks, declared, big, { tempDir });
      const { pdf, ...inspection } = result;
      expect(inspection).toEqual({
        ...(await inspectUpload(bytes, declared, big)),
        sha256Base64: sha256(bytes),
        size: bytes.length,
      });
      if (mediaType === 'application/pdf')
        expect(Buffer.from(pdf ?? []).equals(Buffer.from(bytes))).toBe(true);
      else expect(pdf).toBeUndefined();
    },
  );

  it('hands a PDF to pdfjs without keeping a copy when the caller does not want it back', async () => {
    const pdf = await makeScannedPdf([samplePaper('KS')]);
    const declared = { mediaType: 'application/pdf', size: pdf.length };
    const result = await inspectUploadStream(chunked(pdf).chunks, declared, limits, { keepPdf: false });
    expect(result).toEqual({
      mediaType: 'application/pdf',
      pageCount: 1,
      hasTextLayer: false,
      sha256Base64: sha256(pdf),
      size: pdf.length,
    });
  });

  it('sniffs magic bytes that arrive one byte at a time', async () => {
    const png = await renderPaperPng(samplePaper('KS'));
    const head = chunked(png.subarray(0, 20), 1);
    const rest = png.subarray(20);
    const chunks = (async function* () {
      yield* head.chunks;
      yield rest;
    })();
    await expect(
      inspectUploadStream(
        chunks,
        { mediaType: 'image/png', size: png.length },
        { ...limits, maxBytes: 50 * MiB },
      ),
    ).resolves.toMatchObject({ mediaType: 'image/png', pageCount: 1, sha256Base64: sha256(png) });
  });

  it('stops reading at the first chunk past the declared size', async () => {
    const bytes = new Uint8Array(MiB);
    bytes.set([0xff, 0xd8, 0xff]);
    const source = chunked(bytes, 16 * 1024);
    const error = await quarantineOf(
      inspectUploadStream(
        source.chunks,
        { mediaType: 'image/jpeg', size: 100 * 1024 },
        { ...limits, maxBytes: 2 * MiB },
      ),
    );
    expect(error.code).toBe('SIZE_MISMATCH');
    expect(error.detail).toBe(
      'the upload declared 102400 bytes but the file has more (reading stopped at 114688)',
    );
    expect(source.stats).toMatchObject({ pulled: 7, total: 64, closed: true });
  });

  it('stops reading at the first chunk past the size limit', async () => {
    const source = chunked(makePaddedPdf(2 * MiB));
    const error = await quarantineOf(
      inspectUploadStream(source.chunks, { mediaType: 'application/pdf', size: 2 * MiB }, limits),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.detail).toBe(
      `the file is larger than the limit of ${MiB} bytes (reading stopped at ${MiB + 64 * 1024})`,
    );
    expect(source.stats).toMatchObject({ pulled: 17, total: 32, closed: true });
  });

  it('quarantines a PDF over the in-memory cap after reading no more than the cap', async () => {
    const pdf = makePaddedPdf(3 * MiB);
    const source = chunked(pdf);
    const error = await quarantineOf(
      inspectUploadStream(
        source.chunks,
        { mediaType: 'application/pdf', size: pdf.length },
        { ...limits, maxBytes: 25 * MiB, maxInMemoryPdfBytes: MiB },
      ),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.detail).toContain('PDFs over 1 MiB cannot be inspected');
    expect(source.stats).toMatchObject({ pulled: 17, total: 48, closed: true });
  });

  it('quarantines an image larger than the PDF cap only by the size limit', async () => {
    const tiff = await renderPaperTiff([samplePaper('KS'), samplePaper('LLTP'), samplePaper('GPXD')]);
    expect(tiff.length).toBeGreaterThan(64 * 1024);
    await expect(
      inspectUploadStream(
        chunked(tiff).chunks,
        { mediaType: 'image/tiff', size: tiff.length },
        { ...limits, maxBytes: 50 * MiB, maxInMemoryPdfBytes: 64 * 1024 },
      ),
    ).resolves.toMatchObject({ mediaType: 'image/tiff', pageCount: 3 });
  });

  it('stops after the first chunk when the magic bytes are wrong', async () => {
    const source = chunked(new Uint8Array(MiB).fill(0x41));
    const error = await quarantineOf(
      inspectUploadStream(source.chunks, { mediaType: 'image/jpeg', size: MiB }, limits),
    );
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(source.stats).toMatchObject({ pulled: 1, closed: true });
  });

  it('checks a declared SHA-256 after reading', async () => {
    const jpeg = await renderPaperJpeg(samplePaper('KS'));
    const declared = { mediaType: 'image/jpeg', size: jpeg.length };
    const big = { ...limits, maxBytes: 50 * MiB };
    await expect(
      inspectUploadStream(chunked(jpeg).chunks, { ...declared, sha256Base64: sha256(jpeg) }, big),
    ).resolves.toMatchObject({ sha256Base64: sha256(jpeg) });
    const wrong = sha256(new Uint8Array([1]));
    const error = await quarantineOf(
      inspectUploadStream(chunked(jpeg).chunks, { ...declared, sha256Base64: wrong }, big),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.detail).toBe(`SHA-256 of the file is ${sha256(jpeg)}, declared ${wrong}`);
  });

  it('leaves no temporary copy of an image behind, accepted or quarantined', async () => {
    const jpeg = await renderPaperJpeg(samplePaper('KS'));
    const big = { ...limits, maxBytes: 50 * MiB };
    await inspectUploadStream(chunked(jpeg).chunks, { mediaType: 'image/jpeg', size: jpeg.length }, big, {
      tempDir,
    });
    const truncated = jpeg.subarray(0, jpeg.length / 2);
    await quarantineOf(
      inspectUploadStream(
        chunked(truncated).chunks,
        { mediaType: 'image/jpeg', size: truncated.length },
        big,
        { tempDir },
      ),
    );
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('is the document toolkit’s inspectStream', async () => {
    const pdf = await makeTextLayerPdf(samplePaper('KS'));
    await expect(
      createDocumentToolkit().inspectStream(
        chunked(pdf).chunks,
        { mediaType: 'application/pdf', size: pdf.length, sha256Base64: sha256(pdf) },
        limits,
      ),
    ).resolves.toMatchObject({
      mediaType: 'application/pdf',
      pageCount: 1,
      hasTextLayer: true,
      size: pdf.length,
    });
  });
});
