import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import {
  DOSSIER_KPI_IDS,
  kpiDefinition,
  kpiUnitsOf,
  measureKpi,
  measureKpis,
  wasReceived,
} from '#shared/domain/kpi/kpi-definitions.ts';
import { simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import { extendedCalendar, sampleConfig } from '#test/support/kpi-dossiers.ts';

const calendar = extendedCalendar();
const units = kpiUnitsOf(sampleConfig);

const PERIODS = [
  { from: '2026-01-01', to: '2026-12-31' },
  { from: '2026-04-01', to: '2026-06-30' },
  { from: '2026-09-01', to: '2026-09-30' },
  { from: '2026-12-31', to: '2026-12-31' },
];

/** Equal up to floating-point summation order. */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

describe('KPIs of a simulated province', () => {
  it("add up unit by unit to the province's numerators and denominators for every dossier KPI (property over seeds and periods)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 200, max: 1_200 }),
        fc.constantFrom(...PERIODS),
        (seed, count, period) => {
          const dossiers = [
            ...simulateProvinceYear({ seed, year: 2026, dossiers: count, province: sampleConfig, calendar }),
          ];
          const context = { period, procedures: sampleConfig.procedures, calendar, units };
          const { total, byUnit } = measureKpis(dossiers, context);
          for (const id of DOSSIER_KPI_IDS) {
            const definition = kpiDefinition(id);
            const unitOf = (dossier: Dossier) =>
              definition.scope === 'dossier' && definition.attribution === 'receiving'
                ? dossier.receivingUnitId
                : dossier.competentAgencyId;
            // The province, computed on its own over every dossier and every unit's staff.
            const province = measureKpi(id, dossiers, context);
            // Each unit, computed on its own dossiers and staff only.
            let numerator = 0;
            let denominator = 0;
            for (const unit of units) {
              const own = dossiers.filter((dossier) => unitOf(dossier) === unit.id);
              const value = measureKpi(id, own, { ...context, units: [unit] });
              numerator += value.numerator;
              denominator += value.denominator;
              // The one-pass measurement attributes dossiers to the same unit.
              const measured = byUnit.get(unit.id)?.get(id);
              expect(close(measured?.numerator ?? 0, value.numerator), `${id} ${unit.id}`).toBe(true);
              expect(close(measured?.denominator ?? 0, value.denominator), `${id} ${unit.id}`).toBe(true);
            }
            expect(close(numerator, province.numerator), `${id} numerator`).toBe(true);
            expect(close(denominator, province.denominator), `${id} denominator`).toBe(true);
            expect(close(total.get(id)?.numerator ?? Number.NaN, province.numerator), id).toBe(true);
            expect(close(total.get(id)?.denominator ?? Number.NaN, province.denominator), id).toBe(true);
          }
        },
      ),
      { numRuns: 12, seed: 20_260_101 },
    );
  });
  it('add up day by day to the month for the KPIs that sum over time, and not for those judged at the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 12 }), (seed, month) => {
        const dossiers = [
          ...simulateProvinceYear({ seed, year: 2026, dossiers: 600, province: sampleConfig, calendar }),
        ];
        const mm = String(month).padStart(2, '0');
        const days = new Date(Date.UTC(2026, month, 0)).getUTCDate();
        const context = (from: string, to: string) => ({
          period: { from, to },
          procedures: sampleConfig.procedures,
          calendar,
          units,
        });
        const monthly = measureKpis(dossiers, context(`2026-${mm}-01`, `2026-${mm}-${days}`)).total;
        const daily = Array.from({ length: days }, (_, index) => {
          const day = `2026-${mm}-${String(index + 1).padStart(2, '0')}`;
          return measureKpis(dossiers, context(day, day)).total;
        });
        for (const id of DOSSIER_KPI_IDS) {
          const definition = kpiDefinition(id);
          if (definition.scope !== 'dossier' || definition.overTime !== 'sum') continue;
          const numerator = daily.reduce((sum, day) => sum + (day.get(id)?.numerator ?? 0), 0);
          const denominator = daily.reduce((sum, day) => sum + (day.get(id)?.denominator ?? 0), 0);
          expect(close(numerator, monthly.get(id)?.numerator ?? Number.NaN), `${id} numerator`).toBe(true);
          expect(close(denominator, monthly.get(id)?.denominator ?? Number.NaN), `${id} denominator`).toBe(
            true,
          );
        }
        // Open dossiers are judged at each day's end: the days' on-time denominators overcount the month's.
        const onTimeDays = daily.reduce((sum, day) => sum + (day.get('on-time')?.denominator ?? 0), 0);
        expect(onTimeDays).toBeGreaterThan(monthly.get('on-time')?.denominator ?? 0);
      }),
      { numRuns: 6, seed: 20_260_102 },
    );
  });
  it('judge every dossier open at the period end either on time or in the backlog, never both', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(...PERIODS), (seed, period) => {
        const dossiers = [
          ...simulateProvinceYear({ seed, year: 2026, dossiers: 500, province: sampleConfig, calendar }),
        ];
        const context = { period, procedures: sampleConfig.procedures, calendar, units };
        const end = Date.parse(`${period.to}T17:00:00.000Z`);
        const open = dossiers.filter((dossier) => {
          const ended = dossier.finishedAt ?? dossier.returnedAt;
          return (
            wasReceived(dossier) &&
            Date.parse(dossier.receivedAt) < end &&
            (!ended || Date.parse(ended) >= end)
          );
        });
        const backlog = measureKpi('backlog', open, context);
        const onTime = measureKpi('on-time', open, context);
        expect(backlog.denominator).toBe(onTime.denominator);
        expect(backlog.numerator + onTime.numerator).toBe(open.length);
      }),
      { numRuns: 6, seed: 20_260_103 },
    );
  });
});
