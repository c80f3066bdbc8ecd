import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { TaskCallbackOutcome, TaskCallbacks } from '#shared/ports/task-callbacks.ts';

/** Step Functions' limits on a callback's error name and cause. */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

async function answer(send: () => Promise<unknown>): Promise<TaskCallbackOutcome> {
  try {
    await send();
    return 'delivered';
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof InvalidToken || error instanceof TaskDoesNotExist) {
      return 'stale';
    }
    throw error;
  }
}

/** Task callbacks through the Step Functions API (SendTaskSuccess, SendTaskFailure). */
export function createSfnTaskCallbacks(sfn: SFNClient): TaskCallbacks {
  return {
    succeed: (taskToken, output) =>
      answer(() =>
        sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? null) })),
      ),
    fail: (taskToken, error, cause) =>
      answer(() =>
        sfn.send(
          new SendTaskFailureCommand({
            taskToken,
            error: error.slice(0, MAX_ERROR_LENGTH),
            cause: cause.slice(0, MAX_CAUSE_LENGTH),
          }),
        ),
      ),
  };
}
