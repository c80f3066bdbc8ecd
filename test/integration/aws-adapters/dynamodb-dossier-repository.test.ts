import { describe } from 'vitest';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { dossierListContract, dossierRepositoryContract } from '#test/support/dossier-repository-contract.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let tables = 0;

describe('DynamoDB dossier repository (against dynalite)', () => {
  // Each case gets a fresh table, as each gets a fresh fake.
  const fresh = async () => {
    const name = `documents-${++tables}`;
    await ensureDocumentsTable(dynamo.client(), name);
    return createDynamoDbDossierRepository(dynamo.client(), name);
  };
  dossierRepositoryContract(fresh);
  dossierListContract(fresh);
});
