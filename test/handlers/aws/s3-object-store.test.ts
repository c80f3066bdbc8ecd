import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';

const s3 = mockClient(S3Client);
const client = () =>
  new S3Client({
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });

/** A GetObject answer whose body reads as `bytes`. */
const answer = (bytes: number[]) =>
  ({
    Body: { transformToByteArray: async () => new Uint8Array(bytes) },
    $metadata: {},
  }) as unknown as GetObjectCommandOutput;

describe('S3 object store reads name the version', () => {
  beforeEach(() => s3.reset());

  it('sends GetObject with the VersionId asked for, and without one otherwise', async () => {
    s3.on(GetObjectCommand).resolves(answer([1, 2, 3]));
    const store = createS3ObjectStore(client());

    expect(await store.get('archive', 'a/b.pdf', { versionId: 'v-archived' })).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    await store.get('archive', 'a/b.pdf');

    const inputs = s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Bucket: 'archive', Key: 'a/b.pdf', VersionId: 'v-archived' },
      { Bucket: 'archive', Key: 'a/b.pdf', VersionId: undefined },
    ]);
  });

  it('signs a download URL of that version', async () => {
    const url = new URL(
      await createS3ObjectStore(client()).presignGet('archive', 'a/b.pdf', 300, { versionId: 'v-archived' }),
    );
    expect(url.searchParams.get('versionId')).toBe('v-archived');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
  });
});

describe('S3 object store reports Object Lock as storage holds it', () => {
  beforeEach(() => s3.reset());
  const s3Error = (name: string) =>
    new S3ServiceException({ name, $fault: 'client', $metadata: {}, message: name });

  it('reads retention and legal hold of the version asked for', async () => {
    s3.on(GetObjectRetentionCommand).resolves({
      Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date('2126-11-22T03:00:00.000Z') },
    });
    s3.on(GetObjectLegalHoldCommand).resolves({ LegalHold: { Status: 'ON' } });
    const state = await createS3ObjectStore(client()).objectLock('archive', 'a/b.pdf', { versionId: 'v1' });
    expect(state).toEqual({ mode: 'COMPLIANCE', retainUntil: '2126-11-22T03:00:00.000Z', legalHold: true });
    expect(s3.commandCalls(GetObjectRetentionCommand)[0]?.args[0].input).toEqual({
      Bucket: 'archive',
      Key: 'a/b.pdf',
      VersionId: 'v1',
    });
  });

  it('reports an unlocked object as unlocked, and storage without Object Lock as not reporting', async () => {
    s3.on(GetObjectRetentionCommand).rejects(s3Error('NoSuchObjectLockConfiguration'));
    s3.on(GetObjectLegalHoldCommand).rejects(s3Error('NoSuchObjectLockConfiguration'));
    expect(await createS3ObjectStore(client()).objectLock('ingest', 'a')).toEqual({
      mode: undefined,
      retainUntil: undefined,
      legalHold: false,
    });
    s3.reset();
    s3.on(GetObjectRetentionCommand).rejects(s3Error('NotImplemented'));
    s3.on(GetObjectLegalHoldCommand).rejects(s3Error('NotImplemented'));
    expect(await createS3ObjectStore(client()).objectLock('ingest', 'a')).toBeUndefined();
    s3.reset();
    s3.on(GetObjectRetentionCommand).rejects(s3Error('AccessDenied'));
    s3.on(GetObjectLegalHoldCommand).resolves({});
    await expect(createS3ObjectStore(client()).objectLock('ingest', 'a')).rejects.toThrow('AccessDenied');
  });
});
