import { describe, expect, it } from 'vitest';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { DOSSIER_STATUS } from '#shared/domain/dossiers/dossier.ts';
import {
  createKpiRollupSteps,
  type KpiRollupPlan,
  type KpiRollupSteps,
  MAX_ROLLUP_RANGE_DAYS,
} from '#shared/use-cases/kpi/run-kpi-rollup.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { at, kpiContext, sampleConfig, sketchDossier } from '#test/support/kpi-dossiers.ts';

const targets = loadKpiTargets('config/kpi-targets/sample-province.yaml');

function office(local: string, maxStaleDays?: number) {
  let clock = new Date(at(local));
  const now = () => clock;
  const dossiers = createInMemoryDossierRepository({ now });
  const store = createInMemoryKpiRollupStore();
  const { period: _period, ...context } = kpiContext({ from: '2026-03-01', to: '2026-03-01' });
  const steps = createKpiRollupSteps({
    day: { dossiers, store, context, targets, now },
    periods: { dossiers, store, context, agencies: sampleConfig.agencies, targets, now },
    staleDays: dossiers.staleDays,
    now,
    ...(maxStaleDays ? { maxStaleDays } : {}),
  });
  return { dossiers, store, steps, setClock: (time: string) => (clock = new Date(at(time))) };
}

/** Runs the steps as the state machine does: plan, each day, the periods, clear. */
async function runRollup(steps: KpiRollupSteps, input: object) {
  const plan: KpiRollupPlan = await steps.planRollup(input);
  const days = [];
  for (const day of plan.days) days.push(await steps.rollUpDay({ day }));
  const periods = await steps.rollUpPeriods({ days: plan.days });
  const cleared = await steps.clearStale({ stale: plan.stale });
  return { plan, days, periods, cleared };
}

describe('the KPI rollup steps', () => {
  it('plan yesterday in Vietnam time by default, or the range asked for, with the stale days up to the limit', async () => {
    // 00:30 on 3 March in Vietnam is still 2 March in UTC: yesterday is 2 March.
    const { steps, dossiers } = office('2026-03-03T00:30', 2);
    expect(await steps.planRollup({})).toEqual({
      range: { from: '2026-03-02', to: '2026-03-02' },
      days: ['2026-03-02'],
      stale: [],
    });
    for (const received of ['2026-02-10T09:00', '2026-02-12T09:00', '2026-02-11T09:00']) {
      await dossiers.createDossier(sketchDossier({ received }));
    }
    const plan = await steps.planRollup({ from: '2026-02-12', to: '2026-02-13' });
    expect(plan.days).toEqual(['2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13']);
    expect(plan.stale.map(({ day }) => day)).toEqual(['2026-02-10', '2026-02-11']);
  });

  it('refuse a malformed request, a day not begun and a range longer than a year', async () => {
    const { steps } = office('2026-03-03T10:00');
    for (const [input, message] of [
      [{ from: '2026-3-1' }, /from: expected a day/],
      [{ to: '2026-03-01' }, /`to` needs `from`/],
      [{ from: '2026-03-01', until: '2026-03-02' }, /until|unrecognized/i],
      [{ from: '2026-03-04' }, /2026-03-04 has not begun/],
      [{ from: '2026-03-02', to: '2026-03-01' }, /after/],
      [{ from: '2025-01-01', to: '2026-03-01' }, new RegExp(`at most ${MAX_ROLLUP_RANGE_DAYS}`)],
    ] as const) {
      await expect(steps.planRollup(input), JSON.stringify(input)).rejects.toMatchObject({
        code: 'INVALID_KPI_ROLLUP',
        message: expect.stringMatching(message),
      });
    }
    await expect(steps.rollUpDay({ day: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_KPI_ROLLUP' });
  });

  it('recompute after a late event exactly the days it touched and the periods above them: only those figures are rewritten', async () => {
    const { dossiers, steps, setClock } = office('2026-05-06T00:30');
    const A = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T10:00' });
    const D = sketchDossier({ received: '2026-03-20T09:00', status: DOSSIER_STATUS.processing });
    for (const dossier of [A, D]) await dossiers.createDossier(dossier);
    const first = await runRollup(steps, { from: '2026-03-01', to: '2026-05-05' });
    expect(first.plan.days).toHaveLength(66);
    expect(first.cleared).toEqual({ cleared: 3, kept: 0 });
    expect(await dossiers.staleDays.listStaleDays(10)).toEqual([]);

    // Entered on 6 May: D was processed on Thu 2 April.
    setClock('2026-05-06T10:00');
    const finishedAt = at('2026-04-02T16:00');
    await dossiers.saveDossier({
      ...D,
      version: D.version + 1,
      status: DOSSIER_STATUS.processed,
      finishedAt,
      history: [...D.history, { version: 2, at: finishedAt, action: 'complete', by: 'o', status: 9 }],
    });
    // The next night's run (yesterday: 5 May, already rolled up).
    setClock('2026-05-06T23:30');
    const second = await runRollup(steps, {});
    expect(second.plan.days).toEqual(['2026-03-20', '2026-04-02', '2026-05-05']);
    const writes = (rows: { written: number }[], key: (row: never) => string) =>
      Object.fromEntries(rows.map((row) => [key(row as never), row.written > 0]));
    expect(writes(second.days, (row: { day: string }) => row.day)).toEqual({
      // Receipt day of D: recomputed, the same figures (D was received and accepted either way).
      '2026-03-20': false,
      '2026-04-02': true,
      '2026-05-05': false,
    });
    expect(writes(second.periods.periods, (row: { period: string }) => row.period)).toEqual({
      '2026-03': false,
      '2026-04': true,
      // D no longer open at May's end: its backlog changes.
      '2026-05': true,
      '2026-Q1': false,
      '2026-Q2': true,
      '2026': true,
    });
    expect(second.cleared).toEqual({ cleared: 2, kept: 0 });
    // A third run has nothing stale and rewrites nothing.
    const third = await runRollup(steps, {});
    expect(third.plan.days).toEqual(['2026-05-05']);
    expect(third.days.map((day) => day.written)).toEqual([0]);
    expect(third.periods.periods.every((period) => period.written === 0)).toBe(true);
  });
});
