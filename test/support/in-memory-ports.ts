import type { DocumentRecord, DocumentStatus } from '#shared/domain/document.ts';
import { ConflictError, NotFoundError } from '#shared/domain/errors.ts';
import type { ArchiveEntry, DocumentRepository, ObjectStore } from '#shared/ports.ts';

/** A DocumentRepository in memory with the same conditional semantics as the DynamoDB one. */
export function createInMemoryRepository(): DocumentRepository & { claims: Map<string, string> } {
  const records = new Map<string, DocumentRecord>();
  const sequences = new Map<string, number>();
  const claims = new Map<string, string>();
  const archive: ArchiveEntry[] = [];
  return {
    claims,
    async create(record) {
      if (records.has(record.documentId)) throw new ConflictError('DOCUMENT_EXISTS', record.documentId);
      records.set(record.documentId, structuredClone(record));
    },
    async get(documentId) {
      const record = records.get(documentId);
      return record && structuredClone(record);
    },
    async update(documentId, patch, expected?: readonly DocumentStatus[]) {
      const current = records.get(documentId);
      if (!current) throw new NotFoundError(documentId);
      if (expected && !expected.includes(current.status)) {
        throw new ConflictError('INVALID_STATUS', `${documentId} is ${current.status}`);
      }
      const next = { ...current, ...patch } as DocumentRecord;
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
      }
      records.set(documentId, next);
      return structuredClone(next);
    },
    async nextSequence(ownerId, docType) {
      const next = (sequences.get(`${ownerId}#${docType}`) ?? 0) + 1;
      sequences.set(`${ownerId}#${docType}`, next);
      return next;
    },
    async claimCode(code, documentId) {
      const holder = claims.get(code);
      if (holder && holder !== documentId) return false;
      claims.set(code, documentId);
      return true;
    },
    async putArchiveEntry(entry) {
      archive.push(entry);
    },
    async findArchiveByCode(code) {
      return archive.find((entry) => entry.code === code);
    },
    async findArchiveByOwner(ownerId) {
      return archive.filter((entry) => entry.ownerId === ownerId);
    },
    async findArchiveByDossier(dossierId) {
      return archive.filter((entry) => entry.dossierId === dossierId);
    },
    async listByStatus(status) {
      return [...records.values()].filter((record) => record.status === status);
    },
  };
}

/** Chunk size of the in-memory store's streams: S3 bodies arrive in pieces too, never whole. */
export const STREAM_CHUNK_BYTES = 64 * 1024;

/** An ObjectStore in memory; `writes` records every stored object with its options. */
export function createInMemoryObjectStore(): ObjectStore & {
  writes: Map<string, { body: Uint8Array; retainUntil?: Date }>;
} {
  const writes = new Map<string, { body: Uint8Array; retainUntil?: Date }>();
  const read = (bucket: string, key: string) => {
    const object = writes.get(`${bucket}/${key}`);
    if (!object) throw new Error(`NoSuchKey: ${bucket}/${key}`);
    return object.body;
  };
  return {
    writes,
    async get(bucket, key) {
      return read(bucket, key);
    },
    async getStream(bucket, key) {
      const body = read(bucket, key);
      return (async function* () {
        for (let offset = 0; offset < body.byteLength; offset += STREAM_CHUNK_BYTES) {
          yield body.subarray(offset, offset + STREAM_CHUNK_BYTES);
        }
      })();
    },
    async getRange(bucket, key, length) {
      return read(bucket, key).subarray(0, length);
    },
    async head(bucket, key) {
      const object = writes.get(`${bucket}/${key}`);
      return object && { size: object.body.byteLength };
    },
    async put(bucket, key, body, options = {}) {
      writes.set(`${bucket}/${key}`, { body, retainUntil: options.retainUntil });
    },
    async copy(source, target, options = {}) {
      writes.set(`${target.bucket}/${target.key}`, {
        body: read(source.bucket, source.key),
        retainUntil: options.retainUntil,
      });
    },
    async *list(bucket, prefix) {
      for (const [path, object] of writes) {
        if (path.startsWith(`${bucket}/${prefix}`)) {
          yield { key: path.slice(bucket.length + 1), size: object.body.byteLength };
        }
      }
    },
    async presignPut(bucket, key) {
      return { url: `memory://${bucket}/${key}`, headers: {} };
    },
    async presignGet(bucket, key) {
      return `memory://${bucket}/${key}`;
    },
  };
}
