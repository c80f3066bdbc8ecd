import { pipelineContainerFromEnvironment } from './pipeline-container.ts';
import { pipelineTask } from './pipeline-task.ts';

export const handler = pipelineTask(pipelineContainerFromEnvironment(), 'ValidateUpload');
