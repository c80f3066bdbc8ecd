import { mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AUDIT_TABLE_INDEXES, AUDIT_TABLE_SCHEMA } from '#shared/adapters/aws/audit-table.ts';
import { DOCUMENTS_TABLE_INDEXES, DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import { closeServer, listenOnLoopback } from './listen-on-loopback.ts';

/** Options of {@link startLocalDynamoDb}. */
export interface LocalDynamoDbOptions {
  /** Root data folder; the LevelDB store lives in `{dataDir}/dynamodb`. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
}

/** A running local DynamoDB server. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:{port}` */
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1, persisted on disk, with tables ready at once. */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const path = join(options.dataDir, 'dynamodb');
  await mkdir(path, { recursive: true });
  const server = withTablesInMemory(() =>
    dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }),
  );
  const endpoint = await listenOnLoopback(server, options.port);
  return { endpoint, stop: () => closeServer(server) };
}

/** The members of dynalite's internal store (`dynalite/db`) that {@link withTablesInMemory} wraps. */
interface DynaliteStore {
  getTable(name: string, checkStatus: boolean | TableCallback, callback?: TableCallback): void;
  tableDb: { put(key: string, ...rest: unknown[]): unknown; del(key: string, ...rest: unknown[]): unknown };
}
type TableCallback = (error: Error | null, table?: { TableStatus?: string }) => void;

/**
 * Runs `start` (which calls `dynalite()`) with dynalite's store keeping ACTIVE table descriptions
 * in memory: it read the table's description from LevelDB on every item request, a quarter of its
 * cost. Descriptions change only through dynalite's table writes, which drop them; a read that
 * raced with such a write is not kept.
 */
function withTablesInMemory<T>(start: () => T): T {
  const require = createRequire(import.meta.url);
  const db = require(join(dirname(require.resolve('dynalite')), 'db')) as {
    create(options: unknown): DynaliteStore;
  };
  const create = db.create;
  db.create = (options) => {
    const store = create(options);
    const tables = new Map<string, { TableStatus?: string }>();
    let writes = 0;
    const { getTable, tableDb } = store;
    store.getTable = (name, checkStatus, callback) => {
      const done = (typeof checkStatus === 'function' ? checkStatus : callback) as TableCallback;
      const kept = tables.get(name);
      if (kept) {
        process.nextTick(done, null, structuredClone(kept));
        return;
      }
      const writesBefore = writes;
      getTable.call(store, name, checkStatus === true, (error, table) => {
        if (!error && table?.TableStatus === 'ACTIVE' && writes === writesBefore) {
          tables.set(name, structuredClone(table));
        }
        done(error, table);
      });
    };
    for (const method of ['put', 'del'] as const) {
      const write = tableDb[method];
      tableDb[method] = (key, ...rest) => {
        // Dropped when the write starts and again when it ends: a read in between may see either.
        const drop = () => {
          writes += 1;
          tables.delete(key);
        };
        drop();
        const callback = rest.at(-1);
        if (typeof callback === 'function') {
          return write.call(tableDb, key, ...rest.slice(0, -1), (...results: unknown[]) => {
            drop();
            callback(...results);
          });
        }
        const result = write.call(tableDb, key, ...rest);
        if (result instanceof Promise) result.then(drop, drop);
        return result;
      };
    }
    return store;
  };
  try {
    return start();
  } finally {
    db.create = create;
  }
}

/**
 * Creates the documents table (keys and every GSI of DOCUMENTS_TABLE_SCHEMA, on-demand) unless it
 * exists. Idempotent. A table made before an index was added is refused with the missing index
 * named: dynalite cannot add an index to a table, and the items written before it would be
 * missing from it anyway.
 * @returns whether the table was created now
 */
export async function ensureDocumentsTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  return ensureTable(client, tableName, DOCUMENTS_TABLE_SCHEMA, DOCUMENTS_TABLE_INDEXES);
}

/**
 * Creates the audit table (keys and every GSI of AUDIT_TABLE_SCHEMA, on-demand) unless it exists.
 * Idempotent; refuses a table that lacks an index, as {@link ensureDocumentsTable} does.
 * @returns whether the table was created now
 */
export async function ensureAuditTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  return ensureTable(client, tableName, AUDIT_TABLE_SCHEMA, AUDIT_TABLE_INDEXES);
}

interface TableIndex {
  name: string;
  partitionKey: string;
  sortKey: string;
}

/** Creates an on-demand table of string keys with its GSIs (all attributes projected) unless it exists. */
async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  keys: { partitionKey: string; sortKey: string },
  indexes: readonly TableIndex[],
): Promise<boolean> {
  const existing = await describeTable(client, tableName);
  if (existing) {
    assertIndexes(tableName, existing, indexes);
    return false;
  }
  const indexKeys = indexes.flatMap((index) => [index.partitionKey, index.sortKey]);
  const keySchema = (hash: string, range: string) => [
    { AttributeName: hash, KeyType: 'HASH' as const },
    { AttributeName: range, KeyType: 'RANGE' as const },
  ];
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...new Set([keys.partitionKey, keys.sortKey, ...indexKeys])].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: keySchema(keys.partitionKey, keys.sortKey),
        GlobalSecondaryIndexes: indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    await whenActive(client, tableName);
    return true;
  } catch (error) {
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
}

function assertIndexes(
  tableName: string,
  table: TableDescription,
  indexes: readonly { name: string }[],
): void {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = indexes.filter((index) => !present.has(index.name)).map((index) => index.name);
  if (missing.length > 0) {
    throw new Error(
      `table ${tableName} has no index ${missing.join(', ')}: its data folder predates the index; start on a new data folder`,
    );
  }
}

/** Waits until a table just created is ACTIVE: dynalite answers CreateTable before the table exists. */
async function whenActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await describeTable(client, tableName))?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${tableName} did not become active`);
}

async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * Runs `task` with a DynamoDB client on a running back office's `endpoint`, or else on the store
 * of a stopped one's data folder, served for the while; the client and that server are closed
 * after. A folder without a store fails with `missing`'s error (a plain Error by default).
 */
export async function withLocalDynamoDb<T>(
  where: { dataDir: string; endpoint?: string },
  task: (client: DynamoDBClient) => Promise<T>,
  missing: (message: string) => Error = (message) => new Error(message),
): Promise<T> {
  let server: LocalDynamoDb | undefined;
  let endpoint = where.endpoint;
  if (!endpoint) {
    const dataDir = resolve(where.dataDir);
    await stat(join(dataDir, 'dynamodb')).catch(() => {
      throw missing(`${dataDir} holds no embedded DynamoDB store (start the back office on it once)`);
    });
    server = await startLocalDynamoDb({ dataDir });
    endpoint = server.endpoint;
  }
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    return await task(client);
  } finally {
    client.destroy();
    await server?.stop();
  }
}
