/**
 * `npm run measure:ocr`: character error rate and throughput of each OCR engine and model on the
 * test scans (every sample paper, clean and noisy with a 1.5° skew: A4, 300 dpi, JPEG), so that a
 * province can trade accuracy for cost knowingly (`ocr.engine`, `ocr.model`).
 *
 *   npm run measure:ocr -- [--workers 2] [--rounds 1]
 *
 * Each engine is warmed up (every worker loads its model), then all pages are submitted at once as
 * the pipeline's OcrPage does (with a searchable PDF); pages/s is pages over wall time. Native rows
 * need a `tesseract` 5+ on the PATH, the fast rows Debian's `tesseract-ocr-vie`; a row that cannot
 * run says why.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  chooseOcrEngine,
  createChosenTesseractEngine,
  type OcrEngineChoice,
  probeTesseract,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import type { OcrEngine } from '#shared/ports.ts';
import {
  characterErrorRate,
  NOISY_SCAN,
  paperText,
  renderPaperJpeg,
  SAMPLE_PAPERS,
} from '#test/support/make-test-scans.ts';

const { values } = parseArgs({
  options: { workers: { type: 'string' }, rounds: { type: 'string' } },
});
const workers = Number(values.workers ?? Math.min(2, availableParallelism()));
const rounds = Number(values.rounds ?? 1);

const pages = (
  await Promise.all(
    SAMPLE_PAPERS.flatMap((paper) => [
      renderPaperJpeg(paper, {}).then((image) => ({ paper, image })),
      renderPaperJpeg(paper, NOISY_SCAN).then((image) => ({ paper, image })),
    ]),
  )
).map(({ paper, image }) => ({ expected: paperText(paper), image: new Uint8Array(image) }));

const probe = probeTesseract();
console.log(
  `${pages.length} pages, ${workers} workers/processes; native: ${probe.found ? `tesseract ${probe.version}` : probe.error}`,
);

const rows: string[] = [];
const runs: { engine: 'tesseract-native' | 'tesseract-wasm'; model: 'best_int' | 'fast' }[] = [
  { engine: 'tesseract-native', model: 'best_int' },
  { engine: 'tesseract-native', model: 'fast' },
  { engine: 'tesseract-wasm', model: 'best_int' },
  { engine: 'tesseract-wasm', model: 'fast' },
];
for (const run of runs) {
  let engine: OcrEngine | undefined;
  try {
    const choice = chooseOcrEngine(run, () => probe) as OcrEngineChoice & { engine: typeof run.engine };
    engine = createChosenTesseractEngine(choice, { language: 'vie', workers, probe });
    const request = { language: 'vie', wantPdf: true };
    const first = pages[0]?.image ?? new Uint8Array();
    await Promise.all(Array.from({ length: workers }, () => engine?.recognize(first, request)));
    let best = 0;
    let rates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      const results = await Promise.all(
        pages.map((page) => (engine as OcrEngine).recognize(page.image, request)),
      );
      const seconds = (performance.now() - started) / 1000;
      best = Math.max(best, pages.length / seconds);
      rates = results.map((result, index) => characterErrorRate(pages[index]?.expected ?? '', result.text));
    }
    const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
    const worst = Math.max(...rates);
    const row = `| ${run.engine} | ${run.model} | ${best.toFixed(2)} | ${(mean * 100).toFixed(2)} % | ${(worst * 100).toFixed(2)} % |`;
    rows.push(row);
    console.log(row);
  } catch (error) {
    const row = `| ${run.engine} | ${run.model} | not run: ${(error as Error).message} | | |`;
    rows.push(row);
    console.log(row);
  } finally {
    await engine?.close?.();
  }
}
console.log('\n| Engine | Model | Pages/s | CER mean | CER worst |\n| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
