import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { type LocalDynamoDb, startLocalDynamoDb } from '#infra/local/start-local-dynamodb.ts';

/**
 * A dynalite server on a temporary folder for the test file that calls this (started before its
 * tests, stopped and removed after them), and a client of it; `client()` and `endpoint()` are valid
 * inside tests.
 */
export function useLocalDynamoDb(): { client(): DynamoDBClient; endpoint(): string } {
  let dataDir: string | undefined;
  let server: LocalDynamoDb | undefined;
  let client: DynamoDBClient | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-ddb-'));
    server = await startLocalDynamoDb({ dataDir });
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return {
    endpoint() {
      if (!server) throw new Error('the local DynamoDB server is not started yet');
      return server.endpoint;
    },
    client() {
      if (!client) throw new Error('the local DynamoDB server is not started yet');
      return client;
    },
  };
}
