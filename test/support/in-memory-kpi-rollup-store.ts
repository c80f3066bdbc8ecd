import { type KpiFigure, type KpiRollupStore, kpiFigureDigest } from '#shared/ports/kpi-rollup-store.ts';

/** A KpiRollupStore in memory with the DynamoDB one's write-only-when-changed semantics. */
export function createInMemoryKpiRollupStore(): KpiRollupStore & { puts: () => number } {
  /** By partition (`KPI#{scope}#{period}`, as DynamoDB keys them), then KPI id. */
  const items = new Map<string, Map<string, string>>();
  let puts = 0;
  const partition = (scope: string, period: string) => `KPI#${scope}#${period}`;
  return {
    puts: () => puts,
    async putFigures(figures) {
      let written = 0;
      let unchanged = 0;
      for (const figure of figures) {
        const key = partition(figure.scope, figure.period);
        const stored = items.get(key)?.get(figure.kpiId);
        if (stored !== undefined && kpiFigureDigest(JSON.parse(stored)) === kpiFigureDigest(figure)) {
          unchanged += 1;
          continue;
        }
        const row = items.get(key) ?? new Map<string, string>();
        row.set(figure.kpiId, JSON.stringify(figure));
        items.set(key, row);
        written += 1;
        puts += 1;
      }
      return { written, unchanged };
    },
    async listFigures(scope, period) {
      return [...(items.get(partition(scope, period)) ?? new Map<string, string>()).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, stored]) => JSON.parse(stored) as KpiFigure);
    },
  };
}
