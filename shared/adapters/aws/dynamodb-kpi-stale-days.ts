import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { KpiStaleDays, StaleKpiDay } from '#shared/ports/kpi-stale-days.ts';

/** The partition of every stale-day marker (a handful of items, written by late changes only). */
export const STALE_DAYS_PARTITION = 'KPISTALE';
const staleDayKey = (day: string) => ({ pk: STALE_DAYS_PARTITION, sk: `DAY#${day}` });

/**
 * Marks days stale (`KPISTALE` / `DAY#{yyyy-MM-dd}`): plain puts with a fresh mark, so marking a
 * day twice leaves one marker, and a rollup that read the earlier mark keeps the later one.
 */
export async function markStaleKpiDays(
  db: DynamoDBDocumentClient,
  tableName: string,
  days: readonly string[],
  markedAt: Date,
): Promise<void> {
  await Promise.all(
    days.map((day) =>
      db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...staleDayKey(day), day, mark: randomUUID(), markedAt: markedAt.toISOString() },
        }),
      ),
    ),
  );
}

/** The stale-day markers in the documents table (see DOCUMENTS_TABLE_SCHEMA). */
export function createDynamoDbKpiStaleDays(dynamodb: DynamoDBClient, tableName: string): KpiStaleDays {
  const db = DynamoDBDocumentClient.from(dynamodb);
  return {
    async listStaleDays(limit) {
      const days: StaleKpiDay[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const response = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':pk': STALE_DAYS_PARTITION, ':prefix': 'DAY#' },
            ConsistentRead: true,
            Limit: limit - days.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of response.Items ?? [])
          days.push({ day: String(item.day), mark: String(item.mark) });
        startKey = response.LastEvaluatedKey;
      } while (startKey && days.length < limit);
      return days;
    },

    async clearStaleDays(days) {
      let cleared = 0;
      let kept = 0;
      await Promise.all(
        days.map(async ({ day, mark }) => {
          try {
            await db.send(
              new DeleteCommand({
                TableName: tableName,
                Key: staleDayKey(day),
                ConditionExpression: '#mark = :mark',
                ExpressionAttributeNames: { '#mark': 'mark' },
                ExpressionAttributeValues: { ':mark': mark },
              }),
            );
            cleared += 1;
          } catch (error) {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
            kept += 1;
          }
        }),
      );
      return { cleared, kept };
    },
  };
}
