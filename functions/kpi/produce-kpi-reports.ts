import middy from '@middy/core';
import { z } from 'zod';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import { dateOfDay, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { type ProduceKpiReportDeps, produceKpiReport } from '#shared/use-cases/kpi/produce-kpi-report.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';

/**
 * What the schedules send: `kind`, the report of the quarter or the year the day falls in (Vietnam
 * time; the 16th of a quarter's last month, 16 December), or an explicit `period` (an operator).
 */
const eventSchema = z.union([
  z.object({ kind: z.enum(['quarter', 'year']) }).strict(),
  z.object({ period: z.string().min(1) }).strict(),
]);

/** The quarter (`2026-Q4`) or year (`2026`) of the local day of `now`. */
export function scheduledReportPeriod(kind: 'quarter' | 'year', now: Date): string {
  const [year, month] = dateOfDay(localDayOf(now)).split('-').map(Number) as [number, number];
  return kind === 'year' ? String(year) : `${year}-Q${Math.ceil(month / 3)}`;
}

export interface KpiReportsContainer {
  observability: Observability;
  deps: ProduceKpiReportDeps;
}

/** The report function's composition root: the stored figures, the exports bucket and the clock. */
export function createKpiReportsContainer(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): KpiReportsContainer {
  assertRuntimeRole(config, 'kpi-reports');
  return {
    observability: adapters.observability,
    deps: {
      config: config.provinceConfig,
      store: adapters.kpis,
      objects: adapters.objects,
      clock: adapters.clock,
      ...(config.buckets.exports ? { reportsBucket: config.buckets.exports } : {}),
    },
  };
}

/** Scheduled production of the quarter's or the year's KPI report (XLSX and PDF in the exports bucket). */
export function createProduceKpiReportsHandler(container: KpiReportsContainer) {
  const logger = container.observability.logger.createChild();
  return middy<unknown, unknown>({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation(container.observability, logger))
    .use(logErrors(logger))
    .handler(async (event) => {
      const parsed = eventSchema.safeParse(event ?? {});
      if (!parsed.success) {
        throw new ValidationError('INVALID_REPORT_EVENT', 'expected {kind: "quarter" | "year"} or {period}');
      }
      const period =
        'period' in parsed.data
          ? parsed.data.period
          : scheduledReportPeriod(parsed.data.kind, container.deps.clock.now());
      const { model: _model, ...record } = await produceKpiReport(container.deps, { period });
      logger.info({ message: 'KPI report produced', period, rolledUp: record.rolledUp });
      return record;
    });
}

/** The Lambda entry: its container comes from the function's environment, on the first run. */
export const handler = lambdaEntry(() =>
  createProduceKpiReportsHandler(
    createKpiReportsContainer(parseRuntimeConfig(lambdaEnvironment(), 'kpi-reports')),
  ),
);
