import { describe } from 'vitest';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { kpiRollupContract } from '#test/support/kpi-rollup-contract.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let tables = 0;

describe('KPI day rollup over the DynamoDB adapters (against dynalite)', () => {
  kpiRollupContract(async () => {
    const name = `documents-kpi-${++tables}`;
    await ensureDocumentsTable(dynamo.client(), name);
    return {
      dossiers: createDynamoDbDossierRepository(dynamo.client(), name),
      store: createDynamoDbKpiRollupStore(dynamo.client(), name),
    };
  });
});
