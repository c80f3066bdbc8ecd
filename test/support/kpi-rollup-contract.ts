/**
 * The day rollup over a dossier repository and a KPI store, run against the in-memory fakes and
 * against the DynamoDB adapters on dynalite: the same hand-made dossiers, the same figures.
 */
import { expect, it } from 'vitest';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { DOSSIER_STATUS, type Dossier } from '#shared/domain/dossiers/dossier.ts';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import {
  type KpiFigure,
  type KpiRollupStore,
  ON_TIME_ENDED,
  PROVINCE_SCOPE,
  receivedCodeTerm,
} from '#shared/ports/kpi-rollup-store.ts';
import { DAY_KPIS, type RollUpKpiDayDeps, rollUpKpiDay } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { rollUpKpiPeriods } from '#shared/use-cases/kpi/roll-up-kpi-periods.ts';
import {
  at,
  COMMUNE,
  extendedCalendar,
  kpiContext,
  sampleConfig,
  sketchDossier,
  WARD,
} from './kpi-dossiers.ts';

const targets = loadKpiTargets('config/kpi-targets/sample-province.yaml');
const { period: _period, ...context } = kpiContext({ from: '2026-03-02', to: '2026-03-02' });

/** The province's figure of a KPI on a day. */
const figure = (figures: KpiFigure[], scope: string, kpiId: string) =>
  figures.find((item) => item.scope === scope && item.kpiId === kpiId);

