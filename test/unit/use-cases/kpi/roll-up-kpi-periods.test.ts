import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
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
import { type KpiFigure, PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';
import { rollUpKpiDay } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { type RollUpKpiPeriodsDeps, rollUpKpiPeriods } from '#shared/use-cases/kpi/roll-up-kpi-periods.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { extendedCalendar, sampleConfig } from '#test/support/kpi-dossiers.ts';

const calendar = extendedCalendar();
const targets = loadKpiTargets('config/kpi-targets/sample-province.yaml');

/** The sample province with a district over the ward (the sample itself has no district). */
const DISTRICT = '000.30.00.H99';
const WARD = '000.17.23.H99';
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

describe('KPI period rollup of a simulated province (brute force)', () => {
  it('stores for every month, quarter and year the figures measureKpis gives over the raw dossiers, for units, levels, the district tree and the province (property over seeds)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 300, max: 700 }),
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
            now: () => new Date(asOf.getTime() + 86_400_000),
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
          // The catalogue figures are the province's only.
          expect((await stored(deps, levelScope('commune'), '2026')).has('catalogue-with-dossiers')).toBe(
            false,
          );
          // A re-run changes nothing.
          const again = await rollUpKpiPeriods(deps, days);
          expect(again.periods.every((period) => period.written === 0)).toBe(true);
        },
      ),
      { numRuns: 3, seed: 20_261_130 },
    );
  }, 120_000);
});
