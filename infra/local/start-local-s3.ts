import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3ObjectCreatedNotificationEvent } from 'aws-lambda';
import S3rver, { type S3rverEventRecord, type S3rverStore } from 's3rver';

/**
 * The EventBridge "Object Created" event S3 sends, as the ingest queue delivers it.
 * `version-id` is absent when the bucket is not versioned (s3rver never versions).
 */
export type ObjectCreatedEvent = Omit<S3ObjectCreatedNotificationEvent, 'detail'> & {
  detail: Omit<S3ObjectCreatedNotificationEvent['detail'], 'object'> & {
    object: Omit<S3ObjectCreatedNotificationEvent['detail']['object'], 'version-id'> & {
      'version-id'?: string;
    };
  };
};

/** Options of {@link startLocalS3}. */
export interface LocalS3Options {
  /** Root data folder; objects live in `{dataDir}/s3`. */
  dataDir: string;
  /** Buckets created at start (idempotent). */
  buckets: readonly string[];
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Region written into events. @default 'ap-southeast-1' */
  region?: string;
}

/** A running local S3 server. */
export interface LocalS3 {
  /** `http://127.0.0.1:{port}`: use with `forcePathStyle: true`. */
  endpoint: string;
  /** Calls `listener` for every object created (PUT, POST, copy); returns an unsubscribe function. */
  onObjectCreated(listener: (event: ObjectCreatedEvent) => void): () => void;
  stop(): Promise<void>;
}

/**
 * The only access key s3rver accepts (it checks the key id, not SigV4 signatures): the embedded
 * runtime hands these to the SDK as its dummy credentials.
 */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

const REASONS: Record<string, ObjectCreatedEvent['detail']['reason']> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Post': 'POST Object',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
};

/** Starts s3rver on 127.0.0.1 with the given buckets, storing objects on disk. */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const directory = join(options.dataDir, 's3');
  await mkdir(directory, { recursive: true });
  const region = options.region ?? 'ap-southeast-1';
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  keepBucketsInMemory(server.store);
  copyChecksumWithNewMetadata(server.store);
  const address = await server.run();
  const listeners = new Set<(event: ObjectCreatedEvent) => void>();
  server.on('event', (notification) => {
    for (const record of notification.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const event = toObjectCreatedEvent(record, region);
      for (const listener of listeners) listener(event);
    }
  });
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      listeners.clear();
      await server.close();
    },
  };
}

/**
 * s3rver looks a bucket up on disk for every request, and reads its CORS and website
 * configuration too (two failed file reads when, as here, it has none): a tenth of the embedded
 * runtime's S3 cost. Buckets and their configuration change only through s3rver itself, so the
 * answers are kept in memory and forgotten whenever it changes them.
 */
function keepBucketsInMemory(store: S3rverStore): void {
  const buckets = new Map<string, Promise<unknown>>();
  const configs = new Map<string, Promise<unknown>>();
  const configKey = (bucket: string, type: string) => `${bucket}\u0000${type}`;
  const remembered = (cache: Map<string, Promise<unknown>>, key: string, read: () => Promise<unknown>) => {
    let answer = cache.get(key);
    if (!answer) {
      answer = read();
      cache.set(key, answer);
      answer.catch(() => {
        if (cache.get(key) === answer) cache.delete(key);
      });
    }
    return answer;
  };
  const forgetBucket = (bucket: string) => {
    buckets.delete(bucket);
    for (const key of configs.keys()) if (key.startsWith(configKey(bucket, ''))) configs.delete(key);
  };
  const { getBucket, putBucket, deleteBucket, getSubresource, putSubresource, deleteSubresource, reset } =
    store;
  store.getBucket = (bucket) => remembered(buckets, bucket, () => getBucket.call(store, bucket));
  store.putBucket = (bucket) => putBucket.call(store, bucket).finally(() => forgetBucket(bucket));
  store.deleteBucket = (bucket) => deleteBucket.call(store, bucket).finally(() => forgetBucket(bucket));
  store.getSubresource = (bucket, key, type) =>
    key === undefined
      ? remembered(configs, configKey(bucket, type), () => getSubresource.call(store, bucket, key, type))
      : getSubresource.call(store, bucket, key, type);
  store.putSubresource = (bucket, key, resource) =>
    putSubresource
      .call(store, bucket, key, resource)
      .finally(() => configs.delete(configKey(bucket, resource.type)));
  store.deleteSubresource = (bucket, key, type) =>
    deleteSubresource.call(store, bucket, key, type).finally(() => configs.delete(configKey(bucket, type)));
  store.reset = () => {
    buckets.clear();
    configs.clear();
    return reset.call(store);
  };
}

/**
 * s3rver copies an object's MD5 (its ETag) only when the copy keeps the source's metadata: a copy
 * with new metadata (every archive copy) was read whole to compute it again. The bytes are the
 * source's, so is their MD5; should the copy fail, the copied MD5 goes and s3rver computes it.
 */
function copyChecksumWithNewMetadata(store: S3rverStore): void {
  const { copyObject } = store;
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const md5 = (bucket: string, key: string) => store.getResourcePath(bucket, key, 'object.md5');
    const copied = replacementMetadata !== undefined && md5(srcBucket, srcKey) !== md5(destBucket, destKey);
    if (copied) {
      await mkdir(dirname(md5(destBucket, destKey)), { recursive: true });
      await copyFile(md5(srcBucket, srcKey), md5(destBucket, destKey)).catch(() =>
        rm(md5(destBucket, destKey), { force: true }),
      );
    }
    try {
      return await copyObject.call(store, srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    } catch (error) {
      if (copied) await rm(md5(destBucket, destKey), { force: true });
      throw error;
    }
  };
}

/** Converts one s3rver notification record into the event EventBridge would deliver. */
export function toObjectCreatedEvent(record: S3rverEventRecord, region: string): ObjectCreatedEvent {
  return objectCreatedEvent({
    bucket: record.s3.bucket.name,
    key: record.s3.object.key,
    size: Number(record.s3.object.size ?? 0),
    etag: record.s3.object.eTag ?? '',
    time: record.eventTime,
    region,
    sequencer: record.s3.object.sequencer,
    requestId: record.responseElements['x-amz-request-id'],
    sourceIp: record.requestParameters.sourceIPAddress,
    reason: REASONS[record.eventName],
  });
}

/** The "Object Created" event EventBridge delivers for an S3 object. */
export function objectCreatedEvent(object: {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  time: string;
  region: string;
  sequencer?: string;
  requestId?: string;
  sourceIp?: string;
  reason?: ObjectCreatedEvent['detail']['reason'];
}): ObjectCreatedEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: object.time,
    region: object.region,
    resources: [`arn:aws:s3:::${object.bucket}`],
    detail: {
      version: '0',
      bucket: { name: object.bucket },
      object: {
        key: object.key,
        size: object.size,
        etag: object.etag,
        sequencer: object.sequencer ?? Date.now().toString(16).toUpperCase(),
      },
      'request-id': object.requestId ?? randomUUID(),
      requester: '000000000000',
      'source-ip-address': object.sourceIp ?? '127.0.0.1',
      reason: object.reason ?? 'PutObject',
    },
  };
}
