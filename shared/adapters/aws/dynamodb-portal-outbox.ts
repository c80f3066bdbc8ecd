import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type PortalMessage, parsePortalMessageId } from '#shared/domain/dossiers/portal-messages.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { OutboxMessage, PortalOutbox } from '#shared/ports/portal-outbox.ts';
import { DOCUMENTS_TABLE_INDEXES, DOCUMENTS_TABLE_SCHEMA } from './documents-table.ts';

const { statusIndex, agencyStatusIndex } = DOCUMENTS_TABLE_SCHEMA;
const KEY_ATTRIBUTES = new Set([
  'pk',
  'sk',
  ...DOCUMENTS_TABLE_INDEXES.flatMap((index) => [index.partitionKey, index.sortKey]),
]);

/** Options of {@link createDynamoDbPortalOutbox}. */
export interface DynamoDbPortalOutboxOptions {
  /**
   * Index partitions the pending, failed and created lists are spread over (a dossier's messages
   * all go to one). Every list queries each of them. May grow, never shrink: items stay in the
   * partition they were written to until they next change. @default 4
   */
  shards?: number;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const outboxPartition = (dossierCode: string) => `OUTBOX#${dossierCode}`;
/** Versions, then positions within a version: the delivery order, the dossier sync before its progress. */
const outboxSort = (version: number, n: number, service: string) =>
  `${pad(version, 10)}#${pad(n, 4)}#${service}`;
const normalise = (instant: string) => new Date(instant).toISOString();

/** FNV-1a: a stable shard for a dossier, the same in every process. */
function shardOf(dossierCode: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < dossierCode.length; index += 1) {
    hash ^= dossierCode.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

function messageOf(item: Record<string, unknown>): OutboxMessage {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)),
  ) as unknown as OutboxMessage;
}

/**
 * The portal outbox in the documents table (see DOCUMENTS_TABLE_SCHEMA), reusing its two GSIs by
 * their generic key names (`gsi1pk`/`gsi1sk`, `gsi2pk`/`gsi2sk`) with partitions of its own:
 *
 * - `OUTBOX#{dossierCode}` / `{version:10}#{n:4}#{service}`: the message (its body as a map),
 *   `status`, `attempts`, `nextAttemptAt`, `lastError`, …; a dossier's messages read in delivery order
 * - gsi1 `OUTBOX_PENDING#{shard}` / `{nextAttemptAt}#{messageId}` while pending, so "due now" is a
 *   key condition (`<= now`), earliest first; `OUTBOX_FAILED#{shard}` / `{failedAt}#{messageId}`
 *   once dead-lettered; removed when delivered (the index stays sparse)
 * - gsi2 `OUTBOX_CREATED#{shard}` / `{createdAt}#{messageId}`, kept for the message's life, for
 *   replays from a point in time
 *
 * No table scan and no transaction: an append is a conditional put, a state change one update.
 */
