import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { createScheduler, createWorker, OEM, PSM, type Scheduler, type Worker } from 'tesseract.js';
import { turnPdfPages } from '#shared/adapters/documents/turn-pdf-pages.ts';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import {
  countWordShapes,
  type OcrPass,
  type OrientationCheckOptions,
  type OrientationDetector,
  orientationDetectionImage,
  recognizeUpright,
  resolveOsdModelDir,
  type ShownScan,
  toPageRotation,
} from './detect-orientation.ts';
import { type SkewOptions, straightenPage } from './estimate-skew.ts';

/** Options of the Tesseract engine. */
export interface TesseractOcrEngineOptions {
  /** Tesseract workers (each a WebAssembly instance, ~100 MB). @default the number of CPUs */
  workers?: number;
  /** Tesseract language code; the `@tesseract.js-data/{language}` package must be installed. @default 'vie' */
  language?: string;
  /** Page segmentation mode. @default PSM.AUTO (a page of blocks, headers and columns found automatically) */
  pageSegMode?: PSM;
  /** Resolution of the images given, used to size text (rendered pages are 300 dpi). @default 300 */
  dpi?: number;
  /**
   * Folder of an uncompressed `{language}.traineddata` to load instead of the npm package's
   * gzipped best_int model (Debian's fast model, say).
   * @default resolveLanguageDataDir(language)
   */
  modelDir?: string;
  /**
   * Reads upside-down and sideways pages upright (see `recognizeUpright`): `false` reads every
   * page as given.
   * @default true, with Tesseract's OSD in one more worker, started on the first suspect page
   */
  orientation?: boolean | (OrientationCheckOptions & { detector?: OrientationDetector });
  /**
   * Straightens a page skewed by up to 10° before it is read (see `straightenPage`): `false`
   * reads every page as given.
   * @default true, for skews of 0.3° or more
   */
  deskew?: boolean | SkewOptions;
}

const require = createRequire(import.meta.url);

/** Directory of the `best_int` model of a `@tesseract.js-data/*` package: accurate and integer-quantised. */
export function resolveLanguageDataDir(language: string): string {
  return dirname(require.resolve(`@tesseract.js-data/${language}/4.0.0_best_int/${language}.traineddata.gz`));
}

/**
 * OCR with tesseract.js (WebAssembly): a scheduler over `workers` workers, started lazily on the
 * first page and reused until `close()`. Fully offline: the model is read from its npm package
 * (gzip, no cache). Text comes back NFC; confidence is Tesseract's mean word confidence / 100;
 * with `wantPdf`, Tesseract's own PDF renderer makes a one-page searchable PDF (the image with an
 * invisible text layer, Tesseract's GlyphLessFont). A page that reads badly or sideways goes
 * through OSD and, found turned, is read again turned upright (`rotation` in the result).
 */
