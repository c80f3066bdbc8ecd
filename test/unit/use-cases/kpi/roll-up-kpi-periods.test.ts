import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { DOSSIER_STATUS, type Dossier } from '#shared/domain/dossiers/dossier.ts';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import {
  KPI_DEFINITIONS,
  type KpiContext,
  type KpiUnitInfo,
  type KpiValue,
  kpiUnitsOf,
  measureKpis,
  sumKpiValues,
} from '#shared/domain/kpi/kpi-definitions.ts';
import {
  daysOfPeriod,
  levelScope,
  parsePeriodKey,
  periodsContaining,
  treeScope,
} from '#shared/domain/kpi/kpi-periods.ts';
import { simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import {
  type KpiFigure,
  ON_TIME_ENDED,
  PROVINCE_SCOPE,
  receivedCodeTerm,
} from '#shared/ports/kpi-rollup-store.ts';
import { daysBetween, rollUpKpiDay } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { type RollUpKpiPeriodsDeps, rollUpKpiPeriods } from '#shared/use-cases/kpi/roll-up-kpi-periods.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import {
  at,
  COMMUNE,
  extendedCalendar,
  kpiContext,
  sampleConfig,
  sketchDossier,
  WARD,
} from '#test/support/kpi-dossiers.ts';

const calendar = extendedCalendar();
const targets = loadKpiTargets('config/kpi-targets/sample-province.yaml');

/** The sample province with a district over the ward (the sample itself has no district). */
const DISTRICT = '000.30.00.H99';
const province = {
  ...sampleConfig,
  agencies: [
    ...sampleConfig.agencies.map((agency) =>
      agency.id === WARD ? { ...agency, parentId: DISTRICT } : agency,
    ),
    {
      id: DISTRICT,
      name: 'Ủy ban nhân dân huyện Mẫu',
      level: 'district' as const,
      parentId: '000.00.00.H99',
      oneStop: true,
      counterStaff: 2,
    },
  ],
};
const units: KpiUnitInfo[] = kpiUnitsOf(province);
const context: Omit<KpiContext, 'period'> = { procedures: sampleConfig.procedures, calendar, units };

