import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { createDynamoDbKpiStaleDays } from '#shared/adapters/aws/dynamodb-kpi-stale-days.ts';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import type { KpiTargets } from '#shared/config/kpi-targets.ts';
import { parseKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import { type KpiContext, kpiUnitsOf } from '#shared/domain/kpi/kpi-definitions.ts';
import { createKpiRollupSteps, type KpiRollupSteps } from '#shared/use-cases/kpi/run-kpi-rollup.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';

/** The composition root of the KPI rollup's Task functions. */
export interface KpiContainer {
  config: RuntimeConfig;
  observability: Observability;
  steps: KpiRollupSteps;
  /** Closes the container's own DynamoDB client (the adapters' are closed with the adapters). */
  close(): void;
}

/** Options of {@link createKpiContainer}. */
export interface KpiContainerOptions {
  /** The province's KPI targets; without them every figure is `no-target`. */
  targets?: KpiTargets;
}

export function createKpiContainer(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
  options: KpiContainerOptions = {},
): KpiContainer {
  assertRuntimeRole(config, 'kpi');
  const { observability, dossiers, clock } = adapters;
  const dynamodb = observability.traced(new DynamoDBClient(awsClientSettings(config.aws, 'dynamodb')));
  const store = createDynamoDbKpiRollupStore(dynamodb, config.documentsTable);
  const province = config.provinceConfig;
  let context: Omit<KpiContext, 'period'> | undefined;
  // The calendar is read on the first rollup, not when a function starts.
  const contextOf = () => {
    context ??= {
      procedures: province.procedures,
      calendar: adapters.calendar(),
      units: kpiUnitsOf(province),
      supplementResume: province.dossiers.supplementResume,
    };
    return context;
  };
  const now = () => clock.now();
  const targets = options.targets ? { targets: options.targets } : {};
  return {
    config,
    observability,
    steps: createKpiRollupSteps({
      get day() {
        return { dossiers, store, context: contextOf(), now, ...targets };
      },
      get periods() {
        return { dossiers, store, context: contextOf(), agencies: province.agencies, now, ...targets };
      },
      staleDays: createDynamoDbKpiStaleDays(dynamodb, config.documentsTable),
      now,
    }),
    close: () => dynamodb.destroy(),
  };
}

let processContainer: KpiContainer | undefined;

/**
 * The container of a Lambda process, built on first use from its environment; the targets are
 * compiled into the bundle (`process.env.MOTCUA_KPI_TARGETS`, JSON), as the province configuration is.
 */
export function kpiContainerFromEnvironment(): KpiContainer {
  if (!processContainer) {
    const config = parseRuntimeConfig(lambdaEnvironment(), 'kpi');
    const text = process.env.MOTCUA_KPI_TARGETS;
    processContainer = createKpiContainer(config, undefined, {
      ...(text ? { targets: parseKpiTargets(text, 'MOTCUA_KPI_TARGETS.json', config.provinceConfig) } : {}),
    });
  }
  return processContainer;
}
