import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { OcrEngine } from '#shared/ports.ts';
import { prepareOsdTessdataDir } from './detect-orientation.ts';
import { createNativeTesseractOcrEngine } from './native-tesseract-ocr-engine.ts';
import { createTesseractOcrEngine, resolveLanguageDataDir } from './tesseract-ocr-engine.ts';

/** The province's `ocr.engine`: `tesseract` is the older spelling of `auto`. */
export type OcrEngineSetting = 'auto' | 'tesseract-native' | 'tesseract-wasm' | 'textract' | 'tesseract';
/** The province's `ocr.model`: Tesseract's accurate integer model, or the smaller, faster one. */
export type OcrModelSetting = 'best_int' | 'fast';

/** What `tesseract --version` and `--list-langs` told, or why they could not be run. */
export type TesseractProbe =
  | {
      found: true;
      binary: string;
      version: string;
      major: number;
      tessdataDir?: string;
      /** Tesseract's library, loadable through koffi, or why not (then the program reads every page). */
      library?: TesseractLibraryProbe;
    }
  | { found: false; binary: string; error: string };

/** libtesseract 5+ as koffi loads it (`koffi`: the module's path), or why it cannot be used. */
export type TesseractLibraryProbe = { koffi: string; version: string } | { unavailable: string };

/** The engine that runs, the model it loads, and why (said once at start). */
export interface OcrEngineChoice {
  engine: 'tesseract-native' | 'tesseract-wasm' | 'textract';
  model: OcrModelSetting;
  reason: string;
}

/** The oldest native Tesseract used: 4.x reads the same model but its PDF and TSV output differ. */
export const MIN_NATIVE_TESSERACT_MAJOR = 5;

/** Where Debian's `tesseract-ocr-vie` (and a Tesseract built from source) keeps its models. */
const DEFAULT_SYSTEM_TESSDATA_DIRS = ['/usr/share/tesseract-ocr/5/tessdata', '/usr/local/share/tessdata'];

/**
 * Loads koffi, `libtesseract.so.5` (what Debian's tesseract-ocr installs beside the program) and
 * Leptonica's `liblept.so.5`, and asks Tesseract's version; never throws. About 20 ms, once at
 * start, and no model loaded.
 */
export function probeTesseractLibrary(): TesseractLibraryProbe {
  try {
    const require = createRequire(import.meta.url);
    const koffiPath = require.resolve('koffi');
    const koffi = require(koffiPath) as KoffiModule;
    const version = koffi.load('libtesseract.so.5').func('const char* TessVersion()')();
    // Leptonica, which libtesseract links, decodes and turns skewed pages in the helper: declaring
    // a function finds its symbol, or throws.
    const leptonica = koffi.load('liblept.so.5');
    leptonica.func('void* pixReadJpeg(const char*, int, int, int*, int)');
    leptonica.func('void* pixRotate(void*, float, int, int, int, int)');
    const major = Number(/^(\d+)\./u.exec(version)?.[1]);
    if (!(major >= MIN_NATIVE_TESSERACT_MAJOR)) return { unavailable: `libtesseract ${version} is too old` };
    return { koffi: koffiPath, version };
  } catch (error) {
    return { unavailable: (error as Error).message.split('\n')[0] ?? 'libtesseract cannot be loaded' };
  }
}

/** The little of koffi the probe uses (koffi's own types are not imported: it loads at run time only). */
interface KoffiModule {
  load(path: string): { func(signature: string): () => string };
}

/**
 * Runs `{binary} --version` and `--list-langs` (a few ms each) and, with `library`, probes
 * libtesseract too (see {@link probeTesseractLibrary}); never throws.
 */
