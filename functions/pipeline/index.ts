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

/** The pipeline's handlers over one container, keyed by Task state name, as the task table lists them. */
export function createPipelineTaskHandlers(
  container: PipelineContainer,
): Record<DocumentPipelineTask, PipelineTaskHandler> {
  return Object.fromEntries(
    (Object.keys(DOCUMENT_PIPELINE_TASKS) as DocumentPipelineTask[]).map((task) => [
      task,
      pipelineTask(container, task),
    ]),
  ) as Record<DocumentPipelineTask, PipelineTaskHandler>;
}
