import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CfnElement, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMotcuaApp, type MotcuaApp } from '#infra/bin/create-motcua-app.ts';
import {
  LOG_DELIVERY,
  WILDCARD_RESOURCE_FINDING,
  wildcardActions,
  XRAY_TRACING,
} from '#infra/constructs/acknowledge-unscopable-actions.ts';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import { INGEST_OBJECT_EXPIRY_DAYS, INGEST_OBJECT_TAGS } from '#shared/adapters/aws/ingest-object-tags.ts';
import { provinceSigningAgencyId } from '#shared/config/province-config.ts';
import { DOCUMENT_PIPELINE_ASL, DOCUMENT_PIPELINE_TASKS } from '#state-machines/document-pipeline-tasks.ts';
import { DOSSIER_ROUTING_TASKS } from '#state-machines/dossier-routing-tasks.ts';
import { KPI_ROLLUP_TASKS, type KpiRollupTask } from '#state-machines/kpi-rollup-tasks.ts';

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

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Whether an IAM action pattern (`kms:*`, `dynamodb:Delete*`) covers `action`. */
const covers = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replaceAll('*', '.*')}$`, 'i').test(action);

/**
 * The templates of the nested stacks holding the agency keys, each parameter reference replaced
 * by the value the parent stack passes to it (so a role shows as the parent's `Fn::GetAtt`).
 */
function signingKeyTemplates(built: MotcuaApp, parent: Template): Template[] {
  const parentResources = parent.toJSON().Resources as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
  return built.stack.signing.stacks.map((nested) => {
    const resource = nested.nestedStackResource;
    if (!resource) throw new Error(`${nested.node.path} has no stack resource`);
    const passed = (parentResources[logicalId(resource)]?.Properties.Parameters ?? {}) as object;
    let json = JSON.stringify(Template.fromStack(nested).toJSON());
    for (const [name, value] of Object.entries(passed)) {
      json = json.replaceAll(JSON.stringify({ Ref: name }), JSON.stringify(value));
    }
    return Template.fromJSON(JSON.parse(json));
  });
}

/** The signing keys of every key stack, by logical id. */
const signingKeysIn = (templates: Template[]) =>
  templates.flatMap((keyTemplate) =>
    Object.entries(keyTemplate.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } })),
  );

/** Every acknowledgement recorded in the construct tree, where it was recorded. */
function acknowledgementsIn(root: IConstruct): { id: string; construct: IConstruct }[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as object).map((id) => ({ id, construct }))),
    );
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

  it('sends the portal outbox every minute from one sender at a time, when the province has a portal endpoint', () => {
    const sender = built.stack.portal?.sender;
    expect(sender).toBeDefined();
    const senderId = logicalId(sender?.function.node.defaultChild);
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ DOCUMENTS_TABLE: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: Match.arrayWith([
        Match.objectLike({ Arn: { 'Fn::GetAtt': [senderId, 'Arn'] }, DeadLetterConfig: Match.anyValue() }),
      ]),
    });
    const sample = buildApp(join(import.meta.dirname, '../../config/provinces/sample-province.yaml'));
    expect(sample.stack.portal).toBeUndefined();
  });

  it('lets the routing functions and the API answer the routing callbacks on that state machine only', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const callbackStatements = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => actionsOf(statement).some((action) => action.startsWith('states:SendTask')));
    expect(callbackStatements.length).toBe(2);
    for (const statement of callbackStatements) {
      expect(JSON.stringify(statement.Resource)).toContain(':stateMachine:motcua-test-dossier-routing');
      expect(statement.Resource).not.toBe('*');
    }
  });

  it('puts every HTTP API route behind the JWT authorizer', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'GET /archive/documents',
      'GET /archive/documents/{code}',
      'GET /archive/exports/{exportId}',
      'GET /audit/entries',
      'GET /audit/verify',
      'GET /documents',
      'GET /documents/{documentId}',
      'GET /dossiers',
      'GET /dossiers/{code}',
      'GET /kpis',
      'GET /kpis/reports',
      'GET /kpis/reports/{period}/{format}',
      'GET /kpis/scorecard',
      'GET /kpis/trend',
      'GET /units/{unitId}/attention',
      'POST /archive/exports',
      'POST /documents/{documentId}/review',
      'POST /dossiers',
      'POST /dossiers/{code}/actions/{action}',
      'POST /kpis/reports',
      'POST /portal/replay',
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

  it('runs every Lambda function with active tracing, on nodejs22.x but for the OCR image', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    // The pipeline, routing and KPI rollup tasks, the starter, the reconciler, the overdue sweep, the API, the portal sender, the audit anchoring and the KPI reports.
    expect(Object.keys(functions)).toHaveLength(
      Object.keys(DOCUMENT_PIPELINE_TASKS).length +
        Object.keys(DOSSIER_ROUTING_TASKS).length +
        Object.keys(KPI_ROLLUP_TASKS).length +
        7,
    );
    const ocrId = logicalId(built.stack.pipeline.functions.OcrPage.function.node.defaultChild);
    for (const [id, fn] of Object.entries(functions)) {
      // Node 22 in the image is its base image's (test/infra/native-ocr-image.test.ts).
      expect(fn.Properties.Runtime, id).toBe(id === ocrId ? undefined : 'nodejs22.x');
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
  });

  it('creates one SIGN_VERIFY key with the configured spec per one-stop agency, in nested key stacks', () => {
    const keyTemplates = signingKeyTemplates(built, template);
    const keys = signingKeysIn(keyTemplates);
    expect(keys).toHaveLength(2);
    for (const [, key] of keys) expect(key.Properties.KeySpec).toBe('ECC_NIST_P256');
    expect(template.findResources('AWS::KMS::Key', { Properties: { KeyUsage: 'SIGN_VERIFY' } })).toEqual({});
    expect([...built.stack.signing.keys.keys()].sort()).toEqual(['000.00.00.H56', '000.17.22.H56']);
    const aliases = keyTemplates.flatMap((keyTemplate) =>
      Object.values(keyTemplate.findResources('AWS::KMS::Alias')).map((alias) => alias.Properties.AliasName),
    );
    expect(aliases).toContain('alias/motcua/test/000-17-22-H56');
  });

  it('grants use of the agency keys in their key policies only: no IAM policy of the stack allows kms:Sign', () => {
    const signing = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as Statement[]).filter((statement) =>
        actionsOf(statement).some((pattern) => covers(pattern, 'kms:Sign')),
      ),
    );
    expect(signing).toEqual([]);
  });

  it('fills every ASL placeholder with the ARN of its task function', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    const placeholders = [...readFileSync(DOCUMENT_PIPELINE_ASL, 'utf8').matchAll(/\$\{(\w+)\}/g)].map(
      (m) => m[1],
    );
    const substitutions = machine?.Properties.DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual([...new Set(placeholders)].sort());
    for (const task of Object.keys(DOCUMENT_PIPELINE_TASKS) as (keyof typeof DOCUMENT_PIPELINE_TASKS)[]) {
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

  it('runs the overdue sweep from an EventBridge Scheduler schedule every hour from 07:00 to 17:00 Vietnam time', () => {
    const fnId = logicalId(built.stack.sweep.function.function.node.defaultChild);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter((schedule) =>
      JSON.stringify(schedule.Properties.Target.Arn).includes(fnId),
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 7-17 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Input: '{}',
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 1800 },
      },
    });
    // The schedule's role may invoke the sweep's unqualified ARN and nothing else.
    const roleArn = schedules[0]?.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] } | undefined;
    const scheduleRole = roleArn?.['Fn::GetAtt'][0] ?? 'no role';
    const invoking = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(scheduleRole),
    );
    expect(invoking.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } },
    ]);
    const sweep = template.findResources('AWS::Lambda::Function')[fnId];
    expect(Object.keys(sweep?.Properties.Environment.Variables).sort()).toEqual([
      'DOCUMENTS_TABLE',
      'INGEST_BUCKET',
      'NODE_OPTIONS',
    ]);
  });

  it('starts the KPI rollup state machine from an EventBridge Scheduler schedule at 01:00 Vietnam time every day', () => {
    const machineId = logicalId(built.stack.kpiRollup.stateMachine.node.defaultChild);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter((schedule) =>
      JSON.stringify(schedule.Properties.Target.Arn).includes(machineId),
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 1 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
      State: 'ENABLED',
      Target: { Arn: { Ref: machineId }, Input: '{}' },
    });
    // The schedule's role may start this state machine and nothing else.
    const roleArn = schedules[0]?.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] } | undefined;
    const scheduleRole = roleArn?.['Fn::GetAtt'][0] ?? 'no role';
    const starting = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(scheduleRole),
    );
    expect(starting.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machineId } },
    ]);
    const machine = template.findResources('AWS::StepFunctions::StateMachine')[machineId];
    expect(machine?.Properties.StateMachineType).toBe('STANDARD');
    expect(machine?.Properties.TracingConfiguration).toEqual({ Enabled: true });
    const substitutions = machine?.Properties.DefinitionSubstitutions as Record<string, unknown>;
    for (const task of Object.keys(KPI_ROLLUP_TASKS) as KpiRollupTask[]) {
      const fnId = logicalId(built.stack.kpiRollup.functions[task].function.node.defaultChild);
      expect(substitutions[`${task}FunctionArn`], task).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
  });

  it("produces the quarter's KPI report on the 16th of its last month and the year's on 16 December, Vietnam time, writing only reports/kpi/", () => {
    const fnId = logicalId(built.stack.kpiReports.function.function.node.defaultChild);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')).filter((schedule) =>
      JSON.stringify(schedule.Properties.Target.Arn).includes(fnId),
    );
    expect(
      schedules.map((schedule) => [
        schedule.Properties.ScheduleExpression,
        schedule.Properties.ScheduleExpressionTimezone,
        schedule.Properties.Target.Input,
      ]),
    ).toEqual([
      ['cron(0 6 16 3,6,9,12 ? *)', 'Asia/Ho_Chi_Minh', '{"kind":"quarter"}'],
      ['cron(0 7 16 12 ? *)', 'Asia/Ho_Chi_Minh', '{"kind":"year"}'],
    ]);
    const role = logicalId(built.stack.kpiReports.function.role.node.defaultChild);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const s3 = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    expect(s3.flatMap(actionsOf)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(s3[0]?.Resource)).toContain('/reports/kpi/*');
    const table = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    expect(table).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['KPI#*'] } },
      }),
    ]);
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

describe('ProvinceStack retention and least privilege', () => {
  let built: MotcuaApp;
  let template: Template;
  const roleRef = (role: IConstruct) => ({ Ref: logicalId(role.node.defaultChild) });
  const policies = () =>
    Object.values(template.findResources('AWS::IAM::Policy')).map((policy) => ({
      roles: policy.Properties.Roles as unknown[],
      statements: policy.Properties.PolicyDocument.Statement as Statement[],
    }));

  beforeAll(() => {
    built = buildApp(FIXTURE);
    template = Template.fromStack(built.stack);
  });

  it('keeps the audit trail in its own table: data key, PITR, deletion protection, retained, backed up', () => {
    const auditId = logicalId(built.stack.audit.table.node.defaultChild);
    const table = template.findResources('AWS::DynamoDB::Table')[auditId];
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties).toMatchObject({
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    expect(JSON.stringify(table?.Properties.SSESpecification.KMSMasterKeyId)).toContain(
      logicalId(built.stack.keys.dataKey.node.defaultChild),
    );
    const selections = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    expect(JSON.stringify(selections)).toContain(auditId);
  });

  it('lets the API only append to and read the audit table, the anchoring only read it: no UpdateItem, DeleteItem or BatchWriteItem on it', () => {
    const auditId = logicalId(built.stack.audit.table.node.defaultChild);
    const onAudit = policies()
      .flatMap(({ roles, statements }) => statements.map((statement) => ({ roles, statement })))
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes(auditId));
    const api = roleRef(built.stack.api.handler.role);
    const anchoring = roleRef(built.stack.anchoring.anchor.role);
    expect(new Set(onAudit.flatMap(({ roles }) => roles))).toEqual(new Set([api, anchoring]));
    const actionsOfRole = (role: unknown) =>
      new Set(
        onAudit
          .filter(({ roles }) => JSON.stringify(roles) === JSON.stringify([role]))
          .flatMap(({ statement }) => actionsOf(statement)),
      );
    expect(actionsOfRole(api)).toEqual(new Set(['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query']));
    expect(actionsOfRole(anchoring)).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:Query']));
    const forbidden = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    const everywhere = policies().flatMap(({ statements }) =>
      statements.filter((statement) => {
        const resource = JSON.stringify(statement.Resource);
        return resource.includes(auditId) || resource.includes('"*"');
      }),
    );
    expect(
      everywhere.flatMap(actionsOf).filter((action) => forbidden.some((name) => covers(action, name))),
    ).toEqual([]);
  });

  it('keeps export packages in a bucket of their own: data key, no public access, TLS only, no Object Lock, gone after 7 days', () => {
    const bucketId = logicalId(built.stack.exports.bucket.node.defaultChild);
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: expect.arrayContaining([
          expect.objectContaining({ Prefix: 'exports/', ExpirationInDays: 7, Status: 'Enabled' }),
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
    expect(bucket?.Properties.ObjectLockEnabled).toBeUndefined();
    expect(JSON.stringify(bucket?.Properties.BucketEncryption)).toContain(
      logicalId(built.stack.keys.dataKey.node.defaultChild),
    );
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const api =
      template.findResources('AWS::Lambda::Function')[
        logicalId(built.stack.api.handler.function.node.defaultChild)
      ];
    expect(api?.Properties.Environment.Variables.EXPORTS_BUCKET).toEqual({ Ref: bucketId });
  });

  it('lets only the API write and read export packages and KPI reports, under exports/ and reports/kpi/ only (and the scheduled reports write reports/kpi/, tested above)', () => {
    const bucketId = logicalId(built.stack.exports.bucket.node.defaultChild);
    const scheduledReports = JSON.stringify([roleRef(built.stack.kpiReports.function.role)]);
    const onExports = policies()
      .flatMap(({ roles, statements }) => statements.map((statement) => ({ roles, statement })))
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes(bucketId))
      .filter(({ roles }) => JSON.stringify(roles) !== scheduledReports);
    expect(onExports.flatMap(({ roles }) => roles)).toEqual(
      onExports.map(() => roleRef(built.stack.api.handler.role)),
    );
    // Each action granted on an object ARN of the exports bucket, with the key pattern it covers.
    const granted = onExports.flatMap(({ statement }) =>
      [statement.Resource]
        .flat()
        .filter((resource) => JSON.stringify(resource).includes(bucketId))
        .flatMap((resource) => {
          const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
          // The bucket itself (ListBucket), named by its ARN, is shown with the prefixes it may list.
          const pattern = join
            ? String(join[1][1])
            : `(bucket: ${JSON.stringify((statement.Condition as { StringLike?: Record<string, unknown> } | undefined)?.StringLike?.['s3:prefix'])})`;
          return actionsOf(statement).map((action) => `${action} ${pattern}`);
        }),
    );
    expect(granted.sort()).toEqual([
      's3:AbortMultipartUpload /exports/*',
      's3:GetObject /exports/*',
      's3:GetObject /reports/kpi/*',
      's3:GetObjectVersion /exports/*',
      's3:GetObjectVersion /reports/kpi/*',
      's3:ListBucket (bucket: ["reports/kpi/*"])',
      's3:PutObject /exports/*',
      's3:PutObject /reports/kpi/*',
    ]);
  });

  it('expires uploads under incoming/ by the tag of their terminal state: quarantined after 90 days, archived after 7', () => {
    expect(INGEST_OBJECT_TAGS).toEqual({
      key: 'motcua-state',
      values: { quarantined: 'quarantined', archived: 'archived' },
    });
    expect(INGEST_OBJECT_EXPIRY_DAYS).toEqual({ quarantined: 90, archived: 7 });
    const rules =
      template.findResources('AWS::S3::Bucket')[logicalId(built.stack.ingest.bucket.node.defaultChild)]
        ?.Properties.LifecycleConfiguration.Rules;
    for (const [state, days] of [
      ['quarantined', 90],
      ['archived', 7],
    ] as const) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          Prefix: 'incoming/',
          TagFilters: [{ Key: 'motcua-state', Value: state }],
          ExpirationInDays: days,
          Status: 'Enabled',
        }),
      );
    }
    // Expiring a current version leaves its data as a noncurrent version behind a delete marker.
    expect(rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        ExpiredObjectDeleteMarker: true,
      }),
    );
  });

  it('lets only the archive, quarantine and reconcile roles tag uploads, so no browser upload picks its own expiry', () => {
    const tagging = policies().filter(({ statements }) =>
      statements.some((statement) =>
        actionsOf(statement).some((action) => covers(action, 's3:PutObjectTagging')),
      ),
    );
    const { functions } = built.stack.pipeline;
    expect(tagging.flatMap(({ roles }) => roles)).toEqual(
      expect.arrayContaining(
        [
          functions.ArchiveDocument.role,
          functions.QuarantineDocument.role,
          built.stack.trigger.reconciler.role,
        ].map(roleRef),
      ),
    );
    expect(tagging).toHaveLength(3);
    expect(tagging.flatMap(({ roles }) => roles)).not.toContainEqual(roleRef(built.stack.api.handler.role));
  });

  it("lets the reconciler see whether a document's run is still going: DescribeExecution on the pipeline's executions only", () => {
    const describing = policies().flatMap(({ roles, statements }) =>
      statements
        .filter((statement) =>
          actionsOf(statement).some((action) => covers(action, 'states:DescribeExecution')),
        )
        .map((statement) => ({ roles, statement })),
    );
    expect(describing.map(({ roles }) => roles)).toEqual([[roleRef(built.stack.trigger.reconciler.role)]]);
    const machine = logicalId(built.stack.pipeline.stateMachine.node.defaultChild);
    expect(describing[0]?.statement.Action).toBe('states:DescribeExecution');
    expect(describing[0]?.statement.Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:ap-southeast-1:123456789012:execution:',
          { 'Fn::GetAtt': [machine, 'Name'] },
          ':*',
        ],
      ],
    });
  });

  it('deletes upload requests never used through DynamoDB TTL on expiresAt', () => {
    expect(DOCUMENTS_TABLE_SCHEMA.ttlAttribute).toBe('expiresAt');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('lets no role delete items of the documents table (no DeleteItem, no BatchWriteItem)', () => {
    const inline = Object.values(template.findResources('AWS::IAM::Role')).flatMap(
      (role) =>
        (role.Properties.Policies ?? []).flatMap(
          (policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement,
        ) as Statement[],
    );
    const statements = [...policies().flatMap((policy) => policy.statements), ...inline].filter(
      (statement) => statement.Effect === 'Allow',
    );
    expect(statements.some((statement) => actionsOf(statement).includes('dynamodb:GetItem'))).toBe(true);
    const deleting = statements
      .flatMap(actionsOf)
      .filter((action) =>
        ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'].some((name) => covers(action, name)),
      );
    expect(deleting).toEqual([]);
  });

  it('grants Query on the status indexes only to the roles that list (the API; the reconciler, the overdue sweep and the portal sender province-wide), and no writes to the starter', () => {
    const indexArn = `/index/${DOCUMENTS_TABLE_SCHEMA.statusIndex.name}`;
    const onIndex = policies().flatMap(({ roles, statements }) =>
      statements
        .filter((statement) => JSON.stringify(statement.Resource).includes(indexArn))
        .map((statement) => ({ roles, actions: actionsOf(statement) })),
    );
    expect(onIndex.flatMap(({ roles }) => roles)).toEqual(
      expect.arrayContaining([
        roleRef(built.stack.api.handler.role),
        roleRef(built.stack.trigger.reconciler.role),
        ...(built.stack.portal ? [roleRef(built.stack.portal.sender.role)] : []),
        roleRef(built.stack.sweep.function.role),
        roleRef(built.stack.kpiRollup.functions.RollUpPeriods.role),
      ]),
    );
    expect(onIndex).toHaveLength(built.stack.portal ? 5 : 4);
    for (const { actions } of onIndex) expect(actions).toEqual(['dynamodb:Query']);
    const agencyIndexArn = `/index/${DOCUMENTS_TABLE_SCHEMA.agencyStatusIndex.name}`;
    const onAgencyIndex = policies().flatMap(({ roles, statements }) =>
      statements
        .filter((statement) => JSON.stringify(statement.Resource).includes(agencyIndexArn))
        .map((statement) => ({ roles, actions: actionsOf(statement) })),
    );
    expect(onAgencyIndex).toEqual([
      { roles: [roleRef(built.stack.api.handler.role)], actions: ['dynamodb:Query'] },
    ]);
    const starter = policies().find(({ roles }) =>
      JSON.stringify(roles).includes(logicalId(built.stack.trigger.starter.role.node.defaultChild)),
    );
    const starterTableActions = starter?.statements
      .filter((statement) =>
        JSON.stringify(statement.Resource).includes(logicalId(built.stack.documents.table.node.defaultChild)),
      )
      .flatMap(actionsOf);
    expect(starterTableActions?.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('lets the overdue sweep read dossiers and query the status index, and write only attention lists', () => {
    const sweepRole = logicalId(built.stack.sweep.function.role.node.defaultChild);
    const tableId = logicalId(built.stack.documents.table.node.defaultChild);
    const statements = policies()
      .filter(({ roles }) => JSON.stringify(roles).includes(sweepRole))
      .flatMap(({ statements }) => statements)
      .filter((statement) => JSON.stringify(statement.Resource).includes(tableId));
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'dynamodb:GetItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DOSSIER#*'] } },
        }),
        expect.objectContaining({
          Action: 'dynamodb:PutItem',
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ATTENTION#*'] } },
        }),
        expect.objectContaining({ Action: 'dynamodb:Query' }),
      ]),
    );
    expect(statements).toHaveLength(3);
    const query = statements.find((statement) => statement.Action === 'dynamodb:Query');
    expect(JSON.stringify(query?.Resource)).toContain(`/index/${DOCUMENTS_TABLE_SCHEMA.statusIndex.name}`);
    expect(JSON.stringify(query?.Resource)).not.toContain(DOCUMENTS_TABLE_SCHEMA.agencyStatusIndex.name);
  });

  it('scopes each KPI rollup task to the items it reads and writes by partition-key prefix', () => {
    const tableId = logicalId(built.stack.documents.table.node.defaultChild);
    const tableStatements = (task: KpiRollupTask) => {
      const role = logicalId(built.stack.kpiRollup.functions[task].role.node.defaultChild);
      return policies()
        .filter(({ roles }) => JSON.stringify(roles).includes(role))
        .flatMap(({ statements }) => statements)
        .filter((statement) => JSON.stringify(statement.Resource).includes(tableId))
        .map((statement) => ({
          actions: actionsOf(statement).sort(),
          leadingKeys: (statement.Condition as Record<string, Record<string, unknown>> | undefined)?.[
            'ForAllValues:StringLike'
          ]?.['dynamodb:LeadingKeys'],
          onIndex: JSON.stringify(statement.Resource).includes('/index/'),
        }));
    };
    expect(tableStatements('PlanRollup')).toEqual([
      { actions: ['dynamodb:Query'], leadingKeys: ['KPISTALE*'], onIndex: false },
    ]);
    expect(tableStatements('ClearStale')).toEqual([
      { actions: ['dynamodb:UpdateItem'], leadingKeys: ['KPISTALE*'], onIndex: false },
    ]);
    expect(tableStatements('RollUpDay')).toEqual([
      { actions: ['dynamodb:Query'], leadingKeys: ['KPIDAY#*'], onIndex: false },
      { actions: ['dynamodb:BatchGetItem'], leadingKeys: ['DOSSIER#*'], onIndex: false },
      { actions: ['dynamodb:PutItem'], leadingKeys: ['KPI#*'], onIndex: false },
    ]);
    expect(tableStatements('RollUpPeriods')).toEqual([
      { actions: ['dynamodb:Query'], leadingKeys: ['KPIDAY#*', 'KPI#*'], onIndex: false },
      { actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'], leadingKeys: ['DOSSIER#*'], onIndex: false },
      { actions: ['dynamodb:PutItem'], leadingKeys: ['KPI#*'], onIndex: false },
      { actions: ['dynamodb:Query'], leadingKeys: undefined, onIndex: true },
    ]);
  });

  it("gives kms:Sign on the agency keys only to the sign function and the routing's transfer (and the province's key to the audit anchoring and the API's export manifests), for digests with the key spec algorithm, and leaves the account administration without use", () => {
    const principalOf = (role: { node: { defaultChild?: unknown } }) => ({
      AWS: { 'Fn::GetAtt': [logicalId(role.node.defaultChild), 'Arn'] },
    });
    const documentSigner = principalOf(built.stack.pipeline.functions.SignDocument.role);
    const anchorSigner = principalOf(built.stack.anchoring.anchor.role);
    const transferSigner = principalOf(built.stack.routing.functions.StartRouting.role);
    const manifestSigner = principalOf(built.stack.api.handler.role);
    const provinceKeyId = logicalId(
      built.stack.signing.keys.get(provinceSigningAgencyId(built.config))?.node.defaultChild,
    );
    const keys = signingKeysIn(signingKeyTemplates(built, template));
    expect(keys).toHaveLength(2);
    expect(keys.map(([id]) => id)).toContain(provinceKeyId);
    for (const [id, key] of keys) {
      const signers =
        id === provinceKeyId
          ? [documentSigner, transferSigner, anchorSigner, manifestSigner]
          : [documentSigner, transferSigner];
      const statements = (key.Properties.KeyPolicy.Statement as Statement[]).filter(
        (s) => s.Effect === 'Allow',
      );
      const allowing = (action: string) =>
        statements.filter((statement) => actionsOf(statement).some((pattern) => covers(pattern, action)));
      // CDK merges statements that differ only in their principal.
      const principals = (list: Statement[]) =>
        list.flatMap((statement) => {
          const aws = (statement.Principal as { AWS: unknown }).AWS;
          return (Array.isArray(aws) ? aws : [aws]).map((arn) => ({ AWS: arn }));
        });
      const signing = allowing('kms:Sign');
      for (const statement of signing) {
        expect({ ...statement, Principal: undefined }).toEqual({
          Effect: 'Allow',
          Action: 'kms:Sign',
          Principal: undefined,
          Resource: '*',
          Condition: {
            StringEquals: { 'kms:MessageType': 'DIGEST', 'kms:SigningAlgorithm': ['ECDSA_SHA_256'] },
          },
        });
      }
      const sorted = (list: unknown[]) => list.map((item) => JSON.stringify(item)).sort();
      expect(sorted(principals(signing))).toEqual(sorted(signers));
      expect(sorted(principals(allowing('kms:GetPublicKey')))).toEqual(sorted(signers));
      for (const usage of ['kms:Verify', 'kms:CreateGrant', 'kms:Decrypt', 'kms:ReEncryptFrom']) {
        expect(allowing(usage), usage).toEqual([]);
      }
      const administration = statements.filter((statement) =>
        JSON.stringify(statement.Principal).includes(':root'),
      );
      expect(administration).toHaveLength(1);
      expect(actionsOf(administration[0] as Statement)).toEqual(
        expect.arrayContaining([
          'kms:PutKeyPolicy',
          'kms:DescribeKey',
          'kms:DisableKey',
          'kms:UpdateAlias',
          'kms:ScheduleKeyDeletion',
        ]),
      );
    }
  });

  it('records every acknowledgement on the CloudFormation resource it covers, never on a scope above it', () => {
    const acknowledgements = acknowledgementsIn(built.app);
    expect(acknowledgements.length).toBeGreaterThan(0);
    const onScopes = acknowledgements
      .filter(({ construct }) => !CfnResource.isCfnResource(construct))
      .map(({ id, construct }) => `${construct.node.path}: ${id}`);
    expect(onScopes).toEqual([]);
  });

  it('acknowledges wildcard resources only on the IAM policy that holds them, and Resource::* only for actions without resource-level permissions', () => {
    const unscopable = new Set([...XRAY_TRACING.actions, ...LOG_DELIVERY.actions]);
    const wildcards = acknowledgementsIn(built.app).filter(({ id }) =>
      /\[Resource::[^\]]*\*[^\]]*\]$/.test(id),
    );
    expect(wildcards.some(({ id }) => id.endsWith('/incoming/*]'))).toBe(true);
    for (const { id, construct } of wildcards) {
      const blanket = id.endsWith(WILDCARD_RESOURCE_FINDING);
      expect(construct, `${construct.node.path}: ${id}`).toBeInstanceOf(CfnPolicy);
      if (blanket) {
        const outside = wildcardActions(construct as CfnPolicy).filter((action) => !unscopable.has(action));
        expect(outside, construct.node.path).toEqual([]);
      }
    }
  });
});

describe('createMotcuaApp', () => {
  it('fails with the file and the field when the province config is invalid', () => {
    const broken = readFileSync(FIXTURE, 'utf8').replace('code: KS', 'code: "ks!"');
    const path = join(mkdtempSync(join(tmpdir(), 'motcua-config-')), 'broken-province.yaml');
    writeFileSync(path, broken);
    expect(() => buildApp(path)).toThrow(/broken-province\.yaml: documentTypes\[0\]\.code/);
  });

  it('fails with the file and the field when the province calendar names a year no calendar ships', () => {
    const text = `${readFileSync(FIXTURE, 'utf8')}\ncalendar:\n  extraDaysOff:\n    - { from: 2031-01-02, name: Nghỉ bù }\n`;
    const path = join(mkdtempSync(join(tmpdir(), 'motcua-config-')), 'calendar-province.yaml');
    writeFileSync(path, text);
    expect(() => buildApp(path)).toThrow(
      /calendar-province\.yaml: calendar\.extraDaysOff\[0\]\.from: 2031-01-02 is in no shipped calendar/,
    );
  });
});
