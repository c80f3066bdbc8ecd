/**
 * Where the KPI rollup keeps its figures (DynamoDB's documents table in AWS and the embedded
 * runtime): one item per (unit or province, day, KPI).
 */
import type { TargetEvaluation } from '#shared/config/kpi-targets.ts';
import type { DossierKpiId } from '#shared/domain/kpi/kpi-definitions.ts';

/** The scope of the province's own figure (a unit id otherwise). */
export const PROVINCE_SCOPE = 'PROVINCE';

/** One KPI of one unit (or the province) on one local day. */
export interface KpiDayFigure {
  /** A unit (agency) id, or PROVINCE_SCOPE. */
  scope: string;
  /** Local (Asia/Ho_Chi_Minh) day, `yyyy-MM-dd`. */
  day: string;
  kpiId: DossierKpiId;
  numerator: number;
  denominator: number;
  /** Absent for a rate, mean or ratio over nothing. */
  value?: number;
  /** How the figure compares with the targets file (`no-target` when no rule applies). */
  targetStatus: TargetEvaluation['status'];
  /** The target value for the day's year, when a rule gives one. */
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
  putDayFigures(figures: readonly KpiDayFigure[]): Promise<{ written: number; unchanged: number }>;
  /** The stored figures of a scope's day, in KPI id order. */
  listDayFigures(scope: string, day: string): Promise<KpiDayFigure[]>;
}

/** What a stored figure says apart from when it was computed: equal digests mean an identical figure. */
export function kpiFigureDigest(figure: KpiDayFigure): string {
  const { computedAt: _computedAt, ...rest } = figure;
  return JSON.stringify(
    Object.entries(rest)
      .filter(([, value]) => value !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
