import { pipelineTask } from './pipeline-task.ts';

export const handler = pipelineTask('AwaitReview');
