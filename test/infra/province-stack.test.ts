import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMotcuaApp, type MotcuaApp } from '#infra/bin/create-motcua-app.ts';
import { DOCUMENT_PIPELINE_ASL, PIPELINE_TASKS } from '#infra/constructs/document-pipeline.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'test-province.yaml');
const CDK_CONTEXT = JSON.parse(readFileSync(join(import.meta.dirname, '../../cdk.json'), 'utf8'))
  .context as Record<string, unknown>;

function buildApp(configPath: string): MotcuaApp {
  return createMotcuaApp({
    outdir: mkdtempSync(join(tmpdir(), 'motcua-cdk-')),
    context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], 'motcua:provinceConfig': configPath },
  });
}

function logicalId(element: unknown): string {
  return Stack.of(element as CfnElement).getLogicalId(element as CfnElement);
}

describe('ProvinceStack', () => {
  let built: MotcuaApp;
  let template: Template;

  beforeAll(() => {
    built = buildApp(FIXTURE);
    template = Template.fromStack(built.stack);
  });

  it('is named after the province slug and deploys to the configured account and region', () => {
    expect(built.stack.stackName).toBe('Motcua-test');
    expect(built.stack.account).toBe('123456789012');
    expect(built.stack.region).toBe('ap-southeast-1');
  });

  it('locks the archive bucket in COMPLIANCE mode for the configured years', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 7 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('encrypts both document buckets with KMS, blocks public access and logs access', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    for (const construct of [built.stack.ingest.bucket, built.stack.archive.bucket]) {
      const properties = buckets[logicalId(construct.node.defaultChild)]?.Properties;
      expect(
        properties?.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
      ).toEqual({
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: expect.anything(),
      });
      expect(properties?.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(properties?.LoggingConfiguration?.DestinationBucketName).toBeDefined();
    }
  });

  it('denies non-TLS requests on both document buckets', () => {
    for (const construct of [built.stack.ingest.bucket, built.stack.archive.bucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(construct.node.defaultChild) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('sends EventBridge notifications and expires work files after 7 days on the ingest bucket', () => {
    const ingest =
      template.findResources('AWS::S3::Bucket')[logicalId(built.stack.ingest.bucket.node.defaultChild)];
    expect(ingest?.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    expect(ingest?.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ Prefix: 'work/', ExpirationInDays: 7, Status: 'Enabled' }),
    );
  });

  it('keeps point-in-time recovery on the documents table', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('puts every HTTP API route behind the JWT authorizer', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'GET /documents',
      'GET /documents/{documentId}',
      'POST /documents/{documentId}/review',
      'POST /uploads',
    ]);
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer', {
      Properties: { AuthorizerType: 'JWT' },
    });
    const [authorizerId] = Object.keys(authorizers);
    for (const route of routes) {
      expect(route.Properties.AuthorizationType).toBe('JWT');
      expect(route.Properties.AuthorizerId).toEqual({ Ref: authorizerId });
    }
  });

  it('runs every Lambda function on nodejs22.x with active tracing', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    // Nine pipeline tasks, the starter, the reconciler and the API.
    expect(functions).toHaveLength(12);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('creates one SIGN_VERIFY key with the configured spec per one-stop agency', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } });
    expect(Object.keys(keys)).toHaveLength(2);
    for (const key of Object.values(keys)) expect(key.Properties.KeySpec).toBe('ECC_NIST_P256');
    expect([...built.stack.signing.keys.keys()].sort()).toEqual(['000.00.00.H56', '000.17.22.H56']);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/motcua/test/000-17-22-H56' });
  });

  it('lets only the sign function use the agency keys, for Sign and GetPublicKey', () => {
    const keyIds = [...built.stack.signing.keys.values()].map((key) => logicalId(key.node.defaultChild));
    const usingKeys = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      keyIds.some((id) => JSON.stringify(policy).includes(id)),
    );
    expect(usingKeys).toHaveLength(1);
    const signRole = logicalId(built.stack.pipeline.functions.SignDocument.role.node.defaultChild);
    expect(usingKeys[0]?.[1].Properties.Roles).toEqual([{ Ref: signRole }]);
    const statements = usingKeys[0]?.[1].Properties.PolicyDocument.Statement as {
      Action: unknown;
      Resource: unknown;
    }[];
    const keyStatement = statements.find((statement) =>
      JSON.stringify(statement.Resource).includes(keyIds[0] ?? '-'),
    );
    expect(keyStatement).toEqual({
      Action: ['kms:GetPublicKey', 'kms:Sign'],
      Effect: 'Allow',
      Resource: keyIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })),
    });
  });

  it('fills every ASL placeholder with the ARN of its task function', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const placeholders = [...readFileSync(DOCUMENT_PIPELINE_ASL, 'utf8').matchAll(/\$\{(\w+)\}/g)].map(
      (m) => m[1],
    );
    const substitutions = machine?.Properties.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual([...new Set(placeholders)].sort());
    for (const task of Object.keys(PIPELINE_TASKS) as (keyof typeof PIPELINE_TASKS)[]) {
      const fnId = logicalId(built.stack.pipeline.functions[task].function.node.defaultChild);
      expect(substitutions[`${task}FunctionArn`], task).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
    expect(machine?.Properties.StateMachineType).toBe('STANDARD');
    expect(machine?.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine?.Properties.LoggingConfiguration.Level).toBe('ALL');
  });

  it('gives the ingest queue a dead-letter queue and a visibility timeout above the starter timeout', () => {
    const queue =
      template.findResources('AWS::SQS::Queue')[logicalId(built.stack.trigger.queue.node.defaultChild)];
    const dlqId = logicalId(built.stack.trigger.deadLetterQueue.node.defaultChild);
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThan(30);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('gives the starter and the reconciler the table they read, and runs the reconciler every 15 minutes', () => {
    const withEnvironment = (description: string) =>
      Object.values(template.findResources('AWS::Lambda::Function')).find((fn) =>
        String(fn.Properties.Description).includes(description),
      );
    for (const description of ['starts the document pipeline', 'resumes documents']) {
      const variables = withEnvironment(description)?.Properties.Environment.Variables;
      expect(Object.keys(variables ?? {})).toEqual(
        expect.arrayContaining(['DOCUMENTS_TABLE', 'STATE_MACHINE_ARN', 'INGEST_BUCKET']),
      );
    }
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
  });

  it("allows only the province's console origin to PUT scans and call the API", () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({ AllowedOrigins: ['https://motcua.thunghiem.gov.vn'], AllowedMethods: ['PUT'] }),
        ],
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://motcua.thunghiem.gov.vn'] }),
    });
  });

  it('has no unacknowledged cdk-nag finding in the AwsSolutions, NIST 800-53 R5 and Serverless packs', () => {
    const findings = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new ServerlessChecks()].flatMap(
      (pack) =>
        pack
          .validateScope(built.app)
          .violations.map(
            (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`,
          ),
    );
    expect(findings).toEqual([]);
  });
});

describe('createMotcuaApp', () => {
  it('fails with the file and the field when the province config is invalid', () => {
    const broken = readFileSync(FIXTURE, 'utf8').replace('code: KS', 'code: "ks!"');
    const path = join(mkdtempSync(join(tmpdir(), 'motcua-config-')), 'broken-province.yaml');
    writeFileSync(path, broken);
    expect(() => buildApp(path)).toThrow(/broken-province\.yaml: documentTypes\[0\]\.code/);
  });
});
