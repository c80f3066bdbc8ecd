import { format } from 'node:util';

/** Console output captured by {@link captureConsole}. */
export interface CapturedConsole {
  /** Every line written through `console.*`, and every JSON line written to stdout or stderr, since the capture started. */
  readonly lines: readonly string[];
  /** Puts the original console methods and stream writers back. */
  restore(): void;
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
type Write = typeof process.stdout.write;

/**
 * Diverts the handlers' structured log lines (which Lambda would send to CloudWatch) into memory,
 * so that a script running the back office in-process prints only its own output. Powertools
 * writes its JSON lines straight to stdout and stderr, as in Lambda, so lines that start with `{`
 * are taken from those streams too; the script's own text passes through.
 */
export function captureConsole(): CapturedConsole {
  const lines: string[] = [];
  const originals = METHODS.map((method) => [method, console[method]] as const);
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => {
      lines.push(format(...args));
    };
  }
  const streams = [process.stdout, process.stderr];
  const writers = streams.map((stream) => stream.write);
  for (const stream of streams) {
    const original = stream.write;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('{'))
        return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
      lines.push(...text.trimEnd().split('\n'));
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as Write;
  }
  return {
    lines,
    restore() {
      for (const [method, original] of originals) console[method] = original;
      streams.forEach((stream, index) => {
        stream.write = writers[index] as Write;
      });
    },
  };
}
