import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_S3_CREDENTIALS, type LocalS3, startLocalS3 } from '#infra/local/start-local-s3.ts';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import type { ObjectStore } from '#shared/ports.ts';

let s3: LocalS3;
let dataDir: string;
let store: ObjectStore;
const BUCKET = 'ingest';

/** An SDK client of the local S3 server, as the embedded runtime configures one. */
const localClient = () =>
  new S3Client({
    ...awsClientSettings({ region: 'ap-southeast-1' }),
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: LOCAL_S3_CREDENTIALS,
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'motcua-s3-'));
  s3 = await startLocalS3({ dataDir, buckets: [BUCKET] });
  store = createS3ObjectStore(localClient());
});

afterAll(async () => {
  await s3.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('S3 object store (against the local S3 server)', () => {
  it('puts, reads, heads and lists objects byte for byte', async () => {
    const body = new TextEncoder().encode('Giấy khai sinh — bản sao');
    await store.put(BUCKET, 'work/a/one.txt', body, { contentType: 'text/plain; charset=utf-8' });
    await store.put(BUCKET, 'work/a/two.txt', new Uint8Array([1, 2, 3]));
    expect(Buffer.from(await store.get(BUCKET, 'work/a/one.txt')).equals(Buffer.from(body))).toBe(true);
    expect((await store.head(BUCKET, 'work/a/one.txt'))?.size).toBe(body.byteLength);
    expect(await store.head(BUCKET, 'work/a/missing.txt')).toBeUndefined();
    const keys: string[] = [];
    for await (const item of store.list(BUCKET, 'work/a/')) keys.push(item.key);
    expect(keys.sort()).toEqual(['work/a/one.txt', 'work/a/two.txt']);
  });

  it('says the local server keeps no Object Lock state, rather than reporting an unlocked object', async () => {
    await store.put(BUCKET, 'work/a/locked.txt', new Uint8Array([1]));
    expect(await store.objectLock(BUCKET, 'work/a/locked.txt')).toBeUndefined();
  });

  it('writes a streamed object in multipart parts (or one PUT when small), byte for byte', async () => {
    // 19 MiB in odd-sized chunks: two full 8 MiB parts and a short last one.
    const body = new Uint8Array(19 * 1024 ** 2).map((_, index) => (index * 2654435761) >>> 24);
    async function* chunks(bytes: Uint8Array) {
      for (let offset = 0; offset < bytes.byteLength; offset += 777_777) {
        yield bytes.subarray(offset, offset + 777_777);
      }
    }
    const written = await store.putStream(BUCKET, 'exports/x/package.zip', chunks(body), {
      contentType: 'application/zip',
    });
    expect(written.size).toBe(body.byteLength);
    const read = await store.get(BUCKET, 'exports/x/package.zip');
    expect(createHash('sha256').update(read).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
    const small = await store.putStream(BUCKET, 'exports/x/small.json', chunks(body.subarray(0, 10)));
    expect(small.size).toBe(10);
    expect([...(await store.get(BUCKET, 'exports/x/small.json'))]).toEqual([...body.subarray(0, 10)]);
    const empty = await store.putStream(BUCKET, 'exports/x/empty', chunks(new Uint8Array()));
    expect(empty.size).toBe(0);
  });

  it('streams an object in pieces, byte for byte', async () => {
    const body = new Uint8Array(3 * 1024 ** 2).map((_, index) => (index * 2654435761) >>> 24);
    await store.put(BUCKET, 'work/stream/large.bin', body);
    const chunks: Uint8Array[] = [];
    for await (const chunk of await store.getStream(BUCKET, 'work/stream/large.bin')) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(Buffer.from(body))).toBe(true);
  });

  /** A store whose client keeps every GetObject response body, to see whether it was destroyed. */
  function storeKeepingBodies() {
    const bodies: Readable[] = [];
    const client = localClient();
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        bodies.push((result.response as { body: Readable }).body);
        return result;
      },
      { step: 'deserialize' },
    );
    return { store: createS3ObjectStore(client), bodies };
  }

  it('ends the download when the reader stops early', async () => {
    await store.put(BUCKET, 'work/stream/early.bin', new Uint8Array(2 * 1024 ** 2).fill(7));
    const { store: watched, bodies } = storeKeepingBodies();
    const stream = await watched.getStream(BUCKET, 'work/stream/early.bin');
    expect(stream.size).toBe(2 * 1024 ** 2);
    let read = 0;
    for await (const chunk of stream) {
      read += chunk.byteLength;
      break;
    }
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(2 * 1024 ** 2);
    await vi.waitFor(() => expect(bodies[0]?.destroyed).toBe(true), { timeout: 2000 });
    expect((await store.get(BUCKET, 'work/stream/early.bin')).byteLength).toBe(2 * 1024 ** 2);
  });

  it('gives the size before the body and ends the download unread when cancelled', async () => {
    await store.put(BUCKET, 'work/stream/unread.bin', new Uint8Array(3 * 1024 ** 2).fill(9));
    const { store: watched, bodies } = storeKeepingBodies();
    const stream = await watched.getStream(BUCKET, 'work/stream/unread.bin');
    expect(stream.size).toBe(3 * 1024 ** 2);
    expect(bodies[0]?.destroyed).toBe(false);
    stream.cancel();
    await vi.waitFor(() => expect(bodies[0]?.destroyed).toBe(true), { timeout: 2000 });
  });

  it('names the object a stream cannot be opened for', async () => {
    await expect(store.getStream(BUCKET, 'work/stream/never-written.bin')).rejects.toThrow(
      `s3://${BUCKET}/work/stream/never-written.bin does not exist`,
    );
  });

  it('tags an object, and says so when there is no such object', async () => {
    await store.put(BUCKET, 'work/a/tagged.txt', new Uint8Array([1]));
    expect(await store.tag(BUCKET, 'work/a/tagged.txt', { state: 'archived' })).toBe(true);
    expect(await store.tag(BUCKET, 'work/a/never-uploaded.txt', { state: 'archived' })).toBe(false);
  });

  it('asks for the version given (s3rver does not version, so it serves the only one)', async () => {
    const queries: Record<string, unknown>[] = [];
    const client = localClient();
    client.middlewareStack.add(
      (next) => async (args) => {
        queries.push({ ...(args.request as { query?: Record<string, unknown> }).query });
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    await store.put(BUCKET, 'work/stream/versioned.txt', new TextEncoder().encode('phiên bản'));
    const chunks: Uint8Array[] = [];
    const stream = await createS3ObjectStore(client).getStream(BUCKET, 'work/stream/versioned.txt', {
      versionId: 'v-42',
    });
    for await (const chunk of stream) chunks.push(chunk);
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe('phiên bản');
    expect(queries).toEqual([expect.objectContaining({ versionId: 'v-42' })]);
  });

  it('copies an object with new metadata, keys with spaces and Vietnamese letters included', async () => {
    const body = new TextEncoder().encode('bản gốc');
    await store.put(BUCKET, 'work/b/hồ sơ 1.txt', body);
    await store.copy(
      { bucket: BUCKET, key: 'work/b/hồ sơ 1.txt' },
      { bucket: BUCKET, key: 'archive/b/copy.txt' },
      { contentType: 'text/plain; charset=utf-8', metadata: { code: '038319001234.KS.01' } },
    );
    expect(Buffer.from(await store.get(BUCKET, 'archive/b/copy.txt')).equals(Buffer.from(body))).toBe(true);
    expect((await store.head(BUCKET, 'archive/b/copy.txt'))?.contentType).toBe('text/plain; charset=utf-8');
  });

  it('presigns a PUT bound to type and size that a plain HTTP client can use', async () => {
    const body = Buffer.from('%PDF-1.7 test body');
    const sha256Base64 = createHash('sha256').update(body).digest('base64');
    const { url, headers } = await store.presignPut(BUCKET, 'incoming/x/_/_/doc-1', {
      contentType: 'application/pdf',
      contentLength: body.byteLength,
      sha256Base64,
      expiresInSeconds: 300,
    });
    const signedHeaders = new URL(url).searchParams.get('X-Amz-SignedHeaders') ?? '';
    expect(signedHeaders.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'content-type', 'x-amz-checksum-sha256']),
    );
    expect(headers).toEqual({ 'content-type': 'application/pdf', 'x-amz-checksum-sha256': sha256Base64 });
    const response = await fetch(url, { method: 'PUT', headers, body });
    expect(response.status).toBe(200);
    expect(Buffer.from(await store.get(BUCKET, 'incoming/x/_/_/doc-1')).equals(body)).toBe(true);
  });

  it('presigns a GET that downloads the object', async () => {
    const url = await store.presignGet(BUCKET, 'work/a/two.txt', 60);
    const response = await fetch(url);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([1, 2, 3]);
  });
});
