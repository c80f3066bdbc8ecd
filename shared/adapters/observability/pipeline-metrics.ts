import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PipelineMetrics } from '#shared/ports.ts';

/** The pipeline's CloudWatch metrics, in the `motcua` namespace by province. */
export const PIPELINE_METRIC_NAMES = {
  archived: 'DocumentsArchived',
  /** With a `reason` dimension. */
  quarantined: 'DocumentsQuarantined',
  pagesRecognised: 'PagesRecognised',
  ocrSeconds: 'OcrSeconds',
} as const;

/**
 * {@link PipelineMetrics} as Powertools EMF metrics. They are stored until the handler flushes
 * them at the end of its invocation, except a quarantine, which goes out at once in a metric set of
 * its own (its `reason` dimension must not label the invocation's other metrics).
 */
export function createPowertoolsPipelineMetrics(metrics: Metrics): PipelineMetrics {
  return {
    archived() {
      metrics.addMetric(PIPELINE_METRIC_NAMES.archived, MetricUnit.Count, 1);
    },
    quarantined(reason) {
      const single = metrics.singleMetric();
      single.addDimension('reason', reason);
      single.addMetric(PIPELINE_METRIC_NAMES.quarantined, MetricUnit.Count, 1);
    },
    pagesRecognised(pages, seconds) {
      metrics.addMetric(PIPELINE_METRIC_NAMES.pagesRecognised, MetricUnit.Count, pages);
      metrics.addMetric(PIPELINE_METRIC_NAMES.ocrSeconds, MetricUnit.Seconds, seconds);
    },
  };
}

/** One call of a {@link PipelineMetrics}, as {@link createInMemoryPipelineMetrics} records it. */
export type PipelineMetricEvent =
  | { metric: 'archived' }
  | { metric: 'quarantined'; reason: string }
  | { metric: 'pagesRecognised'; pages: number; seconds: number };

/** {@link PipelineMetrics} that remembers every call, for tests. */
export function createInMemoryPipelineMetrics(): PipelineMetrics & {
  readonly events: PipelineMetricEvent[];
} {
  const events: PipelineMetricEvent[] = [];
  return {
    events,
    archived: () => events.push({ metric: 'archived' }),
    quarantined: (reason) => events.push({ metric: 'quarantined', reason }),
    pagesRecognised: (pages, seconds) => events.push({ metric: 'pagesRecognised', pages, seconds }),
  };
}

/** {@link PipelineMetrics} that counts nothing (metrics turned off). */
export const NO_PIPELINE_METRICS: PipelineMetrics = {
  archived: () => {},
  quarantined: () => {},
  pagesRecognised: () => {},
};
