import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import type { OcrResult } from '#shared/ports.ts';
import { type StraightenedPage, straightenPageImage } from './estimate-skew.ts';

/** Clockwise degrees a page image is turned to read it upright. */
export type PageRotation = 0 | 90 | 180 | 270;

/** What Tesseract's orientation detection (OSD) found on a page. */
export interface DetectedOrientation {
  /** Clockwise degrees to turn the image so that its text is upright (Tesseract's `Rotate:`). */
  rotation: PageRotation;
  /** Tesseract's orientation confidence (unbounded; above ~2 is a clear answer). */
  confidence: number;
}

/** Finds the orientation of a page image; undefined when it cannot tell (too little text). */
export interface OrientationDetector {
  detect(image: Uint8Array): Promise<DetectedOrientation | undefined>;
  close?(): Promise<void>;
}

/** One recognition pass with what the orientation check reads from it. */
export interface OcrPass extends OcrResult {
  /** Words of three characters or more with a confidence. */
  words: number;
  /** Of those, the ones whose box is taller than wide: text that runs up or down the image. */
  sidewaysWords: number;
}

/** When a first pass is suspect enough to run orientation detection. */
export interface OrientationCheckOptions {
  /**
   * A first pass below this mean confidence is checked. Measured with the `vie` best_int model on
   * the test scans: upright 0.94–0.96, upside-down or turned 270° 0.35–0.50.
   * @default 0.75
   */
  minConfidence?: number;
  /** Pages with fewer words (blank, a stamp) are not checked. @default 5 */
  minWords?: number;
  /**
   * Pages where more than this share of words are taller than wide are checked whatever their
   * confidence: Tesseract reads a page turned 90° clockwise well (0.95) but sideways.
   * @default 0.5
   */
  maxSidewaysShare?: number;
  /**
   * The turned page's second pass is kept unless its confidence is lower than the first's by more
   * than this (a sideways page reads about as well both ways; the upright one is what is archived).
   * @default 0.03
   */
  keepMargin?: number;
}

/**
 * Whether a first pass needs orientation detection: enough words, and either a low confidence
 * (upside-down and 270° pages read as garbage) or mostly sideways words (a 90° page).
 */
export function needsOrientationCheck(pass: OcrPass, options: OrientationCheckOptions = {}): boolean {
  if (pass.words < (options.minWords ?? 5)) return false;
  if (pass.confidence < (options.minConfidence ?? 0.75)) return true;
  return pass.sidewaysWords / pass.words > (options.maxSidewaysShare ?? 0.5);
}

/**
 * A scan the searchable PDF must show turned anticlockwise by `degrees` (see `StraightenedPage`'s
 * `pdfTurn`): the page read is the scan itself or a straightened copy of it.
 */
export interface ShownScan {
  scan: Uint8Array;
  degrees: number;
}

/**
 * One recognition pass over `image`, whose searchable PDF shows `show`'s scan turned when given;
 * `turn`: degrees to turn `image` anticlockwise before reading it (see `StraightenedPage.readTurn`).
 */
export type OcrPassRunner = (image: Uint8Array, show?: ShownScan, turn?: number) => Promise<OcrPass>;

/** Straightens a skewed page before it is read: the image to read and the skew corrected (see `straightenPage`). */
export type PageStraightener = (image: Uint8Array) => Promise<StraightenedPage>;

/**
 * Reads a page the right way up at little cost for upright pages: one pass as given; only a
 * suspect pass (see {@link needsOrientationCheck}) runs orientation detection, and a page found
 * turned is read again turned upright (text and searchable PDF of the upright image). The turned
 * pass is kept unless it reads clearly worse than the first. Without a detector the page is read
 * as given and the result has no `rotation`. With a `straighten`, a skewed page is straightened
 * before all this, or (a small skew) read as it is and its searchable PDF turned straight after
 * (`skew` in the result, either way).
 */
export async function recognizeUpright(
  image: Uint8Array,
  pass: OcrPassRunner,
  detector: OrientationDetector | undefined,
  options: OrientationCheckOptions = {},
  straighten?: PageStraightener,
): Promise<OcrResult> {
  const straight = straighten ? await straighten(image) : undefined;
  const page = straight?.image ?? image;
  const show = straight?.pdfTurn ? { scan: image, degrees: straight.pdfTurn } : undefined;
  const result = await recognizeTurned(page, pass, detector, options, show, straight?.readTurn);
  return straight?.skew === undefined ? result : { ...result, skew: straight.skew };
}

