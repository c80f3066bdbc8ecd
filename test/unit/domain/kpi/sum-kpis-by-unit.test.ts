import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import {
  DOSSIER_KPI_IDS,
  kpiDefinition,
  kpiUnitsOf,
  measureKpi,
  measureKpis,
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

describe('KPIs of a simulated province, unit by unit', () => {
  it("add up to the province's numerators and denominators for every dossier KPI (property over seeds and periods)", () => {
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
});
