import type { DocumentRecord } from '#shared/domain/document.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
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
    async update(documentId, patch, condition) {
      const current = records.get(documentId);
      if (!current) throw new NotFoundError(documentId);
      if (condition?.status && !condition.status.includes(current.status)) {
        throw new ConflictError('INVALID_STATUS', `${documentId} is ${current.status}`);
      }
      if (condition?.runId && condition.runId !== current.runId) {
        throw new ConflictError('NOT_OWNER', `${documentId} is owned by ${current.runId}`);
      }
      const next = { ...current, ...patch } as DocumentRecord;
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) delete (next as unknown as Record<string, unknown>)[key];
      }
      records.set(documentId, next);
      return structuredClone(next);
    },
    async claim(documentId, runId, at) {
      const current = records.get(documentId);
      if (!current) throw new NotFoundError(documentId);
      const free = current.status === 'AWAITING_UPLOAD';
      const own = current.status === 'PROCESSING' && current.runId === runId;
      if (!free && !own) throw new ConflictError('NOT_OWNER', `${documentId} is ${current.status}`);
      const next: DocumentRecord = { ...current, status: 'PROCESSING', runId, updatedAt: at };
      delete next.expiresAt;
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
      const index = archive.findIndex((existing) => existing.code === entry.code);
      if (index >= 0) archive[index] = entry;
      else archive.push(entry);
    },
    async findArchiveByCode(code) {
      return archive.find((entry) => entry.code === code);
    },
    // One copy of each entry, so the only item is the entry itself.
    async readArchiveIndex(entry) {
      return [{ item: `CODE#${entry.code}`, entry: archive.find((stored) => stored.code === entry.code) }];
    },
    async searchArchive(query) {
      const order = (entry: ArchiveEntry) => `${entry.archivedAt}#${entry.code}`;
      const facets = ['code', 'ownerId', 'docType', 'dossierId', 'agencyId'] as const;
      const matching = archive
        .filter((entry) => facets.every((name) => !query[name] || entry[name] === query[name]))
        .filter((entry) => !query.archivedFrom || entry.archivedAt >= query.archivedFrom)
        .filter((entry) => !query.archivedTo || entry.archivedAt <= query.archivedTo)
        .filter((entry) => query.cursor === undefined || order(entry) < query.cursor)
        .sort((a, b) => order(b).localeCompare(order(a)));
      const items = matching.slice(0, query.limit);
      const last = items.at(-1);
      return { items, cursor: last && matching.length > items.length ? order(last) : undefined };
    },
    async listByStatus(status, options = {}) {
      // Keyset pages, as DynamoDB's LastEvaluatedKey: a record that moves while paging is seen where it now is.
      const order = options.oldestFirst ? 1 : -1;
      const sortKey = (record: DocumentRecord) => `${record.updatedAt}#${record.documentId}`;
      const after = options.cursor;
      const matching = [...records.values()]
        .filter((record) => record.status === status)
        .filter((record) => after === undefined || order * sortKey(record).localeCompare(after) > 0)
        .sort((a, b) => order * sortKey(a).localeCompare(sortKey(b)));
      const items = matching.slice(0, options.limit ?? 100).map((record) => structuredClone(record));
      const last = items.at(-1);
      return { items, cursor: last && matching.length > items.length ? sortKey(last) : undefined };
    },
    async listByAgencyAndStatus(agencyId, status, options = {}) {
      // Cursors name their list, as the DynamoDB adapter's do: one of another list is INVALID_CURSOR.
      const list = `${agencyId}#${status}`;
      const order = options.oldestFirst ? 1 : -1;
      const sortKey = (record: DocumentRecord) => `${record.updatedAt}#${record.documentId}`;
      let after: string | undefined;
      if (options.cursor !== undefined) {
        const [cursorList, cursorAfter] = (() => {
          try {
            return JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) as unknown[];
          } catch {
            return [];
          }
        })();
        if (cursorList !== list || typeof cursorAfter !== 'string') {
          throw new ValidationError('INVALID_CURSOR', 'the cursor is not one this list returned');
        }
        after = cursorAfter;
      }
      const matching = [...records.values()]
        .filter((record) => record.agencyId === agencyId && record.status === status)
        .filter((record) => after === undefined || order * sortKey(record).localeCompare(after) > 0)
        .sort((a, b) => order * sortKey(a).localeCompare(sortKey(b)));
      const items = matching.slice(0, options.limit ?? 100).map((record) => structuredClone(record));
      const last = items.at(-1);
      const cursor =
        last && matching.length > items.length
          ? Buffer.from(JSON.stringify([list, sortKey(last)])).toString('base64url')
          : undefined;
      return { items, cursor };
    },
  };
}

