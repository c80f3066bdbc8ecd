import { format } from 'node:util';

/** Console output captured by {@link captureConsole}. */
export interface CapturedConsole {
  /** Every line written through `console.*` since the capture started. */
  readonly lines: readonly string[];
  /** Puts the original console methods back. */
  restore(): void;
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * Diverts `console.*` (the handlers' structured log lines, which Lambda would send to CloudWatch)
 * into memory, so that a script running the back office in-process prints only its own output.
 */
export function captureConsole(): CapturedConsole {
  const lines: string[] = [];
  const originals = METHODS.map((method) => [method, console[method]] as const);
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => {
      lines.push(format(...args));
    };
  }
  return {
    lines,
    restore() {
      for (const [method, original] of originals) console[method] = original;
    },
  };
}
