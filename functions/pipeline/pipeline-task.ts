import middy from '@middy/core';
import type { DocumentPipelineSteps } from '#shared/use-cases/document-pipeline-steps.ts';
import type { DocumentPipelineTask } from '#state-machines/document-pipeline-tasks.ts';
import { logErrors } from '../log-errors.ts';
import { pipelineSteps } from './wire-pipeline.ts';

/** The pipeline step that runs a Task state: the state name with a lower-case initial. */
export const stepOf = (task: DocumentPipelineTask) =>
  `${task[0]?.toLowerCase()}${task.slice(1)}` as keyof DocumentPipelineSteps;

/**
 * A Lambda handler for one Task state of the document pipeline. The state's input is the
 * step's input; what the step returns goes to the state's ResultPath.
 */
export function pipelineTask(task: DocumentPipelineTask) {
  const step = stepOf(task);
  const run = (event: unknown): Promise<unknown> => {
    const fn = pipelineSteps()[step] as (input: unknown) => Promise<unknown>;
    return fn(event);
  };
  return middy<unknown, unknown>({ timeoutEarlyInMillis: 0 }).use(logErrors(task)).handler(run);
}
