import type { Context } from 'aws-lambda';
import type { DossierRoutingTask } from '#state-machines/dossier-routing-tasks.ts';
import { stateMachineTask } from '../state-machine-task.ts';
import type { RoutingContainer } from './routing-container.ts';

const STEPS = { StartRouting: 'startRouting', AwaitStep: 'openStep' } as const satisfies Record<
  DossierRoutingTask,
  keyof RoutingContainer['steps']
>;

/** A Lambda handler for one Task state of the dossier routing; its log lines carry the dossier code. */
export function routingTask(
  container: RoutingContainer,
  task: DossierRoutingTask,
): (event: unknown, context: Context) => Promise<unknown> {
  const step = container.steps[STEPS[task]] as (input: unknown) => Promise<unknown>;
  return stateMachineTask(
    container.observability,
    task,
    (event) => (event as { dossierCode?: string }).dossierCode,
    (event) => step(event),
  );
}
