import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';

/** Options of {@link observeInvocation}. */
export interface ObserveInvocationOptions<Event> {
  /** The invocation's correlation id (`correlation_id` on its log lines), read from its event. */
  correlationId?: (event: Event, context: Context) => string | undefined;
}

/**
 * The cross-cutting middlewares of a handler, first in its chain: the trace segment (when tracing), the Lambda
 * context and cold start on the log lines (`injectLambdaContext`), the correlation id, and the
 * metrics flushed when the invocation ends. `logger` is the handler's own (a child of the
 * container's): its keys and Lambda context belong to one invocation at a time, as a Lambda
 * execution environment runs one.
 */
export function observeInvocation<Event>(
  observability: Observability,
  logger: Logger,
  options: ObserveInvocationOptions<Event> = {},
): MiddlewareObj<Event>[] {
  const { metrics, tracer } = observability;
  const correlate: MiddlewareObj<Event> = {
    before: (request) => {
      const id = options.correlationId?.(request.event, request.context);
      if (id) logger.setCorrelationId(id);
    },
  };
  // logMetrics would warn on every invocation that emitted nothing (most of them).
  const flush = () => {
    if (metrics?.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return [
    ...(tracer ? [captureLambdaHandler(tracer, { captureResponse: false }) as MiddlewareObj<Event>] : []),
    injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj<Event>,
    correlate,
    { after: flush, onError: flush },
  ];
}
