import type { KpiId } from '#shared/domain/kpi/kpi-definitions.ts';
import { type KpiFigure, PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';

/** A stored figure of a rate KPI with a target, written by hand for the KPI API and report tests. */
export function rateFigure(
  scope: string,
  period: string,
  kpiId: KpiId,
  numerator: number,
  denominator: number,
  target?: { atLeast?: number; atMost?: number },
): KpiFigure {
  const value = denominator === 0 ? undefined : (numerator / denominator) * 100;
  const bound = target?.atLeast ?? target?.atMost;
  const comparison = target?.atLeast !== undefined ? 'at-least' : 'at-most';
  const met =
    bound === undefined || value === undefined
      ? undefined
      : comparison === 'at-least'
        ? value >= bound
        : value <= bound;
  return {
    scope,
    period,
    kpiId,
    numerator,
    denominator,
    ...(value !== undefined && { value }),
    targetStatus: bound === undefined ? 'no-target' : met === undefined ? 'no-data' : met ? 'met' : 'not-met',
    ...(bound !== undefined && { target: bound, comparison }),
    ...(met !== undefined && { met }),
    ruleVersion: `${kpiId}/1`,
    computedAt: '2026-12-16T01:00:00.000Z',
  };
}

/** The sample province's commune units (000.17.22 and 000.17.23) and the province centre. */
export const UNITS = { centre: '000.00.01.H99', hoaBinh: '000.17.22.H99', dongThanh: '000.17.23.H99' };

/**
 * A quarter's figures: on-time for two communes (one meeting 80 %, one not), the centre and the
 * province; online share of the province without a target.
 */
export function quarterFigures(period: string): KpiFigure[] {
  return [
    rateFigure(UNITS.hoaBinh, period, 'on-time', 45, 50, { atLeast: 80 }),
    rateFigure(UNITS.dongThanh, period, 'on-time', 30, 50, { atLeast: 80 }),
    rateFigure(UNITS.centre, period, 'on-time', 190, 200, { atLeast: 80 }),
    rateFigure(PROVINCE_SCOPE, period, 'on-time', 265, 300, { atLeast: 80 }),
    rateFigure(PROVINCE_SCOPE, period, 'online-share', 120, 300),
  ];
}