async function recognizeTurned(
  image: Uint8Array,
  pass: OcrPassRunner,
  detector: OrientationDetector | undefined,
  options: OrientationCheckOptions,
  show: ShownScan | undefined,
  turn: number | undefined,
): Promise<OcrResult> {
  const first = await pass(image, show, turn);
  if (!detector) return toResult(first, undefined);
  if (!needsOrientationCheck(first, options)) return toResult(first, 0);
  const found = await detector.detect(show?.scan ?? image);
  if (!found || found.rotation === 0) return toResult(first, 0);
  // A copy straightened for reading only (made here or by the reader) is made again as a
  // straightened JPEG to be turned and shown.
  const readingCopy = show !== undefined && (show.scan !== image || turn !== undefined);
  const upright = await rotatePageImage(
    readingCopy ? await straightenPageImage(show.scan, show.degrees) : image,
    found.rotation,
  );
  const turned = await pass(
    upright,
    show && !readingCopy ? { scan: upright, degrees: show.degrees } : undefined,
  );
  return turned.confidence + (options.keepMargin ?? 0.03) >= first.confidence
    ? toResult(turned, found.rotation)
    : toResult(first, 0);
}

function toResult(pass: OcrPass, rotation: PageRotation | undefined): OcrResult {
  const { words: _words, sidewaysWords: _sideways, ...result } = pass;
  return rotation === undefined ? result : { ...result, rotation };
}

/**
 * Counts the words of a Tesseract TSV (level 5, three characters or more, with a confidence) and
 * those whose box is taller than wide.
 */
export function countWordShapes(tsv: string): { words: number; sidewaysWords: number } {
  let words = 0;
  let sidewaysWords = 0;
  for (const line of tsv.split('\n')) {
    const columns = line.split('\t');
    if (columns[0] !== '5' || [...(columns[11] ?? '').trim()].length < 3) continue;
    if (!(Number(columns[10]) >= 0)) continue;
    words += 1;
    if (Number(columns[9]) > Number(columns[8])) sidewaysWords += 1;
  }
  return { words, sidewaysWords };
}

/**
 * The page turned clockwise by `rotation`, as a three-channel JPEG (what Tesseract's PDF renderer
 * embeds as it is, see `toEmbeddableJpeg`).
 */
export async function rotatePageImage(image: Uint8Array, rotation: PageRotation): Promise<Uint8Array> {
  return sharp(image)
    .rotate(rotation)
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * The page at half size in grey PNG, for orientation detection: measured on the test scans, OSD
 * finds all four orientations at 150 dpi as at 300 dpi in about half the time, and fails at 100.
 */
export async function orientationDetectionImage(image: Uint8Array): Promise<Uint8Array> {
  const { width } = await sharp(image).metadata();
  return sharp(image)
    .resize({ width: Math.max(1, Math.round((width ?? 2) / 2)) })
    .toColourspace('b-w')
    .png({ compressionLevel: 1 })
    .toBuffer();
}

/** Parses Tesseract's OSD report (`--psm 0`): `Rotate: 180`, `Orientation confidence: 11.7`. */
export function parseOsdReport(report: string): DetectedOrientation | undefined {
  const rotate = /^Rotate:\s*(\d+)/mu.exec(report)?.[1];
  const confidence = /^Orientation confidence:\s*([\d.]+)/mu.exec(report)?.[1];
  const rotation = toPageRotation(Number(rotate));
  if (rotate === undefined || rotation === undefined) return undefined;
  return { rotation, confidence: Number(confidence ?? 0) };
}

/** A number of degrees as a {@link PageRotation}, or undefined when it is not a right angle. */
export function toPageRotation(degrees: number): PageRotation | undefined {
  return degrees === 0 || degrees === 90 || degrees === 180 || degrees === 270 ? degrees : undefined;
}

const require = createRequire(import.meta.url);

/** Folder of the `osd.traineddata.gz` of the `@tesseract.js-data/osd` npm package (same file as Debian's). */
export function resolveOsdModelDir(): string {
  return dirname(require.resolve('@tesseract.js-data/osd/4.0.0_best_int/osd.traineddata.gz'));
}

/**
 * A tessdata folder holding the npm package's OSD model, decompressed once into a cache folder
 * named by its hash, for the native `tesseract --psm 0` (so Debian's tesseract-ocr-osd is not
 * needed). Safe when two processes prepare it at once.
 */
export function prepareOsdTessdataDir(cacheRoot: string = tmpdir()): string {
  const gz = readFileSync(join(resolveOsdModelDir(), 'osd.traineddata.gz'));
  const hash = createHash('sha256').update(gz).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, 'motcua-tessdata', `osd-${hash}`);
  const target = join(dir, 'osd.traineddata');
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true });
    const aside = `${target}.${process.pid}.tmp`;
    writeFileSync(aside, gunzipSync(gz));
    renameSync(aside, target);
  }
  return dir;
}
