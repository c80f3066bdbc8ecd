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

/**
 * The id of a term the rollup stores beside the KPIs to build longer periods from shorter ones,
 * never a KPI itself: reports and the KPI list skip every id with this prefix, which no KPI id has.
 */
export type InternalTermId = `internal:${string}`;

/** Whether a stored figure is an internal term rather than a KPI. */
export const isInternalTerm = (id: string): id is InternalTermId => id.startsWith('internal:');

/** A stored figure of a KPI, not an internal term. */
export type ReportedKpiFigure = KpiFigure & { kpiId: KpiId };

/** The KPIs among stored figures, without the internal terms: what the API and reports show. */
export const reportedFigures = (figures: readonly KpiFigure[]): ReportedKpiFigure[] =>
  figures.filter((figure): figure is ReportedKpiFigure => !isInternalTerm(figure.kpiId));

/** Of a unit's (or the province's) period: the dossiers that ended in it (d) and those on time (n). */
export const ON_TIME_ENDED: InternalTermId = 'internal:on-time-ended';

/** Of the province's period: the dossiers received in it under a procedure code (n). */
export const receivedCodeTerm = (code: string): InternalTermId => `internal:received#${code}`;

/** Of the province's period: a unit outside the configured ones with figures in it. */
export const outsideUnitTerm = (unitId: string): InternalTermId => `internal:unit#${unitId}`;

/** One KPI of one scope (a unit, a level of units, the province) over one period. */
export interface KpiFigure {
  /** A unit (agency) id, or PROVINCE_SCOPE. */
  scope: string;
  period: KpiPeriodKey;
  kpiId: KpiId | InternalTermId;
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
