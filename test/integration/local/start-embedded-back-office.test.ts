import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedHandlers, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';

const CONFIG = `
province: { slug: testland, name: Tỉnh Thử, code: H98 }
agencies:
  - { id: 000.00.00.H98, name: UBND tỉnh Thử, level: province, oneStop: false }
  - { id: 000.17.22.H98, name: UBND xã Thử, level: commune, parentId: 000.00.00.H98 }
documentTypes:
  - code: KS
    name: Giấy khai sinh
    titlePatterns: [GIẤY KHAI SINH]
    owner: person
    ownerLabels: [Số định danh cá nhân]
    retention: permanent
    mustDigitise: true
signing: { organisation: Tỉnh Thử }
`;

/**
 * Stand-ins for the project's handlers that use SDK clients configured only by the runtime
 * configuration they are given, as the real ones are: they prove the endpoints and names the
 * runtime passes.
 */
function standInHandlers(
  config: RuntimeConfig,
  calls: { starter: string[]; archived: string[] },
): EmbeddedHandlers {
  const pass = async (event: unknown) => ({ ok: true, event: typeof event });
  return {
    startPipeline: async (event: SQSEvent) => {
      const sfn = new SFNClient(awsClientSettings(config.aws, 'sfn'));
      for (const record of event.Records) {
        const detail = JSON.parse(record.body).detail as {
          bucket: { name: string };
          object: { key: string };
        };
        calls.starter.push(detail.object.key);
        const name = createHash('sha256')
          .update(`${detail.bucket.name}/${detail.object.key}`)
          .digest('hex')
          .slice(0, 64);
        try {
          await sfn.send(
            new StartExecutionCommand({
              stateMachineArn: config.stateMachineArn,
              name,
              input: JSON.stringify({ bucket: detail.bucket.name, key: detail.object.key }),
            }),
          );
        } catch (error) {
          if (!(error instanceof ExecutionAlreadyExists)) throw error;
        }
      }
      sfn.destroy();
      return { batchItemFailures: [] };
    },
    pipelineTaskHandlers: {
      ClaimDocument: async () => ({ resumeAt: 'ValidateUpload' }),
      ValidateUpload: async (event) => ({ key: (event as { key: string }).key }),
      PreparePages: async () => ({ pages: [] }),
      OcrPage: pass,
      ClassifyDocument: async () => ({ needsReview: false, docType: 'KS' }),
      AwaitReview: pass,
      AssignCode: async () => ({ code: '001099000001.KS.01' }),
      SignDocument: pass,
      ArchiveDocument: async (event) => {
        const key = (event as { key: string }).key;
        const s3 = new S3Client(awsClientSettings(config.aws, 's3'));
        await s3.send(
          new PutObjectCommand({ Bucket: config.buckets.archive, Key: `signed/${key}`, Body: 'pdf' }),
        );
        s3.destroy();
        calls.archived.push(key);
        return { archived: true };
      },
      QuarantineDocument: pass,
    },
    httpApi: async (event) => ({
      statusCode: 200,
      body: JSON.stringify({ claims: event.requestContext.authorizer.jwt.claims }),
    }),
  };
}

