import { readFileSync } from 'node:fs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const STATE_MACHINE_ARN = 'arn:aws:states:ap-southeast-1:123456789012:stateMachine:pipeline';
const DOCUMENT_ID = '0b7f3c2e-8d4a-4f7e-9a51-2c3d4e5f6a7b';
const KEY = `incoming/000.00.01.H99/_/_/${DOCUMENT_ID}`;

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBDocumentClient);
let handler: (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

function sqsRecord(messageId: string, detail: unknown): SQSRecord {
  const body = JSON.stringify({ 'detail-type': 'Object Created', source: 'aws.s3', detail });
  return { messageId, body } as SQSRecord;
}

beforeAll(async () => {
  process.env.MOTCUA_PROVINCE_CONFIG = JSON.stringify(
    parse(readFileSync('config/provinces/sample-province.yaml', 'utf8')),
  );
  process.env.INGEST_BUCKET = 'ingest';
  process.env.DOCUMENTS_TABLE = 'documents';
  process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
  process.env.AWS_REGION = 'ap-southeast-1';
  ({ handler } = (await import('#functions/ingest/start-pipeline.ts')) as unknown as {
    handler: typeof handler;
  });
});

beforeEach(() => {
  sfn.reset();
  dynamodb.reset();
});

describe('start-pipeline handler (SQS ← EventBridge ← S3)', () => {
  it('starts one execution per uploaded object, named from bucket, key and version', async () => {
    dynamodb.on(GetCommand).resolves({ Item: { documentId: DOCUMENT_ID, status: 'AWAITING_UPLOAD' } });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN}:x`, startDate: new Date() });
    const detail = {
      bucket: { name: 'ingest' },
      object: { key: KEY, size: 10, etag: 'e1', 'version-id': 'v1' },
    };
    const result = await handler(
      { Records: [sqsRecord('m1', detail), sqsRecord('m2', detail)] },
      {} as Context,
    );
    expect(result.batchItemFailures).toEqual([]);
    const calls = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.name).toBe(calls[1]?.name);
    expect(calls[0]?.name?.startsWith(DOCUMENT_ID)).toBe(true);
    expect(JSON.parse(calls[0]?.input ?? '{}')).toEqual({
      bucket: 'ingest',
      key: KEY,
      documentId: DOCUMENT_ID,
      etag: 'e1',
      versionId: 'v1',
    });
    expect(dynamodb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'documents',
      Key: { pk: `DOC#${DOCUMENT_ID}`, sk: 'DOC' },
    });
  });

  it('returns only the failed messages to the queue', async () => {
    dynamodb.on(GetCommand).resolves({ Item: { documentId: DOCUMENT_ID, status: 'AWAITING_UPLOAD' } });
    sfn.on(StartExecutionCommand).rejects(new Error('ThrottlingException'));
    const good = { bucket: { name: 'ingest' }, object: { key: KEY, size: 10, etag: 'e1' } };
    const result = await handler(
      { Records: [sqsRecord('throttled', good), { messageId: 'garbled', body: 'not json' } as SQSRecord] },
      {} as Context,
    );
    expect(result.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      'throttled',
      'garbled',
    ]);
  });

  it('starts nothing for a document that is already archived', async () => {
    dynamodb.on(GetCommand).resolves({ Item: { documentId: DOCUMENT_ID, status: 'ARCHIVED' } });
    const detail = { bucket: { name: 'ingest' }, object: { key: KEY, size: 10, etag: 'e1' } };
    const result = await handler({ Records: [sqsRecord('m1', detail)] }, {} as Context);
    expect(result.batchItemFailures).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
