/**
 * The national 766 scorecard of the province, a level or a unit for one period
 * (`GET /kpis/scorecard?scope=&period=`), scored from the stored figures with the index table:
 * its groups and indicators with points, and the indicators the back office cannot observe named
 * as not measured (never scored 0 or full).
 */
import { z } from 'zod';
import { authorizeRole, type Principal } from '#shared/auth/authorize.ts';
import {
  DEFAULT_INDEX_766,
  type Index766Table,
  type IndicatorScore,
  index766Inputs,
  score766,
} from '#shared/domain/kpi/index-766.ts';
import type { KpiId, KpiValue } from '#shared/domain/kpi/kpi-definitions.ts';
import { readKpiPeriod } from '#shared/domain/kpi/kpi-period-keys.ts';
import { reportedFigures } from '#shared/ports/kpi-rollup-store.ts';
import { parseQuery } from '../parse-query.ts';
import { kpiPeriodParameter, type ReadKpiDeps } from './read-kpi-figures.ts';
import { type KpiFigureView, type KpiScope, kpiFigureView, resolveKpiScope } from './resolve-kpi-scope.ts';

const SCORECARD_QUERY = z.strictObject({
  scope: z.string().optional(),
  period: kpiPeriodParameter,
});

/** An indicator's score with its label, and the stored figure it was scored from. */
export type ScorecardIndicator = IndicatorScore & { label: string; figure?: KpiFigureView };

/** What `GET /kpis/scorecard` answers. */
export interface KpiScorecardView {
  scope: KpiScope;
  period: string;
  rolledUp: boolean;
  tableVersion: string;
  maxPoints: number;
  points: number;
  /** Maximum points of the indicators scored: what `points` is out of. */
  scoredMaxPoints: number;
  groups: {
    id: string;
    label: string;
    maxPoints: number;
    points: number;
    scoredMaxPoints: number;
    indicators: ScorecardIndicator[];
  }[];
  /** The indicators not measured, with what would measure them. */
  notMeasured: { id: string; label: string; maxPoints: number; reason: string }[];
}

export function createReadKpiScorecard(deps: ReadKpiDeps & { table?: Index766Table }) {
  const table = deps.table ?? DEFAULT_INDEX_766;
  const labels = new Map(table.groups.flatMap((group) => group.indicators).map((i) => [i.id, i]));
  return async function readKpiScorecard(
    principal: Principal,
    input: Record<string, string | undefined>,
  ): Promise<KpiScorecardView> {
    // A role that never reads KPIs gets 403 whatever it sends.
    authorizeRole(principal, 'kpi:read');
    const query = parseQuery(SCORECARD_QUERY, input);
    const scope = resolveKpiScope(principal, deps.config, query.scope);
    const period = readKpiPeriod(query.period)?.key ?? query.period;
    const figures = reportedFigures(await deps.store.listFigures(scope.scope, period));
    const byKpi = new Map(figures.map((figure) => [figure.kpiId, figure]));
    const values = new Map<KpiId, KpiValue>(
      figures.map((figure) => [
        figure.kpiId,
        { numerator: figure.numerator, denominator: figure.denominator, value: figure.value },
      ]),
    );
    const score = score766(table, index766Inputs(table, values));
    const figureOf = (indicatorId: string) => {
      const measure = labels.get(indicatorId)?.measure;
      const figure = measure && 'kpi' in measure ? byKpi.get(measure.kpi) : undefined;
      return figure ? { figure: kpiFigureView(figure) } : {};
    };
    const groups = score.groups.map((group) => ({
      ...group,
      indicators: group.indicators.map(
        (indicator): ScorecardIndicator => ({
          ...indicator,
          label: labels.get(indicator.id)?.label ?? indicator.id,
          ...figureOf(indicator.id),
        }),
      ),
    }));
    return {
      scope,
      period,
      rolledUp: figures.length > 0,
      tableVersion: score.tableVersion,
      maxPoints: score.maxPoints,
      points: score.points,
      scoredMaxPoints: score.scoredMaxPoints,
      groups,
      notMeasured: groups.flatMap((group) =>
        group.indicators.flatMap((indicator) =>
          indicator.status === 'not-measured'
            ? [
                {
                  id: indicator.id,
                  label: indicator.label,
                  maxPoints: indicator.maxPoints,
                  reason: indicator.reason,
                },
              ]
            : [],
        ),
      ),
    };
  };
}
