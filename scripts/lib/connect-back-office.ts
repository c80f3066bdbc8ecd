import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import type { LogLevel } from '#shared/config/runtime-config.ts';

/** A back office the scripts talk to: one already running (`npm start`) or one started in-process. */
export interface BackOfficeConnection {
  apiUrl: string;
  token: string;
  /** True when this process started the back office (and `close` stops it). */
  embedded: boolean;
  /** Waits until nothing is left to process (embedded only; a no-op otherwise). */
  whenIdle(): Promise<void>;
  /** Stops the back office if this process started it. */
  close(): Promise<void>;
}

/** Options of {@link connectBackOffice}. */
export interface ConnectBackOfficeOptions {
  /** Data folder of the back office. @default 'data' */
  dataDir?: string;
  /** API port when one is started here; 0 picks a free port. @default 0 */
  apiPort?: number;
  /** @default the embedded runtime's default */
  ocrWorkers?: number;
  /** The handlers' log level when one is started here. @default 'WARN' */
  logLevel?: LogLevel;
}

/**
 * The back office described by `{dataDir}/runtime.json` and `dev-token.txt` when its process is
 * alive and its API answers with that token; undefined otherwise.
 */
export async function findRunningBackOffice(
  dataDir: string,
): Promise<{ apiUrl: string; token: string; pid: number } | undefined> {
  let runtime: { apiUrl?: string; pid?: number };
  let token: string;
  try {
    runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as typeof runtime;
    token = (await readFile(join(dataDir, 'dev-token.txt'), 'utf8')).trim();
  } catch {
    return undefined;
  }
  const { apiUrl, pid } = runtime;
  if (!apiUrl || !pid || pid === process.pid || !isAlive(pid)) return undefined;
  try {
    const response = await fetch(new URL('/documents?status=NEEDS_REVIEW', apiUrl), {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(3000),
    });
    await response.body?.cancel();
    return response.ok ? { apiUrl, token, pid } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Uses the back office running on `dataDir`, or starts one in this process (quiet). */
export async function connectBackOffice(
  options: ConnectBackOfficeOptions = {},
): Promise<BackOfficeConnection> {
  const dataDir = options.dataDir ?? 'data';
  const running = await findRunningBackOffice(dataDir);
  if (running) {
    return {
      apiUrl: running.apiUrl,
      token: running.token,
      embedded: false,
      whenIdle: async () => {},
      close: async () => {},
    };
  }
  const backOffice = await startEmbeddedBackOffice({
    dataDir,
    apiPort: options.apiPort ?? 0,
    ocrWorkers: options.ocrWorkers,
    quiet: true,
    logLevel: options.logLevel,
  });
  return {
    apiUrl: backOffice.apiUrl,
    token: backOffice.devToken,
    embedded: true,
    whenIdle: () => backOffice.whenIdle(),
    close: () => backOffice.stop(),
  };
}

/** The `custom:agency` claim of a JWT (read, not verified: the API verifies it). */
export function tokenAgency(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const agency = claims['custom:agency'];
    return typeof agency === 'string' ? agency : undefined;
  } catch {
    return undefined;
  }
}
