import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { ObservabilityConfig } from '#shared/config/runtime-config.ts';
import type { PipelineMetrics } from '#shared/ports.ts';
import { createPowertoolsPipelineMetrics, NO_PIPELINE_METRICS } from './pipeline-metrics.ts';

/** The service name on every log line, metric and trace segment. */
export const SERVICE_NAME = 'motcua';
/** The CloudWatch namespace of the metrics. */
export const METRICS_NAMESPACE = 'motcua';

/** Logs, metrics and traces of one composition root (Powertools). */
export interface Observability {
  /** JSON lines on stdout; handlers take a child each (their own Lambda context and keys). */
  logger: Logger;
  /** EMF metrics by province; undefined when metrics are off. */
  metrics?: Metrics;
  /** X-Ray tracing; undefined when tracing is off or cannot happen (outside Lambda). */
  tracer?: Tracer;
  /** The pipeline's metrics port over {@link metrics}. */
  pipelineMetrics: PipelineMetrics;
  /** An SDK client whose calls appear in the trace when tracing is on, as it is otherwise. */
  traced<Client>(client: Client): Client;
}

/**
 * Builds the Powertools utilities from the runtime configuration (never from `process.env`).
 * `TracerClass` is Powertools' Tracer where tracing can happen (Lambda); the embedded runtime
 * passes none, so that the X-Ray SDK is never loaded there: loading it turns on cls-hooked's async
 * hook for the whole process, which made every promise several times dearer (and GC busier).
 */
export function createObservability(
  config: ObservabilityConfig,
  dimensions: { province: string },
  TracerClass?: typeof Tracer,
): Observability {
  const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: config.logLevel });
  const metrics = config.metrics
    ? new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: SERVICE_NAME,
        defaultDimensions: dimensions,
        logger,
      })
    : undefined;
  const tracer =
    config.tracing && TracerClass ? new TracerClass({ serviceName: SERVICE_NAME, enabled: true }) : undefined;
  return {
    logger,
    metrics,
    tracer,
    pipelineMetrics: metrics ? createPowertoolsPipelineMetrics(metrics) : NO_PIPELINE_METRICS,
    traced: (client) => (tracer?.isTracingEnabled() ? (tracer.captureAWSv3Client(client) ?? client) : client),
  };
}
