import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { ConflictError, NotFoundError } from '#shared/domain/errors.ts';
import type { DossierRepository, IdempotencyRecord } from '#shared/ports/dossier-repository.ts';

const dossierKey = (code: string) => ({ pk: `DOSSIER#${code}`, sk: 'DOSSIER' });
const counterKey = (unitId: string, day: string) => ({ pk: `DOSSIERSEQ#${unitId}#${day}`, sk: 'SEQ' });
const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' });

function withoutKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, ...rest } = item;
  return rest as T;
}

/** A dossier item: its key and its place in the status lists (province-wide and per competent unit), by due date. */
const dossierItem = (dossier: Dossier) => ({
  ...dossierKey(dossier.code),
  ...dossier,
  gsi1pk: `DOSSIER#STATUS#${dossier.status}`,
  gsi1sk: `${dossier.dueAt}#${dossier.code}`,
  gsi2pk: `DOSSIER#UNIT#${dossier.competentAgencyId}#STATUS#${dossier.status}`,
  gsi2sk: `${dossier.dueAt}#${dossier.code}`,
});

/**
 * Dossiers, their daily code counters and intake idempotency records in the documents table (see
 * DOCUMENTS_TABLE_SCHEMA). No transactions: the key is claimed first with a condition, the
 * counter grows with ADD, and the dossier is put only where no item has its code.
 */
export function createDynamoDbDossierRepository(
  dynamodb: DynamoDBClient,
  tableName: string,
): DossierRepository {
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });

  async function readKey(key: string): Promise<IdempotencyRecord | undefined> {
    const response = await db.send(
      new GetCommand({ TableName: tableName, Key: idempotencyKey(key), ConsistentRead: true }),
    );
    return response.Item ? withoutKeys<IdempotencyRecord>(response.Item) : undefined;
  }

  return {
    async claimIdempotencyKey(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...idempotencyKey(record.key), ...record },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const existing = await readKey(record.key);
      if (!existing) throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', `key ${record.key} is in use`);
      return existing;
    },

    async assignDossierCode(key, dossierCode) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: idempotencyKey(key),
            UpdateExpression: 'SET #code = :code',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#code)',
            ExpressionAttributeNames: { '#code': 'dossierCode' },
            ExpressionAttributeValues: { ':code': dossierCode },
          }),
        );
        return dossierCode;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const existing = await readKey(key);
      if (!existing?.dossierCode) throw new NotFoundError(`no idempotency key ${key}`);
      return existing.dossierCode;
    },

    async completeIdempotencyKey(key, uploads) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: idempotencyKey(key),
          UpdateExpression: 'SET #uploads = :uploads',
          ExpressionAttributeNames: { '#uploads': 'uploads' },
          ExpressionAttributeValues: { ':uploads': uploads },
        }),
      );
    },

    async nextDossierNumber(receivingUnitId, day) {
      const response = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: counterKey(receivingUnitId, day),
          UpdateExpression: 'ADD #seq :one',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(response.Attributes?.seq);
    },

    async createDossier(dossier) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: dossierItem(dossier),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError('DOSSIER_EXISTS', `dossier ${dossier.code} exists`);
        }
        throw error;
      }
    },

    async saveDossier(dossier) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: dossierItem(dossier),
            ConditionExpression: '#version = :previous',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':previous': dossier.version - 1 },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError(
            'DOSSIER_CHANGED',
            `dossier ${dossier.code} changed since version ${dossier.version - 1}`,
          );
        }
        throw error;
      }
    },

    async getDossier(code) {
      const response = await db.send(
        new GetCommand({ TableName: tableName, Key: dossierKey(code), ConsistentRead: true }),
      );
      return response.Item ? withoutKeys<Dossier>(response.Item) : undefined;
    },
  };
}
