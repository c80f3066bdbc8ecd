import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DocumentRecord, DocumentStatus } from '#shared/domain/document.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { ArchiveEntry, DocumentRepository } from '#shared/ports.ts';
import { DOCUMENTS_TABLE_INDEXES, DOCUMENTS_TABLE_SCHEMA } from './documents-table.ts';

const { statusIndex, agencyStatusIndex } = DOCUMENTS_TABLE_SCHEMA;
type IndexSchema = (typeof DOCUMENTS_TABLE_INDEXES)[number];
const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  ...DOCUMENTS_TABLE_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]),
];
/** How many documents' agencies a repository remembers (an agency never changes, so none goes stale). */
const REMEMBERED_AGENCIES = 1000;

const documentKey = (documentId: string) => ({ pk: `DOC#${documentId}`, sk: 'DOC' });
const statusPartition = (status: DocumentStatus) => `STATUS#${status}`;
const agencyStatusPartition = (agencyId: string, status: DocumentStatus) =>
  `AGENCY#${agencyId}#STATUS#${status}`;
/** Both indexes are ordered by the last change, so the reconciler can stop at the first recent one. */
const changeOrder = (updatedAt: string, documentId: string) => `${updatedAt}#${documentId}`;
const statusKeys = (status: DocumentStatus, updatedAt: string, documentId: string) => ({
  [statusIndex.partitionKey]: statusPartition(status),
  [statusIndex.sortKey]: changeOrder(updatedAt, documentId),
});
const agencyStatusKeys = (
  agencyId: string,
  status: DocumentStatus,
  updatedAt: string,
  documentId: string,
) => ({
  [agencyStatusIndex.partitionKey]: agencyStatusPartition(agencyId, status),
  [agencyStatusIndex.sortKey]: changeOrder(updatedAt, documentId),
});

/** Cursors are opaque to callers: the query's LastEvaluatedKey, base64url JSON. */
const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * The start key a cursor carries, accepted only as a key of this very query (its key attributes,
 * its partition): a cursor of another list, or a forged one, is a 400, never a DynamoDB error.
 */
function decodeCursor(
  cursor: string,
  keyNames: readonly string[],
  partition: { name: string; value: string },
): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) {
      const start = key as Record<string, unknown>;
      const shaped =
        Object.keys(start).length === keyNames.length &&
        keyNames.every((name) => typeof start[name] === 'string') &&
        start[partition.name] === partition.value;
      if (shaped) return start;
    }
  } catch {
    // Reported below.
  }
  throw new ValidationError('INVALID_CURSOR', 'the cursor is not one this list returned');
}

/** The criteria an archive index partition can answer, most selective first. */
const ARCHIVE_FACETS = [
  {
    criteria: ['ownerId', 'docType'],
    partition: (e: Facets) => `ARCHIVE#OWNER#${e.ownerId}#TYPE#${e.docType}`,
  },
  { criteria: ['ownerId'], partition: (e: Facets) => `ARCHIVE#OWNER#${e.ownerId}` },
  { criteria: ['dossierId'], partition: (e: Facets) => `ARCHIVE#DOSSIER#${e.dossierId}` },
  {
    criteria: ['agencyId', 'docType'],
    partition: (e: Facets) => `ARCHIVE#AGENCY#${e.agencyId}#TYPE#${e.docType}`,
  },
  { criteria: ['agencyId'], partition: (e: Facets) => `ARCHIVE#AGENCY#${e.agencyId}` },
  { criteria: ['docType'], partition: (e: Facets) => `ARCHIVE#TYPE#${e.docType}` },
] as const;
type Facet = 'ownerId' | 'docType' | 'dossierId' | 'agencyId';
type Facets = Partial<Record<Facet, string>>;
const FACET_NAMES: readonly Facet[] = ['ownerId', 'docType', 'dossierId', 'agencyId'];

/**
 * The items of an archive index entry: one by code, and one per search facet the entry belongs to,
 * sorted by when it was archived. The only layout of the index (the repository writes it; bulk
 * loads for tests and benchmarks reuse it).
 */
export function archiveIndexItems(entry: ArchiveEntry): Record<string, unknown>[] {
  const order = `${entry.archivedAt}#${entry.code}`;
  const facets = ARCHIVE_FACETS.filter(({ criteria }) => criteria.every((name) => entry[name]));
  return [
    { pk: `CODE#${entry.code}`, sk: 'ARCHIVE' },
    ...facets.map(({ partition }) => ({ pk: partition(entry), sk: order })),
  ].map((keys) => ({ ...keys, ...entry }));
}

function withoutKeys<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete copy[attribute];
  return copy as T;
}

/**
 * Document records and the archive index in one DynamoDB table (see DOCUMENTS_TABLE_SCHEMA).
 * Written without transactions: every write is idempotent or conditional, so a retried step
 * converges on the same state.
 */
