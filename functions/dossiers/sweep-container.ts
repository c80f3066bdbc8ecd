import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import { createSweepOverdueDossiers } from '#shared/use-cases/dossiers/sweep-overdue-dossiers.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';

/**
 * What the overdue sweep's handler needs: the use case and observability. The back office's
 * {@link import('../container.ts').Container} has both too (the embedded runtime sweeps over it).
 */
export interface SweepContainer {
  config: RuntimeConfig;
  observability: Observability;
  sweepOverdueDossiers: ReturnType<typeof createSweepOverdueDossiers>;
}

/** The sweep function's composition root: the documents table, the calendar and the clock, nothing else. */
export function createSweepContainer(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): SweepContainer {
  assertRuntimeRole(config, 'sweep');
  return {
    config,
    observability: adapters.observability,
    sweepOverdueDossiers: createSweepOverdueDossiers({
      config: config.provinceConfig,
      calendar: adapters.calendar,
      dossiers: adapters.dossiers,
      clock: adapters.clock,
    }),
  };
}

let processContainer: SweepContainer | undefined;

/** The container of a Lambda process, built on first use from its environment. */
export function sweepContainerFromEnvironment(): SweepContainer {
  processContainer ??= createSweepContainer(parseRuntimeConfig(lambdaEnvironment(), 'sweep'));
  return processContainer;
}