export function createDynamoDbPortalOutbox(
  dynamodb: DynamoDBClient,
  tableName: string,
  options: DynamoDbPortalOutboxOptions = {},
): PortalOutbox {
  const shards = options.shards ?? 4;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a whole number ≥ 1`);
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const pendingPartition = (code: string) => `OUTBOX_PENDING#${shardOf(code, shards)}`;
  const failedPartition = (code: string) => `OUTBOX_FAILED#${shardOf(code, shards)}`;
  const createdPartition = (code: string) => `OUTBOX_CREATED#${shardOf(code, shards)}`;

  function keyOf(messageId: string) {
    const parts = parsePortalMessageId(messageId);
    if (!parts) throw new NotFoundError(`no portal message ${messageId}`);
    return {
      key: { pk: outboxPartition(parts.dossierCode), sk: outboxSort(parts.version, parts.n, parts.service) },
      dossierCode: parts.dossierCode,
    };
  }

  async function queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const response = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(response.Items ?? []));
      start = response.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** The first `limit` items of an index over every shard, by the index's sort key. */
  async function queryShards(
    index: { name: string; partitionKey: string; sortKey: string },
    prefix: string,
    range: { op: '<=' | '>=' | '>'; value: string },
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    const pages = await Promise.all(
      Array.from({ length: shards }, async (_, shard) => {
        const items: Record<string, unknown>[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const response = await db.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: index.name,
              KeyConditionExpression: `#pk = :pk AND #sk ${range.op} :sk`,
              ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
              ExpressionAttributeValues: { ':pk': `${prefix}#${shard}`, ':sk': range.value },
              Limit: limit - items.length,
              ExclusiveStartKey: start,
            }),
          );
          items.push(...(response.Items ?? []));
          start = response.LastEvaluatedKey;
        } while (start && items.length < limit);
        return items;
      }),
    );
    const sortKey = (item: Record<string, unknown>) => String(item[index.sortKey]);
    return pages
      .flat()
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0))
      .slice(0, limit);
  }

  async function update(
    messageId: string,
    expression: (dossierCode: string) => {
      set: Record<string, unknown>;
      add?: Record<string, number>;
      remove?: string[];
    },
  ): Promise<void> {
    const { key, dossierCode } = keyOf(messageId);
    const { set, add = {}, remove = [] } = expression(dossierCode);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const clauses: string[] = [];
    const setParts = Object.entries(set).map(([name, value], index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      return `#s${index} = :s${index}`;
    });
    if (setParts.length) clauses.push(`SET ${setParts.join(', ')}`);
    const addParts = Object.entries(add).map(([name, value], index) => {
      names[`#a${index}`] = name;
      values[`:a${index}`] = value;
      return `#a${index} :a${index}`;
    });
    if (addParts.length) clauses.push(`ADD ${addParts.join(', ')}`);
    const removeParts = remove.map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    if (removeParts.length) clauses.push(`REMOVE ${removeParts.join(', ')}`);
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: clauses.join(' '),
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`no portal message ${messageId}`);
      }
      throw error;
    }
  }

  return {
    async append(messages: readonly PortalMessage[]) {
      let added = 0;
      for (const message of messages) {
        const { key } = keyOf(message.messageId);
        const createdAt = normalise(message.createdAt);
        try {
          await db.send(
            new PutCommand({
              TableName: tableName,
              Item: {
                ...key,
                ...message,
                createdAt,
                status: 'pending',
                attempts: 0,
                nextAttemptAt: createdAt,
                [statusIndex.partitionKey]: pendingPartition(message.dossierCode),
                [statusIndex.sortKey]: `${createdAt}#${message.messageId}`,
                [agencyStatusIndex.partitionKey]: createdPartition(message.dossierCode),
                [agencyStatusIndex.sortKey]: `${createdAt}#${message.messageId}`,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          added += 1;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      return added;
    },

    async listDue(now, limit) {
      const items = await queryShards(
        statusIndex,
        'OUTBOX_PENDING',
        { op: '<=', value: `${normalise(now)}#\uffff` },
        limit,
      );
      return items.map(messageOf);
    },

    async listPending(dossierCode) {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        FilterExpression: '#status = :pending',
        ExpressionAttributeNames: { '#pk': 'pk', '#status': 'status' },
        ExpressionAttributeValues: { ':pk': outboxPartition(dossierCode), ':pending': 'pending' },
        ConsistentRead: true,
      });
      return items.map(messageOf);
    },

    async listFailed(limit) {
      const items = await queryShards(statusIndex, 'OUTBOX_FAILED', { op: '>=', value: '0' }, limit);
      return items.map(messageOf);
    },

    async listCreatedSince(from, page) {
      const range = page.cursor
        ? { op: '>' as const, value: page.cursor }
        : { op: '>=' as const, value: normalise(from) };
      const items = await queryShards(agencyStatusIndex, 'OUTBOX_CREATED', range, page.limit);
      const last = items.at(-1);
      return {
        messages: items.map(messageOf),
        cursor: items.length === page.limit && last ? String(last[agencyStatusIndex.sortKey]) : undefined,
      };
    },

    async listOfDossier(dossierCode, fromVersion = 1) {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND #sk >= :from',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': outboxPartition(dossierCode), ':from': pad(fromVersion, 10) },
        ConsistentRead: true,
      });
      return items.map(messageOf);
    },

    async get(messageId) {
      const parts = parsePortalMessageId(messageId);
      if (!parts) return undefined;
      const response = await db.send(
        new GetCommand({ TableName: tableName, Key: keyOf(messageId).key, ConsistentRead: true }),
      );
      return response.Item ? messageOf(response.Item) : undefined;
    },

    async markDelivered(messageId, at) {
      await update(messageId, () => ({
        set: { status: 'delivered', deliveredAt: normalise(at), lastAttemptAt: normalise(at) },
        add: { attempts: 1 },
        remove: [statusIndex.partitionKey, statusIndex.sortKey],
      }));
    },

    async recordFailedAttempt(messageId, failure) {
      const next = normalise(failure.nextAttemptAt);
      await update(messageId, (dossierCode) => ({
        set: {
          lastError: failure.error,
          lastAttemptAt: normalise(failure.at),
          nextAttemptAt: next,
          [statusIndex.partitionKey]: pendingPartition(dossierCode),
          [statusIndex.sortKey]: `${next}#${messageId}`,
        },
        add: { attempts: 1 },
      }));
    },

    async markFailed(messageId, failure) {
      const at = normalise(failure.at);
      await update(messageId, (dossierCode) => ({
        set: {
          status: 'failed',
          lastError: failure.error,
          lastAttemptAt: at,
          failedAt: at,
          [statusIndex.partitionKey]: failedPartition(dossierCode),
          [statusIndex.sortKey]: `${at}#${messageId}`,
        },
        add: { attempts: 1 },
      }));
    },

    async markPending(messageId, at) {
      const due = normalise(at);
      await update(messageId, (dossierCode) => ({
        set: {
          status: 'pending',
          attempts: 0,
          nextAttemptAt: due,
          [statusIndex.partitionKey]: pendingPartition(dossierCode),
          [statusIndex.sortKey]: `${due}#${messageId}`,
        },
        remove: ['deliveredAt', 'failedAt'],
      }));
    },
  };
}
