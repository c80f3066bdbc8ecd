import type { Context } from 'aws-lambda';
import type { KpiRollupTask } from '#state-machines/kpi-rollup-tasks.ts';
import { stateMachineTask } from '../state-machine-task.ts';
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
  return stateMachineTask(
    container.observability,
    task,
    (event) => (event as { day?: string } | undefined)?.day,
    async (event, logger) => {
      const result = await step(event);
      logger.info({ message: 'kpi rollup step done', result });
      return result;
    },
  );
}
