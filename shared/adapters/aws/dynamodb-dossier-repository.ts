import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandInput,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  decodeListCursor,
  dossierListFingerprint,
  encodeListCursor,
  listFingerprint,
} from '#shared/adapters/list-cursor.ts';
import { dateOfDay, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import { DOSSIER_STATUS, type Dossier, type DossierStatus } from '#shared/domain/dossiers/dossier.ts';
import { type AttentionList, stepAttentionDue } from '#shared/domain/dossiers/dossier-attention.ts';
import {
  type DossierSummary,
  dossierListKey,
  isOpenStep,
  SUMMARISED_FIELDS,
  type SummarisedFields,
  summariseDossier,
} from '#shared/domain/dossiers/dossier-summary.ts';
import { ConflictError, NotFoundError } from '#shared/domain/errors.ts';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import { staleKpiDays } from '#shared/domain/kpi/kpi-stale-days.ts';
import type {
  DossierQueue,
  DossierRepository,
  IdempotencyRecord,
  OpenStepRef,
  Page,
} from '#shared/ports/dossier-repository.ts';
import { DOCUMENTS_TABLE_SCHEMA } from './documents-table.ts';
import { markStaleKpiDays } from './dynamodb-kpi-stale-days.ts';

const { statusIndex, agencyStatusIndex } = DOCUMENTS_TABLE_SCHEMA;
type IndexSchema = typeof statusIndex | typeof agencyStatusIndex;

const dossierKey = (code: string) => ({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' });
const attentionKey = (unitId: string, day: string, part: number) => ({
  pk: `ATTENTION#${unitId}`,
  sk: `DAY#${day}#PART#${String(part).padStart(4, '0')}`,
});
/** Items per part of an attention list: a part stays far below DynamoDB's 400 KB item limit. */
const ATTENTION_PART_SIZE = 500;
/** Sort keys are `{dueAt}#…` with an ISO instant: every one lies between these two bounds. */
const LOWEST_KEY = '0';
const HIGHEST_KEY = '~';
/** The gsi1 partition of every open step that has a statutory end (the overdue sweep's). */
const OPEN_STEPS_PARTITION = 'DOSSIER#OPENSTEPS';

/**
 * Where each queue's dossiers sit, per status: the province's and a competent unit's lists are the
 * dossier items' own index entries; a receiving unit's and a step agency's are queue items'.
 */
const QUEUE_INDEXES = {
  province: { index: statusIndex, source: 'dossier' },
  competent: { index: agencyStatusIndex, source: 'dossier' },
  received: { index: agencyStatusIndex, source: 'queue' },
  'open-steps': { index: agencyStatusIndex, source: 'queue' },
} as const;

function queuePartition(queue: DossierQueue, status: DossierStatus): string {
  switch (queue.kind) {
    case 'province':
      return `DOSSIER#STATUS#${status}`;
    case 'competent':
      return `DOSSIER#UNIT#${queue.unitId}#STATUS#${status}`;
    case 'received':
      return `DOSSIER#RECEIVED#${queue.unitId}#STATUS#${status}`;
    case 'open-steps':
      return `DOSSIER#STEPS#${queue.unitId}#STATUS#${status}`;
  }
}
/**
 * A dossier's entry in a day's bucket (`KPIDAY#{yyyy-MM-dd}` / `DOSSIER#{code}`): a pointer, no
 * copy, so a save rewrites a few small items and the rollup reads the dossiers themselves.
 */
const dayBucketKey = (day: string, code: string) => ({ pk: `KPIDAY#${day}`, sk: `DOSSIER#${code}` });
const DAY_BUCKET_PREFIX = 'DOSSIER#';
/** Most keys one BatchGetItem takes. */
const BATCH_GET_SIZE = 100;
/** Most items one BatchWriteItem takes. */
const BATCH_WRITE_SIZE = 25;

const counterKey = (unitId: string, day: string) => ({ pk: `DOSSIERSEQ#${unitId}#${day}`, sk: 'SEQ' });
const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' });

function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = item;
  return rest as T;
}

/** A dossier item: its key and its place in the status lists (province-wide and per competent unit), by due date. */
const dossierItem = (dossier: Dossier) => ({
  ...dossierKey(dossier.code),
  ...dossier,
  gsi1pk: queuePartition({ kind: 'province' }, dossier.status),
  gsi1sk: dossierListKey(dossier),
  gsi2pk: queuePartition({ kind: 'competent', unitId: dossier.competentAgencyId }, dossier.status),
  gsi2sk: dossierListKey(dossier),
});

/**
 * The small items that put a dossier in the lists its own item cannot be in (an item has one entry
 * per index), each with the dossier's summary and version:
 * - `QUEUE#RECEIVED`: gsi2 `DOSSIER#RECEIVED#{receivingUnitId}#STATUS#{status}` / `{dueAt}#{code}`
 * - `QUEUE#STEP#{stepId}` for each step that has opened (an online registration's intake too):
 *   while the step is open, gsi2
 *   `DOSSIER#STEPS#{agencyId}#STATUS#{status}` / `{dueAt}#{code}` (the agency's queue, for a
 *   consulted agency the only way to its consultations) and gsi1 `DOSSIER#OPENSTEPS` /
 *   `{stepDueAt}#{code}#{stepId}` (the overdue sweep's); once closed, no index entry at all. A
 *   closed step's item is rewritten without them rather than deleted: no role deletes items.
 */
function queueItems(dossier: Dossier): Record<string, unknown>[] {
  const summary = summariseDossier(dossier);
  const base = { pk: dossierKey(dossier.code).pk, version: dossier.version, summary };
  const listKey = dossierListKey(dossier);
  const items: Record<string, unknown>[] = [
    {
      ...base,
      sk: 'QUEUE#RECEIVED',
      gsi2pk: queuePartition({ kind: 'received', unitId: dossier.receivingUnitId }, dossier.status),
      gsi2sk: listKey,
    },
  ];
  for (const step of dossier.steps) {
    // A step that has never opened has no item to write or to take out of a list.
    if (step.startedAt === undefined) continue;
    const item: Record<string, unknown> = {
      ...base,
      sk: `QUEUE#STEP#${step.stepId}`,
      stepId: step.stepId,
      agencyId: step.agencyId,
    };
    if (isOpenStep(step)) {
      item.gsi2pk = queuePartition({ kind: 'open-steps', unitId: step.agencyId }, dossier.status);
      item.gsi2sk = listKey;
      const dueAt = stepAttentionDue(dossier, step);
      if (dueAt !== undefined) {
        item.stepDueAt = dueAt;
        item.gsi1pk = OPEN_STEPS_PARTITION;
        item.gsi1sk = `${dueAt}#${dossier.code}#${step.stepId}`;
      }
    }
    items.push(item);
  }
  return items;
}

/** The dossier's entries in the day buckets of the days its events touch. */
const dayBucketItems = (dossier: Dossier) =>
  kpiDaysOf(dossier).map((day) => ({ ...dayBucketKey(day, dossier.code), code: dossier.code }));

/**
 * Every item that saving the dossier writes (createDossier, saveDossier): the dossier, its queue
 * items and its day-bucket entries.
 */
export function dossierSaveItems(dossier: Dossier): Record<string, unknown>[] {
  return [dossierItem(dossier), ...queueItems(dossier), ...dayBucketItems(dossier)];
}

/** One index partition read in key order, a batch at a time, for a merged page. */
interface Stream {
  index: IndexSchema;
  partition: string;
  source: 'dossier' | 'queue' | 'open-step';
  buffer: Record<string, unknown>[];
  startKey?: Record<string, unknown>;
  done: boolean;
  batch: number;
}

/** Most items one Query of a merged page asks for. */
const MAX_BATCH = 200;

/** Options of {@link createDynamoDbDossierRepository}. */
export interface DynamoDbDossierRepositoryOptions {
  /** What "today" is when a save decides which past days it made stale. @default the system clock */
  now?: () => Date;
}

/**
 * The items of the dossiers of the codes, 100 keys a BatchGetItem, unprocessed keys asked again
 * with a growing pause; in no particular order, a code whose dossier is gone is skipped.
 */
async function batchGetDossierItems(
  db: DynamoDBDocumentClient,
  tableName: string,
  codes: readonly string[],
  request: Omit<NonNullable<BatchGetCommandInput['RequestItems']>[string], 'Keys'>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let index = 0; index < codes.length; index += BATCH_GET_SIZE) {
    let keys: Record<string, unknown>[] | undefined = codes
      .slice(index, index + BATCH_GET_SIZE)
      .map((code) => dossierKey(code));
    for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((done) => setTimeout(done, Math.min(1000, 50 * 2 ** attempt)));
      const response = await db.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { ...request, Keys: keys } } }),
      );
      items.push(...(response.Responses?.[tableName] ?? []));
      keys = response.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return items;
}

