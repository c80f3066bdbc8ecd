import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type OcrPass, recognizeUpright, type ShownScan } from '#shared/adapters/ocr/detect-orientation.ts';
import { estimateSkew, straightenPage, straightenPageImage } from '#shared/adapters/ocr/estimate-skew.ts';
import {
  NOISY_SCAN,
  PAGE_HEIGHT_PX,
  PAGE_WIDTH_PX,
  renderPaperJpeg,
  renderTurnedPaperJpeg,
  samplePaper,
} from '#test/support/make-test-scans.ts';

const blankPage = () =>
  sharp({ create: { width: 1240, height: 1754, channels: 3, background: '#ffffff' } })
    .jpeg()
    .toBuffer();

describe('estimateSkew', () => {
  it('is 0 on a straight page', async () => {
    const { degrees, sharpness } = await estimateSkew(await renderPaperJpeg(samplePaper('KS')));
    expect(degrees).toBe(0);
    expect(sharpness).toBeCloseTo(1, 6);
  });

  it.each([
    { paper: 'KS', skew: 3, noise: 0 },
    { paper: 'KS', skew: -7, noise: 0.5 },
    { paper: 'DKDN', skew: 7, noise: 0 },
    { paper: 'DKDN', skew: -0.8, noise: 0.5 },
    { paper: 'LLTP', skew: 1.5, noise: 0.5 },
    { paper: 'LLTP', skew: -4.5, noise: 0 },
    { paper: 'GPXD', skew: 9.5, noise: 0.5 },
  ])('finds a $paper page fed at $skew° (noise $noise) within 0.5°', async ({ paper, skew, noise }) => {
    const scan = await renderPaperJpeg(samplePaper(paper), { rotationDeg: skew, noise });
    const { degrees } = await estimateSkew(scan);
    expect(Math.abs(degrees - skew)).toBeLessThanOrEqual(0.5);
  });

  it('finds the skew of a page scanned sideways or upside-down (the same turn of the image)', async () => {
    const paper = samplePaper('TTHN');
    const sideways = await renderTurnedPaperJpeg(paper, 90, { rotationDeg: 4 });
    const upsideDown = await renderTurnedPaperJpeg(paper, 180, { rotationDeg: 4 });
    expect(Math.abs((await estimateSkew(sideways)).degrees - 4)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((await estimateSkew(upsideDown)).degrees - 4)).toBeLessThanOrEqual(0.5);
  });

  it('is 0 on a blank page, which has nothing to measure', async () => {
    expect(await estimateSkew(await blankPage())).toEqual({ degrees: 0 });
  });
});

