import {
  DOCUMENT_PIPELINE_TASKS,
  type DocumentPipelineTask,
} from '#state-machines/document-pipeline-tasks.ts';
import { pipelineTask } from './pipeline-task.ts';

export { closePipeline } from './wire-pipeline.ts';

type TaskHandler = (event: unknown) => Promise<unknown>;

/** The pipeline's handlers keyed by Task state name, as the task table lists them. */
export const pipelineTaskHandlers: Record<string, TaskHandler> = Object.fromEntries(
  (Object.keys(DOCUMENT_PIPELINE_TASKS) as DocumentPipelineTask[]).map((task) => {
    const handler = pipelineTask(task) as unknown as (event: unknown, context: unknown) => Promise<unknown>;
    return [task, (event: unknown) => handler(event, {})];
  }),
);