/**
 * Dossiers, their daily code counters and intake idempotency records in the documents table (see
 * DOCUMENTS_TABLE_SCHEMA). No transactions: the key is claimed first with a condition, the
 * counter grows with ADD, and the dossier is put only where no item has its code.
 */
export function createDynamoDbDossierRepository(
  dynamodb: DynamoDBClient,
  tableName: string,
  options: DynamoDbDossierRepositoryOptions = {},
): DossierRepository {
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const now = options.now ?? (() => new Date());

  async function readKey(key: string): Promise<IdempotencyRecord | undefined> {
    const response = await db.send(
      new GetCommand({ TableName: tableName, Key: idempotencyKey(key), ConsistentRead: true }),
    );
    return response.Item ? withoutKeys<IdempotencyRecord>(response.Item) : undefined;
  }

  /**
   * Writes the dossier's queue items after the dossier itself (no transactions): each only over an
   * older version, so a slow writer of version n never undoes n + 1. Every save rewrites them all,
   * so one that an interrupted save left behind is right again at the dossier's next change.
   */
  async function writeQueueItems(dossier: Dossier): Promise<void> {
    await Promise.all(
      queueItems(dossier).map(async (item) => {
        try {
          await db.send(
            new PutCommand({
              TableName: tableName,
              Item: item,
              ConditionExpression: 'attribute_not_exists(#version) OR #version <= :version',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':version': dossier.version },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  /**
   * Files the dossier under every day its events touch (after the dossier itself, no transactions).
   * Plain idempotent puts: a save that an interruption cut short is completed by the next save, and
   * an entry is never removed (a dossier filed under a day it no longer touches counts for nothing
   * there, since the KPIs pick their period's dossiers by their own rules).
   */
  async function writeDayBuckets(dossier: Dossier): Promise<void> {
    await Promise.all(
      dayBucketItems(dossier).map((item) => db.send(new PutCommand({ TableName: tableName, Item: item }))),
    );
  }

  /**
   * Marks the past days whose figures the save may change (after the day buckets, so that the
   * rollup that recomputes a marked day finds the dossier filed under it).
   */
  async function markStaleDays(previous: Dossier | undefined, dossier: Dossier): Promise<void> {
    const at = now();
    const days = staleKpiDays(previous, dossier, dateOfDay(localDayOf(at)));
    if (days.length > 0) await markStaleKpiDays(db, tableName, days, at);
  }

  /** The dossiers of the codes, in the codes' order (a code whose dossier is gone is skipped). */
  async function getDossiers(codes: readonly string[]): Promise<Dossier[]> {
    const found = new Map<string, Dossier>();
    for (const item of await batchGetDossierItems(db, tableName, codes, { ConsistentRead: true })) {
      const dossier = withoutKeys<Dossier>(item);
      found.set(dossier.code, dossier);
    }
    return codes.flatMap((code) => {
      const dossier = found.get(code);
      return dossier ? [dossier] : [];
    });
  }

  function newStream(index: IndexSchema, partition: string, source: Stream['source']): Stream {
    return { index, partition, source, buffer: [], done: false, batch: 0 };
  }

  /** Reads the stream's next items in [from, to] (at least one, unless it is exhausted). */
  async function fill(
    stream: Stream,
    range: { from: string; to: string; procedureCode?: string; first: number },
  ): Promise<void> {
    const summaryOf = stream.source === 'dossier' ? '' : '#summary.';
    const names: Record<string, string> = { '#pk': stream.index.partitionKey, '#sk': stream.index.sortKey };
    const values: Record<string, unknown> = { ':pk': stream.partition, ':from': range.from, ':to': range.to };
    let filter: string | undefined;
    if (range.procedureCode !== undefined) {
      names['#procedureCode'] = 'procedureCode';
      if (summaryOf) names['#summary'] = 'summary';
      values[':procedureCode'] = range.procedureCode;
      filter = `${summaryOf}#procedureCode = :procedureCode`;
    }
    const projected =
      stream.source === 'dossier' ? [...SUMMARISED_FIELDS] : ['summary', 'stepId', 'agencyId', 'stepDueAt'];
    projected.forEach((field, n) => {
      names[`#p${n}`] = field;
    });
    const projection = [...projected.map((_, n) => `#p${n}`), '#sk'].join(', ');
    while (stream.buffer.length === 0 && !stream.done) {
      stream.batch = stream.batch === 0 ? range.first : Math.min(stream.batch * 2, MAX_BATCH);
      const response = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: stream.index.name,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          FilterExpression: filter,
          ProjectionExpression: projection,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          Limit: stream.batch,
          ExclusiveStartKey: stream.startKey,
        }),
      );
      stream.buffer.push(...(response.Items ?? []));
      stream.startKey = response.LastEvaluatedKey;
      stream.done = stream.startKey === undefined;
    }
  }

  /**
   * A page of the union of index partitions that share one order: each is read a batch at a time
   * (the next only when its last is used), the smallest key goes first, and an item met twice (the
   * same dossier in two lists has the same key in both) is handed out once. The cursor is the
   * last key handed out, so the next page starts after it in every partition.
   */
  async function mergedPage<T>(
    streams: Stream[],
    options: {
      limit: number;
      after?: string;
      fingerprint: string;
      from: string;
      to: string;
      procedureCode?: string;
      map: (item: Record<string, unknown>, stream: Stream) => T;
      identity: (item: T) => string;
    },
  ): Promise<Page<T>> {
    const from = options.after ?? options.from;
    if (from > options.to || streams.length === 0) return { items: [] };
    const keyOf = (item: Record<string, unknown>, stream: Stream) => String(item[stream.index.sortKey]);
    const range = {
      from,
      to: options.to,
      procedureCode: options.procedureCode,
      // One more than the page in a single list tells whether another page follows.
      first: Math.min(MAX_BATCH, Math.max(5, Math.ceil(options.limit / streams.length) + 1)),
    };
    const items: T[] = [];
    const seen = new Set<string>();
    let last = options.after;
    const pending = (stream: Stream) =>
      stream.buffer.some((item) => last === undefined || keyOf(item, stream) > last);
    while (items.length < options.limit) {
      await Promise.all(
        streams.filter((stream) => stream.buffer.length === 0).map((stream) => fill(stream, range)),
      );
      let next: Stream | undefined;
      for (const stream of streams) {
        const head = stream.buffer[0];
        const best = next?.buffer[0];
        if (head && (!next || !best || keyOf(head, stream) < keyOf(best, next))) next = stream;
      }
      const item = next?.buffer.shift();
      if (!next || !item) break;
      const key = keyOf(item, next);
      if (last !== undefined && key <= last) continue;
      const mapped = options.map(item, next);
      const identity = options.identity(mapped);
      if (seen.has(identity)) continue;
      seen.add(identity);
      items.push(mapped);
      last = key;
    }
    const more = streams.some((stream) => !stream.done || pending(stream));
    return {
      items,
      ...(more && last !== undefined ? { cursor: encodeListCursor(options.fingerprint, last) } : {}),
    };
  }

  return {
    async claimIdempotencyKey(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...idempotencyKey(record.key), ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const existing = await readKey(record.key);
      if (!existing) throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', `key ${record.key} is in use`);
      return existing;
    },

    async assignDossierCode(key, dossierCode) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: idempotencyKey(key),
            UpdateExpression: 'SET #code = :code',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#code)',
            ExpressionAttributeNames: { '#code': 'dossierCode' },
            ExpressionAttributeValues: { ':code': dossierCode },
          }),
        );
        return dossierCode;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const existing = await readKey(key);
      if (!existing?.dossierCode) throw new NotFoundError(`no idempotency key ${key}`);
      return existing.dossierCode;
    },

    async completeIdempotencyKey(key, uploads) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: idempotencyKey(key),
          UpdateExpression: 'SET #uploads = :uploads',
          ExpressionAttributeNames: { '#uploads': 'uploads' },
          ExpressionAttributeValues: { ':uploads': uploads },
        }),
      );
    },

    async nextDossierNumber(receivingUnitId, day) {
      const response = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: counterKey(receivingUnitId, day),
          UpdateExpression: 'ADD #seq :one',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(response.Attributes?.seq);
    },

    async createDossier(dossier) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: dossierItem(dossier),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError('DOSSIER_EXISTS', `dossier ${dossier.code} exists`);
        }
        throw error;
      }
      await writeQueueItems(dossier);
      await writeDayBuckets(dossier);
      await markStaleDays(undefined, dossier);
    },

    async saveDossier(dossier) {
      let previous: Dossier | undefined;
      try {
        // The replaced version comes back with the put: which days changed costs no extra read.
        const response = await db.send(
          new PutCommand({
            TableName: tableName,
            Item: dossierItem(dossier),
            ConditionExpression: '#version = :previous',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':previous': dossier.version - 1 },
            ReturnValues: 'ALL_OLD',
          }),
        );
        previous = response.Attributes ? withoutKeys<Dossier>(response.Attributes) : undefined;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError(
            'DOSSIER_CHANGED',
            `dossier ${dossier.code} changed since version ${dossier.version - 1}`,
          );
        }
        throw error;
      }
      await writeQueueItems(dossier);
      await writeDayBuckets(dossier);
      await markStaleDays(previous, dossier);
    },

    async listDossiers(query) {
      const fingerprint = dossierListFingerprint(query);
      const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, fingerprint);
      const partitions = new Map<string, Stream>();
      for (const queue of query.queues) {
        const { index, source } = QUEUE_INDEXES[queue.kind];
        for (const status of query.statuses) {
          const partition = queuePartition(queue, status);
          partitions.set(`${index.name}#${partition}`, newStream(index, partition, source));
        }
      }
      const streams = [...partitions.values()];
      return mergedPage(streams, {
        limit: query.limit,
        after,
        fingerprint,
        from: query.dueFrom ?? LOWEST_KEY,
        to: query.dueTo === undefined ? HIGHEST_KEY : `${query.dueTo}#${HIGHEST_KEY}`,
        procedureCode: query.procedureCode,
        map: (item, stream) =>
          stream.source === 'dossier'
            ? summariseDossier(item as unknown as SummarisedFields)
            : (item.summary as DossierSummary),
        identity: (summary) => summary.code,
      });
    },

    async listOpenStepsDueBefore(before, page) {
      const fingerprint = listFingerprint({ openStepsBefore: before });
      const after = page.cursor === undefined ? undefined : decodeListCursor(page.cursor, fingerprint);
      return mergedPage([newStream(statusIndex, OPEN_STEPS_PARTITION, 'open-step')], {
        limit: page.limit,
        after,
        fingerprint,
        from: LOWEST_KEY,
        to: before,
        map: (item): OpenStepRef => ({
          dossierCode: String((item.summary as DossierSummary).code),
          stepId: String(item.stepId),
          agencyId: String(item.agencyId),
          dueAt: String(item.stepDueAt),
        }),
        identity: (ref) => `${ref.dossierCode}#${ref.stepId}`,
      });
    },

    async saveAttentionList(list) {
      const parts: AttentionList['items'][] = [];
      for (let start = 0; start === 0 || start < list.items.length; start += ATTENTION_PART_SIZE) {
        parts.push(list.items.slice(start, start + ATTENTION_PART_SIZE));
      }
      // The first part, which says how many parts the list has, is written last: a reader sees
      // the earlier list until the new one is complete (parts beyond the count are ignored).
      for (let part = parts.length - 1; part >= 0; part--) {
        const header =
          part === 0
            ? { unitId: list.unitId, day: list.day, sweptAt: list.sweptAt, parts: parts.length }
            : {};
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...attentionKey(list.unitId, list.day, part), ...header, items: parts[part] },
          }),
        );
      }
    },

    async getAttentionList(unitId, day) {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :day)',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': attentionKey(unitId, day, 0).pk, ':day': `DAY#${day}#PART#` },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(response.Items ?? []));
        startKey = response.LastEvaluatedKey;
      } while (startKey);
      const [header, ...rest] = items;
      if (!header || header.sk !== attentionKey(unitId, day, 0).sk) return undefined;
      const parts = [header, ...rest].slice(0, Number(header.parts));
      return {
        unitId: String(header.unitId),
        day: String(header.day),
        sweptAt: String(header.sweptAt),
        items: parts.flatMap((part) => part.items as AttentionList['items']),
      };
    },

    async listDossiersTouchingDay(day, page) {
      const fingerprint = listFingerprint({ kpiDay: day });
      const after = page.cursor === undefined ? undefined : decodeListCursor(page.cursor, fingerprint);
      const codes: string[] = [];
      let startKey: Record<string, unknown> | undefined =
        after === undefined ? undefined : dayBucketKey(day, after);
      // One more than the page, to know whether another follows.
      do {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': `KPIDAY#${day}`, ':prefix': DAY_BUCKET_PREFIX },
            ExclusiveStartKey: startKey,
            Limit: page.limit + 1 - codes.length,
          }),
        );
        for (const item of response.Items ?? []) codes.push(String(item.sk).slice(DAY_BUCKET_PREFIX.length));
        startKey = response.LastEvaluatedKey;
      } while (startKey && codes.length <= page.limit);
      const shown = codes.slice(0, page.limit);
      const last = shown.at(-1);
      return {
        items: await getDossiers(shown),
        ...(codes.length > shown.length && last ? { cursor: encodeListCursor(fingerprint, last) } : {}),
      };
    },

    async getDossier(code) {
      const response = await db.send(
        new GetCommand({ TableName: tableName, Key: dossierKey(code), ConsistentRead: true }),
      );
      return response.Item ? withoutKeys<Dossier>(response.Item) : undefined;
    },
  };
}

