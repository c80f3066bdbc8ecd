import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's limit of items per BatchWriteItem. */
const BATCH = 25;

/**
 * Loads items straight into a table with BatchWriteItem (25 a call, `concurrency` calls at once,
 * unprocessed items written again): for tests and benchmarks that need many items fast. The
 * items must come from the adapters' own layout functions (`archiveIndexItems`, `auditEntryItem`),
 * so that what is loaded is what the adapters would have written. No role of the stack may batch-write.
 * @param concurrency @default 8
 */
export async function batchWriteItems(
  client: DynamoDBClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  concurrency = 8,
): Promise<void> {
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += BATCH;
      if (start >= items.length) return;
      let requests = items.slice(start, start + BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error(`${tableName}: items still unprocessed after 10 retries`);
        const response = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (response.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
