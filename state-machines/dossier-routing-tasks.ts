import { readFileSync } from 'node:fs';
import { DOSSIER_ENDED_ERROR } from '#shared/domain/errors.ts';
import { type AslDefinition, buildStateMachineDefinition } from './build-state-machine-definition.ts';
import type { WorkflowTask } from './document-pipeline-tasks.ts';

/**
 * The dossier routing's Task states (see document-pipeline-tasks.ts for what the table drives).
 * AwaitStep waits for an officer: its timeout is long but under what the embedded runtime's timers
 * can hold (24.8 days); when it passes, the retry opens the step again with a fresh token, so a
 * step may wait for months without the routing failing. Its function only records the token and
 * returns, so the Lambda timeout is short.
 */
export const DOSSIER_ROUTING_TASKS = {
  StartRouting: { entry: 'start-routing', memoryMb: 256, timeoutSeconds: 30 },
  AwaitStep: { entry: 'await-step', memoryMb: 256, timeoutSeconds: 2_000_000, functionTimeoutSeconds: 30 },
} as const satisfies Record<string, WorkflowTask & { functionTimeoutSeconds?: number }>;

export type DossierRoutingTask = keyof typeof DOSSIER_ROUTING_TASKS;

/**
 * A dossier that is refused, stopped or withdrawn fails its waiting steps with Dossier.Ended: the
 * routing ends quietly in Ended. Anything still failing after the transient retries stops it in
 * Stalled with the dossier unchanged.
 */
export const DOSSIER_ROUTING_ERROR_POLICY = {
  final: [DOSSIER_ENDED_ERROR],
  catchers: [
    { errors: [DOSSIER_ENDED_ERROR], next: 'Ended', resultPath: '$.ended' },
    { errors: ['States.ALL'], next: 'Stalled', resultPath: '$.error' },
  ],
};

export const DOSSIER_ROUTING_NAME = 'dossier-routing';
export const DOSSIER_ROUTING_ASL = new URL('./dossier-routing.asl.json', import.meta.url);

/** The routing's complete definition, `${…FunctionArn}` placeholders left for the runtime. */
export function loadDossierRoutingDefinition(): AslDefinition {
  const asl = JSON.parse(readFileSync(DOSSIER_ROUTING_ASL, 'utf8')) as AslDefinition;
  return buildStateMachineDefinition(asl, DOSSIER_ROUTING_TASKS, DOSSIER_ROUTING_ERROR_POLICY);
}

/** The routing execution's name for a dossier (execution names allow no dots). */
export const routingExecutionName = (dossierCode: string) => `dossier-${dossierCode.replaceAll('.', '_')}`;
