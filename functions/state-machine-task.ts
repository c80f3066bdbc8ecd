import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { logErrors } from './log-errors.ts';
import { observeInvocation } from './observe-invocation.ts';

/**
 * A Lambda handler for one Task state of a state machine: the state's input goes to `run`, what
 * it returns to the state's ResultPath. Its log lines carry the task's name and the correlation
 * id read from the input; `run` gets the invocation's logger for keys or lines of its own.
 */
export function stateMachineTask(
  observability: Observability,
  task: string,
  correlationId: (event: unknown) => string | undefined,
  run: (event: unknown, logger: Logger) => Promise<unknown>,
): (event: unknown, context: Context) => Promise<unknown> {
  const logger = observability.logger.createChild({ persistentKeys: { task } });
  return middy<unknown, unknown>({ timeoutEarlyInMillis: 0 })
    .use(observeInvocation<unknown>(observability, logger, { correlationId }))
    .use(logErrors(logger))
    .handler((event) => run(event, logger));
}
