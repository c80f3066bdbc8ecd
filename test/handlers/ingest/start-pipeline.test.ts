import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContainer } from '#functions/container.ts';
import { createStartPipelineHandler } from '#functions/ingest/start-pipeline.ts';
import {
  type CapturedOutput,
  captureOutput,
  handlerRuntimeConfig,
  LAMBDA_CONTEXT,
  STATE_MACHINE_ARN,
} from '../handler-fixtures.ts';

const DOCUMENT_ID = '0b7f3c2e-8d4a-4f7e-9a51-2c3d4e5f6a7b';
const KEY = `incoming/000.00.01.H99/_/_/${DOCUMENT_ID}`;

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBDocumentClient);
const handler = createStartPipelineHandler(createContainer(handlerRuntimeConfig()));
let output: CapturedOutput;

function sqsRecord(messageId: string, detail: unknown): SQSRecord {
  const body = JSON.stringify({ 'detail-type': 'Object Created', source: 'aws.s3', detail });
  return { messageId, body } as SQSRecord;
}

beforeEach(() => {
  sfn.reset();
  dynamodb.reset();
  output = captureOutput();
});

afterEach(() => output.restore());

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
      LAMBDA_CONTEXT,
    );
    expect(result.batchItemFailures).toEqual([]);
    const calls = sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.name).toBe(calls[1]?.name);
    expect(calls[0]?.name?.startsWith(DOCUMENT_ID)).toBe(true);
    expect(calls[0]?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(JSON.parse(calls[0]?.input ?? '{}')).toEqual({
      bucket: 'ingest',
      key: KEY,
      documentId: DOCUMENT_ID,
      etag: 'e1',
      versionId: 'v1',
      runId: calls[0]?.name,
    });
    expect(dynamodb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'documents',
      Key: { pk: `DOC#${DOCUMENT_ID}`, sk: 'DOC' },
    });
  });

  it('reports only the failed messages in batchItemFailures, and logs each with its message id', async () => {
    dynamodb.on(GetCommand).resolves({ Item: { documentId: DOCUMENT_ID, status: 'AWAITING_UPLOAD' } });
    sfn.on(StartExecutionCommand).rejectsOnce(new Error('ThrottlingException')).resolves({});
    const good = { bucket: { name: 'ingest' }, object: { key: KEY, size: 10, etag: 'e1' } };
    const other = { bucket: { name: 'ingest' }, object: { key: KEY, size: 10, etag: 'e2' } };
    const result = await handler(
      {
        Records: [
          sqsRecord('throttled', good),
          { messageId: 'garbled', body: 'not json' } as SQSRecord,
          sqsRecord('started', other),
        ],
      },
      LAMBDA_CONTEXT,
    );
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'throttled' },
      { itemIdentifier: 'garbled' },
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
    expect(output.logs('ERROR').map((line) => line.correlation_id)).toEqual(['throttled', 'garbled']);
    expect(output.logs('ERROR')[0]).toMatchObject({
      service: 'motcua',
      function_name: 'test-function',
      function_request_id: 'request-1',
      error: { message: 'ThrottlingException' },
    });
  });

  it('answers with every message when all of them fail, rather than failing the invocation', async () => {
    const result = await handler(
      { Records: [{ messageId: 'a', body: '{}' } as SQSRecord, { messageId: 'b', body: '' } as SQSRecord] },
      LAMBDA_CONTEXT,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });

  it('starts nothing for a document that is already archived', async () => {
    dynamodb.on(GetCommand).resolves({ Item: { documentId: DOCUMENT_ID, status: 'ARCHIVED' } });
    const detail = { bucket: { name: 'ingest' }, object: { key: KEY, size: 10, etag: 'e1' } };
    const result = await handler({ Records: [sqsRecord('m1', detail)] }, LAMBDA_CONTEXT);
    expect(result.batchItemFailures).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
