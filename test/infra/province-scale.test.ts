import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createMotcuaApp, type MotcuaApp } from '#infra/bin/create-motcua-app.ts';
import { MAX_AGENCIES_PER_KEY_STACK } from '#infra/constructs/agency-signing-keys.ts';
import { ISSUED_CERTIFICATES_PREFIX } from '#shared/adapters/signing/issued-certificate-stores.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';

const SAMPLE = join(import.meta.dirname, '../../config/provinces/sample-province.yaml');
const CDK_CONTEXT = JSON.parse(readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'))
  .context as Record<string, unknown>;
const ONE_STOP_UNITS = 300;
const CLOUDFORMATION_RESOURCE_LIMIT = 500;

interface AgencyEntry {
  id: string;
  name: string;
  level: string;
  parentId?: string;
  oneStop?: boolean;
  counterStaff?: number;
}

/** The sample province with communes added until it has ONE_STOP_UNITS one-stop units. */
function writeProvinceOf300Units(): string {
  const config = parse(readFileSync(SAMPLE, 'utf8')) as {
    province: { code: string };
    agencies: AgencyEntry[];
  };
  const root = config.agencies.find((agency) => agency.level === 'province' && !agency.parentId);
  const existing = config.agencies.filter((agency) => agency.oneStop !== false).length;
  for (let n = 0; n < ONE_STOP_UNITS - existing; n++) {
    config.agencies.push({
      id: `000.${String(30 + Math.floor(n / 100)).padStart(2, '0')}.${String(n % 100).padStart(2, '0')}.${config.province.code}`,
      name: `Ủy ban nhân dân xã Thử Nghiệm ${n + 1}`,
      level: 'commune',
      parentId: root?.id,
      oneStop: true,
      counterStaff: 2,
    });
  }
  const path = join(mkdtempSync(join(tmpdir(), 'motcua-scale-')), 'province-300.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

describe('a province of 300 one-stop units', () => {
  let built: MotcuaApp;
  let templates: { path: string; template: Template }[];

  beforeAll(() => {
    built = createMotcuaApp({
      outdir: mkdtempSync(join(tmpdir(), 'motcua-cdk-')),
      context: {
        ...CDK_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        'motcua:provinceConfig': writeProvinceOf300Units(),
      },
    });
    templates = [built.stack, ...built.stack.signing.stacks].map((stack) => ({
      path: stack.node.path,
      template: Template.fromStack(stack),
    }));
  });

  it('configures 300 one-stop units', () => {
    expect(built.config.agencies.filter((agency) => agency.oneStop)).toHaveLength(ONE_STOP_UNITS);
  });

  it('keeps the parent stack and every nested key stack well under 500 resources', () => {
    expect(built.stack.signing.stacks.length).toBeGreaterThan(1);
    for (const { path, template } of templates) {
      const count = Object.keys(template.toJSON().Resources).length;
      expect(count, path).toBeLessThan(CLOUDFORMATION_RESOURCE_LIMIT);
    }
    for (const nested of built.stack.signing.stacks) {
      const keyCount = Object.keys(Template.fromStack(nested).findResources('AWS::KMS::Key')).length;
      expect(keyCount, nested.node.path).toBeLessThanOrEqual(MAX_AGENCIES_PER_KEY_STACK);
    }
  });

  it('puts no signing key in the parent stack and gives every one-stop unit a key and its alias', () => {
    const parentSigningKeys = templates[0]?.template.findResources('AWS::KMS::Key', {
      Properties: { KeyUsage: 'SIGN_VERIFY' },
    });
    expect(parentSigningKeys).toEqual({});
    const aliases = new Set(
      templates.flatMap(({ template }) =>
        Object.values(template.findResources('AWS::KMS::Alias')).map((alias) => alias.Properties.AliasName),
      ),
    );
    const oneStop = built.config.agencies.filter((agency) => agency.oneStop);
    for (const agency of oneStop) {
      const key = built.stack.signing.keys.get(agency.id);
      expect(key, agency.id).toBeDefined();
      expect(Stack.of(key as NonNullable<typeof key>), agency.id).not.toBe(built.stack);
      expect(aliases.has(signingKeyAlias(built.config.province.slug, agency.id)), agency.id).toBe(true);
    }
    const signingKeys = templates.flatMap(({ template }) =>
      Object.keys(template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } })),
    );
    expect(signingKeys).toHaveLength(ONE_STOP_UNITS);
  });

  it('lets the signing functions read the imported certificates, under signing-certificates/ of the archive bucket only', () => {
    const parent = templates[0]?.template as Template;
    const archiveId = built.stack.getLogicalId(built.stack.archive.bucket.node.defaultChild as CfnElement);
    const policies = Object.values(parent.findResources('AWS::IAM::Policy'));
    const functions = parent.findResources('AWS::Lambda::Function');
    for (const signer of [
      built.stack.pipeline.functions.SignDocument,
      built.stack.routing.functions.StartRouting,
      built.stack.anchoring.anchor,
    ]) {
      const roleId = built.stack.getLogicalId(signer.role.node.defaultChild as CfnElement);
      const reads = policies
        .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
        .flatMap(
          (policy) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
        )
        .filter((statement) => JSON.stringify(statement.Action).includes('s3:GetObject'))
        .filter((statement) => JSON.stringify(statement.Resource).includes(archiveId));
      expect(reads.length, signer.node.path).toBeGreaterThan(0);
      const resources = JSON.stringify(reads.map((statement) => statement.Resource));
      if (signer !== built.stack.anchoring.anchor) {
        expect(resources, signer.node.path).toContain(`/${ISSUED_CERTIFICATES_PREFIX}*`);
        expect(resources.match(/"\/[^"]*\*"/g), signer.node.path).toEqual([
          `"/${ISSUED_CERTIFICATES_PREFIX}*"`,
        ]);
      }
      const functionId = built.stack.getLogicalId(signer.function.node.defaultChild as CfnElement);
      expect(functions[functionId]?.Properties.Environment.Variables.ARCHIVE_BUCKET).toEqual({
        Ref: archiveId,
      });
    }
  });
});
