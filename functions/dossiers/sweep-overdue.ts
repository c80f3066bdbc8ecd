import middy from '@middy/core';
import { ValidationError } from '#shared/domain/errors.ts';
import type { SweepReport } from '#shared/use-cases/dossiers/sweep-overdue-dossiers.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { logErrors } from '../log-errors.ts';
import { observeInvocation } from '../observe-invocation.ts';
import { type SweepContainer, sweepContainerFromEnvironment } from './sweep-container.ts';

/**
 * What the schedule sends: nothing (the sweep looks from now), or `at`, an ISO instant to sweep
 * as of (an operator re-running an earlier hour, a test).
 */
export interface SweepEvent {
  at?: string;
}

function instantOf(event: unknown): Date | undefined {
  const at = event && typeof event === 'object' ? (event as SweepEvent).at : undefined;
  if (at === undefined) return undefined;
  const instant = typeof at === 'string' ? new Date(at) : new Date(Number.NaN);
  if (Number.isNaN(instant.getTime()))
    throw new ValidationError('INVALID_SWEEP_EVENT', `at must be an ISO instant, not ${String(at)}`);
  return instant;
}

/** Scheduled sweep: records each unit's attention list of the day (dossiers and steps near or past due). */
export function createSweepOverdueHandler(
  container: Pick<SweepContainer, 'observability' | 'sweepOverdueDossiers'>,
) {
  const logger = container.observability.logger.createChild();
  return middy<unknown, SweepReport>({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation(container.observability, logger))
    .use(logErrors(logger))
    .handler(async (event) => {
      const report = await container.sweepOverdueDossiers({ at: instantOf(event) });
      const { skipped, ...counts } = report;
      logger.info({ message: 'swept overdue dossiers', ...counts, skipped: skipped.length });
      for (const { dossierCode, code, message } of skipped) {
        logger.warn({ message: 'dossier not judged', dossierCode, code, reason: message });
      }
      return report;
    });
}

/** The Lambda entry: its container comes from the function's environment, on the first sweep. */
export const handler = lambdaEntry(() => createSweepOverdueHandler(sweepContainerFromEnvironment()));
