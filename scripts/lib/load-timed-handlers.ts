import type { TaskHandler } from '#infra/local/local-step-functions.ts';
import { type EmbeddedHandlers, loadProjectHandlers } from '#infra/local/start-embedded-back-office.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';
import { processCpuMs } from './cpu-time.ts';

/** Wall-clock durations of the pipeline's Task states, per state name. */
export interface StepTimings {
  /** `cpuMs`: process CPU time (every thread, and the program helper's children) while the step ran; meaningful when steps run one at a time. */
  record(step: string, ms: number, cpuMs?: number): void;
  /** Durations recorded since the last reset, per step, in call order. */
  snapshot(): Map<string, number[]>;
  /** CPU times recorded since the last reset, per step, in call order. */
  cpuSnapshot(): Map<string, number[]>;
  /** `performance.now()` when a call of `step` last ended, if one did since the last reset. */
  lastEnd(step: string): number | undefined;
  /**
   * Whether steps' CPU time is taken (default yes). A throughput run turns it off: reading the
   * CPU time of a busy process twice per step costs it CPU of its own.
   */
  measuresCpu: boolean;
  reset(): void;
}

/** An in-memory {@link StepTimings}. */
export function createStepTimings(): StepTimings {
  let durations = new Map<string, number[]>();
  let cpuTimes = new Map<string, number[]>();
  let ends = new Map<string, number>();
  const push = (map: Map<string, number[]>, step: string, value: number) => {
    map.set(step, [...(map.get(step) ?? []), value]);
  };
  const copy = (map: Map<string, number[]>) => new Map([...map].map(([step, list]) => [step, [...list]]));
  return {
    record(step, ms, cpuMs) {
      push(durations, step, ms);
      if (cpuMs !== undefined) push(cpuTimes, step, cpuMs);
      ends.set(step, performance.now());
    },
    snapshot: () => copy(durations),
    cpuSnapshot: () => copy(cpuTimes),
    lastEnd: (step) => ends.get(step),
    measuresCpu: true,
    reset() {
      durations = new Map();
      cpuTimes = new Map();
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
        const cpu = timings.measuresCpu ? processCpuMs() : undefined;
        try {
          return await handler(event);
        } finally {
          timings.record(
            step,
            performance.now() - started,
            cpu === undefined ? undefined : processCpuMs() - cpu,
          );
        }
      },
    ]),
  );
}

/**
 * A `loadHandlers` for `startEmbeddedBackOffice`: the project's own handlers (as the runtime
 * loads them by default) with the pipeline's Task states timed.
 */
export function loadTimedHandlers(
  timings: StepTimings,
): (config: RuntimeConfig) => Promise<EmbeddedHandlers> {
  return async (config) => {
    const handlers = await loadProjectHandlers(config);
    return { ...handlers, pipelineTaskHandlers: timeTaskHandlers(handlers.pipelineTaskHandlers, timings) };
  };
}
