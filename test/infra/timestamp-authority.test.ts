import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMotcuaApp, type MotcuaApp } from '#infra/bin/create-motcua-app.ts';
import {
  DOCUMENT_PIPELINE_TASKS,
  type DocumentPipelineTask,
} from '#state-machines/document-pipeline-tasks.ts';

const CDK_CONTEXT = JSON.parse(readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'))
  .context as Record<string, unknown>;
const TSA_URL = 'https://tsa.example.vn/tsr';

describe('a province that names a time-stamping authority', () => {
  let built: MotcuaApp;
  let template: Template;

  beforeAll(() => {
    const folder = mkdtempSync(join(tmpdir(), 'motcua-cdk-tsa-'));
    const configPath = join(folder, 'province.yaml');
    const sample = readFileSync('config/provinces/sample-province.yaml', 'utf8');
    writeFileSync(
      configPath,
      sample.replace('  country: VN\n', `  country: VN\n  timestampAuthority:\n    url: ${TSA_URL}\n`),
    );
    built = createMotcuaApp({
      outdir: join(folder, 'out'),
      context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], 'motcua:provinceConfig': configPath },
    });
    template = Template.fromStack(built.stack);
  });

  const variablesOf = (task: DocumentPipelineTask): Record<string, unknown> => {
    const fn = built.stack.pipeline.functions[task].function;
    const id = Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement);
    const resource = template.toJSON().Resources[id] as {
      Properties: { Environment?: { Variables?: Record<string, unknown> } };
    };
    return resource.Properties.Environment?.Variables ?? {};
  };

  it('gives its URL to the signing function, and to no other', () => {
    expect(variablesOf('SignDocument').TIMESTAMP_AUTHORITY_URL).toBe(TSA_URL);
    const others = (Object.keys(DOCUMENT_PIPELINE_TASKS) as DocumentPipelineTask[]).filter(
      (task) => task !== 'SignDocument',
    );
    expect(others.filter((task) => 'TIMESTAMP_AUTHORITY_URL' in variablesOf(task))).toEqual([]);
  });

  it('grants the signing function no network or other service for the authority', () => {
    const role = built.stack.pipeline.functions.SignDocument.role;
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(
        Stack.of(role).getLogicalId(role.node.defaultChild as CfnElement),
      ),
    );
    const actions = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((statement) =>
        Array.isArray(statement.Action) ? statement.Action : [statement.Action],
      ),
    );
    // Its keys are granted by their key policies (nested key stacks), the certificates by S3 reads.
    expect(actions).toContain('s3:GetObject');
    expect(actions.filter((action) => !/^(s3|dynamodb|kms|xray|logs):/.test(action))).toEqual([]);
  });
});
