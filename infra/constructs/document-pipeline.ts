import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import { grantObjects, grantTableItems } from './grant-access.ts';
import { INGEST_PREFIXES } from './ingest-bucket.ts';
import { MotcuaFunction, PROJECT_ROOT } from './motcua-function.ts';
import type { ProvinceResources } from './province-resources.ts';

/** The ASL file whose `${…FunctionArn}` placeholders this construct fills. */
export const DOCUMENT_PIPELINE_ASL = join(PROJECT_ROOT, 'state-machines', 'document-pipeline.asl.json');

/** Task state name → handler file under functions/pipeline/. */
export const PIPELINE_TASKS = {
  ValidateUpload: 'validate-upload',
  PreparePages: 'prepare-pages',
  OcrPage: 'ocr-page',
  ClassifyDocument: 'classify-document',
  AwaitReview: 'await-review',
  AssignCode: 'assign-code',
  SignDocument: 'sign-document',
  ArchiveDocument: 'archive-document',
  QuarantineDocument: 'quarantine-document',
} as const;

export type PipelineTask = keyof typeof PIPELINE_TASKS;

interface TaskSizing {
  readonly memorySize: number;
  readonly timeout: Duration;
}

/** Function timeouts never exceed the Task state's TimeoutSeconds in the ASL. */
const SIZING: Record<PipelineTask, TaskSizing> = {
  ValidateUpload: { memorySize: 1024, timeout: Duration.seconds(60) },
  PreparePages: { memorySize: 3008, timeout: Duration.minutes(5) },
  OcrPage: { memorySize: 3008, timeout: Duration.minutes(5) },
  ClassifyDocument: { memorySize: 512, timeout: Duration.seconds(60) },
  AwaitReview: { memorySize: 256, timeout: Duration.seconds(30) },
  AssignCode: { memorySize: 256, timeout: Duration.seconds(30) },
  SignDocument: { memorySize: 1024, timeout: Duration.minutes(5) },
  ArchiveDocument: { memorySize: 512, timeout: Duration.minutes(2) },
  QuarantineDocument: { memorySize: 256, timeout: Duration.seconds(60) },
};

export interface DocumentPipelineProps extends ProvinceResources {
  /** Agency ID → signing key. */
  readonly signingKeys: ReadonlyMap<string, Key>;
  /** @default 2 */
  readonly ocrWorkers?: number;
}

/**
 * The document pipeline: nine task functions with least-privilege grants and the STANDARD
 * state machine from `state-machines/document-pipeline.asl.json` (logging ALL, X-Ray).
 */
export class DocumentPipeline extends Construct {
  readonly functions: Record<PipelineTask, MotcuaFunction>;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: DocumentPipelineProps) {
    super(scope, id);
    // The sign function finds each agency's key by its alias (signingKeyAlias); only it may use them.
    const environment = {
      INGEST_BUCKET: props.ingestBucket.bucketName,
      ARCHIVE_BUCKET: props.archiveBucket.bucketName,
      DOCUMENTS_TABLE: props.table.tableName,
      SIGNER: 'kms',
      OCR_WORKERS: String(props.ocrWorkers ?? 2),
    };
    const make = (task: PipelineTask) =>
      new MotcuaFunction(this, task, {
        entry: join(props.functionsRoot, 'pipeline', `${PIPELINE_TASKS[task]}.ts`),
        description: `motcua ${props.config.province.slug}: document pipeline task ${task}`,
        config: props.config,
        logsKey: props.logsKey,
        environment,
        ...SIZING[task],
      });
    this.functions = {
      ValidateUpload: make('ValidateUpload'),
      PreparePages: make('PreparePages'),
      OcrPage: make('OcrPage'),
      ClassifyDocument: make('ClassifyDocument'),
      AwaitReview: make('AwaitReview'),
      AssignCode: make('AssignCode'),
      SignDocument: make('SignDocument'),
      ArchiveDocument: make('ArchiveDocument'),
      QuarantineDocument: make('QuarantineDocument'),
    };
    this.grant(props);
    this.stateMachine = this.createStateMachine(props);
  }

  private grant(props: DocumentPipelineProps): void {
    const { incoming, work } = INGEST_PREFIXES;
    const ingest = (fn: MotcuaFunction, read: string[], write: string[] = []) =>
      grantObjects(fn.role, fn.role, { bucket: props.ingestBucket, key: props.dataKey, read, write });
    const f = this.functions;
    ingest(f.ValidateUpload, [incoming]);
    ingest(f.PreparePages, [incoming], [work]);
    ingest(f.OcrPage, [incoming, work], [work]);
    ingest(f.ClassifyDocument, [work]);
    ingest(f.SignDocument, [incoming, work], [work]);
    ingest(f.ArchiveDocument, [incoming, work]);
    ingest(f.QuarantineDocument, [incoming]);
    grantObjects(f.ArchiveDocument.role, f.ArchiveDocument.role, {
      bucket: props.archiveBucket,
      key: props.dataKey,
      write: [''],
      extraWriteActions: ['s3:PutObjectRetention'],
    });
    for (const task of [
      'ValidateUpload',
      'PreparePages',
      'ClassifyDocument',
      'AwaitReview',
      'AssignCode',
      'SignDocument',
      'ArchiveDocument',
      'QuarantineDocument',
    ] as const) {
      grantTableItems(f[task].role, props.table, DOCUMENTS_TABLE_SCHEMA.statusIndex.name);
    }
    const keyArns = [...props.signingKeys.values()].map((key) => key.keyArn);
    if (keyArns.length > 0) {
      f.SignDocument.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['kms:Sign', 'kms:GetPublicKey'], resources: keyArns }),
      );
    }
  }

  private createStateMachine(props: DocumentPipelineProps): StateMachine {
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/motcua-${props.config.province.slug}-document-pipeline`,
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const substitutions = Object.fromEntries(
      Object.entries(this.functions).map(([task, fn]) => [`${task}FunctionArn`, fn.function.functionArn]),
    );
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: `motcua-${props.config.province.slug}-document-pipeline`,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(DOCUMENT_PIPELINE_ASL),
      definitionSubstitutions: substitutions,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The ASL calls functions by bare ARN, never a version or alias: no `:*` resource needed.
    stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(this.functions).map((fn) => fn.function.functionArn),
      }),
    );
    Validations.of(stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups…) and X-Ray (PutTraceSegments, GetSamplingRules…) do not support resource-level permissions.',
    });
    return stateMachine;
  }
}
