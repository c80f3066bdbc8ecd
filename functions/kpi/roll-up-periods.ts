import { lambdaEntry } from '../lambda-entry.ts';
import { kpiContainerFromEnvironment } from './kpi-container.ts';
import { kpiTask } from './kpi-task.ts';

export const handler = lambdaEntry(() => kpiTask(kpiContainerFromEnvironment(), 'RollUpPeriods'));