export function createDynamoDbDocumentRepository(
  dynamodb: DynamoDBClient,
  tableName: string,
): DocumentRepository {
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  // The agency index's partition names the agency, which a status change does not carry: it is
  // remembered from reads and writes, and read (once, consistently) when not known.
  const agencies = new Map<string, string>();

  function remember<T extends Partial<DocumentRecord>>(record: T): T {
    if (record.documentId && record.agencyId) {
      agencies.delete(record.documentId);
      agencies.set(record.documentId, record.agencyId);
      if (agencies.size > REMEMBERED_AGENCIES) agencies.delete(agencies.keys().next().value ?? '');
    }
    return record;
  }

  async function agencyOf(documentId: string): Promise<string | undefined> {
    const known = agencies.get(documentId);
    if (known) return known;
    const response = await db.send(
      new GetCommand({
        TableName: tableName,
        Key: documentKey(documentId),
        ProjectionExpression: '#agencyId',
        ExpressionAttributeNames: { '#agencyId': 'agencyId' },
        ConsistentRead: true,
      }),
    );
    if (!response.Item) throw new NotFoundError(`document ${documentId} does not exist`);
    const agencyId = response.Item.agencyId;
    return typeof agencyId === 'string' ? remember({ documentId, agencyId }).agencyId : undefined;
  }

  async function queryPage(
    index: IndexSchema,
    partition: string,
    options: { limit?: number; cursor?: string; oldestFirst?: boolean },
  ): Promise<{ items: DocumentRecord[]; cursor?: string }> {
    const response = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: options.oldestFirst ?? false,
        Limit: options.limit ?? 100,
        ExclusiveStartKey: options.cursor
          ? decodeCursor(options.cursor, ['pk', 'sk', index.partitionKey, index.sortKey], {
              name: index.partitionKey,
              value: partition,
            })
          : undefined,
      }),
    );
    return {
      items: (response.Items ?? []).map((item) => remember(withoutKeys<DocumentRecord>(item))),
      cursor: response.LastEvaluatedKey ? encodeCursor(response.LastEvaluatedKey) : undefined,
    };
  }

  /**
   * Applies a patch to a document record when it exists and `condition` holds; both indexes follow
   * every change (a new status moves the record to other partitions, any change within them).
   * Attributes patched to undefined are removed.
   */
  async function applyPatch(
    documentId: string,
    patch: Partial<Omit<DocumentRecord, 'documentId'>>,
    condition: { expression: string; names: Record<string, string>; values: Record<string, unknown> },
  ): Promise<DocumentRecord> {
    const updatedAt = patch.updatedAt ?? new Date().toISOString();
    const fields: Record<string, unknown> = { ...patch, updatedAt };
    if (patch.status) {
      Object.assign(fields, statusKeys(patch.status, updatedAt, documentId));
      const agencyId = await agencyOf(documentId);
      if (agencyId) Object.assign(fields, agencyStatusKeys(agencyId, patch.status, updatedAt, documentId));
    } else {
      fields[statusIndex.sortKey] = changeOrder(updatedAt, documentId);
      fields[agencyStatusIndex.sortKey] = changeOrder(updatedAt, documentId);
    }
    const names: Record<string, string> = { ...condition.names };
    const values: Record<string, unknown> = { ...condition.values };
    const sets: string[] = [];
    const removes: string[] = [];
    Object.entries(fields).forEach(([name, value], index) => {
      names[`#f${index}`] = name;
      if (value === undefined) {
        removes.push(`#f${index}`);
      } else {
        values[`:v${index}`] = value;
        sets.push(`#f${index} = :v${index}`);
      }
    });
    const response = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: documentKey(documentId),
        UpdateExpression: [`SET ${sets.join(', ')}`, removes.length ? `REMOVE ${removes.join(', ')}` : '']
          .join(' ')
          .trim(),
        ConditionExpression: condition.expression
          ? `attribute_exists(pk) AND (${condition.expression})`
          : 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return remember(withoutKeys<DocumentRecord>(response.Attributes ?? {}));
  }

  return {
    async create(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...documentKey(record.documentId),
              ...statusKeys(record.status, record.updatedAt, record.documentId),
              ...agencyStatusKeys(record.agencyId, record.status, record.updatedAt, record.documentId),
              ...record,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        remember(record);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError('DOCUMENT_EXISTS', `document ${record.documentId} already exists`);
        }
        throw error;
      }
    },

    async get(documentId) {
      const response = await db.send(new GetCommand({ TableName: tableName, Key: documentKey(documentId) }));
      return response.Item ? remember(withoutKeys<DocumentRecord>(response.Item)) : undefined;
    },

    async update(documentId, patch, condition) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const conditions: string[] = [];
      const expected = condition?.status;
      if (expected?.length) {
        names['#cStatus'] = 'status';
        const placeholders = expected.map((status, index) => {
          values[`:cStatus${index}`] = status;
          return `:cStatus${index}`;
        });
        conditions.push(`#cStatus IN (${placeholders.join(', ')})`);
      }
      if (condition?.runId) {
        names['#cRunId'] = 'runId';
        values[':cRunId'] = condition.runId;
        conditions.push('#cRunId = :cRunId');
      }
      try {
        return await applyPatch(documentId, patch, { expression: conditions.join(' AND '), names, values });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const current = await this.get(documentId);
        if (!current) throw new NotFoundError(`document ${documentId} does not exist`);
        if (condition?.runId && current.runId !== condition.runId) {
          throw new ConflictError(
            'NOT_OWNER',
            `document ${documentId} is owned by run ${current.runId ?? 'none'}, not ${condition.runId}`,
          );
        }
        throw new ConflictError(
          'INVALID_STATUS',
          `document ${documentId} is ${current.status}; expected ${expected?.join(' or ')}`,
        );
      }
    },

    async claim(documentId, runId, at) {
      try {
        return await applyPatch(
          documentId,
          { status: 'PROCESSING', runId, updatedAt: at, expiresAt: undefined },
          {
            expression: '#cStatus = :cAwaiting OR (#cStatus = :cProcessing AND #cRunId = :cRunId)',
            names: { '#cStatus': 'status', '#cRunId': 'runId' },
            values: { ':cAwaiting': 'AWAITING_UPLOAD', ':cProcessing': 'PROCESSING', ':cRunId': runId },
          },
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const current = await this.get(documentId);
        if (!current) throw new NotFoundError(`document ${documentId} does not exist`);
        throw new ConflictError(
          'NOT_OWNER',
          `document ${documentId} is ${current.status}, owned by run ${current.runId ?? 'none'}, not ${runId}`,
        );
      }
    },

    async nextSequence(ownerId, docType) {
      const response = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: `SEQ#${ownerId}#${docType}`, sk: 'SEQ' },
          UpdateExpression: 'ADD #seq :one',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(response.Attributes?.seq);
    },

    async claimCode(code, documentId) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `CODE#${code}`, sk: 'CODE', code, documentId },
            ConditionExpression: 'attribute_not_exists(pk) OR documentId = :documentId',
            ExpressionAttributeValues: { ':documentId': documentId },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async putArchiveEntry(entry) {
      // Each put is idempotent, so a resumed archive step converges on the same items.
      await Promise.all(
        archiveIndexItems(entry).map((Item) => db.send(new PutCommand({ TableName: tableName, Item }))),
      );
    },

    async findArchiveByCode(code) {
      const response = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: `CODE#${code}`, sk: 'ARCHIVE' } }),
      );
      return response.Item ? withoutKeys<ArchiveEntry>(response.Item) : undefined;
    },

    async readArchiveIndex(entry) {
      return Promise.all(
        archiveIndexItems(entry).map(async ({ pk, sk }) => {
          const response = await db.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }));
          return {
            item: `${String(pk)} ${String(sk)}`,
            entry: response.Item ? withoutKeys<ArchiveEntry>(response.Item) : undefined,
          };
        }),
      );
    },

    async searchArchive(query) {
      const inRange = (entry: ArchiveEntry) =>
        (!query.archivedFrom || entry.archivedAt >= query.archivedFrom) &&
        (!query.archivedTo || entry.archivedAt <= query.archivedTo);
      const matches = (entry: ArchiveEntry) =>
        FACET_NAMES.every((name) => !query[name] || entry[name] === query[name]) && inRange(entry);
      if (query.code) {
        const entry = await this.findArchiveByCode(query.code);
        return { items: entry && matches(entry) ? [entry] : [] };
      }
      const facet = ARCHIVE_FACETS.find(({ criteria }) => criteria.every((name) => query[name]));
      if (!facet)
        throw new ValidationError('MISSING_CRITERION', 'name a code, owner, dossier, agency or type');
      const partition = facet.partition(query);
      const residual = FACET_NAMES.filter(
        (name) => query[name] && !(facet.criteria as readonly string[]).includes(name),
      );
      const names: Record<string, string> = { '#pk': 'pk', '#sk': 'sk' };
      const values: Record<string, unknown> = {
        ':pk': partition,
        ':from': query.archivedFrom ?? '0',
        // Inclusive of every code archived at the last instant of the range.
        ':to': `${query.archivedTo ?? '9'}#\uffff`,
      };
      for (const name of residual) {
        names[`#${name}`] = name;
        values[`:${name}`] = query[name];
      }
      const response = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          FilterExpression: residual.length
            ? residual.map((name) => `#${name} = :${name}`).join(' AND ')
            : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: query.limit,
          ExclusiveStartKey: query.cursor
            ? decodeCursor(query.cursor, ['pk', 'sk'], { name: 'pk', value: partition })
            : undefined,
        }),
      );
      return {
        items: (response.Items ?? []).map((item) => withoutKeys<ArchiveEntry>(item)),
        cursor: response.LastEvaluatedKey ? encodeCursor(response.LastEvaluatedKey) : undefined,
      };
    },

    async listByStatus(status, options = {}) {
      return queryPage(statusIndex, statusPartition(status), options);
    },

    async listByAgencyAndStatus(agencyId, status, options = {}) {
      return queryPage(agencyStatusIndex, agencyStatusPartition(agencyId, status), options);
    },
  };
}
