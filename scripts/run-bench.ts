/**
 * `npm run bench`: pipeline throughput against bare OCR on the same pages, and upload→archived
 * latency, on an embedded back office in a fresh temporary data folder.
 *
 *   npm run bench -- [--pages 40] [--rounds 3] [--workers 2] [--archive-entries 200000] [--skip-archive]
 *   npm run bench -- [--kpi-only | --skip-kpi] [--kpi-dossiers 1000000]   (scripts/lib/bench-kpi-rollup.ts)
 *
 * Each round times bare Tesseract over the page images the pipeline OCRs, then the whole pipeline
 * (upload through presigned URLs → ARCHIVED) over the same uploads; the order alternates between
 * rounds because the machine is shared. Medians and `ratio pipeline/ocr: x.xx` close the report.
 * Then archive search at `--archive-entries` index entries (scripts/lib/bench-archive-search.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { createApiClient } from './lib/api-client.ts';
import { benchArchiveSearch } from './lib/bench-archive-search.ts';
import { benchKpiRollup, KPI_BENCH_OPTIONS } from './lib/bench-kpi-rollup.ts';
import { captureConsole } from './lib/capture-console.ts';
import { tokenAgency } from './lib/connect-back-office.ts';
import { createStepTimings, loadTimedHandlers } from './lib/load-timed-handlers.ts';
import { makeBenchPages } from './lib/make-bench-pages.ts';
import {
  describeBenchOcrEngines,
  measureBareEngines,
  nativeRatioLine,
  prepareBenchOcrEngines,
} from './lib/measure-native-ocr.ts';
import { measureLatency, measurePipeline, median, type RunMeasurement } from './lib/measure-throughput.ts';

const { values: args } = parseArgs({
  options: {
    pages: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    'latency-runs': { type: 'string', default: '5' },
    'archive-entries': { type: 'string', default: '200000' },
    'skip-archive': { type: 'boolean', default: false },
    ...KPI_BENCH_OPTIONS,
  },
});
const positive = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer, not "${text}"`);
  return value;
};
const PAGES = positive('pages', args.pages);
const ROUNDS = positive('rounds', args.rounds);
const WORKERS = positive('workers', args.workers);
const LATENCY_RUNS = positive('latency-runs', args['latency-runs']);
const ARCHIVE_ENTRIES = positive('archive-entries', args['archive-entries']);
const CONFIG_PATH = 'config/provinces/sample-province.yaml';

const print = (line = '') => process.stdout.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const fixed = (value: number, digits = 2) => value.toFixed(digits);

function runLine(round: number, what: string, run: RunMeasurement, note = ''): string {
  return [
    String(round).padEnd(5),
    what.padEnd(9),
    fixed(run.wallMs / 1000, 1).padStart(6),
    fixed(run.pagesPerSecond).padStart(7),
    fixed(run.cpuCores).padStart(5),
    fixed(cpuMsPerPage(run), 0).padStart(11),
    `${Math.round(run.mainThreadBusy * 100)} %`.padStart(9),
    note,
  ].join('  ');
}

/** Process CPU time (all threads) per page of a run. */
function cpuMsPerPage(run: RunMeasurement): number {
  return (run.cpuCores * run.wallMs) / run.pages;
}

/** One line per step: count and median/mean/total of its durations. */
function stepLines(steps: Map<string, number[]>, perPageOf?: number): string[] {
  return [...steps].map(([step, durations]) => {
    const total = durations.reduce((sum, value) => sum + value, 0);
    const perPage = perPageOf ? `  ${fixed(total / perPageOf, 0).padStart(6)} ms/page` : '';
    return `  ${step.padEnd(16)} ×${String(durations.length).padEnd(4)} median ${fixed(median(durations), 0).padStart(6)} ms  max ${fixed(Math.max(...durations), 0).padStart(6)} ms${perPage}`;
  });
}

