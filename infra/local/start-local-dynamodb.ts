import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
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
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listenOnLoopback(server, options.port);
  return { endpoint, stop: () => closeServer(server) };
}

/**
 * Creates the documents table (keys and GSI of DOCUMENTS_TABLE_SCHEMA, on-demand) unless it
 * exists. Idempotent.
 * @returns whether the table was created now
 */
export async function ensureDocumentsTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  if (await tableExists(client, tableName)) return false;
  const { partitionKey, sortKey, statusIndex } = DOCUMENTS_TABLE_SCHEMA;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [partitionKey, sortKey, statusIndex.partitionKey, statusIndex.sortKey].map(
          (name) => ({ AttributeName: name, AttributeType: 'S' }),
        ),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: statusIndex.name,
            KeySchema: [
              { AttributeName: statusIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: statusIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ResourceInUseException) return false;
    throw error;
  }
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}
