import type { Context } from 'aws-lambda';
import type { DocumentPipelineSteps } from '#shared/use-cases/document-pipeline-steps.ts';
import type { DocumentPipelineTask } from '#state-machines/document-pipeline-tasks.ts';
import { stateMachineTask } from '../state-machine-task.ts';
import type { PipelineContainer } from './pipeline-container.ts';

/** The pipeline step that runs a Task state: the state name with a lower-case initial. */
export const stepOf = (task: DocumentPipelineTask) =>
  `${task[0]?.toLowerCase()}${task.slice(1)}` as keyof DocumentPipelineSteps;

/** What every Task state's input carries: the document, and the run (the execution name) when it is known. */
interface TaskInput {
  documentId?: string;
  runId?: string;
}

/**
 * A Lambda handler for one Task state of the document pipeline. The state's input is the
 * step's input; what the step returns goes to the state's ResultPath. Its log lines carry the
 * run's execution name (the document id in a Map's page) as their correlation id.
 */
export function pipelineTask(
  container: PipelineContainer,
  task: DocumentPipelineTask,
): (event: unknown, context: Context) => Promise<unknown> {
  const step = container.steps[stepOf(task)] as (input: unknown) => Promise<unknown>;
  return stateMachineTask(
    container.observability,
    task,
    (event) => (event as TaskInput).runId ?? (event as TaskInput).documentId,
    (event, logger) => {
      const documentId = (event as TaskInput).documentId;
      if (documentId) logger.appendKeys({ documentId });
      return step(event);
    },
  );
}
