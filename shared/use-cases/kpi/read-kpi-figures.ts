/**
 * A scope's KPI figures of one period (`GET /kpis?scope=&period=`), as the rollup stored them: each
 * with its KPI's label and unit, value, terms, target and whether it is met. A period not rolled
 * up (yet) answers an empty list with `rolledUp: false`, not an error.
 */
import { z } from 'zod';
import { authorizeRole, type Principal } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { type KpiPeriodKind, readKpiPeriod } from '#shared/domain/kpi/kpi-period-keys.ts';
import { type KpiRollupStore, reportedFigures } from '#shared/ports/kpi-rollup-store.ts';
import { parseQuery } from '../parse-query.ts';
import { type KpiFigureView, type KpiScope, kpiFigureView, resolveKpiScope } from './resolve-kpi-scope.ts';

/** A period key parameter: a day, month, quarter or year. */
export const kpiPeriodParameter = z
  .string({ error: 'is required: yyyy-MM-dd, yyyy-MM, yyyy-Qn or yyyy' })
  .refine((key) => readKpiPeriod(key) !== undefined, {
    message: 'must be a day yyyy-MM-dd, a month yyyy-MM, a quarter yyyy-Qn or a year yyyy (2000–2100)',
  });

const FIGURES_QUERY = z.strictObject({
  /** PROVINCE, LEVEL#{level} or a unit id. @default PROVINCE */
  scope: z.string().optional(),
  period: kpiPeriodParameter,
});

/** What `GET /kpis` answers. */
export interface KpiFiguresView {
  scope: KpiScope;
  period: string;
  periodKind: KpiPeriodKind;
  /** Whether the rollup has stored any figure of the scope's period. */
  rolledUp: boolean;
  figures: KpiFigureView[];
}

export interface ReadKpiDeps {
  config: Pick<ProvinceConfig, 'province' | 'agencies'>;
  store: Pick<KpiRollupStore, 'listFigures'>;
}

export function createReadKpiFigures(deps: ReadKpiDeps) {
  return async function readKpiFigures(
    principal: Principal,
    input: Record<string, string | undefined>,
  ): Promise<KpiFiguresView> {
    // A role that never reads KPIs gets 403 whatever it sends.
    authorizeRole(principal, 'kpi:read');
    const query = parseQuery(FIGURES_QUERY, input);
    const scope = resolveKpiScope(principal, deps.config, query.scope);
    const period = readKpiPeriod(query.period);
    if (!period) throw new Error('unreachable: the period was validated');
    const figures = reportedFigures(await deps.store.listFigures(scope.scope, period.key));
    return {
      scope,
      period: period.key,
      periodKind: period.kind,
      rolledUp: figures.length > 0,
      figures: figures.map(kpiFigureView),
    };
  };
}
