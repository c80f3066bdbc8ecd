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
const HELPER_SOURCE = `
const { spawn } = require('node:child_process');
const running = new Set();
const answer = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
require('node:readline').createInterface({ input: process.stdin })
  .on('line', (line) => {
    const { id, file, args, env, timeoutMs } = JSON.parse(line);
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

interface Pending {
  resolve(run: ProgramRun): void;
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
export function runProgramViaHelper(
  file: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProgramRun> {
  const current = helper ?? startHelper();
  const id = nextId++;
  return new Promise<ProgramRun>((resolve, reject) => {
    current.pending.set(id, { resolve, reject });
    if (current.pending.size === 1) refHelper(current, true);
    current.process.stdin.write(
      `${JSON.stringify({ id, file, args, env: options.env, timeoutMs: options.timeoutMs })}\n`,
    );
  });
}

/** Process id of the running helper, if one runs: its CPU time and its children's are not this process's. */
export function programHelperPid(): number | undefined {
  return helper?.process.pid;
}

function startHelper(): Helper {
  // No NODE_OPTIONS: a loader the parent runs under (tsx, a test runner) would only slow the helper.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, ['-e', HELPER_SOURCE], { env, stdio: ['pipe', 'pipe', 'inherit'] });
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
    const answer = JSON.parse(line) as Partial<ProgramRun> & { id: number; error?: string };
    settle(answer.id, (entry) =>
      answer.error !== undefined
        ? entry.reject(new ProgramStartError(answer.error))
        : entry.resolve({
            code: answer.code ?? null,
            signal: answer.signal ?? null,
            stderr: answer.stderr ?? '',
            timedOut: answer.timedOut ?? false,
          }),
    );
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