/** An object of the in-memory store, with what was written beside its bytes. */
export interface StoredObject {
  body: Uint8Array;
  retainUntil?: Date;
  metadata?: Record<string, string>;
  versionId?: string;
  tags?: Record<string, string>;
}

/** Chunk size of the in-memory store's streams: S3 bodies arrive in pieces too, never whole. */
export const STREAM_CHUNK_BYTES = 64 * 1024;

/**
 * An ObjectStore in memory; `writes` records every stored object with its options (the current
 * version), `versions` every version written, by `{bucket}/{key}#{versionId}`.
 */
export function createInMemoryObjectStore(): ObjectStore & {
  writes: Map<string, StoredObject>;
  versions: Map<string, StoredObject>;
} {
  const writes = new Map<string, StoredObject>();
  const history = new Map<string, StoredObject>();
  let versions = 0;
  const read = (bucket: string, key: string) => {
    const object = writes.get(`${bucket}/${key}`);
    if (!object) throw new Error(`NoSuchKey: ${bucket}/${key}`);
    return object.body;
  };
  const readVersion = (bucket: string, key: string, versionId: string) => {
    const object = history.get(`${bucket}/${key}#${versionId}`);
    if (!object) throw new Error(`NoSuchVersion: ${bucket}/${key}#${versionId}`);
    return object.body;
  };
  // Every version stays readable by its id, as in a versioned bucket.
  const write = (bucket: string, key: string, object: StoredObject) => {
    writes.set(`${bucket}/${key}`, object);
    history.set(`${bucket}/${key}#${object.versionId}`, object);
  };
  return {
    writes,
    versions: history,
    async get(bucket, key, options = {}) {
      return options.versionId === undefined
        ? read(bucket, key)
        : readVersion(bucket, key, options.versionId);
    },
    async getStream(bucket, key, options = {}) {
      const body =
        options.versionId === undefined ? read(bucket, key) : readVersion(bucket, key, options.versionId);
      let cancelled = false;
      return {
        size: body.byteLength,
        cancel: () => {
          cancelled = true;
        },
        async *[Symbol.asyncIterator]() {
          for (let offset = 0; offset < body.byteLength && !cancelled; offset += STREAM_CHUNK_BYTES) {
            yield body.subarray(offset, offset + STREAM_CHUNK_BYTES);
          }
        },
      };
    },
    async head(bucket, key, options = {}) {
      const object =
        options.versionId === undefined
          ? writes.get(`${bucket}/${key}`)
          : history.get(`${bucket}/${key}#${options.versionId}`);
      return (
        object && { size: object.body.byteLength, metadata: object.metadata, versionId: object.versionId }
      );
    },
    async put(bucket, key, body, options = {}) {
      const versionId = `v${++versions}`;
      write(bucket, key, {
        body,
        retainUntil: options.retainUntil,
        metadata: options.metadata,
        versionId,
      });
      return { versionId };
    },
    async putStream(bucket, key, chunks, options = {}) {
      const parts: Uint8Array[] = [];
      for await (const chunk of chunks) parts.push(chunk);
      const body = new Uint8Array(Buffer.concat(parts));
      const versionId = `v${++versions}`;
      write(bucket, key, { body, metadata: options.metadata, versionId });
      return { versionId, size: body.byteLength };
    },
    async copy(source, target, options = {}) {
      const versionId = `v${++versions}`;
      write(target.bucket, target.key, {
        body: read(source.bucket, source.key),
        retainUntil: options.retainUntil,
        metadata: options.metadata,
        versionId,
      });
      return { versionId };
    },
    async objectLock(bucket, key) {
      const object = writes.get(`${bucket}/${key}`);
      if (!object) throw new Error(`NoSuchKey: ${bucket}/${key}`);
      return object.retainUntil
        ? { mode: 'COMPLIANCE' as const, retainUntil: object.retainUntil.toISOString(), legalHold: false }
        : { legalHold: false };
    },
    async tag(bucket, key, tags) {
      const object = writes.get(`${bucket}/${key}`);
      if (!object) return false;
      object.tags = { ...tags };
      return true;
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
    async presignGet(bucket, key, _seconds, options = {}) {
      const version =
        options.versionId === undefined ? '' : `?versionId=${encodeURIComponent(options.versionId)}`;
      return `memory://${bucket}/${key}${version}`;
    },
  };
}