/** Writes many dossiers at once, for loading simulated data into the embedded runtime. */
export interface DossierBulkWriter {
  /**
   * Writes each dossier's items as a save writes them ({@link dossierSaveItems}), with
   * BatchWriteItem and no condition: a dossier of the same code is replaced whole, so writing the
   * same dossiers again changes nothing.
   */
  putDossiers(dossiers: readonly Dossier[]): Promise<void>;
  /** The stored dossiers among `codes` (code, receiving unit and who received them only). */
  findDossiers(codes: readonly string[]): Promise<Pick<Dossier, 'code' | 'receivingUnitId' | 'receivedBy'>[]>;
  /** Whether the table holds any dossier at all (one read of each status list). */
  holdsDossiers(): Promise<boolean>;
  /**
   * Raises a receiving unit's dossier counter of a day (`yyMMdd`) to at least `number`, so that the
   * next dossier received there that day gets a code after the ones loaded.
   */
  raiseDossierNumber(receivingUnitId: string, day: string, number: number): Promise<void>;
}

/**
 * A {@link DossierBulkWriter} on the documents table: the same items as the repository's saves,
 * written 25 a call, `concurrency` calls at once, unprocessed items written again. For the embedded
 * runtime's loaders and the benchmarks only: no role of the stack is granted BatchWriteItem.
 * @param concurrency @default 8
 */
