import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipelineContainer } from '#functions/pipeline/pipeline-container.ts';
import { pipelineTask } from '#functions/pipeline/pipeline-task.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import {
  type CapturedOutput,
  captureOutput,
  handlerRuntimeConfig,
  LAMBDA_CONTEXT,
} from '../handler-fixtures.ts';

const DOCUMENT_ID = '0b7f3c2e-8d4a-4f7e-9a51-2c3d4e5f6a7b';
const RUN_ID = `${DOCUMENT_ID}-0123456789abcdef`;
const KEY = `incoming/000.00.01.H99/_/_/${DOCUMENT_ID}`;
const INPUT = { bucket: 'ingest', key: KEY, documentId: DOCUMENT_ID, runId: RUN_ID };

const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBDocumentClient);
const container = createPipelineContainer(handlerRuntimeConfig());
let output: CapturedOutput;

const record: DocumentRecord = {
  documentId: DOCUMENT_ID,
  agencyId: '000.00.01.H99',
  uploadedBy: 'officer',
  mediaType: 'image/jpeg',
  declaredSize: 10,
  declaredSha256: 'x',
  bucket: 'ingest',
  key: KEY,
  status: 'PROCESSING',
  runId: RUN_ID,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** The stored record, and every update applied on top of it. */
function mockDocument(item: DocumentRecord): void {
  dynamodb.on(GetCommand).resolves({ Item: { pk: `DOC#${item.documentId}`, sk: 'DOC', ...item } });
  dynamodb.on(UpdateCommand).resolves({ Attributes: { ...item } });
  dynamodb.on(PutCommand).resolves({});
}

/** Each EMF metric set as `{ metric name: value, …dimensions }`, with its declared dimensions. */
function metricsOut(): { values: Record<string, unknown>; dimensions: string[] }[] {
  return output.metricSets().map((set) => {
    const { _aws, ...values } = set as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    };
    const [declared] = _aws.CloudWatchMetrics;
    expect(declared?.Namespace).toBe('motcua');
    return { values, dimensions: declared?.Dimensions.flat() ?? [] };
  });
}

beforeEach(() => {
  s3.reset();
  dynamodb.reset();
  output = captureOutput();
});

afterEach(() => output.restore());
afterAll(() => container.close());

describe('pipeline task handlers', () => {
  it('emits DocumentsQuarantined by province and reason when a document is quarantined', async () => {
    mockDocument(record);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10 });
    s3.on(PutObjectTaggingCommand).resolves({});
    const handler = pipelineTask(container, 'QuarantineDocument');

    const result = await handler(
      { ...INPUT, error: { Error: 'Quarantine.TOO_LARGE', Cause: '{"errorMessage":"too big"}' } },
      LAMBDA_CONTEXT,
    );

    expect(result).toEqual({ status: 'QUARANTINED', reason: 'TOO_LARGE' });
    expect(metricsOut()).toEqual([
      {
        values: { service: 'motcua', province: 'sample', reason: 'TOO_LARGE', DocumentsQuarantined: 1 },
        dimensions: ['service', 'province', 'reason'],
      },
    ]);
  });

  it('emits DocumentsArchived by province when a document reaches the archive', async () => {
    mockDocument({
      ...record,
      pageCount: 1,
      code: '038319001234.KS.01',
      classification: { docType: 'KS', ownerId: '038319001234', confidence: 0.9, decidedBy: 'classifier' },
    });
    const text = new TextEncoder().encode(JSON.stringify({ text: 'GIẤY KHAI SINH' }));
    s3.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => text } as never });
    s3.on(HeadObjectCommand, { Bucket: 'archive' }).rejects(new NotFound({ message: 'no', $metadata: {} }));
    s3.on(HeadObjectCommand, { Bucket: 'ingest' }).resolves({ ContentLength: 10 });
    s3.on(CopyObjectCommand).resolves({ VersionId: 'v-copy' });
    s3.on(PutObjectCommand).resolves({ VersionId: 'v-text' });
    s3.on(PutObjectTaggingCommand).resolves({});
    const handler = pipelineTask(container, 'ArchiveDocument');

    const result = await handler(INPUT, LAMBDA_CONTEXT);

    expect(result).toMatchObject({ code: '038319001234.KS.01' });
    expect(metricsOut()).toEqual([
      {
        values: { service: 'motcua', province: 'sample', DocumentsArchived: 1 },
        dimensions: ['service', 'province'],
      },
    ]);
  });

  it('logs a quarantined upload as a warning with its reason, correlated by the run', async () => {
    mockDocument(record);
    const body = Readable.from([new Uint8Array(1)]);
    s3.on(GetObjectCommand).resolves({ ContentLength: 10 ** 12, Body: body as never });
    const handler = pipelineTask(container, 'ValidateUpload');

    await expect(handler(INPUT, LAMBDA_CONTEXT)).rejects.toMatchObject({ name: 'Quarantine.TOO_LARGE' });

    expect(body.destroyed).toBe(true);
    expect(output.logs('WARN')).toEqual([
      expect.objectContaining({
        message: 'upload quarantined',
        reason: 'TOO_LARGE',
        correlation_id: RUN_ID,
        documentId: DOCUMENT_ID,
        task: 'ValidateUpload',
        service: 'motcua',
        cold_start: expect.any(Boolean),
      }),
    ]);
    expect(output.logs('ERROR')).toEqual([]);
    expect(metricsOut()).toEqual([]);
  });
});
