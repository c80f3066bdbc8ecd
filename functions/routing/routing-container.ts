import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createSfnTaskCallbacks } from '#shared/adapters/aws/sfn-task-callbacks.ts';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import { createRecordPortalSync } from '#shared/use-cases/dossiers/record-portal-sync.ts';
import { createRouteDossier } from '#shared/use-cases/dossiers/route-dossier.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { createSignerDirectory } from '../create-signer-directory.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';

/** The composition root of the dossier routing's Task functions. */
export interface RoutingContainer {
  config: RuntimeConfig;
  observability: Observability;
  steps: ReturnType<typeof createRouteDossier>;
}

export function createRoutingContainer(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): RoutingContainer {
  assertRuntimeRole(config, 'routing');
  const { observability, dossiers, clock, portalOutbox } = adapters;
  return {
    config,
    observability,
    steps: createRouteDossier({
      config: config.provinceConfig,
      calendar: adapters.calendar,
      dossiers,
      signers: createSignerDirectory(config, observability),
      callbacks: createSfnTaskCallbacks(
        observability.traced(new SFNClient(awsClientSettings(config.aws, 'sfn'))),
      ),
      clock,
      onChange: createRecordPortalSync({ config: config.provinceConfig, outbox: portalOutbox }),
    }),
  };
}

let processContainer: RoutingContainer | undefined;

/** The container of a Lambda process, built on first use from its environment. */
export function routingContainerFromEnvironment(): RoutingContainer {
  processContainer ??= createRoutingContainer(parseRuntimeConfig(lambdaEnvironment(), 'routing'));
  return processContainer;
}