describe('straightenPage', () => {
  it('straightens a skewed page to its own size, after which no skew is left', async () => {
    const scan = await renderPaperJpeg(samplePaper('KS'), { ...NOISY_SCAN, rotationDeg: 5 });
    const { image, skew } = await straightenPage(scan);
    expect(skew).toBeCloseTo(5, 0);
    const metadata = await sharp(image).metadata();
    expect(metadata).toMatchObject({
      format: 'jpeg',
      channels: 3,
      width: PAGE_WIDTH_PX,
      height: PAGE_HEIGHT_PX,
    });
    expect(Math.abs((await estimateSkew(image)).degrees)).toBeLessThan(0.3);
  });

  it('gives a page under the threshold back untouched, with a skew of 0', async () => {
    const scan = await renderPaperJpeg(samplePaper('KS'), { rotationDeg: 0.1 });
    const straight = await straightenPage(scan);
    expect(straight.skew).toBe(0);
    expect(straight.image).toBe(scan);
  });

  it('gives a page under the resampling threshold back as it is, to be turned in its PDF', async () => {
    const scan = await renderPaperJpeg(samplePaper('KS'), { ...NOISY_SCAN, rotationDeg: 0.7 });
    const straight = await straightenPage(scan);
    expect(straight.image).toBe(scan);
    expect(straight.skew).toBeCloseTo(0.7, 0);
    expect(straight.pdfTurn).toBe(straight.skew);
    const resampled = await straightenPage(scan, { resampleFromDegrees: 0.5 });
    expect(resampled.image).not.toBe(scan);
    expect(resampled.pdfTurn).toBeUndefined();
  });

  it('gives bytes it cannot decode back as they are, without a skew', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await straightenPage(bytes)).toEqual({ image: bytes });
  });

  it('turns the image anticlockwise by the skew given', async () => {
    // A black bar from the left middle going down to the right at 6°; straightened it is level.
    const width = 1200;
    const height = 800;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/><rect x="100" y="390" width="1000" height="20" fill="#000" transform="rotate(6 600 400)"/></svg>`;
    const tilted = await sharp(Buffer.from(svg)).jpeg().toBuffer();
    const level = await straightenPageImage(tilted, 6);
    const { data, info } = await sharp(level).greyscale().raw().toBuffer({ resolveWithObject: true });
    const darkRows = (x: number) =>
      Array.from({ length: info.height }, (_, y) => y).filter((y) => (data[y * info.width + x] ?? 255) < 128);
    expect(Math.min(...darkRows(200))).toBeGreaterThanOrEqual(386);
    expect(Math.max(...darkRows(1000))).toBeLessThanOrEqual(414);
  });
});

describe('recognizeUpright with a straightener', () => {
  it('reads the straightened image and says how much it was turned', async () => {
    const given = new Uint8Array([1]);
    const straightened = new Uint8Array([2]);
    const seen: Uint8Array[] = [];
    const pass = async (image: Uint8Array): Promise<OcrPass> => {
      seen.push(image);
      return { text: 'GIẤY KHAI SINH', confidence: 0.95, words: 40, sidewaysWords: 0 };
    };
    const result = await recognizeUpright(given, pass, undefined, {}, async () => ({
      image: straightened,
      skew: 3.5,
    }));
    expect(seen).toEqual([straightened]);
    expect(result).toEqual({ text: 'GIẤY KHAI SINH', confidence: 0.95, skew: 3.5 });
  });

  it('reads a slightly skewed page as it is and asks for the scan to be shown turned', async () => {
    const scan = await renderPaperJpeg(samplePaper('KS'), { rotationDeg: 0.7 });
    const { seen, pass } = recordingPass();
    const result = await recognizeUpright(scan, pass, undefined, {}, (image) => straightenPage(image));
    expect(result.skew).toBeCloseTo(0.7, 0);
    expect(seen).toEqual([[scan, { scan, degrees: result.skew }]]);
  });

  it('reads a raw straightened copy of a page skewed more, and asks for the scan to be shown turned', async () => {
    const scan = await renderPaperJpeg(samplePaper('KS'), { rotationDeg: 3 });
    const { seen, pass } = recordingPass();
    const result = await recognizeUpright(scan, pass, undefined, {}, (image) =>
      straightenPage(image, { readingCopy: 'pgm' }),
    );
    expect(result.skew).toBeCloseTo(3, 0);
    const [[read, show] = []] = seen;
    expect(
      Buffer.from(read ?? [])
        .subarray(0, 17)
        .toString('latin1'),
    ).toBe('P5\n2480 3508\n255\n');
    expect(read?.byteLength).toBe(17 + 2480 * 3508);
    expect(show).toEqual({ scan, degrees: result.skew });
  });
});

/** An OCR pass that reads every page well and records what it was given. */
function recordingPass() {
  const seen: [Uint8Array, ShownScan | undefined][] = [];
  const pass = async (image: Uint8Array, show?: ShownScan): Promise<OcrPass> => {
    seen.push([image, show]);
    return { text: 'GIẤY KHAI SINH', confidence: 0.95, words: 40, sidewaysWords: 0 };
  };
  return { seen, pass };
}
