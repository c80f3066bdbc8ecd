import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMotcuaApp, type MotcuaApp } from '#infra/bin/create-motcua-app.ts';
import { AuditAnchoring } from '#infra/constructs/audit-anchoring.ts';
import { BackOfficeApi } from '#infra/constructs/back-office-api.ts';
import { DossierRouting } from '#infra/constructs/dossier-routing.ts';
import { KpiReports } from '#infra/constructs/kpi-reports.ts';
import { KpiRollup } from '#infra/constructs/kpi-rollup.ts';
import { MotcuaFunction } from '#infra/constructs/motcua-function.ts';
import { OverdueSweep } from '#infra/constructs/overdue-sweep.ts';
import {
  parseRuntimeConfig,
  type RuntimeRole,
  runtimeEnvironmentSchema,
} from '#shared/config/runtime-config.ts';
import { DOCUMENT_PIPELINE_TASKS } from '#state-machines/document-pipeline-tasks.ts';
import { DOSSIER_ROUTING_TASKS } from '#state-machines/dossier-routing-tasks.ts';
import { KPI_ROLLUP_TASKS } from '#state-machines/kpi-rollup-tasks.ts';

const SAMPLE_PROVINCE = 'config/provinces/sample-province.yaml';
const CDK_CONTEXT = JSON.parse(readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'))
  .context as Record<string, unknown>;
/** Variables a function may carry that are not the handlers' configuration. */
const NOT_RUNTIME_CONFIG = ['NODE_OPTIONS'];

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** Which composition root a function's handler builds: the pipeline's Task functions, or the others. */
function roleOf(fn: MotcuaFunction): RuntimeRole {
  if (fn.node.id in DOCUMENT_PIPELINE_TASKS) return 'pipeline';
  if (fn.node.scope instanceof DossierRouting) return 'routing';
  if (fn.node.scope instanceof AuditAnchoring) return 'audit-anchor';
  if (fn.node.scope instanceof OverdueSweep) return 'sweep';
  if (fn.node.scope instanceof KpiRollup) return 'kpi';
  if (fn.node.scope instanceof KpiReports) return 'kpi-reports';
  // The API records every archive read in the audit table: its environment must name it.
  return fn.node.scope instanceof BackOfficeApi ? 'api' : 'back-office';
}

describe("every function's environment, as the sample province's stack deploys it", () => {
  let built: MotcuaApp;
  let resources: Record<string, CfnResource>;
  let functions: MotcuaFunction[];

  beforeAll(() => {
    built = createMotcuaApp({
      outdir: mkdtempSync(join(tmpdir(), 'motcua-cdk-')),
      context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], 'motcua:provinceConfig': SAMPLE_PROVINCE },
    });
    resources = Template.fromStack(built.stack).toJSON().Resources as Record<string, CfnResource>;
    functions = built.stack.node
      .findAll()
      .filter((node): node is MotcuaFunction => node instanceof MotcuaFunction);
  });

  /** A reference resolved as CloudFormation would: a bucket or table to its name, a state machine to its ARN. */
  function resolveValue(value: unknown, variable: string): string {
    if (typeof value === 'string') return value;
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': built.stack.region,
      'AWS::AccountId': built.stack.account,
    };
    const joined = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (joined) {
      return joined[1]
        .map((part) => {
          const pseudoRef = (part as { Ref?: string }).Ref;
          return pseudoRef && pseudo[pseudoRef] ? pseudo[pseudoRef] : resolveValue(part, variable);
        })
        .join(joined[0]);
    }
    const ref = (value as { Ref?: string }).Ref;
    const target = ref ? resources[ref] : undefined;
    const named = (property: string) =>
      (target?.Properties?.[property] as string | undefined) ?? `${ref?.toLowerCase().slice(0, 40)}-name`;
    const { account, region } = built.stack;
    switch (target?.Type) {
      case 'AWS::S3::Bucket':
        return named('BucketName');
      case 'AWS::DynamoDB::Table':
        return named('TableName');
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${named('StateMachineName')}`;
      default:
        throw new Error(`${variable}: a value the test cannot resolve: ${JSON.stringify(value)}`);
    }
  }

  /** What the handler of `fn` finds in its environment in Lambda. */
  function lambdaEnvironmentOf(fn: MotcuaFunction): Record<string, string> {
    const resource = resources[Stack.of(fn).getLogicalId(fn.function.node.defaultChild as CfnElement)];
    const variables = (resource?.Properties?.Environment as { Variables?: Record<string, unknown> })
      ?.Variables;
    return {
      ...Object.fromEntries(
        Object.entries(variables ?? {}).map(([name, value]) => [name, resolveValue(value, name)]),
      ),
      // Compiled into every bundle by MotcuaFunction (esbuild `define`), not a variable.
      MOTCUA_PROVINCE_CONFIG: JSON.stringify(built.config),
      // Set by Lambda itself.
      AWS_REGION: built.stack.region,
    };
  }

  it('covers the API, the starter, the reconciler, the overdue sweep and every Task function of the task table', () => {
    const ids = functions.map((fn) => fn.node.id).sort();
    expect(ids).toEqual(
      [
        ...Object.keys(DOCUMENT_PIPELINE_TASKS),
        ...Object.keys(DOSSIER_ROUTING_TASKS),
        ...Object.keys(KPI_ROLLUP_TASKS),
        'AnchorAuditChain',
        'Handler',
        'ProduceKpiReports',
        'ReconcileDocuments',
        'StartPipeline',
        'SweepOverdue',
      ].sort(),
    );
  });

  it("parses with the runtime configuration schema, with what the function's composition root needs", () => {
    for (const fn of functions) {
      const env = lambdaEnvironmentOf(fn);
      let config: ReturnType<typeof parseRuntimeConfig> | undefined;
      expect(() => {
        config = parseRuntimeConfig(env, roleOf(fn));
      }, fn.node.path).not.toThrow();
      expect(config?.provinceConfig.province.slug, fn.node.path).toBe('sample');
      expect(config?.documentsTable, fn.node.path).toBe(env.DOCUMENTS_TABLE);
      expect(config?.aws.endpoints, fn.node.path).toBeUndefined();
      if (roleOf(fn) === 'pipeline') expect(config?.signer, fn.node.path).toEqual({ kind: 'kms' });
    }
  });

  it('sets no variable the schema does not read (a misspelt name would be ignored silently)', () => {
    const known = new Set([...Object.keys(runtimeEnvironmentSchema.shape), ...NOT_RUNTIME_CONFIG]);
    for (const fn of functions) {
      const unknown = Object.keys(lambdaEnvironmentOf(fn)).filter((name) => !known.has(name));
      expect(unknown, fn.node.path).toEqual([]);
    }
  });
});