describe('startEmbeddedBackOffice (with stand-in handlers)', () => {
  let root: string;
  let dataDir: string;
  let configPath: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'motcua-embedded-'));
    dataDir = join(root, 'data');
    configPath = join(root, 'province.yaml');
    await writeFile(configPath, CONFIG);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs an uploaded object through the pipeline, serves the API with the dev token, and replays uploads after a restart', async () => {
    const calls = { starter: [] as string[], archived: [] as string[] };
    const environmentBefore = { ...process.env };
    const first = await startEmbeddedBackOffice({
      dataDir,
      apiPort: 0,
      provinceConfigPath: configPath,
      quiet: true,
      loadHandlers: async (config) => standInHandlers(config, calls),
    });
    const runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
    const aws = first.runtimeConfig.aws;
    const s3 = new S3Client(awsClientSettings(aws, 's3'));
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: 'motcua-testland-ingest',
        Key: 'incoming/000.17.22.H98/d/c/u1',
        ContentType: 'application/pdf',
      }),
      { expiresIn: 60 },
    );
    const upload = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: '%PDF-1.7',
    });
    await s3.send(
      new PutObjectCommand({ Bucket: 'motcua-testland-ingest', Key: 'elsewhere/ignored', Body: 'x' }),
    );
    await first.whenIdle();
    const api = await fetch(`${first.apiUrl}/documents`, {
      headers: { authorization: `Bearer ${first.devToken}` },
    });
    const claims = ((await api.json()) as { claims: Record<string, string> }).claims;
    const sfn = new SFNClient(awsClientSettings(aws, 'sfn'));
    const executions = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: first.runtimeConfig.stateMachineArn }),
    );
    const execution = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executions.executions?.[0]?.executionArn }),
    );
    s3.destroy();
    sfn.destroy();
    await first.stop();

    expect(process.env).toEqual(environmentBefore);
    expect(upload.status).toBe(200);
    expect(runtime).toMatchObject({ apiUrl: first.apiUrl, s3Endpoint: first.s3Endpoint, pid: process.pid });
    expect(first.runtimeConfig).toMatchObject({
      buckets: { ingest: 'motcua-testland-ingest', archive: 'motcua-testland-archive' },
      documentsTable: 'motcua-testland-documents',
      signer: { kind: 'local', directory: join(dataDir, 'signing-keys') },
      aws: { endpoints: { s3: first.s3Endpoint }, forcePathStyle: true },
      observability: { tracing: false },
    });
    expect(calls.starter).toEqual(['incoming/000.17.22.H98/d/c/u1']);
    expect(calls.archived).toEqual(['incoming/000.17.22.H98/d/c/u1']);
    expect(executions.executions).toHaveLength(1);
    expect(execution.status).toBe('SUCCEEDED');
    expect(claims).toMatchObject({
      'cognito:groups': '[province-admin counter-officer processing-officer]',
      'custom:agency': '000.17.22.H98',
    });
    await expect(access(join(dataDir, 'runtime.json'))).rejects.toThrow();
    expect((await readFile(join(dataDir, 'dev-token.txt'), 'utf8')).trim()).toBe(first.devToken);

    const second = await startEmbeddedBackOffice({
      dataDir,
      apiPort: 0,
      provinceConfigPath: configPath,
      quiet: true,
      loadHandlers: async (config) => standInHandlers(config, calls),
    });
    await second.whenIdle();
    await second.stop();

    // The replayed object reaches the starter again; its execution name is taken, so nothing reruns.
    expect(calls.starter).toEqual(['incoming/000.17.22.H98/d/c/u1', 'incoming/000.17.22.H98/d/c/u1']);
    expect(calls.archived).toHaveLength(1);
  });

  it('runs two back offices side by side in one process, each handler with its own configuration', async () => {
    const calls = [0, 1].map(() => ({ starter: [] as string[], archived: [] as string[] }));
    const [one, two] = await Promise.all(
      calls.map((recorded, index) =>
        startEmbeddedBackOffice({
          dataDir: join(root, `side-by-side-${index}`),
          apiPort: 0,
          provinceConfigPath: configPath,
          quiet: true,
          loadHandlers: async (config) => standInHandlers(config, recorded),
        }),
      ),
    );
    if (!one || !two) throw new Error('not started');
    try {
      for (const [index, backOffice] of [one, two].entries()) {
        const s3 = new S3Client(awsClientSettings(backOffice.runtimeConfig.aws, 's3'));
        await s3.send(
          new PutObjectCommand({
            Bucket: 'motcua-testland-ingest',
            Key: `incoming/000.17.22.H98/d/c/only-in-${index}`,
            Body: '%PDF-1.7',
          }),
        );
        s3.destroy();
      }
      await Promise.all([one.whenIdle(), two.whenIdle()]);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }

    expect(one.runtimeConfig.aws.endpoints?.s3).not.toBe(two.runtimeConfig.aws.endpoints?.s3);
    expect(calls.map((recorded) => recorded.archived)).toEqual([
      ['incoming/000.17.22.H98/d/c/only-in-0'],
      ['incoming/000.17.22.H98/d/c/only-in-1'],
    ]);
  });

  it('sweeps with the reconciler on its schedule, as EventBridge Scheduler does in AWS, and stops with it', async () => {
    let sweeps = 0;
    const backOffice = await startEmbeddedBackOffice({
      dataDir: join(root, 'reconciled'),
      apiPort: 0,
      provinceConfigPath: configPath,
      quiet: true,
      reconcileEveryMs: 20,
      loadHandlers: async (config) => ({
        ...standInHandlers(config, { starter: [], archived: [] }),
        reconcile: async () => {
          sweeps++;
        },
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await backOffice.stop();
    const atStop = sweeps;
    expect(atStop).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sweeps).toBe(atStop);
  });

  it('refuses an invalid province configuration and leaves nothing running', async () => {
    const badConfig = join(root, 'bad.yaml');
    await writeFile(badConfig, CONFIG.replace('slug: testland', 'slug: Test Land'));

    const start = startEmbeddedBackOffice({
      dataDir: join(root, 'bad-data'),
      apiPort: 0,
      provinceConfigPath: badConfig,
      quiet: true,
    });

    await expect(start).rejects.toThrow(/province\.slug/);
  });
});
