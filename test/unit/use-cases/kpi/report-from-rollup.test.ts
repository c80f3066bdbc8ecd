import { describe, expect, it } from 'vitest';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { REPORT_KPIS } from '#shared/domain/kpi/kpi-report.ts';
import { produceKpiReport } from '#shared/use-cases/kpi/produce-kpi-report.ts';
import { daysBetween, rollUpKpiDay } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { rollUpKpiPeriods } from '#shared/use-cases/kpi/roll-up-kpi-periods.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { createInMemoryObjectStore } from '#test/support/in-memory-ports.ts';
import { COMMUNE, kpiContext, sampleConfig, sketchDossier, WARD } from '#test/support/kpi-dossiers.ts';

const ONLINE = REPORT_KPIS.indexOf('online-share');

describe('a quarter report over what the rollup stored', () => {
  it('shows the units, the level and the province as the day and period rollups computed them', async () => {
    const repository = createInMemoryDossierRepository();
    // The commune: one online dossier of two; the ward: two at the counter.
    for (const dossier of [
      sketchDossier({ received: '2026-10-05T09:00', channel: 2, finished: '2026-10-06T10:00' }),
      sketchDossier({ received: '2026-11-10T09:00', finished: '2026-11-10T15:00' }),
      sketchDossier({ received: '2026-10-12T09:00', receivingUnitId: WARD }),
      sketchDossier({ received: '2026-11-20T09:00', receivingUnitId: WARD }),
    ]) {
      await repository.createDossier(dossier);
    }
    const { period: _period, ...context } = kpiContext({ from: '2026-10-01', to: '2026-10-01' });
    const store = createInMemoryKpiRollupStore();
    const now = () => new Date('2026-12-16T02:00:00Z');
    const deps = {
      dossiers: repository,
      store,
      context,
      agencies: sampleConfig.agencies,
      targets: loadKpiTargets('config/kpi-targets/sample-province.yaml'),
      now,
    };
    const days = daysBetween('2026-10-01', '2026-12-15');
    for (const day of days) await rollUpKpiDay(deps, day);
    await rollUpKpiPeriods(deps, days);

    const objects = createInMemoryObjectStore();
    const { model } = await produceKpiReport(
      { config: sampleConfig, store, objects, clock: { now }, reportsBucket: 'exports' },
      { period: '2026-Q4' },
    );
    const row = (scope: string) => model.rows.find((candidate) => candidate.scope === scope);
    expect(row(COMMUNE)?.cells[ONLINE]?.actual).toBe(50);
    expect(row(WARD)?.cells[ONLINE]?.actual).toBe(0);
    expect(row('LEVEL#commune')).toMatchObject({ source: 'stored' });
    expect(row('LEVEL#commune')?.cells[ONLINE]?.actual).toBe(25);
    expect(row('PROVINCE')?.cells[ONLINE]?.actual).toBe(25);
    // Every cell is the stored figure of its scope and KPI, target and met flag included.
    for (const scope of [COMMUNE, WARD, 'LEVEL#commune', 'PROVINCE']) {
      const stored = new Map((await store.listFigures(scope, '2026-Q4')).map((f) => [f.kpiId, f]));
      REPORT_KPIS.forEach((kpiId, column) => {
        const figure = stored.get(kpiId);
        expect(row(scope)?.cells[column], `${scope} ${kpiId}`).toEqual({
          ...(figure?.target !== undefined && { target: figure.target, comparison: figure.comparison }),
          ...(figure?.value !== undefined && { actual: figure.value }),
          ...(figure?.met !== undefined && { met: figure.met }),
        });
      });
    }
  }, 60_000);
});
