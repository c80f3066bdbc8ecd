import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOSSIER_STATUS, type Dossier } from '#shared/domain/dossiers/dossier.ts';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import { type KpiContext, measureKpis } from '#shared/domain/kpi/kpi-definitions.ts';
import { staleKpiDays } from '#shared/domain/kpi/kpi-stale-days.ts';
import { simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import { DAY_KPIS } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { at, extendedCalendar, sampleConfig, sketchDossier } from '#test/support/kpi-dossiers.ts';

const calendar = extendedCalendar();
const context: Omit<KpiContext, 'period'> = { procedures: sampleConfig.procedures, calendar, units: [] };

/** One dossier's terms of a day's figures, by unit and KPI: what its day rollup adds up. */
function dayTerms(dossier: Dossier | undefined, day: string): string {
  if (!dossier) return '';
  const { byUnit } = measureKpis([dossier], { ...context, period: { from: day, to: day } });
  return JSON.stringify(
    [...byUnit.entries()].map(([unit, values]) => [
      unit,
      DAY_KPIS.map(({ id }) => {
        const value = values.get(id);
        return value && value.denominator + value.numerator !== 0
          ? [id, value.numerator, value.denominator]
          : [];
      }),
    ]),
  );
}

describe('staleKpiDays', () => {
  it('never misses a past day whose figures a later version of a simulated dossier changes (property over seeds)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom(['2026-03-02T12:00', '2026-03-09T12:00'], ['2026-06-10T08:00', '2026-06-30T18:00']),
        (seed, [earlier, later]) => {
          const simulate = (asOf: string) =>
            simulateProvinceYear({
              seed,
              year: 2026,
              dossiers: 400,
              province: sampleConfig,
              calendar,
              asOf: new Date(at(asOf)),
            });
          const before = new Map([...simulate(earlier)].map((dossier) => [dossier.code, dossier]));
          const today = later.slice(0, 10);
          let changed = 0;
          for (const next of simulate(later)) {
            const previous = before.get(next.code);
            const stale = new Set(staleKpiDays(previous, next, today));
            const days = new Set([...(previous ? kpiDaysOf(previous) : []), ...kpiDaysOf(next)]);
            for (const day of days) {
              if (day >= today || dayTerms(previous, day) === dayTerms(next, day)) continue;
              changed += 1;
              expect(stale.has(day), `${next.code} on ${day}`).toBe(true);
            }
          }
          expect(changed).toBeGreaterThan(0);
        },
      ),
      { numRuns: 4 },
    );
  });

  it('names the receipt day when a refusal today changes how that day counted the dossier', () => {
    const previous = sketchDossier({ received: '2026-03-02T09:00', status: DOSSIER_STATUS.processing });
    const refusedAt = at('2026-03-05T10:00');
    const next: Dossier = {
      ...previous,
      status: DOSSIER_STATUS.refused,
      finishedAt: refusedAt,
      history: [...previous.history, { version: 3, at: refusedAt, action: 'refuse', by: 'o', status: 3 }],
      version: previous.version + 1,
    };
    expect(dayTerms(previous, '2026-03-02')).not.toBe(dayTerms(next, '2026-03-02'));
    expect(staleKpiDays(previous, next, '2026-03-06')).toEqual(['2026-03-02', '2026-03-05']);
    expect(staleKpiDays(previous, next, '2026-03-05')).toEqual(['2026-03-02']);
  });

  it('leaves out today and later, and names nothing for an unchanged dossier', () => {
    const [dossier] = [
      ...simulateProvinceYear({ seed: 7, year: 2026, dossiers: 50, province: sampleConfig, calendar }),
    ] as Dossier[];
    if (!dossier) throw new Error('no dossier simulated');
    const days = kpiDaysOf(dossier);
    const first = days[0] as string;
    expect(staleKpiDays(undefined, dossier, first)).toEqual([]);
    expect(staleKpiDays(undefined, dossier, '2099-01-01')).toEqual(days);
    expect(staleKpiDays(dossier, { ...dossier, version: dossier.version + 1 }, '2099-01-01')).toEqual([]);
  });
});
