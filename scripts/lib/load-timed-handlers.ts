import type { TaskHandler } from '#infra/local/local-step-functions.ts';
import type { EmbeddedHandlers } from '#infra/local/start-embedded-back-office.ts';

/** Wall-clock durations of the pipeline's Task states, per state name. */
export interface StepTimings {
  record(step: string, ms: number): void;
  /** Durations recorded since the last reset, per step, in call order. */
  snapshot(): Map<string, number[]>;
  /** `performance.now()` when a call of `step` last ended, if one did since the last reset. */
  lastEnd(step: string): number | undefined;
  reset(): void;
}

/** An in-memory {@link StepTimings}. */
export function createStepTimings(): StepTimings {
  let durations = new Map<string, number[]>();
  let ends = new Map<string, number>();
  return {
    record(step, ms) {
      const list = durations.get(step) ?? [];
      list.push(ms);
      durations.set(step, list);
      ends.set(step, performance.now());
    },
    snapshot: () => new Map([...durations].map(([step, list]) => [step, [...list]])),
    lastEnd: (step) => ends.get(step),
    reset() {
      durations = new Map();
      ends = new Map();
    },
  };
}

/** Wraps each Task handler so that its duration (success or failure) goes to `timings`. */
export function timeTaskHandlers(
  handlers: Readonly<Record<string, TaskHandler>>,
  timings: StepTimings,
): Record<string, TaskHandler> {
  return Object.fromEntries(
    Object.entries(handlers).map(([step, handler]) => [
      step,
      async (event: unknown) => {
        const started = performance.now();
        try {
          return await handler(event);
        } finally {
          timings.record(step, performance.now() - started);
        }
      },
    ]),
  );
}

/**
 * A `loadHandlers` for `startEmbeddedBackOffice`: the project's own handlers (imported once the
 * environment is set, as the runtime does by default) with the pipeline's Task states timed.
 */
export function loadTimedHandlers(timings: StepTimings): () => Promise<EmbeddedHandlers> {
  return async () => {
    const [pipeline, ingest, api] = await Promise.all([
      import('#functions/pipeline/index.ts'),
      import('#functions/ingest/start-pipeline.ts'),
      import('#functions/api/http-api.ts'),
    ]);
    const call = (handler: unknown) => (event: unknown) =>
      (handler as (event: unknown, context: unknown) => Promise<never>)(event, {});
    return {
      pipelineTaskHandlers: timeTaskHandlers(pipeline.pipelineTaskHandlers, timings),
      startPipeline: call(ingest.handler),
      httpApi: call(api.handler),
      close: pipeline.closePipeline,
    };
  };
}
