import { performance } from 'node:perf_hooks';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import type { OcrEngine } from '#shared/ports.ts';
import type { ApiClient, DocumentView } from './api-client.ts';
import { cpuMs } from './cpu-time.ts';
import type { StepTimings } from './load-timed-handlers.ts';

/** One timed run over a batch of pages. */
export interface RunMeasurement {
  pages: number;
  wallMs: number;
  pagesPerSecond: number;
  /** Process CPU time (all threads) over wall time: how many cores the run kept busy. */
  cpuCores: number;
  /** Event-loop utilisation of the main thread during the run, 0..1. */
  mainThreadBusy: number;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Starts measuring CPU and event-loop use; `finish(wallMs, pages)` gives the run's figures. */
export function startResourceMeter() {
  const cpu = cpuMs();
  const loop = performance.eventLoopUtilization();
  return (wallMs: number, pages: number): RunMeasurement => {
    return {
      pages,
      wallMs,
      pagesPerSecond: (pages * 1000) / wallMs,
      cpuCores: (cpuMs() - cpu) / wallMs,
      mainThreadBusy: performance.eventLoopUtilization(loop).utilization,
    };
  };
}

/**
 * Bare OCR throughput: a fresh Tesseract engine (tesseract.js unless `createEngine` makes another), warmed up on the first image, then every image
 * submitted at once with the options the pipeline's OcrPage uses; timed from the first submit to
 * the last result. The engine is closed afterwards.
 */
export async function measureBareOcr(
  images: readonly Uint8Array[],
  options: { workers: number; language: string; createEngine?: () => OcrEngine },
): Promise<RunMeasurement> {
  const engine =
    options.createEngine?.() ??
    createTesseractOcrEngine({ workers: options.workers, language: options.language });
  const request = { language: options.language, wantPdf: true };
  try {
    const [first] = images;
    if (!first) throw new Error('no page to recognise');
    // Two at once, so that every worker has loaded its model before the clock starts.
    await Promise.all(Array.from({ length: options.workers }, () => engine.recognize(first, request)));
    const finish = startResourceMeter();
    const started = performance.now();
    await Promise.all(images.map((image) => engine.recognize(image, request)));
    return finish(performance.now() - started, images.length);
  } finally {
    await engine.close?.();
  }
}

/** What a batch of uploads through the API became. */
export interface SettledBatch {
  /** `performance.now()` just before the first upload request. */
  startedAt: number;
  views: DocumentView[];
}

/**
 * Uploads every file concurrently (upload request, then PUT to the presigned URL), waits until
 * the back office is idle, and reads every document back (polling any that is not settled yet).
 */
export async function uploadAndSettle(context: {
  api: ApiClient;
  whenIdle: () => Promise<void>;
  agencyId: string;
  mediaType: string;
  files: readonly Uint8Array[];
}): Promise<SettledBatch> {
  const { api, agencyId, mediaType } = context;
  const startedAt = performance.now();
  const tickets = await Promise.all(context.files.map((bytes) => api.upload(bytes, { agencyId, mediaType })));
  await context.whenIdle();
  const views = await Promise.all(
    tickets.map((ticket) => api.waitUntilSettled(ticket.documentId, 600_000, 500)),
  );
  return { startedAt, views };
}

/** When the last document of a batch was archived, as `performance.now()`. */
function archivedAt(batch: SettledBatch, timings: StepTimings): number {
  const lastArchive = timings.lastEnd('ArchiveDocument');
  if (lastArchive !== undefined) return lastArchive;
  // Without step timings, fall back to the records' own timestamps (ms resolution).
  const last = Math.max(...batch.views.map((view) => Date.parse(view.document.updatedAt)));
  return last - Date.now() + performance.now();
}

/**
 * Pipeline throughput: every page uploaded as its own document, timed from the first upload
 * request to the last ArchiveDocument step's end. `notArchived` lists what ended otherwise.
 */
export async function measurePipeline(context: {
  api: ApiClient;
  whenIdle: () => Promise<void>;
  timings: StepTimings;
  agencyId: string;
  files: readonly Uint8Array[];
}): Promise<RunMeasurement & { notArchived: string[] }> {
  context.timings.reset();
  context.timings.measuresCpu = false;
  const finish = startResourceMeter();
  let batch: SettledBatch;
  try {
    batch = await uploadAndSettle({ ...context, mediaType: 'image/jpeg' });
  } finally {
    context.timings.measuresCpu = true;
  }
  const measurement = finish(archivedAt(batch, context.timings) - batch.startedAt, context.files.length);
  const notArchived = batch.views
    .filter((view) => view.document.status !== 'ARCHIVED')
    .map(
      (view) =>
        `${view.document.documentId} ${view.document.status}${view.document.quarantine ? ` ${view.document.quarantine.reason}: ${view.document.quarantine.message}` : ''}`,
    );
  return { ...measurement, notArchived };
}

/** Upload→ARCHIVED of one document on an idle back office, and where its time and CPU went. */
export async function measureLatency(context: {
  api: ApiClient;
  whenIdle: () => Promise<void>;
  timings: StepTimings;
  agencyId: string;
  file: Uint8Array;
}): Promise<{
  ms: number;
  status: string;
  /** CPU time of the process (all threads) and its finished children from the upload request until the document settled. */
  cpuMs: number;
  steps: Map<string, number[]>;
  cpuSteps: Map<string, number[]>;
}> {
  context.timings.reset();
  const cpu = cpuMs();
  const batch = await uploadAndSettle({ ...context, mediaType: 'image/jpeg', files: [context.file] });
  const used = cpuMs() - cpu;
  return {
    ms: archivedAt(batch, context.timings) - batch.startedAt,
    status: batch.views[0]?.document.status ?? 'UNKNOWN',
    cpuMs: used,
    steps: context.timings.snapshot(),
    cpuSteps: context.timings.cpuSnapshot(),
  };
}