export function kpiRollupContract(
  fresh: () => Promise<{ dossiers: DossierRepository; store: KpiRollupStore }>,
): void {
  /** d1: received 2 March, processed and returned 4 March; d2: received 2 March at the ward, open; d3: received 3 March. */
  async function office() {
    const { dossiers, store } = await fresh();
    const d1 = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T10:00' });
    const d2 = sketchDossier({
      received: '2026-03-02T14:00',
      receivingUnitId: WARD,
      status: DOSSIER_STATUS.received,
    });
    const d3 = sketchDossier({ received: '2026-03-03T08:30', channel: 2 });
    for (const dossier of [d1, d2, d3]) await dossiers.createDossier(dossier);
    let clock = new Date('2026-03-05T18:00:00.000Z');
    const deps: RollUpKpiDayDeps = {
      dossiers,
      store,
      context,
      targets,
      now: () => clock,
      pageSize: 2,
    };
    return { dossiers, store, deps, d1, d2, d3, setClock: (next: string) => (clock = new Date(next)) };
  }

  it('files each dossier under the days its events touch, and reads a day from its bucket only', async () => {
    const { dossiers, d1, d2, d3 } = await office();
    expect(kpiDaysOf(d1)).toEqual(['2026-03-02', '2026-03-04']);
    const codes = async (day: string) => {
      const found: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await dossiers.listDossiersTouchingDay(day, { limit: 1, ...(cursor ? { cursor } : {}) });
        found.push(...page.items.map((dossier) => dossier.code));
        cursor = page.cursor;
      } while (cursor);
      return found.sort();
    };
    expect(await codes('2026-03-02')).toEqual([d1.code, d2.code].sort());
    expect(await codes('2026-03-03')).toEqual([d3.code]);
    expect(await codes('2026-03-04')).toEqual([d1.code]);
    expect(await codes('2026-03-05')).toEqual([]);
  });

  it("writes one item per unit, day and 'sum' KPI and per province, day and KPI, with target and met", async () => {
    const { store, deps } = await office();
    const march2 = await rollUpKpiDay(deps, '2026-03-02');
    expect(march2.dossiers).toBe(2);
    const units = new Set(sampleConfig.agencies.map((agency) => agency.id));
    expect(new Set(march2.figures.map((item) => item.scope))).toEqual(new Set([...units, PROVINCE_SCOPE]));
    // The KPIs, plus the internal terms: ended on time per scope, and the province's received codes.
    const code = receivedCodeTerm(sketchDossier({ received: '2026-03-02T09:00' }).procedureCode);
    expect(march2.figures).toHaveLength((units.size + 1) * (DAY_KPIS.length + 1) + 1);
    expect(march2.written).toBe(march2.figures.length);
    const stored = await store.listFigures(PROVINCE_SCOPE, '2026-03-02');
    expect(stored.map((item) => item.kpiId).sort()).toEqual(
      [...DAY_KPIS.map((kpi) => kpi.id), ON_TIME_ENDED, code].sort(),
    );
    expect(figure(stored, PROVINCE_SCOPE, code)).toMatchObject({ numerator: 2, targetStatus: 'no-target' });
    // Nothing ended on the 2nd; d1 ended on the 4th, on time (due 5 March 09:00).
    expect(figure(stored, PROVINCE_SCOPE, ON_TIME_ENDED)).toMatchObject({ numerator: 0, denominator: 0 });
    // Both received dossiers are counter ones: online share 0 of 2, at the province and split by unit.
    expect(figure(stored, PROVINCE_SCOPE, 'online-share')).toMatchObject({
      numerator: 0,
      denominator: 2,
      value: 0,
      ruleVersion: '1',
      computedAt: '2026-03-05T18:00:00.000Z',
    });
    const commune = await store.listFigures(COMMUNE, '2026-03-02');
    expect(figure(commune, COMMUNE, 'online-share')).toMatchObject({ numerator: 0, denominator: 1 });
    // A KPI over nothing has no value, and so no verdict against its target.
    const noValue = figure(stored, PROVINCE_SCOPE, 'processing-time');
    expect(noValue).toMatchObject({ numerator: 0, denominator: 0 });
    expect(noValue?.value).toBeUndefined();
    expect(noValue?.met).toBeUndefined();
    // Every verdict carries its target; the sample targets judge some of the day's figures.
    const judged = march2.figures.filter((item) => item.met !== undefined);
    expect(judged.length).toBeGreaterThan(0);
    for (const item of judged) {
      expect(item.target).toBeTypeOf('number');
      expect(item.targetStatus).toBe(item.met ? 'met' : 'not-met');
    }
    const online = figure(stored, PROVINCE_SCOPE, 'online-share');
    expect(online?.targetStatus).not.toBe('no-target');
    // The day of the end of processing counts d1's processing time; the 3rd has d3 only.
    const march4 = await rollUpKpiDay(deps, '2026-03-04');
    expect(figure(march4.figures, COMMUNE, ON_TIME_ENDED)).toMatchObject({ numerator: 1, denominator: 1 });
    expect(figure(march4.figures, PROVINCE_SCOPE, 'processing-time')?.denominator).toBe(1);
    const march3 = await rollUpKpiDay(deps, '2026-03-03');
    expect(figure(march3.figures, PROVINCE_SCOPE, 'online-share')).toMatchObject({
      numerator: 1,
      denominator: 1,
    });
  });

  it('a re-run of a day writes nothing and leaves every item as it was, computedAt included', async () => {
    const { store, deps, setClock } = await office();
    const first = await rollUpKpiDay(deps, '2026-03-02');
    const before = await store.listFigures(PROVINCE_SCOPE, '2026-03-02');
    setClock('2026-03-06T18:00:00.000Z');
    const again = await rollUpKpiDay(deps, '2026-03-02');
    expect(again.written).toBe(0);
    expect(again.unchanged).toBe(first.figures.length);
    expect(await store.listFigures(PROVINCE_SCOPE, '2026-03-02')).toEqual(before);
  });

  it('a late event recomputes exactly the days it touches', async () => {
    const { dossiers, store, deps, d2, setClock } = await office();
    const days = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];
    for (const day of days) await rollUpKpiDay(deps, day);
    const before = await store.listFigures(PROVINCE_SCOPE, '2026-03-03');
    // Recorded on the 5th: d2 was processed on the 3rd (a late event).
    const late: Dossier = {
      ...d2,
      version: d2.version + 1,
      status: DOSSIER_STATUS.processed,
      finishedAt: at('2026-03-03T16:00'),
      history: [
        ...d2.history,
        {
          version: d2.version + 1,
          at: at('2026-03-03T16:00'),
          action: 'complete',
          by: 'officer-1',
          status: DOSSIER_STATUS.processed,
        },
      ],
    };
    await dossiers.saveDossier(late);
    const touched = [...new Set([...kpiDaysOf(d2), ...kpiDaysOf(late)])].sort();
    expect(touched).toEqual(['2026-03-02', '2026-03-03']);
    setClock('2026-03-06T18:00:00.000Z');
    const written = new Map<string, number>();
    for (const day of days) written.set(day, (await rollUpKpiDay(deps, day)).written);
    // Only the day the event happened on changes (its receipt day's figures stay as they were).
    expect(written.get('2026-03-03')).toBeGreaterThan(0);
    for (const day of days.filter((day) => day !== '2026-03-03')) expect(written.get(day)).toBe(0);
    const after = await store.listFigures(PROVINCE_SCOPE, '2026-03-03');
    expect(figure(before, PROVINCE_SCOPE, 'processing-time')?.denominator).toBe(0);
    expect(figure(after, PROVINCE_SCOPE, 'processing-time')).toMatchObject({
      denominator: 1,
      computedAt: '2026-03-06T18:00:00.000Z',
    });
    // Unchanged figures of that day keep when they were first computed.
    expect(figure(after, PROVINCE_SCOPE, 'online-share')).toEqual(
      figure(before, PROVINCE_SCOPE, 'online-share'),
    );
  });

  it("rolls up the month, quarter and year of the days, judging open dossiers at each period's end and finding those open since an earlier year in the status index", async () => {
    const { dossiers, store, deps, setClock } = await office();
    const days = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];
    for (const day of days) await rollUpKpiDay(deps, day);
    const periodDeps = { ...deps, dossiers, agencies: sampleConfig.agencies };
    const march = await rollUpKpiPeriods(periodDeps, days);
    expect(march.periods.map((period) => [period.period, period.written])).toEqual([
      ['2026-03', march.periods[0]?.figures.length],
      ['2026-Q1', march.periods[1]?.figures.length],
      ['2026', march.periods[2]?.figures.length],
    ]);
    const terms = async (scope: string, period: string, kpiId: string) => {
      const found = figure(await store.listFigures(scope, period), scope, kpiId);
      return found && [found.numerator, found.denominator];
    };
    // d1 on time; d2 (due 5 March 14:00) and d3 (due 6 March 08:30) open and overdue at the month's end.
    expect(await terms(PROVINCE_SCOPE, '2026-03', 'on-time')).toEqual([1, 3]);
    expect(await terms(PROVINCE_SCOPE, '2026-03', 'backlog')).toEqual([2, 2]);
    expect(await terms(WARD, '2026-03', 'backlog')).toEqual([1, 1]);
    expect(await terms('LEVEL#commune', '2026-Q1', 'backlog')).toEqual([2, 2]);
    expect(await terms(PROVINCE_SCOPE, '2026-03', 'online-share')).toEqual([1, 3]);
    expect(await terms(PROVINCE_SCOPE, '2026', 'processing-time')).toMatchObject([expect.any(Number), 1]);
    expect((await rollUpKpiPeriods(periodDeps, days)).periods.every((period) => period.written === 0)).toBe(
      true,
    );
    // The next January: d2 and d3 have no event in 2027, only the status index knows them.
    setClock('2027-01-03T03:00:00.000Z');
    const january = await rollUpKpiPeriods(
      { ...periodDeps, context: { ...context, calendar: extendedCalendar() } },
      ['2027-01-02'],
    );
    expect(january.reads.openDossiers).toBe(2);
    expect(await terms(PROVINCE_SCOPE, '2027-01', 'backlog')).toEqual([2, 2]);
    expect(await terms(COMMUNE, '2027-01', 'on-time')).toEqual([0, 1]);
  });
}
