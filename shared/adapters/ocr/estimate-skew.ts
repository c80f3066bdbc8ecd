import sharp, { type Sharp } from 'sharp';
import { turnToGrey } from './turn-to-grey.ts';

/** A page's small skew, as a projection-profile search found it. */
export interface EstimatedSkew {
  /**
   * Clockwise degrees the page's text lines are turned from straight (a sheet fed at 3° reads 3);
   * 0 when the page has too little ink to tell.
   */
  degrees: number;
  /**
   * How much sharper the best profile is than the straight one (1: no better; a skewed text page
   * is well above). Undefined when the page had too little ink to look.
   */
  sharpness?: number;
}

/** How skew is looked for and when it is corrected. */
export interface SkewOptions {
  /** Largest skew looked for, either way. @default 10 */
  maxDegrees?: number;
  /** Smaller skews are left alone: a straight page is neither turned nor re-encoded. @default 0.3 */
  minDegrees?: number;
  /**
   * Skews from `minDegrees` up to this are corrected in the page's PDF only: the page is read as
   * scanned and its searchable PDF is shown turned (see `turnPdfPages`), so the scan is neither
   * resampled nor re-encoded (about 400 ms of CPU on a noisy 300-dpi A4 page). Measured with the
   * `vie` best_int model on the five noisy test papers: at 0.7° and 1° a page reads as well as
   * scanned as straightened (0.8 % character errors against 1.0 % at 1°); at 1.5° two of the five
   * titles lose a diacritic unless straightened. From this skew up, the pixels are turned before OCR.
   * @default 1
   */
  resampleFromDegrees?: number;
  /**
   * What a page turned before OCR becomes: a JPEG that the searchable PDF shows (`jpeg`), a raw
   * copy for reading only (`pgm`, which only native Tesseract reads), or nothing here: the reader
   * turns the page itself as it reads it (`reader`, see `readTurn`). With `pgm` and `reader` the
   * PDF shows the scan itself turned (`pdfTurn`), as for a small skew.
   * @default 'jpeg'
   */
  readingCopy?: 'jpeg' | 'pgm' | 'reader';
  /**
   * Width of the downscaled copy the search runs on.
   * @default the page's width over 8, 4 or 2, whichever leaves 300 pixels or more (an eighth of a
   * 300-dpi A4 scan: measured within 0.15° of the true skew, at about a third of a quarter's cost)
   */
  sampleWidth?: number;
}

const COARSE_STEP = 0.5;
const MIN_SAMPLE_WIDTH = 300;
const FINE_STEP = 0.05;
/** Fewer dark pixels than this on the downscaled copy (a blank page, a stamp) is too little to tell. */
const MIN_INK = 400;
/** More dark pixels than this are sampled evenly: the profile's peak does not need them all. */
const MAX_INK = 150_000;
/** A best profile not this much sharper than the straight one is noise, not skew. */
const MIN_SHARPNESS = 1.02;

/**
 * Estimates a page's small skew (up to `maxDegrees`) on a downscaled, binarised copy (a JPEG is
 * decoded at reduced size): for each candidate angle the dark pixels are projected onto rows (text
 * lines across the image) and onto columns (a page turned sideways), and the angle whose profile
 * has the largest sum of squares (lines fall into few rows, gaps into empty ones) wins; a coarse
 * search in 0.5° steps, then 0.05° steps around the best. About 30 ms of CPU on a 300-dpi A4 JPEG.
 */
export async function estimateSkew(image: Uint8Array, options: SkewOptions = {}): Promise<EstimatedSkew> {
  const maxDegrees = options.maxDegrees ?? 10;
  const { width = 0 } = await sharp(image).metadata();
  // A JPEG decodes at 1/2, 1/4 or 1/8 of its size for much less than whole: the most it can shrink.
  const shrink = [8, 4, 2].find((factor) => width / factor >= MIN_SAMPLE_WIDTH) ?? 1;
  const { data, info } = await sharp(image)
    .resize({
      width: options.sampleWidth ?? Math.max(1, Math.round(width / shrink)),
      withoutEnlargement: true,
    })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ink = darkPixels(data, info.width, info.height);
  if (ink.count < MIN_INK) return { degrees: 0 };

  const profile = createProfiler(ink, Math.ceil(Math.hypot(info.width, info.height)) + 2);
  let best = { degrees: 0, score: -1, columns: false };
  for (const columns of [false, true]) {
    for (let degrees = -maxDegrees; degrees <= maxDegrees + 1e-9; degrees += COARSE_STEP) {
      const score = profile(degrees, columns);
      if (score > best.score) best = { degrees, score, columns };
    }
  }
  const coarse = best;
  for (
    let degrees = coarse.degrees - COARSE_STEP;
    degrees <= coarse.degrees + COARSE_STEP + 1e-9;
    degrees += FINE_STEP
  ) {
    const score = profile(degrees, coarse.columns);
    if (score > best.score) best = { degrees, score, columns: coarse.columns };
  }
  const sharpness = best.score / profile(0, best.columns);
  const degrees = Math.round(best.degrees * 100) / 100;
  return { degrees: sharpness < MIN_SHARPNESS ? 0 : degrees, sharpness };
}

/**
 * The page turned anticlockwise by `skewDegrees` so that its text runs straight, cut back to its
 * own size around the centre (the corners turned in are white), as a three-channel JPEG (what
 * Tesseract's PDF renderer embeds as it is).
 */
