import { routingContainerFromEnvironment } from './routing-container.ts';
import { routingTask } from './routing-task.ts';

export const handler = routingTask(routingContainerFromEnvironment(), 'AwaitStep');
