import { describe } from 'vitest';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbPortalOutbox } from '#shared/adapters/aws/dynamodb-portal-outbox.ts';
import { portalOutboxContract } from '#test/support/portal-sync.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let tables = 0;

describe('DynamoDB portal outbox (against dynalite)', () => {
  // Each case gets a fresh table, as each gets a fresh fake.
  portalOutboxContract(async () => {
    const name = `documents-${++tables}`;
    await ensureDocumentsTable(dynamo.client(), name);
    return createDynamoDbPortalOutbox(dynamo.client(), name);
  });

  describe('with one shard', () => {
    portalOutboxContract(async () => {
      const name = `documents-${++tables}`;
      await ensureDocumentsTable(dynamo.client(), name);
      return createDynamoDbPortalOutbox(dynamo.client(), name, { shards: 1 });
    });
  });
});
