/**
 * One KPI of one scope over consecutive periods of one kind (`GET /kpis/trend?kpi=&scope=&from=&to=`),
 * e.g. the months 2026-01..2026-12: each period with its stored figure, or `rolledUp: false`.
 */
import { z } from 'zod';
import { authorizeRole, type Principal } from '#shared/auth/authorize.ts';
import { KPI_IDS, type KpiId } from '#shared/domain/kpi/kpi-definitions.ts';
import { type KpiPeriodKind, kpiPeriodsBetween } from '#shared/domain/kpi/kpi-period-keys.ts';
import { reportedFigures } from '#shared/ports/kpi-rollup-store.ts';
import { parseQuery } from '../parse-query.ts';
import { kpiPeriodParameter, type ReadKpiDeps } from './read-kpi-figures.ts';
import {
  describeKpi,
  type KpiFigureView,
  type KpiScope,
  kpiFigureView,
  resolveKpiScope,
} from './resolve-kpi-scope.ts';

/** Periods one trend may span. */
export const MAX_TREND_PERIODS = 60;
/** Periods read from the store at once. */
const CONCURRENCY = 6;

const TREND_QUERY = z.strictObject({
  kpi: z.enum(KPI_IDS as unknown as [KpiId, ...KpiId[]], {
    error: `is required, one of ${KPI_IDS.join(', ')}`,
  }),
  scope: z.string().optional(),
  from: kpiPeriodParameter,
  to: kpiPeriodParameter,
});

/** One period of a trend. */
export interface KpiTrendPoint {
  period: string;
  rolledUp: boolean;
  /** Absent when the period is not rolled up, or holds no figure of this KPI. */
  figure?: KpiFigureView;
}

/** What `GET /kpis/trend` answers. */
export interface KpiTrendView {
  scope: KpiScope;
  kpi: { id: KpiId } & ReturnType<typeof describeKpi>;
  periodKind: KpiPeriodKind;
  from: string;
  to: string;
  points: KpiTrendPoint[];
}

export function createReadKpiTrend(deps: ReadKpiDeps) {
  return async function readKpiTrend(
    principal: Principal,
    input: Record<string, string | undefined>,
  ): Promise<KpiTrendView> {
    // A role that never reads KPIs gets 403 whatever it sends.
    authorizeRole(principal, 'kpi:read');
    const query = parseQuery(TREND_QUERY, input);
    const scope = resolveKpiScope(principal, deps.config, query.scope);
    const periods = kpiPeriodsBetween(query.from, query.to, MAX_TREND_PERIODS);
    const points: KpiTrendPoint[] = new Array(periods.length);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < periods.length; index = next++) {
        const period = (periods[index] as (typeof periods)[number]).key;
        const figures = reportedFigures(await deps.store.listFigures(scope.scope, period));
        const figure = figures.find((candidate) => candidate.kpiId === query.kpi);
        points[index] = {
          period,
          rolledUp: figures.length > 0,
          ...(figure ? { figure: kpiFigureView(figure) } : {}),
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, periods.length) }, worker));
    return {
      scope,
      kpi: { id: query.kpi, ...describeKpi(query.kpi) },
      periodKind: (periods[0] as (typeof periods)[number]).kind,
      from: query.from,
      to: query.to,
      points,
    };
  };
}
