import { createHash, randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type ObjectCreatedEvent, objectCreatedEvent } from '#infra/local/start-local-s3.ts';

/** The ingest starter, as functions/ingest/start-pipeline.ts exports it. */
export type IngestStarter = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

/** Options of {@link createIngestQueue}. */
export interface IngestQueueOptions {
  starter: IngestStarter;
  /** @default 'ap-southeast-1' */
  region?: string;
  /** Name used in the records' eventSourceARN. @default 'motcua-ingest' */
  queueName?: string;
  /** Retries after the first failed delivery, with doubling delays. @default 4 */
  maxRetries?: number;
  /** Delay before the first retry. @default 500 */
  baseDelayMs?: number;
  /** Where events that failed every delivery are appended (the dead-letter queue), as JSON lines. */
  deadLetterPath?: string;
  /** @default a line on stderr */
  log?: (message: string) => void;
}

/** An SQS queue in front of the starter, as in AWS: one-record batches, retries, a dead-letter file. */
export interface IngestQueue {
  /** Delivers one event; resolves when it was accepted or dead-lettered. */
  send(event: ObjectCreatedEvent): Promise<void>;
  /** Resolves once no delivery is in flight or waiting for a retry. */
  whenIdle(): Promise<void>;
  isIdle(): boolean;
  /** Cancels pending retries. */
  close(): void;
}

/** Creates the local stand-in for the ingest queue → starter Lambda event source mapping. */
export function createIngestQueue(options: IngestQueueOptions): IngestQueue {
  const region = options.region ?? 'ap-southeast-1';
  const queueArn = `arn:aws:sqs:${region}:000000000000:${options.queueName ?? 'motcua-ingest'}`;
  const maxRetries = options.maxRetries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const deliver = async (event: ObjectCreatedEvent) => {
    const body = JSON.stringify(event);
    const messageId = randomUUID();
    const sentAt = Date.now();
    for (let attempt = 1; attempt <= maxRetries + 1 && !closed; attempt++) {
      const failure = await invoke(
        options.starter,
        toSqsEvent(body, messageId, attempt, sentAt, queueArn, region),
      );
      if (!failure) return;
      const where = `s3://${event.detail.bucket.name}/${event.detail.object.key}`;
      if (attempt > maxRetries) {
        log(`[local-ingest] ${where}: giving up after ${attempt} attempts (${failure}); dead-lettered`);
        if (options.deadLetterPath) await appendFile(options.deadLetterPath, `${body}\n`);
        return;
      }
      log(`[local-ingest] ${where}: attempt ${attempt} failed (${failure}); retrying`);
      await wait(baseDelayMs * 2 ** (attempt - 1));
    }
  };

  return {
    send(event) {
      const delivery = deliver(event).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
      return delivery;
    },
    async whenIdle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    isIdle: () => inFlight.size === 0,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** Calls the starter; returns why the message failed, or undefined when it was accepted. */
async function invoke(starter: IngestStarter, event: SQSEvent): Promise<string | undefined> {
  try {
    const response = await starter(event);
    const failed = response?.batchItemFailures?.length ?? 0;
    return failed > 0 ? 'reported as a batch item failure' : undefined;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

function toSqsEvent(
  body: string,
  messageId: string,
  attempt: number,
  sentAt: number,
  queueArn: string,
  region: string,
): SQSEvent {
  return {
    Records: [
      {
        messageId,
        receiptHandle: `${messageId}#${attempt}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(attempt),
          SentTimestamp: String(sentAt),
          SenderId: 'AIDAEVENTBRIDGE',
          ApproximateFirstReceiveTimestamp: String(sentAt),
        },
        messageAttributes: {},
        md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      },
    ],
  };
}

/** Options of {@link bindS3Events}. */
export interface BindS3EventsOptions {
  s3: { onObjectCreated(listener: (event: ObjectCreatedEvent) => void): () => void };
  queue: IngestQueue;
  /** Only objects of this bucket… */
  bucket: string;
  /** …under this prefix reach the queue (the EventBridge rule's filter). @default 'incoming/' */
  prefix?: string;
}

/**
 * Routes the local S3 server's Object Created events of `bucket`/`prefix` to the ingest queue,
 * as the EventBridge rule does in AWS. Returns the unbind function.
 */
export function bindS3Events(options: BindS3EventsOptions): () => void {
  const prefix = options.prefix ?? 'incoming/';
  return options.s3.onObjectCreated((event) => {
    if (event.detail.bucket.name !== options.bucket || !event.detail.object.key.startsWith(prefix)) return;
    void options.queue.send(event);
  });
}

/** Options of {@link replayPendingUploads}. */
export interface ReplayPendingUploadsOptions {
  s3: S3Client;
  bucket: string;
  queue: IngestQueue;
  /** @default 'incoming/' */
  prefix?: string;
  /** @default 'ap-southeast-1' */
  region?: string;
}

/**
 * Feeds every object under `prefix` to the queue as a fresh Object Created event. The starter
 * skips documents already in a terminal state, so this picks up whatever was uploaded but not
 * finished before a stop (kill -9 included).
 * @returns how many objects were replayed
 */
export async function replayPendingUploads(options: ReplayPendingUploadsOptions): Promise<number> {
  const prefix = options.prefix ?? 'incoming/';
  const region = options.region ?? 'ap-southeast-1';
  let count = 0;
  let token: string | undefined;
  do {
    const page = await options.s3.send(
      new ListObjectsV2Command({ Bucket: options.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) {
      if (!item.Key) continue;
      count++;
      await options.queue.send(
        objectCreatedEvent({
          bucket: options.bucket,
          key: item.Key,
          size: item.Size ?? 0,
          etag: (item.ETag ?? '').replaceAll('"', ''),
          time: (item.LastModified ?? new Date()).toISOString(),
          region,
        }),
      );
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return count;
}
