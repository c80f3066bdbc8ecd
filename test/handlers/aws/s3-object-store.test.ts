import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
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
