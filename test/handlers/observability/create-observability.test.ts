import { execFileSync } from 'node:child_process';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createObservability } from '#shared/adapters/observability/create-observability.ts';
import {
  createInMemoryPipelineMetrics,
  NO_PIPELINE_METRICS,
} from '#shared/adapters/observability/pipeline-metrics.ts';
import { type CapturedOutput, captureOutput } from '../handler-fixtures.ts';

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

describe('createObservability', () => {
  it('writes OCR pages and seconds as EMF metrics of the province when flushed', () => {
    const observability = createObservability(
      { logLevel: 'INFO', tracing: false, metrics: true },
      { province: 'sample' },
    );
    observability.pipelineMetrics.pagesRecognised(1, 0.8);
    observability.pipelineMetrics.pagesRecognised(1, 1.2);
    observability.metrics?.publishStoredMetrics();

    const [set] = output.metricSets() as {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] };
      PagesRecognised: number[];
      OcrSeconds: number[];
      province: string;
    }[];
    expect(set?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'motcua',
      Metrics: [
        { Name: 'PagesRecognised', Unit: 'Count' },
        { Name: 'OcrSeconds', Unit: 'Seconds' },
      ],
    });
    expect(set).toMatchObject({ province: 'sample', PagesRecognised: [1, 1], OcrSeconds: [0.8, 1.2] });
  });

  it('turns metrics off without touching the pipeline, and leaves SDK clients as they are without tracing', () => {
    const observability = createObservability(
      { logLevel: 'SILENT', tracing: false, metrics: false },
      { province: 'sample' },
    );
    const client = new S3Client({ region: 'ap-southeast-1' });

    expect(observability.metrics).toBeUndefined();
    expect(observability.pipelineMetrics).toBe(NO_PIPELINE_METRICS);
    expect(observability.traced(client)).toBe(client);
    expect(observability.tracer).toBeUndefined();
    observability.logger.error('not printed at SILENT');
    expect(output.lines).toEqual([]);
    client.destroy();
  });

  it('traces only with tracing on and a Tracer to trace with (Lambda), else leaves SDK clients as they are', () => {
    const client = new S3Client({ region: 'ap-southeast-1' });
    const config = { logLevel: 'SILENT', tracing: true, metrics: false } as const;
    const withoutTracer = createObservability(config, { province: 'sample' });
    expect(withoutTracer.tracer).toBeUndefined();
    expect(withoutTracer.traced(client)).toBe(client);

    expect(createObservability(config, { province: 'sample' }, Tracer).tracer).toBeInstanceOf(Tracer);
    expect(
      createObservability({ ...config, tracing: false }, { province: 'sample' }, Tracer).tracer,
    ).toBeUndefined();
    client.destroy();
  });

  it('leaves the X-Ray SDK (and its async hook on every promise) unloaded outside Lambda', () => {
    const namespacesAfterImport = (env: NodeJS.ProcessEnv) =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          "await import('#infra/local/start-embedded-back-office.ts'); await import('#functions/create-adapters.ts'); console.log(JSON.stringify(Object.keys(process.namespaces ?? {})));",
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } },
      ).trim();
    expect(namespacesAfterImport({})).toBe('[]');
    expect(namespacesAfterImport({ AWS_LAMBDA_FUNCTION_NAME: 'motcua-OcrPage' })).toBe('["AWSXRay"]');
  });

  it('logs at the configured level, as JSON lines of the motcua service', () => {
    const { logger } = createObservability(
      { logLevel: 'WARN', tracing: false, metrics: false },
      { province: 'x' },
    );
    logger.info('below the level');
    logger.warn({ message: 'kept', reason: 'TOO_LARGE' });
    expect(output.lines).toEqual([
      expect.objectContaining({ level: 'WARN', service: 'motcua', reason: 'TOO_LARGE' }),
    ]);
  });
});

describe('createInMemoryPipelineMetrics', () => {
  it('records every call, for tests of the steps', () => {
    const metrics = createInMemoryPipelineMetrics();
    metrics.archived();
    metrics.quarantined('NO_TEXT_FOUND');
    metrics.pagesRecognised(2, 1.5);
    expect(metrics.events).toEqual([
      { metric: 'archived' },
      { metric: 'quarantined', reason: 'NO_TEXT_FOUND' },
      { metric: 'pagesRecognised', pages: 2, seconds: 1.5 },
    ]);
  });
});