export function probeTesseract(
  binary = 'tesseract',
  library: () => TesseractLibraryProbe = probeTesseractLibrary,
): TesseractProbe {
  try {
    const run = (arg: string) =>
      execFileSync(binary, [arg], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const version = /tesseract\s+v?(\d+)\.(\d+)\.?(\d+)?/iu.exec(run('--version'));
    if (!version) return { found: false, binary, error: `${binary} --version printed no Tesseract version` };
    let tessdataDir: string | undefined;
    try {
      tessdataDir = /"([^"]+)"/u.exec(run('--list-langs'))?.[1]?.replace(/\/+$/u, '');
    } catch {
      // --list-langs fails when no model is installed; the version is what matters here.
    }
    return {
      found: true,
      binary,
      version: version.slice(1).filter(Boolean).join('.'),
      major: Number(version[1]),
      ...(tessdataDir ? { tessdataDir } : {}),
      library: library(),
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      found: false,
      binary,
      error:
        code === 'ENOENT'
          ? `no ${binary} on the PATH`
          : `${binary} --version failed: ${(error as Error).message}`,
    };
  }
}

/**
 * Chooses the OCR engine from the province's setting and what the probe found: `auto` runs native
 * Tesseract when a binary of version 5 or later is there, tesseract.js otherwise; a forced
 * `tesseract-native` without such a binary is a start-up error, not a silent fallback.
 * @throws Error when `tesseract-native` is forced and unusable.
 */
export function chooseOcrEngine(
  setting: { engine: OcrEngineSetting; model: OcrModelSetting },
  probe: () => TesseractProbe,
): OcrEngineChoice {
  const { model } = setting;
  if (setting.engine === 'textract') return { engine: 'textract', model, reason: 'ocr.engine is textract' };
  if (setting.engine === 'tesseract-wasm') {
    return { engine: 'tesseract-wasm', model, reason: 'ocr.engine is tesseract-wasm' };
  }
  const found = probe();
  const usable = found.found && found.major >= MIN_NATIVE_TESSERACT_MAJOR;
  const seen = found.found
    ? `${found.binary} ${found.version} is older than ${MIN_NATIVE_TESSERACT_MAJOR}`
    : found.error;
  if (setting.engine === 'tesseract-native') {
    if (!usable) throw new Error(`ocr.engine is tesseract-native, but ${seen}`);
    return {
      engine: 'tesseract-native',
      model,
      reason: `ocr.engine is tesseract-native (${found.binary} ${found.version}${readsThrough(found)})`,
    };
  }
  if (usable) {
    return {
      engine: 'tesseract-native',
      model,
      reason: `ocr.engine is auto and ${found.binary} ${found.version} is on the PATH${readsThrough(found)}`,
    };
  }
  return { engine: 'tesseract-wasm', model, reason: `ocr.engine is auto and ${seen}: tesseract.js instead` };
}

/**
 * The npm package's gzipped best_int model, decompressed once into a cache folder named by the
 * file's hash (a new package version gets a new folder), with the system's `pdf.ttf` beside it
 * (Tesseract's PDF renderer reads its GlyphLessFont from the tessdata folder). Safe when two
 * processes prepare it at once: files are written aside and renamed.
 * @throws Error when no `pdf.ttf` is found in the system's tessdata folder.
 */
export function prepareTessdataDir(options: {
  language: string;
  /** The system's tessdata folder, where `pdf.ttf` comes from. */
  systemTessdataDir?: string;
  /** @default os.tmpdir() */
  cacheRoot?: string;
}): string {
  const gz = readFileSync(
    join(resolveLanguageDataDir(options.language), `${options.language}.traineddata.gz`),
  );
  const hash = createHash('sha256').update(gz).digest('hex').slice(0, 16);
  const dir = join(options.cacheRoot ?? tmpdir(), 'motcua-tessdata', `${options.language}-best_int-${hash}`);
  mkdirSync(dir, { recursive: true });
  const place = (name: string, write: (path: string) => void) => {
    const target = join(dir, name);
    if (existsSync(target)) return;
    const aside = `${target}.${process.pid}.tmp`;
    write(aside);
    renameSync(aside, target);
  };
  place(`${options.language}.traineddata`, (path) => writeFileSync(path, gunzipSync(gz)));
  const font = [options.systemTessdataDir, ...DEFAULT_SYSTEM_TESSDATA_DIRS]
    .filter((folder): folder is string => Boolean(folder))
    .map((folder) => join(folder, 'pdf.ttf'))
    .find((path) => existsSync(path));
  if (!font) {
    throw new Error(
      `no pdf.ttf in ${options.systemTessdataDir ?? DEFAULT_SYSTEM_TESSDATA_DIRS.join(' or ')}: Tesseract's installation is incomplete`,
    );
  }
  place('pdf.ttf', (path) => copyFileSync(font, path));
  return dir;
}