/** Equal up to floating-point summation order. */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('KPI period keys', () => {
  it('give the month, quarter and year of a day, and the days of each', () => {
    expect(periodsContaining('2026-11-30')).toEqual({ month: '2026-11', quarter: '2026-Q4', year: '2026' });
    expect(periodsContaining('2026-04-01')).toEqual({ month: '2026-04', quarter: '2026-Q2', year: '2026' });
    expect(periodsContaining('2026-03-31').quarter).toBe('2026-Q1');
    expect(daysOfPeriod('2028-02')).toHaveLength(29);
    expect(daysOfPeriod('2026-02').at(-1)).toBe('2026-02-28');
    expect(daysOfPeriod('2026-Q4')).toHaveLength(92);
    expect(daysOfPeriod('2026-Q1')[0]).toBe('2026-01-01');
    expect(daysOfPeriod('2026-Q1').at(-1)).toBe('2026-03-31');
    expect(daysOfPeriod('2026')).toHaveLength(365);
    expect(daysOfPeriod('2026-11-30')).toEqual(['2026-11-30']);
    expect(parsePeriodKey('2026-Q3')).toEqual({ kind: 'quarter', from: '2026-07-01', to: '2026-09-30' });
    for (const bad of ['2026-13', '2026-Q5', '2026-02-30', '26', '2026-1', 'Q1-2026']) {
      expect(() => daysOfPeriod(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_KPI_PERIOD' }));
    }
    expect(() => periodsContaining('2026-11')).toThrow(
      expect.objectContaining({ code: 'INVALID_KPI_PERIOD' }),
    );
  });
});

/** The stored figures of a scope's period by KPI id. */
async function stored(deps: RollUpKpiPeriodsDeps, scope: string, period: string) {
  return new Map((await deps.store.listFigures(scope, period)).map((figure) => [figure.kpiId, figure]));
}

function expectFigure(figure: KpiFigure | undefined, expected: KpiValue | undefined, what: string) {
  const numerator = expected?.numerator ?? 0;
  const denominator = expected?.denominator ?? 0;
  expect(figure, what).toBeDefined();
  expect(
    close(figure?.numerator ?? Number.NaN, numerator),
    `${what} numerator ${figure?.numerator} ≠ ${numerator}`,
  ).toBe(true);
  expect(
    close(figure?.denominator ?? Number.NaN, denominator),
    `${what} denominator ${figure?.denominator} ≠ ${denominator}`,
  ).toBe(true);
}

/** A supplement request (local times), answered. */
const supplement = (requested: string, answered: string) => ({
  requestedAt: at(requested),
  requestedBy: 'officer-1',
  stepId: '1',
  reason: 'Bổ sung giấy tờ',
  dueBefore: at(requested),
  answeredAt: at(answered),
});

/**
 * The commune's dossiers of spring 2026 (1.004873: 3 working days; the ward has none):
 * - A: received Mon 2 Mar 09:00, finished Wed 4 Mar (due Thu 5 Mar 09:00): on time;
 * - B: received Fri 27 Mar 09:00 (due Wed 1 Apr 09:00), open at the end of March, finished Wed 8 Apr: late;
 * - C: received online Tue 10 Mar, two supplement requests, finished Thu 12 Mar: late however fast;
 * - D: received Fri 20 Mar 09:00 (due Wed 25 Mar 09:00), still open: overdue;
 * - H: received Fri 24 Apr 09:00, finished Wed 29 Apr 16:00: due Mon 4 May 09:00 because of the
 *   holidays of 27 and 30 April and 1 May, so on time (due 29 Apr 09:00 without them).
 */
function spring() {
  const A = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T10:00' });
  const B = sketchDossier({ received: '2026-03-27T09:00', finished: '2026-04-08T10:00' });
  const C = sketchDossier({
    received: '2026-03-10T09:00',
    finished: '2026-03-12T10:00',
    channel: 2,
    supplements: [
      supplement('2026-03-10T10:00', '2026-03-10T14:00'),
      supplement('2026-03-11T09:00', '2026-03-11T10:00'),
    ],
  });
  const D = sketchDossier({ received: '2026-03-20T09:00', status: DOSSIER_STATUS.processing });
  const H = sketchDossier({ received: '2026-04-24T09:00', finished: '2026-04-29T16:00' });
  return { A, B, C, D, H };
}

async function springOffice() {
  const dossiers = spring();
  const repository = createInMemoryDossierRepository();
  for (const dossier of Object.values(dossiers)) await repository.createDossier(dossier);
  let clock = new Date(at('2026-05-05T10:00'));
  const { period: _period, ...sample } = kpiContext({ from: '2026-03-01', to: '2026-03-01' });
  const deps: RollUpKpiPeriodsDeps = {
    dossiers: repository,
    store: createInMemoryKpiRollupStore(),
    context: sample,
    agencies: sampleConfig.agencies,
    targets,
    now: () => clock,
  };
  const days = daysBetween('2026-03-01', '2026-04-30');
  for (const day of days) await rollUpKpiDay(deps, day);
  return { ...dossiers, repository, deps, days, setClock: (local: string) => (clock = new Date(at(local))) };
}

/** n/d of a stored figure. */
async function terms(deps: RollUpKpiPeriodsDeps, scope: string, period: string, kpiId: string) {
  const figure = (await stored(deps, scope, period)).get(kpiId as never);
  return figure && [figure.numerator, figure.denominator];
}

describe('KPI period rollup on hand-computed cases', () => {
  it('judges on-time and backlog at each period end, sums the days for the rest, and covers a unit with no dossiers', async () => {
    const { deps, days } = await springOffice();
    const rollup = await rollUpKpiPeriods(deps, days);
    // January, February and May (up to today, 5 May) have no day figures: they add nothing and are not stored.
    expect(rollup.periods.map((period) => period.period)).toEqual([
      '2026-03',
      '2026-04',
      '2026-Q1',
      '2026-Q2',
      '2026',
    ]);
    // March: A and B on time (B open, not due yet at 31 Mar 23:59), C late (two supplement requests), D overdue.
    expect(await terms(deps, COMMUNE, '2026-03', 'on-time')).toEqual([2, 4]);
    expect(await terms(deps, COMMUNE, '2026-03', 'backlog')).toEqual([1, 2]);
    // April: B finished late, D still open and overdue, H on time thanks to the holidays.
    expect(await terms(deps, COMMUNE, '2026-04', 'on-time')).toEqual([1, 3]);
    expect(await terms(deps, COMMUNE, '2026-04', 'backlog')).toEqual([1, 1]);
    expect(await terms(deps, COMMUNE, '2026-Q1', 'on-time')).toEqual([2, 4]);
    expect(await terms(deps, COMMUNE, '2026-Q2', 'on-time')).toEqual([1, 3]);
    // The year, judged at 31 December: A and H on time, B and C late, D open and overdue.
    expect(await terms(deps, COMMUNE, '2026', 'on-time')).toEqual([2, 5]);
    expect(await terms(deps, COMMUNE, '2026', 'backlog')).toEqual([1, 1]);
    // Summed from the days: C is the only online one of March's four receipts.
    expect(await terms(deps, COMMUNE, '2026-03', 'online-share')).toEqual([1, 4]);
    expect(await terms(deps, COMMUNE, '2026-04', 'online-share')).toEqual([0, 1]);
    expect(await terms(deps, COMMUNE, '2026', 'online-share')).toEqual([1, 5]);
    // Processing time in working days, April: B 65 h (8.125 d); H 21.5 h (2.6875 d, 27 April off).
    expect(await terms(deps, COMMUNE, '2026-04', 'processing-time')).toEqual([8.125 + 2.6875, 2]);
    // The ward had no dossiers: figures over nothing, without value or verdict.
    const ward = await stored(deps, WARD, '2026-03');
    expect(ward.get('on-time')).toMatchObject({ numerator: 0, denominator: 0 });
    expect(ward.get('on-time')?.value).toBeUndefined();
    expect(ward.get('online-share')?.targetStatus).toBe('no-data');
    expect(ward.get('online-share')?.met).toBeUndefined();
    expect(ward.get('online-share')?.value).toBeUndefined();
    expect(ward.get('intake-productivity')?.denominator).toBeCloseTo(
      ((sampleConfig.agencies.find((a) => a.id === WARD)?.counterStaff ?? 0) * 31) / 365,
      12,
    );
    // The communes together are the commune's figures; the province holds the catalogue too.
    expect(await terms(deps, levelScope('commune'), '2026-03', 'on-time')).toEqual([2, 4]);
    expect(await terms(deps, PROVINCE_SCOPE, '2026-03', 'backlog')).toEqual([1, 2]);
    expect(await terms(deps, PROVINCE_SCOPE, '2026-03', 'catalogue-with-dossiers')).toEqual([
      1,
      (await terms(deps, PROVINCE_SCOPE, '2026-03', 'catalogue-procedures-province'))?.[1],
    ]);
    expect(await terms(deps, COMMUNE, '2026-03', 'catalogue-with-dossiers')).toBeUndefined();
    // The sample has no district: no district trees.
    expect(rollup.periods[0]?.figures.some((figure) => figure.scope.startsWith('TREE#'))).toBe(false);
    // Each figure carries its target for the period's year, verdict, rule version and computedAt.
    const online = (await stored(deps, PROVINCE_SCOPE, '2026-03')).get('online-share');
    expect(online).toMatchObject({
      value: 25,
      target: 100,
      comparison: 'at-least',
      met: false,
      targetStatus: 'not-met',
      ruleVersion: '1',
      computedAt: '2026-05-05T03:00:00.000Z',
    });
  });

  it("reads the buckets only from the day after the earliest period's end: none for a day of the current month", async () => {
    const { deps, days } = await springOffice();
    const first = await rollUpKpiPeriods(deps, days);
    // March is the earliest period: 1 April to today (5 May), one page a day.
    expect(first.reads.bucketPages).toBe(35);
    await rollUpKpiDay(deps, '2026-05-04');
    const nightly = await rollUpKpiPeriods(deps, ['2026-05-04']);
    expect(nightly.periods.map((period) => period.period)).toEqual(['2026-05', '2026-Q2', '2026']);
    expect(nightly.reads.bucketPages).toBe(0);
    // D, the only dossier open now, by key; the others' on-time comes from the days' ended terms.
    expect(nightly.reads.openDossiers).toBe(1);
    expect(await terms(deps, COMMUNE, '2026', 'on-time')).toEqual([2, 5]);
    expect(await terms(deps, COMMUNE, '2026', ON_TIME_ENDED)).toEqual([2, 4]);
    expect(await terms(deps, COMMUNE, '2026-04-08', ON_TIME_ENDED)).toEqual([0, 1]);
    expect(
      await terms(deps, PROVINCE_SCOPE, '2026-03-02', receivedCodeTerm(spring().A.procedureCode)),
    ).toEqual([1, 1]);
  });

  it('writes nothing on a re-run, computedAt included', async () => {
    const { deps, days, setClock } = await springOffice();
    const first = await rollUpKpiPeriods(deps, days);
    expect(first.periods.every((period) => period.written === period.figures.length)).toBe(true);
    const before = await deps.store.listFigures(COMMUNE, '2026-Q1');
    setClock('2026-05-06T10:00');
    const again = await rollUpKpiPeriods(deps, days);
    expect(again.periods.map((period) => period.period)).toEqual([
      '2026-03',
      '2026-04',
      '2026-Q1',
      '2026-Q2',
      '2026',
    ]);
    for (const period of again.periods) {
      expect(period.written, period.period).toBe(0);
      expect(period.unchanged, period.period).toBe(period.figures.length);
    }
    expect(await deps.store.listFigures(COMMUNE, '2026-Q1')).toEqual(before);
  });

  it('stores an earlier month whose days were rolled up but never the month itself, so that the year adds up', async () => {
    const { deps } = await springOffice();
    const rollup = await rollUpKpiPeriods(deps, ['2026-04-30']);
    expect(rollup.periods.map((period) => period.period)).toEqual(['2026-03', '2026-04', '2026-Q2', '2026']);
    expect(await terms(deps, COMMUNE, '2026-03', 'online-share')).toEqual([1, 4]);
    expect(await terms(deps, COMMUNE, '2026', 'online-share')).toEqual([1, 5]);
    expect(await terms(deps, COMMUNE, '2026', 'on-time')).toEqual([2, 5]);
    // The first quarter was not asked for: it waits for a day of its own.
    expect(await deps.store.listFigures(COMMUNE, '2026-Q1')).toEqual([]);
  });

  it("sets a target relative to the year before from that year's stored figure of the same scope", async () => {
    const { deps, days } = await springOffice();
    // The sample asks digitised, signed and archived to rise 20 points a year from 2023.
    await deps.store.putFigures([
      {
        scope: COMMUNE,
        period: '2025',
        kpiId: 'digitised-signed-archived',
        numerator: 45,
        denominator: 100,
        value: 45,
        targetStatus: 'no-target',
        ruleVersion: '1',
        computedAt: '2026-01-01T18:00:00.000Z',
      },
    ]);
    const rollup = await rollUpKpiPeriods(deps, days);
    expect(rollup.reads.previousYearQueries).toBeGreaterThan(0);
    const commune = (await stored(deps, COMMUNE, '2026-03')).get('digitised-signed-archived');
    // A and C were resolved in March without result papers: 0 %.
    expect(commune).toMatchObject({ value: 0, target: 65, comparison: 'at-least', met: false });
    const ward = (await stored(deps, WARD, '2026-03')).get('digitised-signed-archived');
    expect(ward?.targetStatus).toBe('no-baseline');
  });

  it('a late event, recomputed for exactly the days it touches, changes that day and the month, quarter and year above it, and nothing else', async () => {
    const { deps, days, repository, D, setClock } = await springOffice();
    await rollUpKpiPeriods(deps, days);
    const scopes = [COMMUNE, WARD, levelScope('commune'), PROVINCE_SCOPE];
    const periods = [...days, '2026-03', '2026-04', '2026-Q1', '2026-Q2', '2026'];
    const snapshot = async () => {
      const all = new Map<string, KpiFigure>();
      for (const scope of scopes) {
        for (const period of periods) {
          for (const figure of await deps.store.listFigures(scope, period)) {
            all.set(`${scope} ${period} ${figure.kpiId}`, figure);
          }
        }
      }
      return all;
    };
    const before = await snapshot();
    // Recorded on 6 May: D was processed on Thu 2 April.
    const late = {
      ...D,
      version: D.version + 1,
      status: DOSSIER_STATUS.processed,
      finishedAt: at('2026-04-02T16:00'),
      history: [
        ...D.history,
        {
          version: D.version + 1,
          at: at('2026-04-02T16:00'),
          action: 'complete' as const,
          by: 'officer-1',
          status: DOSSIER_STATUS.processed,
        },
      ],
    };
    await repository.saveDossier(late);
    const touched = [...new Set([...kpiDaysOf(D), ...kpiDaysOf(late)])].sort();
    expect(touched).toEqual(['2026-03-20', '2026-04-02']);
    setClock('2026-05-06T10:00');
    for (const day of touched) await rollUpKpiDay(deps, day);
    const rollup = await rollUpKpiPeriods(deps, touched);
    expect(rollup.periods.map((period) => period.period)).toEqual([
      '2026-03',
      '2026-04',
      '2026-Q1',
      '2026-Q2',
      '2026',
    ]);
    const after = await snapshot();
    const changed = [...after].filter(
      ([key, figure]) => JSON.stringify(before.get(key)) !== JSON.stringify(figure),
    );
    const changedPeriods = new Set(changed.map(([key]) => key.split(' ')[1]));
    expect([...changedPeriods].sort()).toEqual(['2026', '2026-04', '2026-04-02', '2026-Q2']);
    // D was open at the end of March either way: March and the first quarter keep their figures.
    expect(await terms(deps, COMMUNE, '2026-03', 'backlog')).toEqual([1, 2]);
    // April: D no longer open at its end, but finished late (due 25 March).
    expect(await terms(deps, COMMUNE, '2026-04', 'backlog')).toEqual([0, 0]);
    expect(await terms(deps, COMMUNE, '2026-04', 'on-time')).toEqual([1, 3]);
    expect((await terms(deps, COMMUNE, '2026-04', 'processing-time'))?.[1]).toBe(3);
    expect(after.get(`${COMMUNE} 2026-04 backlog`)?.computedAt).toBe('2026-05-06T03:00:00.000Z');
    expect(after.get(`${COMMUNE} 2026-04 on-time`)?.computedAt).toBe('2026-05-05T03:00:00.000Z');
  });

  it('finds a dossier open since an earlier year through the status index, not the buckets', async () => {
    const repository = createInMemoryDossierRepository();
    const E = sketchDossier({ received: '2026-12-21T09:00', status: DOSSIER_STATUS.processing });
    await repository.createDossier(E);
    const { period: _period, ...sample } = kpiContext({ from: '2027-01-01', to: '2027-01-01' }, { calendar });
    const deps: RollUpKpiPeriodsDeps = {
      dossiers: repository,
      store: createInMemoryKpiRollupStore(),
      context: sample,
      now: () => new Date(at('2027-01-06T01:00')),
    };
    const rollup = await rollUpKpiPeriods(deps, ['2027-01-05']);
    expect(rollup.reads.openDossiers).toBe(1);
    expect(await terms(deps, COMMUNE, '2027-01', 'backlog')).toEqual([1, 1]);
    const lastYear = await rollUpKpiPeriods(deps, ['2026-12-21']);
    // December ended 31 December: the buckets since (1–6 January) do not hold E, the status index does.
    expect(lastYear.reads.bucketPages).toBe(6);
    expect(lastYear.reads.openDossiers).toBe(1);
    // Due Thu 24 December: overdue at the end of the month too.
    expect(await terms(deps, COMMUNE, '2026-12', 'backlog')).toEqual([1, 1]);
    await expect(rollUpKpiPeriods(deps, ['2027-1-5'])).rejects.toMatchObject({ code: 'INVALID_KPI_DAY' });
  });
});

describe('KPI period rollup of a simulated province (brute force)', () => {
  it('stores for every month, quarter and year the figures measureKpis gives over the raw dossiers, for units, levels, the district tree and the province (property over seeds)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 300, max: 500 }),
        fc.constantFrom('2026-08-20T10:00', '2026-12-31T23:00'),
        async (seed, count, asOfLocal) => {
          const asOf = new Date(`${asOfLocal}:00+07:00`);
          const dossiers: Dossier[] = [
            ...simulateProvinceYear({ seed, year: 2026, dossiers: count, province, calendar, asOf }),
          ];
          const repository = createInMemoryDossierRepository();
          for (const dossier of dossiers) await repository.createDossier(dossier);
          const deps: RollUpKpiPeriodsDeps = {
            dossiers: repository,
            store: createInMemoryKpiRollupStore(),
            context,
            agencies: province.agencies,
            targets,
            now: () => new Date(at('2027-01-02T10:00')),
          };
          // The next year's first day too: its periods judge the dossiers still open from this one,
          // which only the status index finds (they have no event in the next year).
          const days = [...daysOfPeriod('2026'), '2027-01-01'];
          for (const day of days) await rollUpKpiDay(deps, day);
          const rollup = await rollUpKpiPeriods(deps, days);
          const keys = rollup.periods.map((period) => period.period);
          const months = daysOfPeriod('2026').map((day) => day.slice(0, 7));
          expect(keys).toEqual([
            ...new Set(months),
            '2027-01',
            ...['Q1', 'Q2', 'Q3', 'Q4'].map((quarter) => `2026-${quarter}`),
            '2027-Q1',
            '2026',
            '2027',
          ]);
          expect(rollup.reads.openDossiers).toBeGreaterThan(0);
          for (const key of keys) {
            const { from, to } = parsePeriodKey(key);
            const measured = measureKpis(dossiers, { ...context, period: { from, to } });
            const sumOf = (ids: readonly string[], kpiId: string) =>
              sumKpiValues(
                'count',
                ids.map(
                  (id) => measured.byUnit.get(id)?.get(kpiId as never) ?? { numerator: 0, denominator: 0 },
                ),
              );
            // Of 2027 only its first day was rolled up: compare what does not come from days.
            const compared = KPI_DEFINITIONS.filter(
              (kpi) => !key.startsWith('2027') || kpi.scope === 'catalogue' || kpi.overTime === 'period-end',
            );
            for (const kpi of compared) {
              if (kpi.scope !== 'dossier') continue;
              for (const unit of units) {
                expectFigure(
                  (await stored(deps, unit.id, key)).get(kpi.id),
                  measured.byUnit.get(unit.id)?.get(kpi.id),
                  `${key} ${unit.id} ${kpi.id}`,
                );
              }
              for (const level of new Set(units.map((unit) => unit.level))) {
                const ids = units.filter((unit) => unit.level === level).map((unit) => unit.id);
                expectFigure(
                  (await stored(deps, levelScope(level), key)).get(kpi.id),
                  sumOf(ids, kpi.id),
                  `${key} ${level} ${kpi.id}`,
                );
              }
              expectFigure(
                (await stored(deps, treeScope(DISTRICT), key)).get(kpi.id),
                sumOf([DISTRICT, WARD], kpi.id),
                `${key} tree ${kpi.id}`,
              );
            }
            const provinceFigures = await stored(deps, PROVINCE_SCOPE, key);
            for (const kpi of compared) {
              expectFigure(
                provinceFigures.get(kpi.id),
                measured.total.get(kpi.id),
                `${key} province ${kpi.id}`,
              );
            }
          }
          // One day again, its quarter and year now added up from the other months' stored figures: the same.
          const again = await rollUpKpiPeriods(deps, ['2026-05-12']);
          expect(again.reads.monthFigureQueries).toBeGreaterThan(0);
          expect(again.periods.map((period) => [period.period, period.written])).toEqual([
            ['2026-05', 0],
            ['2026-Q2', 0],
            ['2026', 0],
          ]);
          // The catalogue figures are the province's only.
          expect((await stored(deps, levelScope('commune'), '2026')).has('catalogue-with-dossiers')).toBe(
            false,
          );
        },
      ),
      { numRuns: 2, seed: 20_261_130 },
    );
  }, 120_000);
});
