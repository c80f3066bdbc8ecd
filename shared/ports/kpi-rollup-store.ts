/**
 * Where the KPI rollup keeps its figures (DynamoDB's documents table in AWS and the embedded
 * runtime): one item per (scope, period, KPI).
 */
import type { TargetEvaluation } from '#shared/config/kpi-targets.ts';
import type { KpiId } from '#shared/domain/kpi/kpi-definitions.ts';

/** The scope of the province's own figure (a unit id otherwise). */
export const PROVINCE_SCOPE = 'PROVINCE';

/**
 * A reported period of local (Asia/Ho_Chi_Minh) days, by its key: a day `yyyy-MM-dd`, a month
 * `yyyy-MM`, a quarter `yyyy-Qn` or a year `yyyy`.
 */
export type KpiPeriodKey = string;

/** One KPI of one scope (a unit, a level of units, the province) over one period. */
export interface KpiFigure {
  /** A unit (agency) id, or PROVINCE_SCOPE. */
  scope: string;
  period: KpiPeriodKey;
  kpiId: KpiId;
  numerator: number;
  denominator: number;
  /** Absent for a rate, mean or ratio over nothing. */
  value?: number;
  /** How the figure compares with the targets file (`no-target` when no rule applies). */
  targetStatus: TargetEvaluation['status'];
  /** The target value for the period's year, when a rule gives one. */
  target?: number;
  comparison?: 'at-least' | 'at-most';
  /** Whether the value meets the target; absent when it neither meets nor misses (no target, no data). */
  met?: boolean;
  /** The formula's rule version (KPI_DEFINITIONS). */
  ruleVersion: string;
  /** When these values were first computed (kept by a re-run that computes the same values). */
  computedAt: string;
}

export interface KpiRollupStore {
  /**
   * Writes the figures, each only when its stored item differs in anything but `computedAt`: a
   * re-run that computes the same values leaves the stored items, `computedAt` included, untouched.
   * @returns how many were written and how many were already stored as computed.
   */
  putFigures(figures: readonly KpiFigure[]): Promise<{ written: number; unchanged: number }>;
  /** The stored figures of a scope's period, in KPI id order. */
  listFigures(scope: string, period: KpiPeriodKey): Promise<KpiFigure[]>;
}

/** What a stored figure says apart from when it was computed: equal digests mean an identical figure. */
export function kpiFigureDigest(figure: KpiFigure): string {
  const { computedAt: _computedAt, ...rest } = figure;
  return JSON.stringify(
    Object.entries(rest)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
