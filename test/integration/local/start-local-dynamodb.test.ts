import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocumentsTable, startLocalDynamoDb } from '#infra/local/start-local-dynamodb.ts';

function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

describe('startLocalDynamoDb', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-ddb-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the documents table once and keeps its items across a stop and a start', async () => {
    const first = await startLocalDynamoDb({ dataDir, port: 0 });
    const client = clientFor(first.endpoint);
    const created = await ensureDocumentsTable(client, 'documents');
    const createdAgain = await ensureDocumentsTable(client, 'documents');
    await DynamoDBDocumentClient.from(client).send(
      new PutCommand({
        TableName: 'documents',
        Item: {
          pk: 'DOC#1',
          sk: 'DOC',
          gsi1pk: 'STATUS#PROCESSING',
          gsi1sk: '2025-01-01',
          title: 'Giấy khai sinh',
        },
      }),
    );
    client.destroy();
    await first.stop();

    const second = await startLocalDynamoDb({ dataDir, port: 0 });
    const again = clientFor(second.endpoint);
    const documents = DynamoDBDocumentClient.from(again);
    const stillThere = await ensureDocumentsTable(again, 'documents');
    const item = await documents.send(
      new GetCommand({ TableName: 'documents', Key: { pk: 'DOC#1', sk: 'DOC' } }),
    );
    const byStatus = await documents.send(
      new QueryCommand({
        TableName: 'documents',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :status',
        ExpressionAttributeValues: { ':status': 'STATUS#PROCESSING' },
      }),
    );
    const table = await again.send(new DescribeTableCommand({ TableName: 'documents' }));
    again.destroy();
    await second.stop();

    expect([created, createdAgain, stillThere]).toEqual([true, false, false]);
    expect(item.Item?.title).toBe('Giấy khai sinh');
    expect(byStatus.Items?.map((found) => found.pk)).toEqual(['DOC#1']);
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    expect(table.Table?.GlobalSecondaryIndexes?.[0]?.Projection?.ProjectionType).toBe('ALL');
  });

  it('answers with the table as it is now after a table is deleted and made again with other keys', async () => {
    const server = await startLocalDynamoDb({ dataDir, port: 0 });
    const client = clientFor(server.endpoint);
    const documents = DynamoDBDocumentClient.from(client);
    const make = (key: string) =>
      client.send(
        new CreateTableCommand({
          TableName: 'remade',
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    try {
      await make('id');
      await documents.send(new PutCommand({ TableName: 'remade', Item: { id: 'a' } }));
      await documents.send(new GetCommand({ TableName: 'remade', Key: { id: 'a' } }));
      await client.send(new DeleteTableCommand({ TableName: 'remade' }));
      await expect(
        documents.send(new GetCommand({ TableName: 'remade', Key: { id: 'a' } })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await make('code');
      await documents.send(new PutCommand({ TableName: 'remade', Item: { code: 'b' } }));
      const item = await documents.send(new GetCommand({ TableName: 'remade', Key: { code: 'b' } }));
      expect(item.Item).toEqual({ code: 'b' });
      await expect(
        documents.send(new PutCommand({ TableName: 'remade', Item: { id: 'c' } })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    } finally {
      client.destroy();
      await server.stop();
    }
  });
});
