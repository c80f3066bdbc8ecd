import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  ensureDocumentsTable,
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { dossierRepositoryContract } from '#test/support/dossier-repository-contract.ts';

let server: LocalDynamoDb;
let dataDir: string;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'motcua-ddb-dossiers-'));
  server = await startLocalDynamoDb({ dataDir });
  client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  client.destroy();
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('DynamoDB dossier repository (against dynalite)', () => {
  // Each case gets a fresh table, as each gets a fresh fake.
  dossierRepositoryContract(async () => {
    const name = `documents-${++tables}`;
    await ensureDocumentsTable(client, name);
    return createDynamoDbDossierRepository(client, name);
  });
});
