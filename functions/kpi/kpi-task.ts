import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { KpiRollupTask } from '#state-machines/kpi-rollup-tasks.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';
import type { KpiContainer } from './kpi-container.ts';

const STEPS = {
  PlanRollup: 'planRollup',
  RollUpDay: 'rollUpDay',
  RollUpPeriods: 'rollUpPeriods',
  ClearStale: 'clearStale',
} as const satisfies Record<KpiRollupTask, keyof KpiContainer['steps']>;

/** A Lambda handler for one Task state of the KPI rollup; a day's log lines carry the day. */
export function kpiTask(
  container: Pick<KpiContainer, 'observability' | 'steps'>,
  task: KpiRollupTask,
): (event: unknown, context: Context) => Promise<unknown> {
  const step = container.steps[STEPS[task]] as (input: unknown) => Promise<unknown>;
  const logger = container.observability.logger.createChild({ persistentKeys: { task } });
  return middy<unknown, unknown>({ timeoutEarlyInMillis: 0 })
    .use(
      observeInvocation<unknown>(container.observability, logger, {
        correlationId: (event) => (event as { day?: string } | undefined)?.day,
      }),
    )
    .use(logErrors(logger))
    .handler(async (event) => {
      const result = await step(event);
      logger.info({ message: 'kpi rollup step done', result });
      return result;
    });
}
