/**
 * `npm start`: runs the whole back office on this machine (no AWS account needed).
 *
 *   npm start -- [--data-dir ./data] [--port 3000] [--config config/provinces/sample-province.yaml]
 *
 * Environment: MOTCUA_DATA_DIR, MOTCUA_PORT, OCR_WORKERS, POWERTOOLS_LOG_LEVEL (read here, as
 * options; the handlers are given a configuration object, never this process's environment).
 */
import { parseArgs } from 'node:util';
import {
  DataDirInUseError,
  type EmbeddedBackOffice,
  startEmbeddedBackOffice,
} from '#infra/local/start-embedded-back-office.ts';
import { ProvinceConfigError } from '#shared/config/load-province-config.ts';
import { LOG_LEVELS, type LogLevel } from '#shared/config/runtime-config.ts';

const USAGE = `Usage: npm start -- [--data-dir <folder>] [--port <port>] [--config <province.yaml>] [--ocr-workers <n>] [--log-level <level>]

  --data-dir     where objects, tables, executions and keys are kept (env MOTCUA_DATA_DIR, default ./data)
  --port         HTTP API port on 127.0.0.1, 0 for any free port (env MOTCUA_PORT, default 3000)
  --config       province configuration (default config/provinces/sample-province.yaml)
  --ocr-workers  Tesseract workers (env OCR_WORKERS, default one per CPU)
  --log-level    the handlers' JSON log lines on stdout: ${LOG_LEVELS.join(', ')} (env POWERTOOLS_LOG_LEVEL, default INFO)`;

interface CliOptions {
  dataDir: string;
  port: number;
  configPath: string;
  ocrWorkers?: number;
  logLevel?: LogLevel;
}

/** Reads the command line and environment; undefined after printing the usage. */
function readCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      config: { type: 'string' },
      'ocr-workers': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const port = Number(values.port ?? env.MOTCUA_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`invalid port "${values.port ?? env.MOTCUA_PORT}"`);
  const workers = values['ocr-workers'] ?? env.OCR_WORKERS;
  const ocrWorkers = workers === undefined ? undefined : Number(workers);
  if (ocrWorkers !== undefined && (!Number.isInteger(ocrWorkers) || ocrWorkers < 1)) {
    throw new UsageError(`invalid OCR worker count "${workers}"`);
  }
  const level = (values['log-level'] ?? env.POWERTOOLS_LOG_LEVEL)?.toUpperCase();
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`invalid log level "${level}": use one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    dataDir: values['data-dir'] ?? env.MOTCUA_DATA_DIR ?? './data',
    port,
    configPath: values.config ?? 'config/provinces/sample-province.yaml',
    ocrWorkers,
    logLevel: level as LogLevel | undefined,
  };
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function banner(backOffice: EmbeddedBackOffice, options: CliOptions): string {
  const province = backOffice.config.province;
  return [
    '',
    `  Một cửa back office — ${province.name} (${province.slug}), running locally`,
    '',
    `  API          ${backOffice.apiUrl}`,
    `  S3 endpoint  ${backOffice.s3Endpoint}`,
    `  Data folder  ${options.dataDir}`,
    '',
    '  Dev token (province-admin, counter-officer, processing-officer; valid 12 h; also in dev-token.txt):',
    `  ${backOffice.devToken}`,
    '',
    '  Try, in another terminal:',
    '  npm run demo     # uploads sample scans to this back office and prints what became of them',
    `  curl -s -H "Authorization: Bearer $(cat ${options.dataDir}/dev-token.txt)" ${backOffice.apiUrl}/documents?status=NEEDS_REVIEW`,
    '',
    '  Ctrl-C stops (twice forces).',
    '',
  ].join('\n');
}

function describeStartFailure(error: unknown, options: CliOptions): string {
  if (error instanceof ProvinceConfigError) return `Invalid province configuration:\n${error.message}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `Port ${options.port} is already in use. Choose another with --port <n> or MOTCUA_PORT (0 picks a free one).`;
  }
  if (error instanceof DataDirInUseError || error instanceof UsageError) return error.message;
  return `Could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

async function main(): Promise<void> {
  let options: CliOptions | undefined;
  try {
    options = readCliOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (!options) return;

  let backOffice: EmbeddedBackOffice;
  try {
    backOffice = await startEmbeddedBackOffice({
      dataDir: options.dataDir,
      apiPort: options.port,
      provinceConfigPath: options.configPath,
      ocrWorkers: options.ocrWorkers,
      logLevel: options.logLevel,
    });
  } catch (error) {
    process.stderr.write(`${describeStartFailure(error, options)}\n`);
    process.exit(error instanceof ProvinceConfigError ? 2 : 1);
  }
  process.stdout.write(`${banner(backOffice, options)}\n`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: forcing exit.\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`\n${signal}: stopping (running executions resume at the next start)…\n`);
    backOffice.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

await main();
