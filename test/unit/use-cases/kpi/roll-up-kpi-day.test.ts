import { describe, expect, it } from 'vitest';
import { daysBetween, rollUpKpiDay } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { kpiRollupContract } from '#test/support/kpi-rollup-contract.ts';

describe('KPI day rollup (in-memory ports)', () => {
  kpiRollupContract(async () => ({
    dossiers: createInMemoryDossierRepository(),
    store: createInMemoryKpiRollupStore(),
  }));

  it('refuses a day that is not an ISO date, and lists the days of a range', async () => {
    const deps = {
      dossiers: createInMemoryDossierRepository(),
      store: createInMemoryKpiRollupStore(),
      context: { procedures: [], calendar: undefined as never, units: [] },
      now: () => new Date(),
    };
    await expect(rollUpKpiDay(deps, '2026-3-2')).rejects.toMatchObject({ code: 'INVALID_KPI_DAY' });
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => daysBetween('2026-03-02', '2026-03-01')).toThrow(/after/);
  });
});