export function createDynamoDbDossierBulkWriter(
  dynamodb: DynamoDBClient,
  tableName: string,
  concurrency = 8,
): DossierBulkWriter {
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return {
    async putDossiers(dossiers) {
      const items = dossiers.flatMap(dossierSaveItems);
      let next = 0;
      const worker = async () => {
        for (;;) {
          const start = next;
          next += BATCH_WRITE_SIZE;
          if (start >= items.length) return;
          let requests = items
            .slice(start, start + BATCH_WRITE_SIZE)
            .map((Item) => ({ PutRequest: { Item } }));
          for (let attempt = 0; requests.length > 0; attempt++) {
            if (attempt > 10) throw new Error(`${tableName}: items still unprocessed after 10 retries`);
            if (attempt > 0) await new Promise((done) => setTimeout(done, Math.min(1000, 50 * 2 ** attempt)));
            const response = await db.send(
              new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
            );
            requests = (response.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },

    async findDossiers(codes) {
      const items = await batchGetDossierItems(db, tableName, codes, {
        ProjectionExpression: '#code, #unit, #by',
        ExpressionAttributeNames: { '#code': 'code', '#unit': 'receivingUnitId', '#by': 'receivedBy' },
      });
      return items.map((item) => ({
        code: String(item.code),
        receivingUnitId: String(item.receivingUnitId),
        receivedBy: String(item.receivedBy),
      }));
    },

    async holdsDossiers() {
      for (const status of Object.values(DOSSIER_STATUS)) {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: statusIndex.name,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': statusIndex.partitionKey },
            ExpressionAttributeValues: { ':pk': queuePartition({ kind: 'province' }, status) },
            Limit: 1,
          }),
        );
        if ((response.Items ?? []).length > 0) return true;
      }
      return false;
    },

    async raiseDossierNumber(receivingUnitId, day, number) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: counterKey(receivingUnitId, day),
            UpdateExpression: 'SET #seq = :number',
            ConditionExpression: 'attribute_not_exists(#seq) OR #seq < :number',
            ExpressionAttributeNames: { '#seq': 'seq' },
            ExpressionAttributeValues: { ':number': number },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
