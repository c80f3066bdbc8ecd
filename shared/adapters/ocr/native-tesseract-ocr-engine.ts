import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sniffMediaType } from '#shared/adapters/documents/sniff-media-type.ts';
import { composeSearchablePage } from '#shared/adapters/documents/turn-pdf-pages.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  countWordShapes,
  type OcrPass,
  type OrientationCheckOptions,
  type OrientationDetector,
  orientationDetectionImage,
  parseOsdReport,
  prepareOsdTessdataDir,
  recognizeUpright,
  type ShownScan,
} from './detect-orientation.ts';
import { type SkewOptions, straightenPage } from './estimate-skew.ts';
import { type ProgramRun, recognizeViaHelper, runProgramViaHelper } from './run-program-via-helper.ts';
import { toEmbeddableJpeg } from './tesseract-ocr-engine.ts';

/** Options of the native Tesseract engine. */
export interface NativeTesseractOcrEngineOptions {
  /** Folder holding `{language}.traineddata` and `pdf.ttf` (see `prepareTessdataDir`). */
  tessdataDir: string;
  /** Tesseract language code. @default 'vie' */
  language?: string;
  /** The `tesseract` executable. @default 'tesseract' (found on the PATH) */
  binary?: string;
  /**
   * Path of koffi's module: pages are then read through libtesseract in the program helper (see
   * `recognizeViaHelper`), the model loaded once instead of once per page (about 100 ms of CPU a
   * page), into the same files. Orientation detection still runs the program.
   * @default undefined (every page read by the program)
   */
  library?: string;
  /** Pages recognised at once, one single-threaded process each. @default the number of CPUs */
  processes?: number;
  /** A page still running after this is killed and fails. @default 120_000 */
  timeoutMs?: number;
  /** Page segmentation mode (`--psm`). @default 3 (fully automatic, as tesseract.js's PSM.AUTO) */
  pageSegMode?: number;
  /** Resolution of the images given (rendered pages are 300 dpi). @default 300 */
  dpi?: number;
  /**
   * Reads upside-down and sideways pages upright (see `recognizeUpright`): `false` reads every
   * page as given.
   * @default true, with Tesseract's OSD (`--psm 0`) on a half-size copy of suspect pages only
   */
  orientation?: boolean | (OrientationCheckOptions & { detector?: OrientationDetector });
  /**
   * Straightens a page skewed by up to 10° before it is read (see `straightenPage`): `false`
   * reads every page as given.
   * @default true, for skews of 0.3° or more
   */
  deskew?: boolean | SkewOptions;
  /**
   * Folder of `osd.traineddata` for OSD, or how to get it (called on the first suspect page).
   * @default prepareOsdTessdataDir
   */
  osdTessdataDir?: string | (() => string);
}

/** A `tesseract` run that failed: exit status or signal, and what it wrote on stderr. */
export class NativeTesseractError extends Error {
  override readonly name = 'NativeTesseractError';
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(stderr.trim() ? `${message}: ${stderr.trim().slice(-2000)}` : message);
  }
}

/**
 * OCR with native Tesseract (5.x): the `tesseract` program, one child process per page, or its
 * library in a helper process (`library`), at most `processes` pages at once, each with
 * `OMP_THREAD_LIMIT=1` (Tesseract's OpenMP threads slow a loaded machine down).
 * The page goes through a temporary folder (Tesseract's PDF renderer needs an output base name);
 * one run writes the text (`txt`), the words with their confidences (`tsv`) and, with `wantPdf`,
 * Tesseract's own searchable PDF. Text comes back NFC; confidence is the mean word confidence of
 * the TSV / 100, as tesseract.js reports it (`MeanTextConf`). A page that reads badly or sideways
 * goes through OSD and, found turned, is read again turned upright (`rotation` in the result).
 */
