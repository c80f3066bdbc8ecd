import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** How a program run through {@link runProgramViaHelper} ended. */
export interface ProgramRun {
  /** Exit status, null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What it wrote on stderr, at most its first 64 KiB. */
  stderr: string;
  /** Killed (SIGKILL) for running past `timeoutMs`. */
  timedOut: boolean;
}

/** A program that could not be started at all (not found, not executable…). */
export class ProgramStartError extends Error {
  override readonly name = 'ProgramStartError';
}

// The helper, plain CommonJS for `node -e`: one JSON request per stdin line, one JSON answer per
// stdout line. It kills what it started when its stdin closes (the back office went away).
// A `tesseract` request is read in the helper itself through libtesseract's C API (loaded with
// koffi, one TessBaseAPI per page read at once, each on a thread of libuv's pool): the model is
// loaded once per API instead of once per page, and the files written are the program's.
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
const running = new Set();
const answer = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
const libraries = new Map();
const openTesseract = (koffiPath) => {
  let tesseract = libraries.get(koffiPath);
  if (tesseract) return tesseract;
  const koffi = require(koffiPath);
  const lib = koffi.load('libtesseract.so.5');
  const lept = koffi.load('liblept.so.5');
  koffi.opaque('TessBaseAPI');
  koffi.opaque('TessResultRenderer');
  koffi.opaque('Pix');
  // Leptonica's notes (such as 'reading luminance channel only') stay out of the log; warnings do not.
  lept.func('int setMsgSeverity(int)')(4);
  tesseract = {
    create: lib.func('TessBaseAPI* TessBaseAPICreate()'),
    init: lib.func('int TessBaseAPIInit2(TessBaseAPI*, const char*, const char*, int)'),
    remove: lib.func('void TessBaseAPIDelete(TessBaseAPI*)'),
    clear: lib.func('void TessBaseAPIClear(TessBaseAPI*)'),
    pageSegMode: lib.func('void TessBaseAPISetPageSegMode(TessBaseAPI*, int)'),
    setVariable: lib.func('int TessBaseAPISetVariable(TessBaseAPI*, const char*, const char*)'),
    processPages: lib.func('int TessBaseAPIProcessPages(TessBaseAPI*, const char*, const char*, int, TessResultRenderer*)'),
    textRenderer: lib.func('TessResultRenderer* TessTextRendererCreate(const char*)'),
    tsvRenderer: lib.func('TessResultRenderer* TessTsvRendererCreate(const char*)'),
    pdfRenderer: lib.func('TessResultRenderer* TessPDFRendererCreate(const char*, const char*, int)'),
    chain: lib.func('void TessResultRendererInsert(TessResultRenderer*, TessResultRenderer*)'),
    removeRenderer: lib.func('void TessDeleteResultRenderer(TessResultRenderer*)'),
    beginDocument: lib.func('int TessResultRendererBeginDocument(TessResultRenderer*, const char*)'),
    endDocument: lib.func('int TessResultRendererEndDocument(TessResultRenderer*)'),
    processPage: lib.func('int TessBaseAPIProcessPage(TessBaseAPI*, Pix*, int, const char*, const char*, int, TessResultRenderer*)'),
    readJpeg: lept.func('Pix* pixReadJpeg(const char*, int, int, int*, int)'),
    read: lept.func('Pix* pixRead(const char*)'),
    toGrey: lept.func('Pix* pixConvertTo8(Pix*, int)'),
    setResolution: lept.func('int pixSetResolution(Pix*, int, int)'),
    rotate: lept.func('Pix* pixRotate(Pix*, float, int, int, int, int)'),
    removePix: lept.func('void pixDestroy(_Inout_ Pix**)'),
    idle: new Map(),
  };
  libraries.set(koffiPath, tesseract);
  return tesseract;
};
const recognise = (id, job) => {
  let t;
  try {
    t = openTesseract(job.koffi);
  } catch (error) {
    answer({ id, error: 'cannot load libtesseract: ' + error.message });
    return;
  }
  const key = job.tessdataDir + '\\0' + job.language;
  let idle = t.idle.get(key);
  if (!idle) t.idle.set(key, (idle = []));
  let api = idle.pop();
  if (!api) {
    api = t.create();
    if (t.init(api, job.tessdataDir, job.language, 1) !== 0) {
      t.remove(api);
      answer({ id, error: 'Tesseract cannot load ' + job.language + ' from ' + job.tessdataDir });
      return;
    }
    t.setVariable(api, 'debug_file', '/dev/null');
  }
  t.pageSegMode(api, job.pageSegMode);
  t.setVariable(api, 'user_defined_dpi', String(job.dpi));
  const renderer = t.textRenderer(job.outputBase);
  t.chain(renderer, t.tsvRenderer(job.outputBase));
  if (job.pdf) t.chain(renderer, t.pdfRenderer(job.outputBase, job.tessdataDir, job.textonlyPdf ? 1 : 0));
  const done = (error, read) => {
    t.removeRenderer(renderer);
    t.clear(api);
    idle.push(api);
    answer(error ? { id, error: error.message } : { id, read: read !== 0 });
  };
  if (job.turnDegrees === undefined && !job.jpeg) {
    t.processPages.async(api, job.image, null, 0, renderer, done);
  } else readGrey(t, api, job, renderer, done);
};
// A JPEG is decoded to grey, its luminance only (its chroma never decoded: the same grey as RGB's
// luma), which Tesseract reads as it reads the colour page (the same text, TSV and PDF, which
// embeds the file itself) for about a quarter less CPU. A page to turn (any image, then made
// grey) is turned anticlockwise nearest-pixel (sampling: on 45 noisy scans skewed 1.2-5°, 4
// titles lost a diacritic against 6 with the turn in JS and 8 with Leptonica's cheaper shears). All
// on the thread, then read as ProcessPages reads a file, at the resolution asked for.
const readGrey = (t, api, job, renderer, done) => {
  const pixes = [];
  const finish = (error, read) => {
    for (const pix of pixes) t.removePix([pix]);
    done(error, read);
  };
  const decode = (callback) => {
    if (job.jpeg) t.readJpeg.async(job.image, 0, 1, null, 1, callback);
    else t.read.async(job.image, (error, pix) => {
      if (error || !pix) return callback(error, pix);
      pixes.push(pix);
      // Any depth, colour map or not, to plain 8-bit grey (a copy when it already is).
      t.toGrey.async(pix, 0, callback);
    });
  };
  const turn = (grey, callback) => {
    if (!job.turnDegrees) return callback(null, grey);
    t.rotate.async(grey, (-job.turnDegrees * Math.PI) / 180, 3, 1, 0, 0, (error, turned) => {
      if (turned) pixes.push(turned);
      callback(error, turned);
    });
  };
  decode((error, grey) => {
    if (error || !grey) return finish(error, 0);
    pixes.push(grey);
    t.setResolution(grey, job.dpi, job.dpi);
    turn(grey, (error, page) => {
      if (error || !page) return finish(error, 0);
      if (!t.beginDocument(renderer, '')) return finish(new Error('Tesseract cannot begin its output files'), 0);
      t.processPage.async(api, page, 0, job.image, null, 0, renderer, (error, read) => {
        if (!error) t.endDocument(renderer);
        finish(error, read);
      });
    });
  });
};
require('node:readline').createInterface({ input: process.stdin })
  .on('line', (line) => {
    const { id, file, args, env, timeoutMs, tesseract: job } = JSON.parse(line);
    if (job) return recognise(id, job);
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      answer({ id, error: error.message });
      return;
    }
    running.add(child);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { if (stderr.length < 65536) stderr += chunk; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      answer({ id, error: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      answer({ id, code, signal, stderr, timedOut });
    });
  })
  .on('close', () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(0);
  });
