import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_S3_CREDENTIALS,
  type LocalS3,
  type ObjectCreatedEvent,
  startLocalS3,
} from '#infra/local/start-local-s3.ts';

describe('startLocalS3', () => {
  let dataDir: string;
  let s3server: LocalS3;
  let s3: S3Client;
  const events: ObjectCreatedEvent[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-s3-'));
    s3server = await startLocalS3({ dataDir, buckets: ['ingest', 'archive'], port: 0 });
    s3server.onObjectCreated((event) => events.push(event));
    s3 = new S3Client({
      endpoint: s3server.endpoint,
      region: 'ap-southeast-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: LOCAL_S3_CREDENTIALS,
    });
  });

  afterAll(async () => {
    s3.destroy();
    await s3server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores the exact bytes of a presigned PUT made with fetch and emits one Object Created event', async () => {
    const body = new Uint8Array(randomBytes(70_001));
    const key = 'incoming/000.17.22.H56/d1/c1/3f0e5c1a-scan with space.pdf';
    const sha256 = createHash('sha256').update(body).digest('base64');
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: 'ingest',
        Key: key,
        ContentType: 'application/pdf',
        ContentLength: body.byteLength,
        ChecksumSHA256: sha256,
      }),
      {
        expiresIn: 900,
        signableHeaders: new Set(['content-type', 'content-length']),
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      },
    );
    events.length = 0;

    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf', 'x-amz-checksum-sha256': sha256 },
      body,
    });

    expect(response.status).toBe(200);
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'ingest', Key: key }));
    const bytes = await stored.Body?.transformToByteArray();
    expect(Buffer.from(bytes ?? []).equals(Buffer.from(body))).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      'detail-type': 'Object Created',
      source: 'aws.s3',
      region: 'ap-southeast-1',
      detail: { bucket: { name: 'ingest' }, object: { key, size: body.byteLength }, reason: 'PutObject' },
    });
    expect(events[0]?.detail.object.etag).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('lists objects by prefix with ListObjectsV2', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'signed/a.pdf', Body: 'a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'text/a.txt', Body: 'b' }));

    const page = await s3.send(new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'signed/' }));

    expect(page.Contents?.map((item) => item.Key)).toEqual(['signed/a.pdf']);
  });

  it('sees a bucket created and deleted after a request found it missing, though it keeps buckets in memory', async () => {
    const put = () => s3.send(new PutObjectCommand({ Bucket: 'later', Key: 'a.txt', Body: 'a' }));
    await expect(put()).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await s3.send(new CreateBucketCommand({ Bucket: 'later' }));
    await expect(put()).resolves.toBeDefined();
    await s3.send(new DeleteObjectCommand({ Bucket: 'later', Key: 'a.txt' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'later' }));
    await expect(put()).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it("applies a bucket's CORS configuration as soon as it is set, and its removal too", async () => {
    const preflight = () =>
      fetch(`${s3server.endpoint}/ingest/incoming/a.pdf`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'PUT' },
      });
    expect((await preflight()).status).toBe(403);
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'ingest',
        CORSConfiguration: {
          CORSRules: [{ AllowedOrigins: ['http://localhost:5173'], AllowedMethods: ['PUT'] }],
        },
      }),
    );
    const allowed = await preflight();
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).not.toBeNull();
    await s3.send(new DeleteBucketCorsCommand({ Bucket: 'ingest' }));
    expect((await preflight()).status).toBe(403);
  });

  it('gives a copy made with new metadata the ETag of its bytes, over an older object too', async () => {
    const body = new Uint8Array(randomBytes(50_000));
    const md5 = `"${createHash('md5').update(body).digest('hex')}"`;
    await s3.send(new PutObjectCommand({ Bucket: 'ingest', Key: 'work/copy/source', Body: body }));
    await s3.send(new PutObjectCommand({ Bucket: 'archive', Key: 'copy/target', Body: 'older' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'archive',
        Key: 'copy/target',
        CopySource: 'ingest/work/copy/source',
        MetadataDirective: 'REPLACE',
        Metadata: { code: '038319001234.KS.01' },
        ContentType: 'application/pdf',
      }),
    );
    const copy = await s3.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'copy/target' }));
    expect(copy.ETag).toBe(md5);
    expect(copy.Metadata).toEqual({ code: '038319001234.KS.01' });
    const bytes = await (
      await s3.send(new GetObjectCommand({ Bucket: 'archive', Key: 'copy/target' }))
    ).Body?.transformToByteArray();
    expect(Buffer.from(bytes ?? []).equals(Buffer.from(body))).toBe(true);
  });
});
