import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countWordShapes,
  type DetectedOrientation,
  needsOrientationCheck,
  type OcrPass,
  type OrientationDetector,
  orientationDetectionImage,
  parseOsdReport,
  prepareOsdTessdataDir,
  recognizeUpright,
  rotatePageImage,
  type ShownScan,
} from '#shared/adapters/ocr/detect-orientation.ts';

const TSV_HEADER =
  'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';

const pass = (overrides: Partial<OcrPass> = {}): OcrPass => ({
  text: 'GIẤY KHAI SINH',
  confidence: 0.95,
  words: 120,
  sidewaysWords: 0,
  ...overrides,
});

describe('needsOrientationCheck', () => {
  it('leaves an upright page that reads well alone', () => {
    expect(needsOrientationCheck(pass())).toBe(false);
  });

  it('checks a page that reads badly (upside-down or turned 270°)', () => {
    expect(needsOrientationCheck(pass({ confidence: 0.45 }))).toBe(true);
  });

  it('checks a page read well but sideways (turned 90°)', () => {
    expect(needsOrientationCheck(pass({ sidewaysWords: 118 }))).toBe(true);
  });

  it('leaves a page with almost no words alone, however badly it reads', () => {
    expect(needsOrientationCheck(pass({ confidence: 0, words: 0 }))).toBe(false);
    expect(needsOrientationCheck(pass({ confidence: 0.2, words: 4 }))).toBe(false);
  });

  it('takes its thresholds from the options', () => {
    expect(needsOrientationCheck(pass({ confidence: 0.8 }), { minConfidence: 0.85 })).toBe(true);
    expect(needsOrientationCheck(pass({ confidence: 0.2, words: 4 }), { minWords: 3 })).toBe(true);
  });
});

describe('countWordShapes', () => {
  it('counts words of three characters or more with a confidence, and the taller-than-wide ones', () => {
    const tsv = [
      TSV_HEADER,
      '1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t',
      '5\t1\t1\t1\t1\t1\t10\t10\t150\t50\t96\tGIẤY',
      '5\t1\t1\t1\t1\t2\t10\t70\t50\t150\t90\tKHAI',
      '5\t1\t1\t1\t1\t3\t10\t70\t20\t60\t90\tHọ',
      '5\t1\t1\t1\t1\t4\t10\t70\t20\t60\t-1\tSINH',
    ].join('\n');
    expect(countWordShapes(tsv)).toEqual({ words: 2, sidewaysWords: 1 });
  });
});

describe('parseOsdReport', () => {
  it("reads Tesseract's rotation and orientation confidence", () => {
    const report =
      'Page number: 0\nOrientation in degrees: 90\nRotate: 270\nOrientation confidence: 16.18\nScript: Latin\nScript confidence: 3.17\n';
    expect(parseOsdReport(report)).toEqual({ rotation: 270, confidence: 16.18 });
  });

  it('is undefined for an empty or odd report', () => {
    expect(parseOsdReport('')).toBeUndefined();
    expect(parseOsdReport('Rotate: 45\n')).toBeUndefined();
  });
});

