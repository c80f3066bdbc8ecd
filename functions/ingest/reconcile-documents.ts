import middy from '@middy/core';
import { logErrors } from '../log-errors.ts';
import { dependencies } from '../wire-dependencies.ts';

/** Longer than any pipeline execution takes, so a document idle this long was cut off. */
const IDLE_FOR_MS = 30 * 60 * 1000;

/** Scheduled sweep: resumes documents that stopped moving (lost events, interrupted executions). */
export const handler = middy({ timeoutEarlyInMillis: 0 })
  .use(logErrors('reconcile-documents'))
  .handler(async () => {
    const report = await dependencies().reconcileDocuments({ idleForMs: IDLE_FOR_MS });
    console.info(JSON.stringify({ level: 'info', ...report }));
    return report;
  });