`;

/** One answer line of the helper. */
interface Answer extends Partial<ProgramRun> {
  id: number;
  error?: string;
  read?: boolean;
}

interface Pending {
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

interface Helper {
  process: ChildProcessByStdio<Writable, Readable, null>;
  pending: Map<number, Pending>;
}

let helper: Helper | undefined;
let nextId = 1;

/**
 * Runs `file` with `args` and waits for it to end, started by a small long-lived Node process
 * rather than by this one. fork() copies the page tables of the process that spawns: from a back
 * office holding hundreds of MB (the embedded runtime) each spawn blocked the event loop ~25 ms,
 * from the helper it costs ~1 ms. The helper starts on first use, is shared by every caller, never
 * keeps this process alive on its own, and is started again if it dies.
 */
export async function runProgramViaHelper(
  file: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProgramRun> {
  const answer = await ask({ file, args, env: options.env, timeoutMs: options.timeoutMs });
  if (answer.error !== undefined) throw new ProgramStartError(answer.error);
  return {
    code: answer.code ?? null,
    signal: answer.signal ?? null,
    stderr: answer.stderr ?? '',
    timedOut: answer.timedOut ?? false,
  };
}

/** A page for libtesseract to read in the helper, writing what `tesseract image outputBase` would. */
export interface TesseractLibraryJob {
  /** Path of koffi's entry module (resolved by the caller, so that a bundle finds its own). */
  koffi: string;
  /** The image file. */
  image: string;
  /** Written: `{outputBase}.txt`, `.tsv` and, with `pdf`, `.pdf`. */
  outputBase: string;
  /** Folder of `{language}.traineddata` and `pdf.ttf`. */
  tessdataDir: string;
  language: string;
  pageSegMode: number;
  dpi: number;
  pdf: boolean;
  /** The PDF holds the text layer only (`textonly_pdf`). */
  textonlyPdf: boolean;
  /** The image is a JPEG: decoded to grey, its luminance only. */
  jpeg?: boolean;
  /**
   * Degrees to turn the page anticlockwise before reading it, done in the helper with Leptonica
   * (Tesseract's image library): the page decoded to grey and turned nearest-pixel, about 80 ms
   * of CPU on a 300-dpi A4 JPEG against about 190 for a decode and a turn here.
   * @default undefined (read as it is)
   */
  turnDegrees?: number;
}

/** libtesseract could not be loaded or initialised, or the read itself failed to run. */
export class TesseractLibraryError extends Error {
  override readonly name = 'TesseractLibraryError';
}

/**
 * Reads a page with libtesseract inside the helper (the model stays loaded between pages), as
 * `tesseract` would with `--oem 1`: true when Tesseract read the image, false when it could not
 * (an image it cannot decode). A read past `timeoutMs` cannot be stopped on its thread: the helper
 * is killed, which fails whatever else it was running, and the next request starts a new one.
 */
export async function recognizeViaHelper(
  job: TesseractLibraryJob,
  options: { timeoutMs: number },
): Promise<boolean> {
  const answer = await ask({ tesseract: job }, options.timeoutMs);
  if (answer.error !== undefined) throw new TesseractLibraryError(answer.error);
  return answer.read === true;
}

/** Process id of the running helper, if one runs: its CPU time and its children's are not this process's. */
export function programHelperPid(): number | undefined {
  return helper?.process.pid;
}

/** Sends one request to the helper and waits for its answer; `killAfterMs` kills the helper if none comes. */
function ask(request: object, killAfterMs?: number): Promise<Answer> {
  const current = helper ?? startHelper();
  const id = nextId++;
  return new Promise<Answer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const settle =
      <T>(settleWith: (value: T) => void) =>
      (value: T) => {
        clearTimeout(timer);
        settleWith(value);
      };
    current.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
    if (killAfterMs !== undefined) {
      timer = setTimeout(() => {
        current.pending.get(id)?.reject(new TesseractLibraryError(`no answer within ${killAfterMs} ms`));
        current.pending.delete(id);
        // The next request goes to a new helper, not to this one before its exit is seen.
        if (helper === current) helper = undefined;
        current.process.kill('SIGKILL');
      }, killAfterMs);
      timer.unref();
    }
    if (current.pending.size === 1) refHelper(current, true);
    current.process.stdin.write(`${JSON.stringify({ id, ...request })}\n`);
  });
}

function startHelper(): Helper {
  // No NODE_OPTIONS: a loader the parent runs under (tsx, a test runner) would only slow the helper.
  // One OpenMP thread for libtesseract, as for the program (read when the library loads).
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, ['-e', HELPER_SOURCE], {
    env: { ...env, OMP_THREAD_LIMIT: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const started: Helper = { process: child, pending: new Map() };
  helper = started;
  refHelper(started, false);
  const settle = (id: number, settleWith: (entry: Pending) => void) => {
    const entry = started.pending.get(id);
    if (!entry) return;
    started.pending.delete(id);
    if (started.pending.size === 0) refHelper(started, false);
    settleWith(entry);
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const answer = JSON.parse(line) as Answer;
    settle(answer.id, (entry) => entry.resolve(answer));
  });
  const fail = (error: Error) => {
    if (helper === started) helper = undefined;
    for (const id of [...started.pending.keys()]) settle(id, (entry) => entry.reject(error));
  };
  child.on('error', (error) =>
    fail(new ProgramStartError(`could not start the program helper: ${error.message}`)),
  );
  child.on('exit', (code, signal) =>
    fail(new Error(`the program helper ended (${signal ?? `exit ${code}`})`)),
  );
  child.stdin.on('error', () => {
    // EPIPE after the helper died: its 'exit' fails what was pending.
  });
  return started;
}

/** Keeps this process alive while an answer is awaited, and only then. */
function refHelper(current: Helper, ref: boolean) {
  const handles = [current.process, current.process.stdin, current.process.stdout] as {
    ref(): void;
    unref(): void;
  }[];
  for (const handle of handles) {
    if (ref) handle.ref();
    else handle.unref();
  }
}
