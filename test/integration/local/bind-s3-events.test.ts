import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindS3Events, createIngestQueue } from '#infra/local/bind-s3-events.ts';
import { type ObjectCreatedEvent, toObjectCreatedEvent } from '#infra/local/start-local-s3.ts';

function objectCreated(bucket: string, key: string): ObjectCreatedEvent {
  return toObjectCreatedEvent(
    {
      eventName: 'ObjectCreated:Put',
      eventTime: '2025-01-02T03:04:05.000Z',
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'R1' },
      userIdentity: { principalId: 'P' },
      s3: { bucket: { name: bucket }, object: { key, size: 3, eTag: 'abc', sequencer: '1' } },
    },
    'ap-southeast-1',
  );
}

describe('bindS3Events and the ingest queue', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-ingest-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers only incoming/ objects of the ingest bucket as one-record SQS events, retrying failures', async () => {
    const received: SQSEvent[] = [];
    const logs: string[] = [];
    let failuresLeft = 2;
    const queue = createIngestQueue({
      baseDelayMs: 1,
      log: (line) => logs.push(line),
      starter: async (event) => {
        received.push(event);
        if (failuresLeft-- > 0)
          return { batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId ?? '' }] };
        return { batchItemFailures: [] };
      },
    });
    let emit: (event: ObjectCreatedEvent) => void = () => {};
    const unbind = bindS3Events({
      s3: {
        onObjectCreated: (listener) => {
          emit = listener;
          return () => {};
        },
      },
      queue,
      bucket: 'ingest',
    });

    emit(objectCreated('ingest', 'incoming/a/b/c/u1'));
    emit(objectCreated('ingest', 'signed/u1'));
    emit(objectCreated('archive', 'incoming/x'));
    await queue.whenIdle();
    unbind();

    expect(received).toHaveLength(3);
    expect(received.every((event) => event.Records.length === 1)).toBe(true);
    expect(received.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(new Set(received.map((event) => event.Records[0]?.messageId)).size).toBe(1);
    const body = JSON.parse(received[0]?.Records[0]?.body ?? '');
    expect(body).toMatchObject({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      detail: { bucket: { name: 'ingest' }, object: { key: 'incoming/a/b/c/u1', size: 3, etag: 'abc' } },
    });
    expect(logs.filter((line) => line.includes('retrying'))).toHaveLength(2);
  });

  it('dead-letters an event after the last retry', async () => {
    const deadLetterPath = join(dataDir, 'dead-letters.jsonl');
    let attempts = 0;
    const queue = createIngestQueue({
      baseDelayMs: 1,
      maxRetries: 2,
      deadLetterPath,
      log: () => {},
      starter: async () => {
        attempts++;
        throw new Error('state machine unreachable');
      },
    });

    await queue.send(objectCreated('ingest', 'incoming/a/b/c/u2'));

    expect(attempts).toBe(3);
    const dead = (await readFile(deadLetterPath, 'utf8')).trim().split('\n');
    expect(dead.map((line) => JSON.parse(line).detail.object.key)).toEqual(['incoming/a/b/c/u2']);
  });
});
