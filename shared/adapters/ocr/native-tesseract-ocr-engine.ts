import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OcrEngine, OcrResult } from '#shared/ports.ts';
import { toEmbeddableJpeg } from './tesseract-ocr-engine.ts';

/** Options of the native Tesseract engine. */
export interface NativeTesseractOcrEngineOptions {
  /** Folder holding `{language}.traineddata` and `pdf.ttf` (see `prepareTessdataDir`). */
  tessdataDir: string;
  /** Tesseract language code. @default 'vie' */
  language?: string;
  /** The `tesseract` executable. @default 'tesseract' (found on the PATH) */
  binary?: string;
  /** Pages recognised at once, one single-threaded process each. @default the number of CPUs */
  processes?: number;
  /** A page still running after this is killed and fails. @default 120_000 */
  timeoutMs?: number;
  /** Page segmentation mode (`--psm`). @default 3 (fully automatic, as tesseract.js's PSM.AUTO) */
  pageSegMode?: number;
  /** Resolution of the images given (rendered pages are 300 dpi). @default 300 */
  dpi?: number;
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
 * OCR with the native `tesseract` program (5.x), one child process per page, at most `processes`
 * at once, each with `OMP_THREAD_LIMIT=1` (Tesseract's OpenMP threads slow a loaded machine down).
 * The page goes through a temporary folder (Tesseract's PDF renderer needs an output base name);
 * one run writes the text (`txt`), the words with their confidences (`tsv`) and, with `wantPdf`,
 * Tesseract's own searchable PDF. Text comes back NFC; confidence is the mean word confidence of
 * the TSV / 100, as tesseract.js reports it (`MeanTextConf`).
 */
export function createNativeTesseractOcrEngine(options: NativeTesseractOcrEngineOptions): OcrEngine {
  const language = options.language ?? 'vie';
  const binary = options.binary ?? 'tesseract';
  const timeoutMs = options.timeoutMs ?? 120_000;
  const slots = createSlots(Math.max(1, options.processes ?? availableParallelism()));

  return {
    name: 'tesseract-native',
    async recognize(image, request): Promise<OcrResult> {
      if (request.language !== language) {
        throw new Error(`this Tesseract engine is loaded for '${language}', not '${request.language}'`);
      }
      const input = request.wantPdf ? await toEmbeddableJpeg(image) : image;
      return slots.run(async () => {
        const folder = await mkdtemp(join(tmpdir(), 'motcua-ocr-'));
        try {
          const imagePath = join(folder, 'page');
          const outputBase = join(folder, 'out');
          await writeFile(imagePath, input);
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
            String(options.pageSegMode ?? 3),
            '--dpi',
            String(options.dpi ?? 300),
            '-c',
            'tessedit_create_txt=1',
            '-c',
            'tessedit_create_tsv=1',
            '-c',
            `tessedit_create_pdf=${request.wantPdf ? 1 : 0}`,
          ];
          await runTesseract(binary, args, timeoutMs);
          const [text, tsv, pdf] = await Promise.all([
            readFile(`${outputBase}.txt`, 'utf8'),
            readFile(`${outputBase}.tsv`, 'utf8'),
            request.wantPdf ? readFile(`${outputBase}.pdf`) : undefined,
          ]);
          const result: OcrResult = {
            text: text.normalize('NFC').trim(),
            confidence: meanWordConfidence(tsv),
          };
          if (pdf) result.searchablePdf = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
          return result;
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      });
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

function runTesseract(binary: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new NativeTesseractError(`could not run ${binary}: ${error.message}`, stderr));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        reject(new NativeTesseractError(`${binary} took more than ${timeoutMs} ms on a page`, stderr));
      else if (code === 0) resolve();
      else reject(new NativeTesseractError(`${binary} failed (${signal ?? `exit ${code}`})`, stderr));
    });
  });
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