describe('recognizeUpright', () => {
  const detector = (
    found: DetectedOrientation | undefined,
    seen: Uint8Array[] = [],
  ): OrientationDetector => ({
    async detect(image) {
      seen.push(image);
      return found;
    },
  });
  let page: Uint8Array;

  beforeAll(async () => {
    // 40×20: a landscape page, so a quarter turn shows in its size.
    page = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
  });

  it('reads an upright page once and never asks the detector', async () => {
    const seen: Uint8Array[] = [];
    const passes: Uint8Array[] = [];
    const result = await recognizeUpright(
      page,
      async (image) => {
        passes.push(image);
        return pass({ searchablePdf: new Uint8Array([1]) });
      },
      detector({ rotation: 180, confidence: 9 }, seen),
    );
    expect(result).toEqual({
      text: 'GIẤY KHAI SINH',
      confidence: 0.95,
      searchablePdf: new Uint8Array([1]),
      rotation: 0,
    });
    expect(passes).toEqual([page]);
    expect(seen).toHaveLength(0);
  });

  it('reads a suspect page again turned as the detector says, and keeps the better reading', async () => {
    const sizes: string[] = [];
    const result = await recognizeUpright(
      page,
      async (image) => {
        const { width, height } = await sharp(image).metadata();
        sizes.push(`${width}x${height}`);
        return sizes.length === 1 ? pass({ text: 'garbage', confidence: 0.4 }) : pass({ confidence: 0.94 });
      },
      detector({ rotation: 90, confidence: 15 }),
    );
    expect(sizes).toEqual(['40x20', '20x40']);
    expect(result).toMatchObject({ text: 'GIẤY KHAI SINH', confidence: 0.94, rotation: 90 });
    expect(result).not.toHaveProperty('words');
  });

  it('keeps the first reading when the turned one reads clearly worse (a wrong detection)', async () => {
    let count = 0;
    const result = await recognizeUpright(
      page,
      async () => {
        count += 1;
        return count === 1
          ? pass({ text: 'faint', confidence: 0.6 })
          : pass({ text: 'worse', confidence: 0.3 });
      },
      detector({ rotation: 180, confidence: 1 }),
    );
    expect(result).toMatchObject({ text: 'faint', confidence: 0.6, rotation: 0 });
  });

  it('keeps the first reading when the detector finds the page upright or cannot tell', async () => {
    for (const found of [{ rotation: 0, confidence: 12 } as const, undefined]) {
      let count = 0;
      const result = await recognizeUpright(
        page,
        async () => {
          count += 1;
          return pass({ confidence: 0.5 });
        },
        detector(found),
      );
      expect(count).toBe(1);
      expect(result.rotation).toBe(0);
    }
  });

  it('detects on the scan, not on a raw reading copy, and turns a straightened JPEG of the scan', async () => {
    const seen: Uint8Array[] = [];
    const calls: { image: Uint8Array; show?: ShownScan }[] = [];
    const rawCopy = new Uint8Array([0x50, 0x35]);
    const result = await recognizeUpright(
      page,
      async (image, show) => {
        calls.push({ image, ...(show ? { show } : {}) });
        return calls.length === 1 ? pass({ text: 'garbage', confidence: 0.4 }) : pass({ confidence: 0.94 });
      },
      detector({ rotation: 90, confidence: 15 }, seen),
      {},
      async () => ({ image: rawCopy, skew: 2, pdfTurn: 2 }),
    );
    expect(seen).toEqual([page]);
    expect(calls[0]).toEqual({ image: rawCopy, show: { scan: page, degrees: 2 } });
    const second = calls[1];
    expect(second?.show).toBeUndefined();
    expect(await sharp(second?.image).metadata()).toMatchObject({ format: 'jpeg', width: 20, height: 40 });
    expect(result).toMatchObject({ confidence: 0.94, rotation: 90, skew: 2 });
  });

  it('without a detector reads the page as given and says nothing of its orientation', async () => {
    const result = await recognizeUpright(page, async () => pass({ confidence: 0.1 }), undefined);
    expect(result).not.toHaveProperty('rotation');
  });
});

describe('page images', () => {
  it('turns a page clockwise into a three-channel JPEG', async () => {
    const source = await sharp({
      create: { width: 40, height: 20, channels: 3, background: '#ffffff' },
    })
      .composite([
        {
          input: await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000000' } })
            .png()
            .toBuffer(),
          left: 0,
          top: 0,
        },
      ])
      .png()
      .toBuffer();
    const turned = await rotatePageImage(source, 90);
    const { width, height, format, channels } = await sharp(turned).metadata();
    expect({ width, height, format, channels }).toEqual({
      width: 20,
      height: 40,
      format: 'jpeg',
      channels: 3,
    });
    // The black top-left corner is now top-right.
    const { data, info } = await sharp(turned).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect(data[2 * info.width + info.width - 3]).toBeLessThan(64);
    expect(data[2 * info.width + 2]).toBeGreaterThan(192);
  });

  it('halves the page in grey for orientation detection', async () => {
    const source = await sharp({ create: { width: 2480, height: 3508, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    const small = await orientationDetectionImage(source);
    const { width, height, format, channels } = await sharp(small).metadata();
    expect({ width, height, format, channels }).toEqual({
      width: 1240,
      height: 1754,
      format: 'png',
      channels: 1,
    });
  });
});

describe('prepareOsdTessdataDir', () => {
  let cacheRoot: string;
  beforeAll(async () => {
    cacheRoot = await mkdtemp(join(tmpdir(), 'motcua-osd-test-'));
  });
  afterAll(async () => {
    await rm(cacheRoot, { recursive: true, force: true });
  });

  it("decompresses the npm package's OSD model once into a folder named by its hash", () => {
    const dir = prepareOsdTessdataDir(cacheRoot);
    expect(dir).toMatch(/motcua-tessdata\/osd-[0-9a-f]{16}$/u);
    expect(existsSync(join(dir, 'osd.traineddata'))).toBe(true);
    expect(statSync(join(dir, 'osd.traineddata')).size).toBeGreaterThan(10_000_000);
    expect(prepareOsdTessdataDir(cacheRoot)).toBe(dir);
  });
});
