import { randomUUID } from 'node:crypto';
import type { KpiStaleDays } from '#shared/ports/kpi-stale-days.ts';

/** Stale-day markers in memory, as the DynamoDB adapter keeps them; the in-memory dossier repository marks them. */
export interface InMemoryKpiStaleDays extends KpiStaleDays {
  mark(days: readonly string[]): void;
}

export function createInMemoryKpiStaleDays(): InMemoryKpiStaleDays {
  const marks = new Map<string, string>();
  const clearedMarks = new Map<string, string>();
  return {
    mark(days) {
      for (const day of days) marks.set(day, randomUUID());
    },
    async listStaleDays(limit) {
      return [...marks.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, limit)
        .map(([day, mark]) => ({ day, mark }));
    },
    async clearStaleDays(days) {
      let cleared = 0;
      let kept = 0;
      for (const { day, mark } of days) {
        if (marks.get(day) === mark) {
          marks.delete(day);
          clearedMarks.set(day, mark);
          cleared += 1;
        } else if (!marks.has(day) && clearedMarks.get(day) === mark) cleared += 1;
        else kept += 1;
      }
      return { cleared, kept };
    },
  };
}