async function main(): Promise<number> {
  const config = loadProvinceConfig(CONFIG_PATH);
  print(
    `motcua bench — ${PAGES} single-page A4 300-dpi JPEG uploads (clean and noisy alternating), ${ROUNDS} round(s), ${WORKERS} OCR workers`,
  );
  print(`load average at start: ${load()}`);
  // Bare OCR runs the pipeline's own engine, tesseract.js, and native tesseract processes with the
  // same model when installed (`ratio pipeline/native-ocr`).
  const engines = prepareBenchOcrEngines(config.ocr, WORKERS);
  print(describeBenchOcrEngines(engines));

  let started = performance.now();
  const pages = await makeBenchPages(PAGES, config.uploads.maxPixelsPerPage);
  const uploadBytes = pages.reduce((sum, page) => sum + page.jpeg.byteLength, 0);
  print(
    `Generated the pages in ${fixed((performance.now() - started) / 1000, 1)} s (${fixed(uploadBytes / 1024 ** 2, 1)} MB of uploads) and normalised them as PreparePages does.`,
  );

  const dataDir = await mkdtemp(join(tmpdir(), 'motcua-bench-'));
  const timings = createStepTimings();
  const captured = captureConsole();
  let failed = false;
  try {
    const backOffice = await startEmbeddedBackOffice({
      dataDir,
      apiPort: 0,
      provinceConfigPath: CONFIG_PATH,
      ocrWorkers: WORKERS,
      quiet: true,
      loadHandlers: loadTimedHandlers(timings),
    });
    try {
      const api = createApiClient(backOffice.apiUrl, backOffice.devToken);
      const agencyId = tokenAgency(backOffice.devToken) ?? '';
      const context = { api, whenIdle: () => backOffice.whenIdle(), timings, agencyId };
      const [firstPage] = pages;
      if (!firstPage) throw new Error('no pages');
      started = performance.now();
      const warmUp = await measureLatency({ ...context, file: firstPage.jpeg });
      print(
        `Back office started in ${dataDir}; warm-up document ${warmUp.status} after ${fixed((performance.now() - started) / 1000, 1)} s.`,
      );

      print();
      print('round  what       wall s  pages/s  cores  cpu ms/page  main busy');
      const ocrRuns: RunMeasurement[] = [];
      const pipelineRuns: RunMeasurement[] = [];
      const ratios: number[] = [];
      const nativeRuns: (RunMeasurement | undefined)[] = [];
      let loadedSteps = new Map<string, number[]>();
      for (let round = 1; round <= ROUNDS; round++) {
        const runOcr = async () => {
          const bare = await measureBareEngines(
            pages.map((page) => page.normalised),
            engines,
            { workers: WORKERS, language: config.ocr.language },
          );
          for (const row of bare.rows) print(runLine(round, row.label, row.run, row.note));
          nativeRuns[round - 1] = bare.native;
          return bare.own;
        };
        const runPipeline = async () => {
          const run = await measurePipeline({ ...context, files: pages.map((page) => page.jpeg) });
          const note =
            run.notArchived.length === 0
              ? `all ${run.pages} ARCHIVED`
              : `${run.notArchived.length} NOT ARCHIVED: ${run.notArchived.join('; ')}`;
          if (run.notArchived.length > 0) failed = true;
          print(runLine(round, 'pipeline', run, note));
          loadedSteps = timings.snapshot();
          return run;
        };
        // Alternate the order so that a slow spell of the shared machine does not always hit the same side.
        const ocrFirst = round % 2 === 1;
        const first = await (ocrFirst ? runOcr() : runPipeline());
        const second = await (ocrFirst ? runPipeline() : runOcr());
        const [ocr, pipeline] = ocrFirst ? [first, second] : [second, first];
        ocrRuns.push(ocr);
        pipelineRuns.push(pipeline);
        ratios.push(pipeline.pagesPerSecond / ocr.pagesPerSecond);
      }

      const ocrMedian = median(ocrRuns.map((run) => run.pagesPerSecond));
      const pipelineMedian = median(pipelineRuns.map((run) => run.pagesPerSecond));
      print();
      print(`median bare OCR   ${fixed(ocrMedian)} pages/s`);
      print(`median pipeline   ${fixed(pipelineMedian)} pages/s`);
      print(`per-round ratios  ${ratios.map((ratio) => fixed(ratio)).join(' ')}`);
      print(`ratio pipeline/ocr: ${fixed(median(ratios))}`);
      print(nativeRatioLine(pipelineRuns, nativeRuns, engines.native));

      print();
      print(
        `Step durations in the last pipeline run (${PAGES} documents at once; OcrPage includes queueing):`,
      );
      for (const line of stepLines(loadedSteps, PAGES)) print(line);

      const latencies: number[] = [];
      const latencyCpu: number[] = [];
      const outsideCpu: number[] = [];
      const singleSteps = new Map<string, number[]>();
      const singleCpu = new Map<string, number[]>();
      const append = (target: Map<string, number[]>, source: Map<string, number[]>) => {
        for (const [step, values] of source) target.set(step, [...(target.get(step) ?? []), ...values]);
      };
      for (let run = 0; run < LATENCY_RUNS; run++) {
        const page = pages[run % pages.length] ?? firstPage;
        const latency = await measureLatency({ ...context, file: page.jpeg });
        if (latency.status !== 'ARCHIVED') {
          failed = true;
          print(`latency run ${run + 1}: document ended ${latency.status}`);
        }
        latencies.push(latency.ms);
        latencyCpu.push(latency.cpuMs);
        const inSteps = [...latency.cpuSteps.values()].flat().reduce((sum, value) => sum + value, 0);
        outsideCpu.push(latency.cpuMs - inSteps);
        append(singleSteps, latency.steps);
        append(singleCpu, latency.cpuSteps);
      }
      print();
      print(
        `latency upload→ARCHIVED (1 page, idle back office): median ${fixed(median(latencies) / 1000)} s over ${LATENCY_RUNS} (${latencies.map((ms) => fixed(ms / 1000)).join(', ')} s)`,
      );
      print('Steps of those single documents (wall and process CPU, medians):');
      for (const [step, durations] of singleSteps) {
        const cpu = median(singleCpu.get(step) ?? [0]);
        print(
          `  ${step.padEnd(16)} wall ${fixed(median(durations), 0).padStart(6)} ms   cpu ${fixed(cpu, 0).padStart(6)} ms`,
        );
      }
      const documentCpu = median(latencyCpu);
      print(
        `  ${'outside steps'.padEnd(16)} cpu ${fixed(median(outsideCpu), 0).padStart(6)} ms (upload PUT, S3 event, start, interpreter, API polls)`,
      );
      print(`  ${'whole document'.padEnd(16)} cpu ${fixed(documentCpu, 0).padStart(6)} ms`);
      const ocrCpu = median(ocrRuns.map(cpuMsPerPage));
      const pipelineCpu = median(pipelineRuns.map(cpuMsPerPage));
      const ocrStepCpu = median(singleCpu.get('OcrPage') ?? [0]);
      print();
      print(
        `CPU per page under load (medians): bare OCR ${fixed(ocrCpu, 0)} ms, pipeline ${fixed(pipelineCpu, 0)} ms: ` +
          `${fixed(pipelineCpu - ocrCpu, 0)} ms of work besides OCR. Once the CPUs are saturated, ratio ≈ ${fixed(ocrCpu / pipelineCpu)}.`,
      );
      print(
        `Single document: ${fixed(documentCpu - ocrStepCpu, 0)} ms of CPU besides OcrPage (${fixed(ocrStepCpu, 0)} ms).`,
      );
    } finally {
      await backOffice.stop();
    }
  } finally {
    captured.restore();
    await rm(dataDir, { recursive: true, force: true });
  }
  if (!args['skip-archive']) {
    print();
    print(
      `Archive search at ${ARCHIVE_ENTRIES.toLocaleString('en')} index entries (embedded DynamoDB on disk):`,
    );
    await benchArchiveSearch({ entries: ARCHIVE_ENTRIES, print });
  }
  print();
  print(`load average at end: ${load()}`);
  return failed ? 1 : 0;
}

try {
  process.exitCode = Math.max(args['kpi-only'] ? 0 : await main(), await benchKpiRollup(args));
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
}
