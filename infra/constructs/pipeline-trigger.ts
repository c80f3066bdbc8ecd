import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { acknowledgeOnResource, acknowledgeWildcardResource } from './acknowledge-on-resource.ts';
import { grantObjects, grantTableItems } from './grant-access.ts';
import { INGEST_PREFIXES } from './ingest-bucket.ts';
import { MotcuaFunction } from './motcua-function.ts';

const STARTER_TIMEOUT = Duration.seconds(30);

export interface PipelineTriggerProps {
  readonly config: ProvinceConfig;
  /** Folder holding `ingest/start-pipeline.ts`. */
  readonly functionsRoot: string;
  readonly ingestBucket: IBucket;
  /** Key of the ingest bucket's SSE-KMS encryption. */
  readonly dataKey: IKey;
  readonly table: ITable;
  /** The document pipeline (its name scopes the reconciler's DescribeExecution). */
  readonly stateMachine: IStateMachine & { readonly stateMachineName: string };
  readonly logsKey: IKey;
  /**
   * Most starter invocations running at once (SQS event source maximum concurrency).
   * @default 5
   */
  readonly maxConcurrency?: number;
}

/**
 * S3 "Object Created" under `incoming/` → EventBridge rule → SQS queue (with DLQ) → the
 * starter Lambda, which starts one pipeline execution per object version and reports
 * partial batch failures; and a reconciler every 15 minutes that resumes documents that
 * stopped moving.
 */
export class PipelineTrigger extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly starter: MotcuaFunction;
  readonly reconciler: MotcuaFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: PipelineTriggerProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS guidance: six times the consumer's timeout, so retries never overlap a running batch.
      visibilityTimeout: Duration.seconds(STARTER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.rule = new Rule(this, 'ObjectCreated', {
      description: 'Scans uploaded under incoming/ start the document pipeline',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.ingestBucket.bucketName] },
          object: { key: [{ prefix: INGEST_PREFIXES.incoming }] },
        },
      },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });
    const environment = {
      INGEST_BUCKET: props.ingestBucket.bucketName,
      DOCUMENTS_TABLE: props.table.tableName,
      STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
    };
    this.starter = new MotcuaFunction(this, 'StartPipeline', {
      entry: join(props.functionsRoot, 'ingest', 'start-pipeline.ts'),
      description: `motcua ${props.config.province.slug}: starts the document pipeline for uploaded scans`,
      config: props.config,
      logsKey: props.logsKey,
      runtimePackages: [],
      memorySize: 256,
      timeout: STARTER_TIMEOUT,
      environment,
    });
    this.starter.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    this.reconciler = new MotcuaFunction(this, 'ReconcileDocuments', {
      entry: join(props.functionsRoot, 'ingest', 'reconcile-documents.ts'),
      description: `motcua ${props.config.province.slug}: resumes documents that stopped moving`,
      config: props.config,
      logsKey: props.logsKey,
      runtimePackages: [],
      memorySize: 256,
      timeout: Duration.minutes(2),
      invocation: 'scheduled',
      environment,
    });
    new Rule(this, 'ReconcileSchedule', {
      description: 'Resume uploads whose event was lost and executions that were cut off',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [
        new LambdaFunction(this.reconciler.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
        }),
      ],
    });
    for (const fn of [this.starter, this.reconciler]) props.stateMachine.grantStartExecution(fn.role);
    // The starter only reads the record; the reconciler lists stalled documents by status and
    // resumes or quarantines them, tagging a quarantined upload so that it expires.
    grantTableItems(this.starter.role, props.table, 'read');
    grantTableItems(this.reconciler.role, props.table, 'readWrite', {
      queryIndexes: [DOCUMENTS_TABLE_SCHEMA.statusIndex.name],
    });
    grantObjects(this.reconciler.role, this.reconciler.role, {
      bucket: props.ingestBucket,
      key: props.dataKey,
      read: [INGEST_PREFIXES.incoming],
      tag: [INGEST_PREFIXES.incoming],
    });
    this.allowReconcilerToDescribeRuns(props.stateMachine.stateMachineName);
    acknowledgeOnResource(this.deadLetterQueue, {
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is the dead-letter queue of the ingest queue and of the EventBridge target; it keeps failed events 14 days for inspection and redrive.',
    });
    const mapping = this.starter.function.node.children.find((child) => child instanceof EventSourceMapping);
    if (!mapping) throw new Error('the starter has no SQS event source mapping');
    acknowledgeOnResource(mapping, {
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings do not support on-failure destinations; failed messages go to the DLQ through the queue redrive policy (maxReceiveCount 5).',
    });
  }

  /** The reconciler takes a document over only when the run that owns it is no longer running. */
  private allowReconcilerToDescribeRuns(stateMachineName: string): void {
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.reconciler.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
    );
    acknowledgeWildcardResource(
      this.reconciler.role,
      executions,
      'Execution names are derived per document and run; the wildcard covers only the executions of the document pipeline state machine.',
    );
  }
}
