import middy from '@middy/core';
import { type Container, containerFromEnvironment } from '../container.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';

/** Longer than any pipeline execution takes, so a document idle this long was cut off. */
const IDLE_FOR_MS = 30 * 60 * 1000;

/** Scheduled sweep: resumes documents that stopped moving (lost events, interrupted executions). */
export function createReconcileHandler(container: Container) {
  const logger = container.observability.logger.createChild();
  return middy({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation(container.observability, logger))
    .use(logErrors(logger))
    .handler(async () => {
      const report = await container.reconcileDocuments({ idleForMs: IDLE_FOR_MS });
      logger.info({ message: 'reconciled', ...report });
      return report;
    });
}

/** The Lambda entry: its container comes from the function's environment, on the first sweep. */
export const handler = lambdaEntry(() => createReconcileHandler(containerFromEnvironment()));
