import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalJson, chainOf, chainsBetween, genesisHash, sealEntry } from '#shared/domain/audit-chain.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { AuditEntry, AuditQuery, AuditTrail } from '#shared/ports/audit-trail.ts';
import { AUDIT_TABLE_SCHEMA } from './audit-table.ts';

const KEY_ATTRIBUTES = new Set([
  'pk',
  'sk',
  ...Object.values(AUDIT_TABLE_SCHEMA).flatMap((value) =>
    typeof value === 'object' ? [value.partitionKey, value.sortKey] : [],
  ),
]);
const pad = (seq: number) => String(seq).padStart(12, '0');
const chainKey = (chain: string) => `CHAIN#${chain}`;
const LAST_SEQ = `SEQ#${'9'.repeat(12)}`;

/** How often an append re-reads the tail after losing a race. @default 100 */
const MAX_ATTEMPTS = 100;

function withoutKeys(item: Record<string, unknown>): AuditEntry {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)),
  ) as unknown as AuditEntry;
}

/**
 * The item that stores an entry: its chain key, and the keys of the actor, document, action-by-day
 * and day indexes. The only layout of an entry (appends write it; bulk loads for tests and
 * benchmarks reuse it).
 */
export function auditEntryItem(entry: AuditEntry): Record<string, unknown> {
  return {
    ...entry,
    pk: chainKey(entry.chain),
    sk: `SEQ#${pad(entry.seq)}`,
    actorPk: `ACTOR#${entry.actor}`,
    documentPk: entry.target.documentId ? `DOC#${entry.target.documentId}` : undefined,
    actionPk: `ACTION#${entry.action}#${entry.chain}`,
    dayPk: `DAY#${entry.chain}`,
    atSk: `${entry.at}#${pad(entry.seq)}`,
  };
}

/** A query's identity, which its cursors carry so that they cannot continue another query. */
export function queryFingerprint(query: AuditQuery): string {
  const { actor, documentId, action, outcome, from, to } = query;
  return createHash('sha256')
    .update(canonicalJson({ actor, documentId, action, outcome, from, to }))
    .digest('base64url')
    .slice(0, 16);
}

interface Cursor {
  q: string;
  /** Index in the query's list of partitions. */
  p: number;
  k?: Record<string, unknown>;
}

/**
 * The position a cursor carries, accepted only as one this very query returned: its fingerprint,
 * a partition of its plan, and a start key of that partition's index. Anything else (another
 * query's cursor, a forged or truncated one) is a 400, never a DynamoDB error or a silent skip.
 */
function readCursor(
  text: string,
  fingerprint: string,
  plan: { partitionKey: string; sortKey: string; values: readonly string[] },
): Cursor {
  const refuse = () => new ValidationError('INVALID_CURSOR', 'the cursor is not one this query returned');
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const { q, p, k, ...rest } = (cursor ?? {}) as Partial<Cursor>;
  if (q !== fingerprint) {
    throw new ValidationError('INVALID_CURSOR', 'the cursor belongs to another query');
  }
  if (
    Object.keys(rest).length > 0 ||
    !Number.isInteger(p) ||
    (p ?? -1) < 0 ||
    (p ?? 0) >= plan.values.length
  ) {
    throw refuse();
  }
  if (k !== undefined) {
    const names = ['pk', 'sk', plan.partitionKey, plan.sortKey];
    const shaped =
      typeof k === 'object' &&
      k !== null &&
      !Array.isArray(k) &&
      Object.keys(k).length === names.length &&
      names.every((name) => typeof k[name] === 'string') &&
      k[plan.partitionKey] === plan.values[p as number] &&
      // The table key of an entry follows from its index sort key `{at}#{seq}`: chain day and seq.
      k.pk === chainKey(String(k[plan.sortKey]).slice(0, 10)) &&
      k.sk === `SEQ#${String(k[plan.sortKey]).slice(-12)}`;
    if (!shaped) throw refuse();
  }
  return { q, p: p as number, ...(k && { k }) };
}

/**
 * The audit trail in its own DynamoDB table (AUDIT_TABLE_SCHEMA). The application only ever puts
 * (with `attribute_not_exists`), gets and queries: no update, no delete.
 *
 * Appending under concurrent writers, without transactions or a head item: read the chain's
 * tail (a strongly consistent Query, newest first, one item), seal the entry as `seq + 1` over
 * the tail's hash, and put it on the condition that no item has that key. Two writers that read
 * the same tail race for the same key and exactly one wins; the loser reads the new tail and
 * tries again (jittered). A writer that dies leaves nothing half-done: an entry is one item.
 * The tail a trail wrote itself is remembered instead of read again: if another writer has
 * appended since, `seq + 1` is taken, the put fails and the tail is read as above.
 */
