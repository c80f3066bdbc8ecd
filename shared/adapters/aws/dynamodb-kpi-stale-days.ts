import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KpiStaleDays, StaleKpiDay } from '#shared/ports/kpi-stale-days.ts';

/** The partition of every stale-day marker (a handful of items, written by late changes only). */
export const STALE_DAYS_PARTITION = 'KPISTALE';
const staleDayKey = (day: string) => ({ pk: STALE_DAYS_PARTITION, sk: `DAY#${day}` });

/**
 * Marks days stale (`KPISTALE` / `DAY#{yyyy-MM-dd}`): plain puts with a fresh mark, so marking a
 * day twice leaves one marker, and a rollup that read the earlier mark keeps the later one. The
 * put replaces the whole item, so a day cleared before is stale again.
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

/**
 * The stale-day markers in the documents table (see DOCUMENTS_TABLE_SCHEMA). Clearing a day
 * records the mark it cleared (`cleared`) instead of deleting the item (no role deletes items of
 * the table); a day is stale while its `mark` is not its `cleared`. One item per day ever marked.
 */
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
            FilterExpression: 'attribute_not_exists(#cleared) OR #cleared <> #mark',
            ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#cleared': 'cleared', '#mark': 'mark' },
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
              new UpdateCommand({
                TableName: tableName,
                Key: staleDayKey(day),
                UpdateExpression: 'SET #cleared = :mark',
                ConditionExpression: '#mark = :mark',
                ExpressionAttributeNames: { '#mark': 'mark', '#cleared': 'cleared' },
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
