import type { Context } from 'aws-lambda';
import {
  DOCUMENT_PIPELINE_TASKS,
  type DocumentPipelineTask,
} from '#state-machines/document-pipeline-tasks.ts';
import type { PipelineContainer } from './pipeline-container.ts';
import { pipelineTask } from './pipeline-task.ts';

export { createPipelineContainer, type PipelineContainer } from './pipeline-container.ts';
export { pipelineTask } from './pipeline-task.ts';

/** A Task handler with its Lambda context, as an execution environment calls it. */
export type PipelineTaskHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The pipeline's handlers over one container, keyed by Task state name, as the task table lists
 * them. `instantiate` receives each task and a factory of its handler, for a runtime that makes
 * one handler per execution environment (the embedded one).
 */
export function createPipelineTaskHandlers<Handler = PipelineTaskHandler>(
  container: PipelineContainer,
  instantiate: (task: DocumentPipelineTask, create: () => PipelineTaskHandler) => Handler = (_task, create) =>
    create() as Handler,
): Record<DocumentPipelineTask, Handler> {
  return Object.fromEntries(
    (Object.keys(DOCUMENT_PIPELINE_TASKS) as DocumentPipelineTask[]).map((task) => [
      task,
      instantiate(task, () => pipelineTask(container, task)),
    ]),
  ) as Record<DocumentPipelineTask, Handler>;
}
