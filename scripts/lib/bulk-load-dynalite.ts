import { createRequire } from 'node:module';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';

/** The few members of `level` and dynalite's `db` module the bulk load uses (neither ships types here). */
interface LevelStore {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<unknown>;
  batch(operations: { type: 'put'; key: string; value: unknown }[]): Promise<void>;
}
interface DynaliteDb {
  createKey(item: Record<string, unknown>, table: unknown): string;
  validateItem(item: Record<string, unknown>, table: unknown): unknown;
}

// The very `level` and key functions dynalite stores items with, not copies of them.
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { Level } = fromDynalite('level') as { Level: new (path: string, options: object) => LevelStore };
const dynaliteDb = fromDynalite('./db') as DynaliteDb;

/**
 * Writes batches of items (each one LevelDB batch; a generator keeps few of them in memory) straight into the LevelDB store of a stopped embedded DynamoDB (dynalite under
 * `{dataDir}/dynamodb`), as its PutItem would have stored them: the same marshalling as the
 * adapters' document client, dynalite's own item validation and key function. Only for items that
 * belong to no secondary index (refused otherwise: their index entries would be missing).
 *
 * Before writing, `probe` (items already put through the API) must be found stored exactly as
 * this would store them, so a dynalite whose layout changed fails here instead of loading items
 * no query would find.
 * @returns how many items were written
 */
export async function bulkLoadDynalite(
  dataDir: string,
  tableName: string,
  batches: Iterable<readonly Record<string, unknown>[]>,
  probe: readonly Record<string, unknown>[],
): Promise<number> {
  // A larger write buffer than dynalite's default: fewer, larger files to compact while loading.
  const store = new Level(join(dataDir, 'dynamodb'), {
    valueEncoding: 'json',
    writeBufferSize: 64 * 1024 ** 2,
  });
  await store.open();
  try {
    const table = (await store.get(`table~${tableName}`)) as {
      GlobalSecondaryIndexes?: { KeySchema: { AttributeName: string }[] }[];
    };
    if (!table) throw new Error(`no table ${tableName} in ${dataDir}`);
    const indexKeys = (table.GlobalSecondaryIndexes ?? []).flatMap((index) =>
      index.KeySchema.map((key) => key.AttributeName),
    );
    const stored = (item: Record<string, unknown>) => {
      const marshalled = marshall(item, { removeUndefinedValues: true });
      const invalid = dynaliteDb.validateItem(marshalled, table);
      if (invalid) throw invalid;
      const indexed = indexKeys.find((name) => name in marshalled);
      if (indexed)
        throw new Error(`item ${String(item.pk)} has index key ${indexed}: load it through the API`);
      return {
        type: 'put' as const,
        key: `item-${tableName}~${dynaliteDb.createKey(marshalled, table)}`,
        value: marshalled,
      };
    };
    for (const item of probe) {
      const expected = stored(item);
      const found = await store.get(expected.key);
      if (JSON.stringify(found) !== JSON.stringify(expected.value)) {
        throw new Error(
          `dynalite did not store ${String(item.pk)} / ${String(item.sk)} where and as the bulk load would`,
        );
      }
    }
    let written = 0;
    for (const batch of batches) {
      await store.batch(batch.map(stored));
      written += batch.length;
    }
    return written;
  } finally {
    await store.close();
  }
}