export function createDynamoDbAuditTrail(dynamodb: DynamoDBClient, tableName: string): AuditTrail {
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  // The entry this trail appended last: while no other writer appends to its chain, it is the
  // tail, and the next append skips reading it (the audit entry is on every archive request's path).
  let lastAppended: { chain: string; seq: number; hash: string } | undefined;

  async function tail(chain: string): Promise<{ seq: number; hash: string }> {
    const response = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':pk': chainKey(chain), ':first': 'SEQ#', ':last': LAST_SEQ },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const last = response.Items?.[0];
    if (!last) return { seq: 0, hash: genesisHash(chain) };
    return { seq: Number(String(last.sk).slice(4)), hash: String(last.hash) };
  }

  function partitionsOf(query: AuditQuery): {
    index: string;
    partitionKey: string;
    sortKey: string;
    values: string[];
  } {
    const { actorIndex, documentIndex, actionIndex, dayIndex } = AUDIT_TABLE_SCHEMA;
    if (query.actor) return { ...actorIndex, index: actorIndex.name, values: [`ACTOR#${query.actor}`] };
    if (query.documentId) {
      return { ...documentIndex, index: documentIndex.name, values: [`DOC#${query.documentId}`] };
    }
    const days = chainsBetween(query.from, query.to);
    if (query.action) {
      return {
        ...actionIndex,
        index: actionIndex.name,
        values: days.map((day) => `ACTION#${query.action}#${day}`),
      };
    }
    return { ...dayIndex, index: dayIndex.name, values: days.map((day) => `DAY#${day}`) };
  }

  return {
    async append(record) {
      const chain = chainOf(record.at);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const remembered = lastAppended?.chain === chain ? lastAppended : undefined;
        const last = remembered ?? (await tail(chain));
        const entry = sealEntry(record, chain, last.seq + 1, last.hash);
        try {
          await db.send(
            new PutCommand({
              TableName: tableName,
              Item: auditEntryItem(entry),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          lastAppended = { chain, seq: entry.seq, hash: entry.hash };
          return entry;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          lastAppended = undefined;
          // A stale memory costs one retry at once; a race lost to another writer backs off.
          if (!remembered) {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 5)));
          }
        }
      }
      throw new Error(`audit chain ${chain}: no free sequence number after ${MAX_ATTEMPTS} attempts`);
    },

    async listEntries(query) {
      const plan = partitionsOf(query);
      const fingerprint = queryFingerprint(query);
      const cursor = query.cursor ? readCursor(query.cursor, fingerprint, plan) : { q: fingerprint, p: 0 };
      const names: Record<string, string> = { '#pk': plan.partitionKey, '#sk': plan.sortKey };
      const values: Record<string, unknown> = { ':from': query.from, ':to': `${query.to}#~` };
      const filters: string[] = [];
      if (query.actor && query.documentId) {
        names['#target'] = 'target';
        names['#documentId'] = 'documentId';
        values[':documentId'] = query.documentId;
        filters.push('#target.#documentId = :documentId');
      }
      if (query.action && (query.actor || query.documentId)) {
        names['#action'] = 'action';
        values[':action'] = query.action;
        filters.push('#action = :action');
      }
      if (query.outcome) {
        names['#outcome'] = 'outcome';
        values[':outcome'] = query.outcome;
        filters.push('#outcome = :outcome');
      }
      const items: AuditEntry[] = [];
      let { p: partition, k: startKey } = cursor;
      while (partition < plan.values.length && items.length < query.limit) {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: plan.index,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
            FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':pk': plan.values[partition] },
            Limit: query.limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(response.Items ?? []).map(withoutKeys));
        startKey = response.LastEvaluatedKey;
        if (!startKey) partition++;
      }
      const more = partition < plan.values.length;
      const next: Cursor = { q: fingerprint, p: partition, ...(startKey ? { k: startKey } : {}) };
      return {
        items,
        ...(more && { cursor: Buffer.from(JSON.stringify(next)).toString('base64url') }),
      };
    },

    async readChain(chain, options) {
      const items: AuditEntry[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: {
              ':pk': chainKey(chain),
              ':first': `SEQ#${pad(options.afterSeq + 1)}`,
              ':last': LAST_SEQ,
            },
            Limit: options.limit - items.length,
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(response.Items ?? []).map(withoutKeys));
        startKey = response.LastEvaluatedKey;
      } while (startKey && items.length < options.limit);
      return items;
    },
  };
}
