import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  isOcrReadyJpegHeader,
  normaliseImagePages,
  type PageImage,
  renderPdfPages,
} from '#shared/adapters/documents/render-pages.ts';
import {
  makeDecompressionBombPng,
  makeScannedPdf,
  makeTextLayerPdf,
  PAGE_HEIGHT_PX,
  PAGE_WIDTH_PX,
  renderPaperJpeg,
  renderPaperPng,
  renderPaperTiff,
  samplePaper,
} from '#test/support/make-test-scans.ts';

async function collect(pages: AsyncIterable<PageImage>): Promise<PageImage[]> {
  const list: PageImage[] = [];
  for await (const page of pages) list.push(page);
  return list;
}

/** Mean grey level of a page: white paper with black text sits between 200 and 255. */
async function meanGrey(image: Uint8Array): Promise<number> {
  const stats = await sharp(image).greyscale().stats();
  return stats.channels[0]?.mean ?? 0;
}

describe('renderPdfPages', () => {
  it('rasterises each page of a text-layer PDF at the requested resolution', async () => {
    const pages = await collect(
      renderPdfPages(await makeTextLayerPdf(samplePaper('KS')), { dpi: 150, maxPixelsPerPage: 60_000_000 }),
    );
    expect(pages.map((page) => page.pageNumber)).toEqual([1]);
    const image = pages[0]?.image ?? new Uint8Array();
    const metadata = await sharp(image).metadata();
    expect(metadata).toMatchObject({ format: 'jpeg', width: 1241, height: 1754, channels: 3 });
    const mean = await meanGrey(image);
    expect(mean).toBeGreaterThan(200);
    expect(mean).toBeLessThan(254);
  });

  it('renders every page of a scanned PDF in order', async () => {
    const pdf = await makeScannedPdf([samplePaper('LLTP'), samplePaper('GPXD')]);
    const pages = await collect(renderPdfPages(pdf, { dpi: 100, maxPixelsPerPage: 60_000_000 }));
    expect(pages.map((page) => page.pageNumber)).toEqual([1, 2]);
  });

  it('refuses a page whose image would exceed the pixel limit', async () => {
    const pdf = await makeTextLayerPdf(samplePaper('KS'));
    await expect(
      collect(renderPdfPages(pdf, { dpi: 300, maxPixelsPerPage: 5_000_000 })),
    ).rejects.toMatchObject({
      code: 'TOO_MANY_PIXELS',
    });
  });
});

describe('normaliseImagePages', () => {
  it('splits a two-page TIFF into two upright A4 page images', async () => {
    const tiff = await renderPaperTiff([samplePaper('KS'), samplePaper('TTHN')]);
    const pages = await collect(normaliseImagePages(tiff, 'image/tiff', { maxPixelsPerPage: 60_000_000 }));
    expect(pages.map((page) => page.pageNumber)).toEqual([1, 2]);
    for (const page of pages) {
      expect(await sharp(page.image).metadata()).toMatchObject({
        format: 'jpeg',
        width: PAGE_WIDTH_PX,
        height: PAGE_HEIGHT_PX,
      });
    }
  });

  it('flattens a transparent PNG on white', async () => {
    const transparent = await sharp({
      create: { width: 100, height: 100, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .toBuffer();
    const [page] = await collect(
      normaliseImagePages(transparent, 'image/png', { maxPixelsPerPage: 1_000_000 }),
    );
    expect(await meanGrey(page?.image ?? new Uint8Array())).toBeGreaterThan(250);
  });

  it('refuses a decompression bomb before decoding it', async () => {
    await expect(
      collect(normaliseImagePages(makeDecompressionBombPng(), 'image/png', { maxPixelsPerPage: 60_000_000 })),
    ).rejects.toMatchObject({ code: 'TOO_MANY_PIXELS' });
  });

  it('keeps a single PNG as one page', async () => {
    const png = await renderPaperPng(samplePaper('GPXD'));
    const pages = await collect(normaliseImagePages(png, 'image/png', { maxPixelsPerPage: 60_000_000 }));
    expect(pages).toHaveLength(1);
  });

  it('passes an upright JPEG through unchanged, and turns a rotated one upright', async () => {
    const upright = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    const [same] = await collect(normaliseImagePages(upright, 'image/jpeg', { maxPixelsPerPage: 1_000_000 }));
    expect(same?.image).toBe(upright);

    const sideways = await sharp(upright).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const [turned] = await collect(
      normaliseImagePages(sideways, 'image/jpeg', { maxPixelsPerPage: 1_000_000 }),
    );
    expect(turned?.image).not.toBe(sideways);
    const { width, height } = await sharp(turned?.image).metadata();
    expect({ width, height }).toEqual({ width: 200, height: 300 });
  });

  it('tells from the first 64 KiB whether a JPEG can go to OCR as it is', async () => {
    const upright = await renderPaperJpeg(samplePaper('KS'));
    const sideways = await sharp(upright).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    expect(await isOcrReadyJpegHeader(upright.subarray(0, 64 * 1024))).toBe(true);
    expect(await isOcrReadyJpegHeader(sideways.subarray(0, 64 * 1024))).toBe(false);
    expect(await isOcrReadyJpegHeader(new Uint8Array([0xff, 0xd8, 0xff]))).toBe(false);
  });
});
