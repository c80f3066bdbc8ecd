import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { ProvinceStack } from '#infra/province-stack.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';

/** Context key naming the province configuration file (`-c motcua:provinceConfig=path`). */
export const PROVINCE_CONFIG_CONTEXT = 'motcua:provinceConfig';
/** Context key overriding the folder of Lambda handlers (tooling and tests only). */
export const FUNCTIONS_ROOT_CONTEXT = 'motcua:functionsRoot';

/** Offline-synth placeholder account, used when neither the config nor the CLI gives one. */
export const PLACEHOLDER_ACCOUNT = '000000000000';

export interface MotcuaApp {
  readonly app: App;
  readonly stack: ProvinceStack;
  readonly config: ProvinceConfig;
}

/**
 * Builds the CDK app: reads the province config named by the `motcua:provinceConfig`
 * context, creates `Motcua-{slug}` in the configured account/region, and registers the
 * cdk-nag AwsSolutions, NIST 800-53 R5 and Serverless packs.
 *
 * @throws ProvinceConfigError naming the file and field when the config is invalid.
 */
export function createMotcuaApp(props: AppProps = {}): MotcuaApp {
  const app = new App(props);
  const configPath = app.node.tryGetContext(PROVINCE_CONFIG_CONTEXT) as string | undefined;
  if (!configPath) throw new Error(`missing context ${PROVINCE_CONFIG_CONTEXT} (a province config file)`);
  const config = loadProvinceConfig(configPath);
  // The working calendar the functions will compute due dates with: a bad national file or
  // province override fails synth with its file, field and line, not the first intake.
  loadWorkingCalendar(config.calendar, { configName: configPath });
  const functionsRoot = app.node.tryGetContext(FUNCTIONS_ROOT_CONTEXT) as string | undefined;
  const stack = new ProvinceStack(app, `Motcua-${config.province.slug}`, {
    config,
    functionsRoot,
    description: `motcua back office for ${config.province.name}`,
    env: {
      account: config.deployment.account ?? process.env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT,
      region: config.deployment.region,
    },
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new ServerlessChecks(app),
  );
  return { app, stack, config };
}