export function createTesseractOcrEngine(options: TesseractOcrEngineOptions = {}): OcrEngine {
  const language = options.language ?? 'vie';
  const workerCount = Math.max(1, options.workers ?? availableParallelism());
  let scheduler: Promise<Scheduler> | undefined;
  const orientation = options.orientation ?? true;
  const check = typeof orientation === 'object' ? orientation : {};
  const deskew = options.deskew ?? true;
  const straighten =
    deskew === false ? undefined : (page: Uint8Array) => straightenPage(page, deskew === true ? {} : deskew);
  const detector =
    orientation === false
      ? undefined
      : (check.detector ?? createWasmOrientationDetector({ dpi: (options.dpi ?? 300) / 2 }));

  const start = async (): Promise<Scheduler> => {
    const langPath = options.modelDir ?? resolveLanguageDataDir(language);
    const gzip = options.modelDir === undefined;
    const created = createScheduler();
    try {
      const workers = await Promise.all(
        Array.from({ length: workerCount }, () =>
          createWorker(language, OEM.LSTM_ONLY, { langPath, gzip, cacheMethod: 'none' }),
        ),
      );
      for (const worker of workers) {
        await worker.setParameters({
          tessedit_pageseg_mode: options.pageSegMode ?? PSM.AUTO,
          user_defined_dpi: String(options.dpi ?? 300),
          debug_file: '/dev/null', // Tesseract's tprintf notes ("Detected 44 diacritics") went to stdout.
        });
        created.addWorker(worker);
      }
      return created;
    } catch (error) {
      await created.terminate();
      throw error;
    }
  };

  const ready = (): Promise<Scheduler> => {
    scheduler ??= start().catch((error: unknown) => {
      scheduler = undefined;
      throw error;
    });
    return scheduler;
  };

  // Straightened pages are JPEG copies here, so a scan shown turned is the page read: its PDF is turned.
  const recognizeOnce = async (image: Uint8Array, wantPdf: boolean, show?: ShownScan): Promise<OcrPass> => {
    const input = wantPdf ? await toEmbeddableJpeg(image) : image;
    const running = await ready();
    const { data } = await running.addJob(
      'recognize',
      Buffer.from(input.buffer, input.byteOffset, input.byteLength),
      { pdfTitle: 'OCR' },
      { text: true, blocks: false, hocr: false, tsv: true, pdf: wantPdf },
    );
    const result: OcrPass = {
      text: data.text.normalize('NFC').trim(),
      confidence: Math.min(1, Math.max(0, data.confidence / 100)),
      ...countWordShapes(data.tsv ?? ''),
    };
    if (wantPdf && data.pdf) {
      const pdf = Uint8Array.from(data.pdf);
      result.searchablePdf = show ? await turnPdfPages(pdf, show.degrees) : pdf;
    }
    return result;
  };

  return {
    name: 'tesseract-wasm',
    async recognize(image, request): Promise<OcrResult> {
      if (request.language !== language) {
        throw new Error(`this Tesseract engine is loaded for '${language}', not '${request.language}'`);
      }
      return recognizeUpright(
        image,
        (page, show) => recognizeOnce(page, request.wantPdf, show),
        detector,
        check,
        straighten,
      );
    },
    async close(): Promise<void> {
      const running = scheduler;
      scheduler = undefined;
      await Promise.all([running ? (await running).terminate() : undefined, detector?.close?.()]);
    },
  };
}

/**
 * Tesseract's orientation and script detection in tesseract.js: one worker with the legacy core
 * (OSD is not in the LSTM-only build) and the OSD model of the `@tesseract.js-data/osd` npm
 * package, started on the first page it is asked about (most batches never need it) and kept until
 * `close()`. Works on a half-size copy of the page. Undefined when it finds too little text.
 */
export function createWasmOrientationDetector(
  options: {
    /** Resolution of the half-size copy. @default 150 */
    dpi?: number;
  } = {},
): OrientationDetector {
  let worker: Promise<Worker> | undefined;
  const start = async (): Promise<Worker> => {
    const created = await createWorker('osd', OEM.TESSERACT_ONLY, {
      langPath: resolveOsdModelDir(),
      gzip: true,
      cacheMethod: 'none',
      legacyCore: true,
      legacyLang: true,
    });
    await created.setParameters({
      user_defined_dpi: String(Math.round(options.dpi ?? 150)),
      debug_file: '/dev/null',
    });
    return created;
  };
  return {
    async detect(image) {
      const small = await orientationDetectionImage(image);
      worker ??= start().catch((error: unknown) => {
        worker = undefined;
        throw error;
      });
      const { data } = await (await worker).detect(
        Buffer.from(small.buffer, small.byteOffset, small.byteLength),
      );
      const rotation = toPageRotation(data.orientation_degrees ?? Number.NaN);
      return rotation === undefined ? undefined : { rotation, confidence: data.orientation_confidence ?? 0 };
    },
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await (await running).terminate();
    },
  };
}

/**
 * Tesseract's PDF renderer copies a JPEG input into the PDF unchanged but declares it DeviceRGB,
 * and stores any other input as an uncompressed-then-deflated RGB image (~7 MB for a noisy A4
 * page). So the page goes in as a three-channel JPEG; one already in that form is kept as is.
 */
export async function toEmbeddableJpeg(image: Uint8Array): Promise<Uint8Array> {
  const metadata = await sharp(image).metadata();
  if (metadata.format === 'jpeg' && metadata.channels === 3) return image;
  return sharp(image)
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: 85 })
    .toBuffer();
}
