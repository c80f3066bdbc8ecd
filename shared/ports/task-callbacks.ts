/**
 * Answers to workflow tasks that wait for a callback (Step Functions `.waitForTaskToken`): a human
 * step of a dossier's routing ends when its officer acts.
 */
export interface TaskCallbacks {
  /** Ends the waiting task with `output` as its result. */
  succeed(taskToken: string, output: unknown): Promise<TaskCallbackOutcome>;
  /** Fails the waiting task with an error name its workflow catches. */
  fail(taskToken: string, error: string, cause: string): Promise<TaskCallbackOutcome>;
}

/**
 * `delivered`, or `stale` when the task no longer waits on that token (it timed out, its execution
 * ended, or a replayed execution holds a newer token): the workflow then learns the outcome from
 * the dossier when it reopens the step, so a stale token is not an error.
 */
export type TaskCallbackOutcome = 'delivered' | 'stale';
