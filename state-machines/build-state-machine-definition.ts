import type { WorkflowTask } from './document-pipeline-tasks.ts';

/** The parts of an Amazon States Language definition this module reads and writes. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

interface AslState {
  Type: string;
  Retry?: unknown[];
  Catch?: unknown[];
  TimeoutSeconds?: number;
  Iterator?: AslDefinition;
  ItemProcessor?: AslDefinition;
  Branches?: AslDefinition[];
  [field: string]: unknown;
}

/** How a workflow's Task states handle errors: written once here instead of once per state. */
export interface ErrorPolicy {
  /** Errors that a retry cannot mend (a bad upload, a run that lost its document). */
  readonly final: readonly string[];
  /** Catchers for top-level Task, Map and Parallel states, in order; a catcher never targets its own state. */
  readonly catchers: readonly { errors: readonly string[]; next: string; resultPath: string }[];
}

/** Transient faults (throttling, timeouts, outages) are retried with exponential backoff and full jitter. */
export const TRANSIENT_RETRY = {
  ErrorEquals: ['States.ALL'],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 6,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
} as const;

/**
 * Completes a workflow's ASL from its task table: every Task state gets its TimeoutSeconds and
 * the retry policy, every top-level state that can fail gets the catchers. Fails when the ASL and
 * the table disagree, or when a state already declares what the policy would add.
 */
export function buildStateMachineDefinition(
  asl: AslDefinition,
  tasks: Readonly<Record<string, WorkflowTask>>,
  policy: ErrorPolicy,
): AslDefinition {
  const definition = structuredClone(asl);
  const seen = new Set<string>();
  const retry = [
    ...(policy.final.length > 0 ? [{ ErrorEquals: [...policy.final], MaxAttempts: 0 }] : []),
    TRANSIENT_RETRY,
  ];

  const visit = (machine: AslDefinition, topLevel: boolean) => {
    for (const [name, state] of Object.entries(machine.States)) {
      if (state.Type === 'Task') {
        const task = tasks[name];
        if (!task) throw new Error(`Task state ${name} is not in the workflow's task table`);
        if (state.Retry || state.TimeoutSeconds !== undefined) {
          throw new Error(
            `Task state ${name} declares Retry or TimeoutSeconds: they come from the task table`,
          );
        }
        seen.add(name);
        state.TimeoutSeconds = task.timeoutSeconds;
        state.Retry = structuredClone(retry);
      }
      if (topLevel && ['Task', 'Map', 'Parallel'].includes(state.Type)) {
        if (state.Catch) throw new Error(`State ${name} declares Catch: it comes from the error policy`);
        state.Catch = policy.catchers
          .filter((catcher) => catcher.next !== name)
          .map((catcher) => {
            if (!machine.States[catcher.next])
              throw new Error(`catcher target ${catcher.next} is not a state`);
            return { ErrorEquals: [...catcher.errors], ResultPath: catcher.resultPath, Next: catcher.next };
          });
      }
      for (const nested of [state.Iterator, state.ItemProcessor, ...(state.Branches ?? [])]) {
        if (nested) visit(nested, false);
      }
    }
  };
  visit(definition, true);

  const unused = Object.keys(tasks).filter((name) => !seen.has(name));
  if (unused.length > 0) throw new Error(`task table entries without a Task state: ${unused.join(', ')}`);
  return definition;
}
