import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import { parse } from 'yaml';
import { provinceConfigSchema } from '#shared/config/province-config.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';

export const STATE_MACHINE_ARN = 'arn:aws:states:ap-southeast-1:123456789012:stateMachine:pipeline';

/** The sample province's configuration, as a handler in AWS would be given it (SDK edge mocked). */
export function handlerRuntimeConfig(overrides: Partial<RuntimeConfig> = {}): RuntimeConfig {
  const provinceConfig = provinceConfigSchema.parse(
    parse(readFileSync('config/provinces/sample-province.yaml', 'utf8')),
  );
  return {
    provinceConfig,
    documentsTable: 'documents',
    buckets: { ingest: 'ingest', archive: 'archive' },
    stateMachineArn: STATE_MACHINE_ARN,
    signer: { kind: 'kms' },
    ocrWorkers: 1,
    aws: { region: 'ap-southeast-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    observability: { logLevel: 'WARN', tracing: false, metrics: true },
    ...overrides,
  };
}

/** The JSON lines the handlers write to stdout and stderr (Powertools' logs and EMF metrics). */
export interface CapturedOutput {
  readonly lines: Record<string, unknown>[];
  /** The EMF metric sets: each line that carries an `_aws` block. */
  metricSets(): Record<string, unknown>[];
  /** The log lines of one level (`WARN`, `ERROR`, …). */
  logs(level: string): Record<string, unknown>[];
  restore(): void;
}

/** Captures what the handlers print, instead of printing it, until `restore()`. */
export function captureOutput(): CapturedOutput {
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: unknown) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  return {
    lines,
    metricSets: () => lines.filter((line) => '_aws' in line),
    logs: (level) => lines.filter((line) => line.level === level),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** Enough of a Lambda context for middy and Powertools. */
export const LAMBDA_CONTEXT = {
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:123456789012:function:test-function',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
