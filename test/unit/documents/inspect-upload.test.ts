import { beforeAll, describe, expect, it } from 'vitest';
import { inspectUpload } from '#shared/adapters/documents/inspect-upload.ts';
import { QuarantineError } from '#shared/domain/errors.ts';
import {
  BAD_INPUT_LIMITS,
  type BadInput,
  type BadInputName,
  makeBadInputs,
  makeScannedPdf,
  makeTextLayerPdf,
  renderPaperJpeg,
  renderPaperPng,
  renderPaperTiff,
  samplePaper,
} from '#test/support/make-test-scans.ts';

const limits = { ...BAD_INPUT_LIMITS, maxBytes: 1024 ** 2 };

async function quarantineOf(input: BadInput): Promise<QuarantineError> {
  const error = await inspectUpload(
    input.bytes,
    { mediaType: input.mediaType, size: input.declaredSize },
    limits,
  ).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(QuarantineError);
  return error as QuarantineError;
}

describe('inspectUpload', () => {
  let bad: Record<BadInputName, BadInput>;
  beforeAll(async () => {
    bad = await makeBadInputs({ oversizeBytes: limits.maxBytes + 1 });
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
  ] as const)('quarantines the %s input with its reason', async (name) => {
    const error = await quarantineOf(bad[name]);
    expect(error.code).toBe(bad[name].reason);
    expect(error.message).toContain(error.detail);
  });

  it('says in plain words what the file looks like when the declared type is wrong', async () => {
    const error = await quarantineOf(bad.mismatchedType);
    expect(error.detail).toBe('declared application/pdf but the file starts like a PNG image');
  });

  it('reports the declared dimensions of a decompression bomb without decoding it', async () => {
    const error = await quarantineOf(bad.decompressionBomb);
    expect(error.detail).toContain('20000×20000 pixels (400 megapixels)');
  });

  it.each([
    ['image/png', renderPaperPng],
    ['image/jpeg', renderPaperJpeg],
  ] as const)(
    'quarantines a %s whose pixel data is truncated after a valid header',
    async (mediaType, render) => {
      const image = await render(samplePaper('LLTP'));
      const truncated = image.subarray(0, Math.floor(image.length / 2));
      const error = await quarantineOf({
        bytes: truncated,
        mediaType,
        declaredSize: truncated.length,
        reason: 'CORRUPT_FILE',
      });
      expect(error.code).toBe('CORRUPT_FILE');
      expect(error.detail).toMatch(/^the image data cannot be decoded/);
    },
  );

  it('quarantines a page over the pixel limit even when the file is small', async () => {
    const png = await renderPaperPng(samplePaper('LLTP'));
    const error = await inspectUpload(
      png,
      { mediaType: 'image/png', size: png.length },
      { ...limits, maxBytes: 50 * 1024 ** 2, maxPixelsPerPage: 8_000_000 },
    ).catch((caught: unknown) => caught as QuarantineError);
    expect(error).toMatchObject({ code: 'TOO_MANY_PIXELS' });
  });

  it('accepts a two-page scanned PDF without a text layer', async () => {
    const pdf = await makeScannedPdf([samplePaper('KS'), samplePaper('GPXD')]);
    await expect(
      inspectUpload(pdf, { mediaType: 'application/pdf', size: pdf.length }, limits),
    ).resolves.toEqual({
      mediaType: 'application/pdf',
      pageCount: 2,
      hasTextLayer: false,
    });
  });

  it('accepts a born-digital PDF and reports its text layer', async () => {
    const pdf = await makeTextLayerPdf(samplePaper('DKDN'));
    await expect(
      inspectUpload(pdf, { mediaType: 'application/pdf', size: pdf.length }, limits),
    ).resolves.toEqual({
      mediaType: 'application/pdf',
      pageCount: 1,
      hasTextLayer: true,
    });
  });

  it('accepts a JPEG declared with the image/jpg alias and a PNG', async () => {
    const jpeg = await renderPaperJpeg(samplePaper('TTHN'));
    const png = await renderPaperPng(samplePaper('TTHN'));
    await expect(inspectUpload(jpeg, { mediaType: 'image/jpg', size: jpeg.length }, limits)).resolves.toEqual(
      {
        mediaType: 'image/jpeg',
        pageCount: 1,
      },
    );
    await expect(inspectUpload(png, { mediaType: 'image/png', size: png.length }, limits)).resolves.toEqual({
      mediaType: 'image/png',
      pageCount: 1,
    });
  });

  it('counts the pages of a multi-page TIFF and applies the page limit to it', async () => {
    const tiff = await renderPaperTiff([samplePaper('KS'), samplePaper('LLTP'), samplePaper('GPXD')]);
    const declared = { mediaType: 'image/tiff', size: tiff.length };
    await expect(inspectUpload(tiff, declared, limits)).resolves.toEqual({
      mediaType: 'image/tiff',
      pageCount: 3,
    });
    await expect(inspectUpload(tiff, declared, { ...limits, maxPages: 2 })).rejects.toMatchObject({
      code: 'TOO_MANY_PAGES',
      detail: 'the TIFF has 3 pages, over the limit of 2',
    });
  });
});