export async function straightenPageImage(image: Uint8Array, skewDegrees: number): Promise<Uint8Array> {
  return (await turnBack(image, skewDegrees))
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * The same straightened page as a binary greyscale PNM (PGM): a copy for Tesseract to read and
 * nothing else, neither JPEG-encoded here nor decoded there. Decoded as it is (a colour JPEG's
 * luma taken here costs less than libvips' greyscale conversion) and turned in `turnToGrey`.
 */
export async function straightenPageToPgm(image: Uint8Array, skewDegrees: number): Promise<Uint8Array> {
  const { data, info } = await sharp(image)
    .flatten({ background: '#ffffff' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const header = Buffer.from(`P5\n${info.width} ${info.height}\n255\n`, 'latin1');
  const pgm = Buffer.allocUnsafe(header.length + info.width * info.height);
  header.copy(pgm);
  turnToGrey({ data, ...info }, skewDegrees, pgm.subarray(header.length));
  return pgm;
}

async function turnBack(image: Uint8Array, skewDegrees: number): Promise<Sharp> {
  const { width, height } = await sharp(image).metadata();
  if (!width || !height) throw new Error('the page image has no size');
  // The turned image is the bounding box of the page turned (libvips rounds it the same way).
  const radians = (skewDegrees * Math.PI) / 180;
  const cos = Math.abs(Math.cos(radians));
  const sin = Math.abs(Math.sin(radians));
  const turnedWidth = Math.round(width * cos + height * sin);
  const turnedHeight = Math.round(width * sin + height * cos);
  return sharp(image)
    .rotate(-skewDegrees, { background: '#ffffff' })
    .extract({
      left: Math.max(0, Math.floor((turnedWidth - width) / 2)),
      top: Math.max(0, Math.floor((turnedHeight - height) / 2)),
      width,
      height,
    });
}

/** A page made ready to read straight (see {@link straightenPage}). */
export interface StraightenedPage {
  /** The image to read. */
  image: Uint8Array;
  /** The skew corrected, in the image or in the PDF (0: none); undefined when it could not be estimated. */
  skew?: number;
  /**
   * Degrees to turn the scan anticlockwise in the page's searchable PDF, when the skew is
   * corrected there: `image` is then the scan itself, or a raw copy made for reading only.
   */
  pdfTurn?: number;
  /** Degrees the reader turns `image` (the scan itself) anticlockwise before reading it (`readingCopy: 'reader'`). */
  readTurn?: number;
}

/**
 * Corrects a page's skew when it is at least `minDegrees`: below `resampleFromDegrees` the image
 * is read as it is and `pdfTurn` says how to show its PDF straight; from there a turned copy is
 * read (see `readingCopy`). An image that sharp cannot decode is given back as it is, without a skew,
 * for the OCR engine to read or reject in its own words.
 */
export async function straightenPage(
  image: Uint8Array,
  options: SkewOptions = {},
): Promise<StraightenedPage> {
  let degrees: number;
  try {
    ({ degrees } = await estimateSkew(image, options));
  } catch {
    return { image };
  }
  if (Math.abs(degrees) < (options.minDegrees ?? 0.3)) return { image, skew: 0 };
  if (Math.abs(degrees) < (options.resampleFromDegrees ?? 1))
    return { image, skew: degrees, pdfTurn: degrees };
  if (options.readingCopy === 'reader') return { image, skew: degrees, pdfTurn: degrees, readTurn: degrees };
  if (options.readingCopy === 'pgm') {
    return { image: await straightenPageToPgm(image, degrees), skew: degrees, pdfTurn: degrees };
  }
  return { image: await straightenPageImage(image, degrees), skew: degrees };
}

interface Ink {
  xs: Float32Array;
  ys: Float32Array;
  count: number;
}

/**
 * Coordinates (from the centre) of the pixels darker than the page's background by a quarter:
 * the background is the grey level most pixels are at or above (a scan's paper is rarely white).
 */
function darkPixels(grey: Uint8Array, width: number, height: number): Ink {
  const histogram = new Uint32Array(256);
  for (const value of grey) histogram[value] = (histogram[value] ?? 0) + 1;
  let seen = 0;
  let background = 255;
  for (let level = 255; level >= 0; level--) {
    seen += histogram[level] ?? 0;
    if (seen >= grey.length / 2) {
      background = level;
      break;
    }
  }
  const threshold = background * 0.75;
  let dark = 0;
  for (let level = 0; level < threshold; level++) dark += histogram[level] ?? 0;
  const stride = Math.max(1, Math.ceil(dark / MAX_INK));
  const size = Math.ceil(dark / stride);
  const xs = new Float32Array(size);
  const ys = new Float32Array(size);
  let count = 0;
  let index = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((grey[y * width + x] ?? 255) >= threshold) continue;
      if (index++ % stride !== 0 || count >= size) continue;
      xs[count] = x - width / 2;
      ys[count] = y - height / 2;
      count += 1;
    }
  }
  return { xs, ys, count };
}

/** Sum of squares of the ink's projection, turned back by `degrees`, onto rows or columns. */
function createProfiler(ink: Ink, span: number) {
  const bins = new Float64Array(span);
  const offset = span / 2;
  return (degrees: number, columns: boolean): number => {
    const radians = (degrees * Math.PI) / 180;
    const cos = Math.cos(radians);
    const sin = Math.sin(radians);
    bins.fill(0);
    for (let index = 0; index < ink.count; index++) {
      const x = ink.xs[index] as number;
      const y = ink.ys[index] as number;
      // Rows: y' = y·cos − x·sin is constant along a line turned clockwise by `degrees`;
      // columns: x' = x·cos + y·sin along a sideways line turned the same way.
      const position = columns ? x * cos + y * sin : y * cos - x * sin;
      const bin = Math.floor(position + offset);
      bins[bin] = (bins[bin] ?? 0) + 1;
    }
    let score = 0;
    for (const value of bins) score += value * value;
    return score;
  };
}
