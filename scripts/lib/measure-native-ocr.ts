import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  chooseOcrEngine,
  createChosenTesseractEngine,
  MIN_NATIVE_TESSERACT_MAJOR,
  nativeTessdataDir,
  type OcrEngineChoice,
  type OcrEngineSetting,
  type OcrModelSetting,
  probeTesseract,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine } from '#shared/ports.ts';
import { measureBareOcr, median, type RunMeasurement, startResourceMeter } from './measure-throughput.ts';

/** Bare native Tesseract as the bench runs it: the binary, the pipeline's model folder, one process per core. */
export interface BareNativeTesseract {
  binary: string;
  version: string;
  tessdataDir: string;
  processes: number;
}

/** The OCR engines a bench compares the pipeline with. */
export interface BenchOcrEngines {
  /** What the pipeline runs (the province's `ocr` setting on this machine), and why. */
  choice: OcrEngineChoice;
  /** A fresh engine of the pipeline's kind, for its bare run (tesseract.js where the pipeline uses Textract). */
  createOwn(): OcrEngine;
  /** Whether the pipeline's own engine is tesseract.js (then the bare tesseract.js run is the same). */
  ownIsWasm: boolean;
  /** Bare native Tesseract with the pipeline's model, or why there is none. */
  native: BareNativeTesseract | { unavailable: string };
}

/**
 * Works out the engines of a bench from the province's `ocr` setting as the pipeline does:
 * its own (native Tesseract or tesseract.js), and bare native Tesseract with the same model file
 * (the npm package's best_int model, or the system's fast one) when a `tesseract` 5+ is on the PATH.
 */
export function prepareBenchOcrEngines(
  ocr: { engine: OcrEngineSetting; model: OcrModelSetting; language: string },
  workers: number,
): BenchOcrEngines {
  const probe = probeTesseract();
  const choice = chooseOcrEngine(ocr, () => probe);
  const ownEngine = choice.engine === 'textract' ? 'tesseract-wasm' : choice.engine;
  const createOwn = () =>
    createChosenTesseractEngine({ ...choice, engine: ownEngine }, { language: ocr.language, workers, probe });
  let native: BenchOcrEngines['native'];
  if (!probe.found || probe.major < MIN_NATIVE_TESSERACT_MAJOR) {
    native = { unavailable: `no tesseract binary ≥ ${MIN_NATIVE_TESSERACT_MAJOR} on PATH` };
  } else {
    try {
      native = {
        binary: probe.binary,
        version: probe.version,
        tessdataDir: nativeTessdataDir(choice.model, { language: ocr.language, probe }),
        processes: availableParallelism(),
      };
    } catch (error) {
      native = { unavailable: (error as Error).message };
    }
  }
  return { choice, createOwn, ownIsWasm: ownEngine === 'tesseract-wasm', native };
}

/** One bare run of a bench round, with the label and note of its line. */
export interface BareRun {
  label: string;
  note: string;
  run: RunMeasurement;
}

/**
 * The bare runs of a bench round over the page images the pipeline's OcrPage gets: the pipeline's
 * own engine (`own`, for `ratio pipeline/ocr`), tesseract.js when that is not the pipeline's, and
 * bare native Tesseract when there is one (`native`, for `ratio pipeline/native-ocr`).
 */
export async function measureBareEngines(
  images: readonly Uint8Array[],
  engines: BenchOcrEngines,
  options: { workers: number; language: string },
): Promise<{ own: RunMeasurement; native?: RunMeasurement; rows: BareRun[] }> {
  const { workers, language } = options;
  const own = await measureBareOcr(images, { workers, language, createEngine: engines.createOwn });
  const rows: BareRun[] = [{ label: 'bare OCR', note: engines.choice.engine, run: own }];
  if (!engines.ownIsWasm) {
    const createEngine = () => createTesseractOcrEngine({ workers, language });
    rows.push({
      label: 'bare wasm',
      note: 'tesseract.js',
      run: await measureBareOcr(images, { workers, language, createEngine }),
    });
  }
  if ('unavailable' in engines.native) return { own, rows };
  const native = await measureBareNativeOcr(images, { ...engines.native, language });
  rows.push({
    label: 'bare CLI',
    note: `tesseract ${engines.native.version}, ${engines.native.processes} processes`,
    run: native,
  });
  return { own, native, rows };
}

/**
 * Bare native Tesseract throughput: the images written to files first, then one `tesseract`
 * process per page with `OMP_THREAD_LIMIT=1`, `processes` at once, each writing what the
 * pipeline's OCR step needs (text, word confidences as TSV, a searchable PDF), with the same
 * options as the native engine; warmed up with one page per process, then timed from the first
 * process started to the last one ended. CPU includes the finished child processes.
 */
export async function measureBareNativeOcr(
  images: readonly Uint8Array[],
  native: BareNativeTesseract & { language: string; dpi?: number },
): Promise<RunMeasurement> {
  const folder = await mkdtemp(join(tmpdir(), 'motcua-bench-native-'));
  try {
    const inputs = await Promise.all(
      images.map(async (image, index) => {
        const path = join(folder, `page-${index}.jpg`);
        await writeFile(path, image);
        return path;
      }),
    );
    const [first] = inputs;
    if (!first) throw new Error('no page to recognise');
    const recognise = (input: string, name: string) =>
      runTesseract(native.binary, [
        input,
        join(folder, name),
        '--tessdata-dir',
        native.tessdataDir,
        '-l',
        native.language,
        '--oem',
        '1',
        '--psm',
        '3',
        '--dpi',
        String(native.dpi ?? 300),
        '-c',
        'tessedit_create_txt=1',
        '-c',
        'tessedit_create_tsv=1',
        '-c',
        'tessedit_create_pdf=1',
      ]);
    await Promise.all(
      Array.from({ length: native.processes }, (_, index) => recognise(first, `warm-${index}`)),
    );
    const finish = startResourceMeter();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: native.processes }, async () => {
        for (let index = next++; index < inputs.length; index = next++) {
          await recognise(inputs[index] as string, `out-${index}`);
        }
      }),
    );
    return finish(performance.now() - started, images.length);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The bench's `ratio pipeline/native-ocr` line: the median over the rounds of pipeline pages/s
 * over bare native pages/s, or why there is none.
 */
export function nativeRatioLine(
  pipelineRuns: readonly RunMeasurement[],
  nativeRuns: readonly (RunMeasurement | undefined)[],
  native: BenchOcrEngines['native'],
): string {
  if ('unavailable' in native) return `ratio pipeline/native-ocr: n/a (${native.unavailable})`;
  const ratios = pipelineRuns.flatMap((pipeline, round) => {
    const bare = nativeRuns[round];
    return bare ? [pipeline.pagesPerSecond / bare.pagesPerSecond] : [];
  });
  if (ratios.length === 0) return 'ratio pipeline/native-ocr: n/a (not measured)';
  return `ratio pipeline/native-ocr: ${median(ratios).toFixed(2)} (rounds: ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')})`;
}

/** Says which engines the bench compares, in one line. */
export function describeBenchOcrEngines(engines: BenchOcrEngines): string {
  const native =
    'unavailable' in engines.native
      ? `bare native: n/a (${engines.native.unavailable})`
      : `bare native: tesseract ${engines.native.version}, ${engines.native.processes} single-thread processes, model in ${engines.native.tessdataDir}`;
  return `OCR: pipeline ${engines.choice.engine} (${engines.choice.model}; ${engines.choice.reason}); ${native}`;
}

function runTesseract(binary: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${binary} failed (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-500)}`));
    });
  });
}