/**
 * The folder of the `fast` model: the system's tessdata (Debian's `tesseract-ocr-vie` ships the
 * fast model; no npm package does).
 * @throws Error naming the package to install when it is not there.
 */
export function findFastModelDir(language: string, systemTessdataDir?: string): string {
  const folders = [systemTessdataDir, ...DEFAULT_SYSTEM_TESSDATA_DIRS].filter((f): f is string => Boolean(f));
  const found = folders.find((folder) => existsSync(join(folder, `${language}.traineddata`)));
  if (!found) {
    throw new Error(
      `ocr.model is fast, but no ${language}.traineddata in ${folders.join(' or ')} (Debian: apt-get install tesseract-ocr-${language})`,
    );
  }
  return found;
}

/**
 * The tessdata folder native Tesseract reads a model from: the npm package's best_int model
 * (prepared by {@link prepareTessdataDir}, the file tesseract.js loads) or the system's fast one.
 * @throws Error when the model or Tesseract's files are missing.
 */
export function nativeTessdataDir(
  model: OcrModelSetting,
  options: { language: string; probe?: TesseractProbe; cacheRoot?: string },
): string {
  const systemTessdataDir = options.probe?.found ? options.probe.tessdataDir : undefined;
  if (model === 'fast') return findFastModelDir(options.language, systemTessdataDir);
  return prepareTessdataDir({
    language: options.language,
    ...(systemTessdataDir ? { systemTessdataDir } : {}),
    ...(options.cacheRoot ? { cacheRoot: options.cacheRoot } : {}),
  });
}

/** How native pages are read: through the library when it loads, by the program otherwise. */
function readsThrough(found: TesseractProbe & { found: true }): string {
  if (!found.library) return '';
  return 'unavailable' in found.library
    ? `; pages read by the program (libtesseract: ${found.library.unavailable})`
    : `; pages read through libtesseract ${found.library.version}, the model loaded once`;
}

/**
 * Builds the Tesseract engine of a choice (native or tesseract.js) with its model, reading turned
 * pages upright with the OSD model of the `@tesseract.js-data/osd` npm package.
 * @throws Error when the model or Tesseract's files are missing.
 */
export function createChosenTesseractEngine(
  choice: OcrEngineChoice & { engine: 'tesseract-native' | 'tesseract-wasm' },
  options: { language: string; workers: number; probe?: TesseractProbe; cacheRoot?: string },
): OcrEngine {
  const systemTessdataDir = options.probe?.found ? options.probe.tessdataDir : undefined;
  if (choice.engine === 'tesseract-wasm') {
    return createTesseractOcrEngine({
      workers: options.workers,
      language: options.language,
      ...(choice.model === 'fast' ? { modelDir: findFastModelDir(options.language, systemTessdataDir) } : {}),
    });
  }
  return createNativeTesseractOcrEngine({
    tessdataDir: nativeTessdataDir(choice.model, options),
    language: options.language,
    processes: options.workers,
    // Prepared on the first turned page: a bundle without the OSD package still reads upright pages.
    osdTessdataDir: () => prepareOsdTessdataDir(options.cacheRoot),
    ...(options.probe?.binary ? { binary: options.probe.binary } : {}),
    ...(options.probe?.found && options.probe.library && 'koffi' in options.probe.library
      ? { library: options.probe.library.koffi }
      : {}),
  });
}
