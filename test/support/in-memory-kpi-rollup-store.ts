import { type KpiFigure, type KpiRollupStore, kpiFigureDigest } from '#shared/ports/kpi-rollup-store.ts';

/** A KpiRollupStore in memory with the DynamoDB one's write-only-when-changed semantics. */
export function createInMemoryKpiRollupStore(): KpiRollupStore & { puts: () => number } {
  const items = new Map<string, string>();
  let puts = 0;
  const key = (figure: Pick<KpiFigure, 'scope' | 'period' | 'kpiId'>) =>
    `KPI#${figure.scope}#${figure.period}\u0000${figure.kpiId}`;
  return {
    puts: () => puts,
    async putFigures(figures) {
      let written = 0;
      let unchanged = 0;
      for (const figure of figures) {
        const stored = items.get(key(figure));
        if (stored !== undefined && kpiFigureDigest(JSON.parse(stored)) === kpiFigureDigest(figure)) {
          unchanged += 1;
          continue;
        }
        items.set(key(figure), JSON.stringify(figure));
        written += 1;
        puts += 1;
      }
      return { written, unchanged };
    },
    async listFigures(scope, period) {
      const prefix = `KPI#${scope}#${period}\u0000`;
      return [...items.entries()]
        .filter(([name]) => name.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, stored]) => JSON.parse(stored) as KpiFigure);
    },
  };
}
