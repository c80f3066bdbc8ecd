import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { estimateSkew, straightenPageToPgm } from '#shared/adapters/ocr/estimate-skew.ts';
import { turnToGrey } from '#shared/adapters/ocr/turn-to-grey.ts';
import { NOISY_SCAN, renderPaperJpeg, samplePaper } from '#test/support/make-test-scans.ts';

/** A white 21×21 image with black pixels at the given (x, y) places. */
function dots(...places: [number, number][]) {
  const data = new Uint8Array(21 * 21).fill(255);
  for (const [x, y] of places) data[y * 21 + x] = 0;
  return { data, width: 21, height: 21 };
}

const darkPlaces = (image: { data: Uint8Array; width: number }) =>
  [...image.data].flatMap((value, index) =>
    value < 128 ? [[index % image.width, Math.floor(index / image.width)]] : [],
  );

describe('turnToGrey', () => {
  it('turns anticlockwise about the centre: right of it goes up, above it goes left', () => {
    const turned = turnToGrey(dots([15, 10], [10, 4]), 90);
    expect(darkPlaces(turned)).toEqual([
      [10, 5],
      [4, 10],
    ]);
  });

  it('keeps the size, leaves a 0° turn unchanged and fills the corners turned in with white', () => {
    const image = dots([0, 0], [20, 20], [10, 10]);
    expect(turnToGrey(image, 0).data).toEqual(image.data);
    const turned = turnToGrey(image, 45);
    expect(turned).toMatchObject({ width: 21, height: 21 });
    expect(darkPlaces(turned)).toEqual([[10, 10]]);
  });

  it('writes into the buffer given, all of it, and refuses one of another size', () => {
    const into = new Uint8Array(21 * 21).fill(7);
    const turned = turnToGrey(dots([15, 10]), 90, into);
    expect(turned.data).toBe(into);
    expect(new Set(into)).toEqual(new Set([0, 255]));
    expect(() => turnToGrey(dots(), 90, new Uint8Array(20))).toThrow('20 bytes cannot hold 21×21 pixels');
  });

  it('gives the luma of the colour pixels it picks, and refuses two-channel pixels', () => {
    // Red, green, blue and a light grey, turned half a turn: last comes first.
    const colour = {
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 200, 200]),
      width: 4,
      height: 1,
    };
    expect([...turnToGrey({ ...colour, channels: 3 }, 0).data]).toEqual([77, 149, 29, 200]);
    expect([...turnToGrey({ ...colour, channels: 3 }, 180).data]).toEqual([200, 29, 149, 77]);
    const withAlpha = { data: new Uint8Array([255, 0, 0, 9, 200, 200, 200, 9]), width: 2, height: 1 };
    expect([...turnToGrey({ ...withAlpha, channels: 4 }, 0).data]).toEqual([77, 200]);
    expect(() => turnToGrey({ data: new Uint8Array(4), width: 2, height: 1, channels: 2 }, 0)).toThrow(
      /2-channel/u,
    );
  });
});

describe('straightenPageToPgm', () => {
  it('gives a raw copy of the page at its size, turned straight', async () => {
    const scan = await renderPaperJpeg(samplePaper('GPXD'), { ...NOISY_SCAN, rotationDeg: 3 });
    const pgm = Buffer.from(await straightenPageToPgm(scan, 3));
    const header = 'P5\n2480 3508\n255\n';
    expect(pgm.subarray(0, header.length).toString('latin1')).toBe(header);
    const pixels = pgm.subarray(header.length);
    const raw = { width: 2480, height: 3508, channels: 1 as const };
    const straightened = await sharp(pixels, { raw }).jpeg().toBuffer();
    expect(Math.abs((await estimateSkew(straightened)).degrees)).toBeLessThan(0.3);
  });

  it('turns as libvips does, to within interpolation', async () => {
    const scan = await renderPaperJpeg(samplePaper('GPXD'), { rotationDeg: 3 });
    const pixels = Buffer.from(await straightenPageToPgm(scan, 3)).subarray('P5\n2480 3508\n255\n'.length);
    const turned = await sharp(scan).greyscale().rotate(-3, { background: '#ffffff' }).raw().toBuffer({
      resolveWithObject: true,
    });
    const left = Math.floor((turned.info.width - 2480) / 2);
    const top = Math.floor((turned.info.height - 3508) / 2);
    const meanDifference = (reference: (x: number, y: number) => number) => {
      let sum = 0;
      for (let y = 0; y < 3508; y++)
        for (let x = 0; x < 2480; x++) sum += Math.abs((pixels[y * 2480 + x] as number) - reference(x, y));
      return sum / pixels.length;
    };
    const libvips = (x: number, y: number) => turned.data[(y + top) * turned.info.width + x + left] as number;
    const unturned = await sharp(scan).greyscale().raw().toBuffer();
    expect(meanDifference(libvips)).toBeLessThan(2);
    expect(meanDifference((x, y) => unturned[y * 2480 + x] as number)).toBeGreaterThan(5);
  });
});
