import { readFileSync } from 'node:fs';
import { type AslDefinition, buildStateMachineDefinition } from './build-state-machine-definition.ts';
import type { WorkflowTask } from './document-pipeline-tasks.ts';

/**
 * The KPI rollup's Task states (see document-pipeline-tasks.ts for what the table drives). A day
 * reads one day's bucket; the periods read the year's buckets and day figures (see
 * roll-up-kpi-periods.ts), hence Lambda's longest timeout and a full vCPU.
 */
export const KPI_ROLLUP_TASKS = {
  PlanRollup: { entry: 'plan-rollup', memoryMb: 256, timeoutSeconds: 30 },
  RollUpDay: { entry: 'roll-up-day', memoryMb: 1024, timeoutSeconds: 300 },
  RollUpPeriods: { entry: 'roll-up-periods', memoryMb: 1769, timeoutSeconds: 900 },
  ClearStale: { entry: 'clear-stale', memoryMb: 256, timeoutSeconds: 30 },
} as const satisfies Record<string, WorkflowTask>;

export type KpiRollupTask = keyof typeof KPI_ROLLUP_TASKS;

/**
 * A malformed request (a bad range) is not retried; anything still failing after the transient
 * retries ends the run in Failed before ClearStale, so its stale days stay marked for the next run.
 */
export const KPI_ROLLUP_ERROR_POLICY = {
  final: ['ValidationError'],
  catchers: [{ errors: ['States.ALL'], next: 'Failed', resultPath: '$.error' }],
};

export const KPI_ROLLUP_NAME = 'kpi-rollup';
export const KPI_ROLLUP_ASL = new URL('./kpi-rollup.asl.json', import.meta.url);

/** The rollup's complete definition, `${…FunctionArn}` placeholders left for the runtime. */
export function loadKpiRollupDefinition(): AslDefinition {
  const asl = JSON.parse(readFileSync(KPI_ROLLUP_ASL, 'utf8')) as AslDefinition;
  return buildStateMachineDefinition(asl, KPI_ROLLUP_TASKS, KPI_ROLLUP_ERROR_POLICY);
}