export function createNativeTesseractOcrEngine(options: NativeTesseractOcrEngineOptions): OcrEngine {
  const language = options.language ?? 'vie';
  const binary = options.binary ?? 'tesseract';
  const timeoutMs = options.timeoutMs ?? 120_000;
  const slots = createSlots(Math.max(1, options.processes ?? availableParallelism()));
  const orientation = options.orientation ?? true;
  const check = typeof orientation === 'object' ? orientation : {};
  const deskew = options.deskew ?? true;
  // Turned pages are read from grey copies (made by the library as it reads, so only it is given a
  // `turn`; raw ones made here for the program) and the scan itself is shown turned in the PDF.
  const readingCopy = options.library ? 'reader' : 'pgm';
  const straighten =
    deskew === false
      ? undefined
      : (page: Uint8Array) => straightenPage(page, { readingCopy, ...(deskew === true ? {} : deskew) });
  const detector =
    orientation === false
      ? undefined
      : (check.detector ??
        createNativeOrientationDetector({
          binary,
          timeoutMs,
          ...(options.osdTessdataDir ? { tessdataDir: options.osdTessdataDir } : {}),
          dpi: (options.dpi ?? 300) / 2,
          run: (task) => slots.run(task),
        }));

  const recognizeOnce = async (
    image: Uint8Array,
    wantPdf: boolean,
    show?: ShownScan,
    turn?: number,
  ): Promise<OcrPass> => {
    // A scan shown turned gets Tesseract's text layer only, laid over the scan afterwards.
    const textOnly = wantPdf && show !== undefined;
    const input = wantPdf && !textOnly ? await toEmbeddableJpeg(image) : image;
    const pass = await slots.run(async () => {
      const folder = await mkdtemp(join(tmpdir(), 'motcua-ocr-'));
      try {
        const imagePath = join(folder, 'page');
        const outputBase = join(folder, 'out');
        await writeFile(imagePath, input);
        const pageSegMode = options.pageSegMode ?? 3;
        const dpi = options.dpi ?? 300;
        if (options.library) {
          const job = {
            koffi: options.library,
            image: imagePath,
            outputBase,
            tessdataDir: options.tessdataDir,
          };
          const read = await recognizeViaHelper(
            {
              ...job,
              language,
              pageSegMode,
              dpi,
              pdf: wantPdf,
              textonlyPdf: textOnly,
              jpeg: sniffMediaType(input) === 'image/jpeg',
              ...(turn === undefined ? {} : { turnDegrees: turn }),
            },
            { timeoutMs },
          ).catch((error: Error) => {
            throw new NativeTesseractError(`libtesseract could not read the page: ${error.message}`, '');
          });
          if (!read) throw new NativeTesseractError('libtesseract could not read the image', '');
        } else {
          // -c flags rather than the txt/tsv/pdf config files: those live in the system's
          // tessdata/configs, not in the --tessdata-dir the model comes from.
          const args = [
            imagePath,
            outputBase,
            '--tessdata-dir',
            options.tessdataDir,
            '-l',
            language,
            '--oem',
            '1',
            '--psm',
            String(pageSegMode),
            '--dpi',
            String(dpi),
            '-c',
            'tessedit_create_txt=1',
            '-c',
            'tessedit_create_tsv=1',
            '-c',
            `tessedit_create_pdf=${wantPdf ? 1 : 0}`,
            '-c',
            `textonly_pdf=${textOnly ? 1 : 0}`,
          ];
          await runTesseract(binary, args, timeoutMs);
        }
        const [text, tsv, pdf] = await Promise.all([
          readFile(`${outputBase}.txt`, 'utf8'),
          readFile(`${outputBase}.tsv`, 'utf8'),
          wantPdf ? readFile(`${outputBase}.pdf`) : undefined,
        ]);
        const result: OcrPass = {
          text: text.normalize('NFC').trim(),
          confidence: meanWordConfidence(tsv),
          ...countWordShapes(tsv),
        };
        if (pdf) result.searchablePdf = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
        return result;
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });
    if (show && textOnly && pass.searchablePdf) {
      pass.searchablePdf = await composeSearchablePage(
        await toEmbeddableJpeg(show.scan),
        pass.searchablePdf,
        show.degrees,
      );
    }
    return pass;
  };

  return {
    name: 'tesseract-native',
    async recognize(image, request): Promise<OcrResult> {
      if (request.language !== language) {
        throw new Error(`this Tesseract engine is loaded for '${language}', not '${request.language}'`);
      }
      return recognizeUpright(
        image,
        (page, show, turn) => recognizeOnce(page, request.wantPdf, show, turn),
        detector,
        check,
        straighten,
      );
    },
  };
}

/**
 * Tesseract's orientation and script detection (`tesseract page out --psm 0`, which writes
 * `out.osd`) on a half-size copy of the page, with the OSD model of the `@tesseract.js-data/osd`
 * npm package (the file Debian's tesseract-ocr-osd ships). Undefined when Tesseract finds too few
 * characters to tell.
 */
export function createNativeOrientationDetector(
  options: {
    /** @default 'tesseract' */
    binary?: string;
    /** A folder with `osd.traineddata`, or how to get it (called once, on first use). @default prepareOsdTessdataDir */
    tessdataDir?: string | (() => string);
    /** @default 120_000 */
    timeoutMs?: number;
    /** Resolution of the half-size copy. @default 150 */
    dpi?: number;
    /** Runs the child process (in the engine's process slots, say). */
    run?: <T>(task: () => Promise<T>) => Promise<T>;
  } = {},
): OrientationDetector {
  const binary = options.binary ?? 'tesseract';
  let tessdataDir: string | undefined;
  return {
    async detect(image) {
      const small = await orientationDetectionImage(image);
      tessdataDir ??=
        typeof options.tessdataDir === 'string'
          ? options.tessdataDir
          : (options.tessdataDir ?? prepareOsdTessdataDir)();
      const modelDir = tessdataDir;
      const task = async () => {
        const folder = await mkdtemp(join(tmpdir(), 'motcua-osd-'));
        try {
          const imagePath = join(folder, 'page.png');
          const outputBase = join(folder, 'out');
          await writeFile(imagePath, small);
          const args = [imagePath, outputBase, '--tessdata-dir', modelDir, '--psm', '0'];
          args.push('--dpi', String(Math.round(options.dpi ?? 150)));
          try {
            await runTesseract(binary, args, options.timeoutMs ?? 120_000);
          } catch (error) {
            if (error instanceof NativeTesseractError && /Too few characters/u.test(error.stderr))
              return undefined;
            throw error;
          }
          return parseOsdReport(await readFile(`${outputBase}.osd`, 'utf8'));
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      };
      return options.run ? options.run(task) : task();
    },
  };
}

/**
 * Mean confidence (0..1) of the words of a Tesseract TSV (level-5 rows with a confidence of 0 or
 * more), 0 when the page has no word: what TessBaseAPI::MeanTextConf gives tesseract.js.
 */
export function meanWordConfidence(tsv: string): number {
  let sum = 0;
  let count = 0;
  for (const line of tsv.split('\n')) {
    const columns = line.split('\t');
    if (columns[0] !== '5') continue;
    const confidence = Number(columns[10]);
    if (!Number.isFinite(confidence) || confidence < 0) continue;
    sum += confidence;
    count += 1;
  }
  return count === 0 ? 0 : Math.min(1, Math.max(0, sum / count / 100));
}

async function runTesseract(binary: string, args: string[], timeoutMs: number): Promise<void> {
  let run: ProgramRun;
  try {
    run = await runProgramViaHelper(binary, args, {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      timeoutMs,
    });
  } catch (error) {
    throw new NativeTesseractError(`could not run ${binary}: ${(error as Error).message}`, '');
  }
  if (run.timedOut)
    throw new NativeTesseractError(`${binary} took more than ${timeoutMs} ms on a page`, run.stderr);
  if (run.code !== 0)
    throw new NativeTesseractError(`${binary} failed (${run.signal ?? `exit ${run.code}`})`, run.stderr);
}

/** At most `size` tasks at once; the others wait in order. */
function createSlots(size: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
      else running += 1;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
  };
}
