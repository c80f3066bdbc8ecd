import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectInfo, ObjectStore } from '#shared/ports.ts';

/** Compliance-mode retention; S3 requires a payload checksum on writes that carry it. */
function objectLock(retainUntil: Date | undefined) {
  return retainUntil
    ? {
        ObjectLockMode: 'COMPLIANCE' as const,
        ObjectLockRetainUntilDate: retainUntil,
        ChecksumAlgorithm: 'SHA256' as const,
      }
    : {};
}

/** Part size of streamed writes: S3's minimum is 5 MiB; 8 MiB keeps 10,000 parts above 78 GiB. */
const PART_BYTES = 8 * 1024 * 1024;

/** Collects chunks into parts of exactly `size` bytes (the last one shorter). */
async function* parts(chunks: AsyncIterable<Uint8Array>, size: number): AsyncIterable<Uint8Array> {
  let buffered: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    let rest = chunk;
    while (length + rest.byteLength >= size) {
      const take = size - length;
      buffered.push(rest.subarray(0, take));
      yield Buffer.concat(buffered);
      rest = rest.subarray(take);
      buffered = [];
      length = 0;
    }
    if (rest.byteLength > 0) {
      buffered.push(rest);
      length += rest.byteLength;
    }
  }
  if (length > 0) yield Buffer.concat(buffered);
}

/**
 * ObjectStore over S3. The client must be built with `requestChecksumCalculation: 'WHEN_REQUIRED'`
 * (see createAwsClients) so that presigned PUTs carry only the checksum the uploader declared.
 */
export function createS3ObjectStore(s3: S3Client): ObjectStore {
  return {
    async get(bucket, key, options = {}) {
      const response = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }),
      );
      if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return response.Body.transformToByteArray();
    },

    async getStream(bucket, key, options = {}) {
      const response = await s3
        .send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }))
        .catch((error: unknown) => {
          if (!(error instanceof NoSuchKey)) throw error;
          throw new Error(`s3://${bucket}/${key} does not exist`, { cause: error });
        });
      const body: unknown = response.Body;
      if (!body || typeof body !== 'object' || !(Symbol.asyncIterator in body)) {
        throw new Error(`s3://${bucket}/${key} has no readable body`);
      }
      // In Node the body is an http.IncomingMessage: leaving its iterator early destroys the socket.
      const chunks = body as AsyncIterable<Uint8Array> & { destroy?: () => void };
      return {
        size: response.ContentLength ?? 0,
        cancel: () => chunks.destroy?.(),
        [Symbol.asyncIterator]: () => chunks[Symbol.asyncIterator](),
      };
    },

    async head(bucket, key, options = {}) {
      try {
        const response = await s3.send(
          new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }),
        );
        return {
          size: response.ContentLength ?? 0,
          etag: response.ETag,
          versionId: response.VersionId,
          contentType: response.ContentType,
          lastModified: response.LastModified,
          metadata: response.Metadata,
        };
      } catch (error) {
        if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },

    async put(bucket, key, body, options = {}) {
      const response = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          Metadata: options.metadata,
          ...objectLock(options.retainUntil),
        }),
      );
      return { versionId: response.VersionId };
    },

    async putStream(bucket, key, chunks, options = {}) {
      const iterator = parts(chunks, PART_BYTES)[Symbol.asyncIterator]();
      const first = await iterator.next();
      const firstPart = first.done ? new Uint8Array() : first.value;
      const second = first.done ? first : await iterator.next();
      const common = {
        Bucket: bucket,
        Key: key,
        ContentType: options.contentType,
        Metadata: options.metadata,
      };
      if (second.done) {
        const response = await s3.send(new PutObjectCommand({ ...common, Body: firstPart }));
        return { versionId: response.VersionId, size: firstPart.byteLength };
      }
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand(common));
      const uploaded: { ETag?: string; PartNumber: number }[] = [];
      let size = 0;
      try {
        const upload = async (body: Uint8Array) => {
          const PartNumber = uploaded.length + 1;
          uploaded.push({ PartNumber });
          const response = await s3.send(
            new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body }),
          );
          uploaded[PartNumber - 1] = { PartNumber, ETag: response.ETag };
          size += body.byteLength;
        };
        await upload(firstPart);
        let next: IteratorResult<Uint8Array> = second;
        for (; !next.done; next = await iterator.next()) await upload(next.value);
        const response = await s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            MultipartUpload: { Parts: uploaded },
          }),
        );
        return { versionId: response.VersionId, size };
      } catch (error) {
        await s3
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }))
          .catch(() => undefined);
        throw error;
      }
    },

    async copy(source, target, options = {}) {
      const path = `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
      const response = await s3.send(
        new CopyObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          CopySource: source.versionId ? `${path}?versionId=${encodeURIComponent(source.versionId)}` : path,
          MetadataDirective: 'REPLACE',
          ContentType: options.contentType,
          Metadata: options.metadata,
          ...objectLock(options.retainUntil),
        }),
      );
      return { versionId: response.VersionId };
    },

    async objectLock(bucket, key, options = {}) {
      const target = { Bucket: bucket, Key: key, VersionId: options.versionId };
      const absent = (error: unknown) => {
        const name = (error as { name?: string }).name ?? '';
        if (name === 'NotImplemented') return 'unsupported' as const;
        if (/NoSuchObjectLockConfiguration|ObjectLockConfigurationNotFound|InvalidRequest/.test(name)) {
          return 'none' as const;
        }
        throw error;
      };
      const [retention, legalHold] = await Promise.all([
        s3.send(new GetObjectRetentionCommand(target)).catch(absent),
        s3.send(new GetObjectLegalHoldCommand(target)).catch(absent),
      ]);
      if (retention === 'unsupported' || legalHold === 'unsupported') return undefined;
      const mode = retention === 'none' ? undefined : retention.Retention?.Mode;
      const until = retention === 'none' ? undefined : retention.Retention?.RetainUntilDate;
      return {
        mode: mode === 'COMPLIANCE' || mode === 'GOVERNANCE' ? mode : undefined,
        retainUntil: until ? new Date(until).toISOString() : undefined,
        legalHold: legalHold !== 'none' && legalHold.LegalHold?.Status === 'ON',
      };
    },

    async tag(bucket, key, tags, options = {}) {
      try {
        await s3.send(
          new PutObjectTaggingCommand({
            Bucket: bucket,
            Key: key,
            VersionId: options.versionId,
            Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          }),
        );
        return true;
      } catch (error) {
        // PutObjectTagging does not model NoSuchKey: the error comes by name only.
        if ((error as { name?: unknown }).name === 'NoSuchKey') return false;
        throw error;
      }
    },

    async *list(bucket, prefix) {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of page.Contents ?? []) {
          if (!item.Key) continue;
          const info: ObjectInfo = { size: item.Size ?? 0, etag: item.ETag, lastModified: item.LastModified };
          yield { key: item.Key, ...info };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },

    async presignPut(bucket, key, request) {
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: request.contentType,
        ContentLength: request.contentLength,
        ChecksumSHA256: request.sha256Base64,
      });
      const url = await getSignedUrl(s3, command, {
        expiresIn: request.expiresInSeconds,
        signableHeaders: new Set(['content-type', 'content-length']),
        // Kept as a header (not a query parameter) so that S3 verifies the body against it.
        unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
      });
      return {
        url,
        headers: { 'content-type': request.contentType, 'x-amz-checksum-sha256': request.sha256Base64 },
      };
    },

    async presignGet(bucket, key, expiresInSeconds, options = {}) {
      return getSignedUrl(
        s3,
        new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }),
        { expiresIn: expiresInSeconds },
      );
    },
  };
}
