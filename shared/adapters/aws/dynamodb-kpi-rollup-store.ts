import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type KpiFigure, type KpiRollupStore, kpiFigureDigest } from '#shared/ports/kpi-rollup-store.ts';

/** `KPI#{scope}#{period}` / `{kpiId}`: no index entry (read by key only). */
const figureKey = (scope: string, period: string, kpiId: string) => ({
  pk: `KPI#${scope}#${period}`,
  sk: kpiId,
});

/** Puts at once: far below dynalite's and a table's comfortable concurrency. */
const CONCURRENCY = 16;

/**
 * KPI figures in the documents table (see DOCUMENTS_TABLE_SCHEMA). Each put is conditional on
 * the stored item having another digest (every attribute but `computedAt`), so a re-run of a period
 * writes nothing and keeps the first `computedAt`; a changed figure is replaced whole.
 */
export function createDynamoDbKpiRollupStore(dynamodb: DynamoDBClient, tableName: string): KpiRollupStore {
  const db = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return {
    async putFigures(figures) {
      let written = 0;
      let unchanged = 0;
      for (let index = 0; index < figures.length; index += CONCURRENCY) {
        await Promise.all(
          figures.slice(index, index + CONCURRENCY).map(async (figure) => {
            const digest = kpiFigureDigest(figure);
            try {
              await db.send(
                new PutCommand({
                  TableName: tableName,
                  Item: { ...figureKey(figure.scope, figure.period, figure.kpiId), ...figure, digest },
                  ConditionExpression: 'attribute_not_exists(pk) OR #digest <> :digest',
                  ExpressionAttributeNames: { '#digest': 'digest' },
                  ExpressionAttributeValues: { ':digest': digest },
                }),
              );
              written += 1;
            } catch (error) {
              if (!(error instanceof ConditionalCheckFailedException)) throw error;
              unchanged += 1;
            }
          }),
        );
      }
      return { written, unchanged };
    },

    async listFigures(scope, period) {
      const figures: KpiFigure[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': 'pk' },
            ExpressionAttributeValues: { ':pk': figureKey(scope, period, '').pk },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of response.Items ?? []) {
          const { pk: _pk, sk: _sk, digest: _digest, ...figure } = item;
          figures.push(figure as KpiFigure);
        }
        startKey = response.LastEvaluatedKey;
      } while (startKey);
      return figures;
    },
  };
}
