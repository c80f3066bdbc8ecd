import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What poppler's `pdfsig` said about a file's signatures. */
export type PdfsigVerdict =
  | { available: false }
  | { available: true; verdicts: string[]; signers: string[]; output: string };

/**
 * Runs `pdfsig` (poppler-utils) on a PDF and returns its "Signature Validation" verdict(s),
 * e.g. "Signature is Valid.", and signer names; `available: false` when pdfsig is not installed.
 */
export async function runPdfsig(path: string): Promise<PdfsigVerdict> {
  let output: string;
  try {
    const result = await run('pdfsig', [path], { encoding: 'utf8' });
    output = result.stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') return { available: false };
    // pdfsig exits non-zero for an unsigned or broken file; its output still says why.
    output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`;
  }
  return { available: true, ...parsePdfsigOutput(output), output };
}

/** Extracts the verdict and signer lines of `pdfsig` output. */
export function parsePdfsigOutput(output: string): { verdicts: string[]; signers: string[] } {
  const field = (label: string) =>
    output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith(`- ${label}:`))
      .map((line) => line.slice(label.length + 3).trim());
  const verdicts = field('Signature Validation');
  const fallback = output.trim().split('\n').at(-1)?.trim();
  return {
    verdicts: verdicts.length > 0 ? verdicts : fallback ? [fallback] : [],
    signers: field('Signer Certificate Common Name'),
  };
}
