import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { INGEST_PREFIXES } from './ingest-bucket.ts';
import { MotcuaFunction } from './motcua-function.ts';

const STARTER_TIMEOUT = Duration.seconds(30);

export interface PipelineTriggerProps {
  readonly config: ProvinceConfig;
  /** Folder holding `ingest/start-pipeline.ts`. */
  readonly functionsRoot: string;
  readonly ingestBucket: IBucket;
  readonly stateMachine: IStateMachine;
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
 * partial batch failures.
 */
export class PipelineTrigger extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly starter: MotcuaFunction;
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
    this.starter = new MotcuaFunction(this, 'StartPipeline', {
      entry: join(props.functionsRoot, 'ingest', 'start-pipeline.ts'),
      description: `motcua ${props.config.province.slug}: starts the document pipeline for uploaded scans`,
      config: props.config,
      logsKey: props.logsKey,
      memorySize: 256,
      timeout: STARTER_TIMEOUT,
      environment: {
        INGEST_BUCKET: props.ingestBucket.bucketName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
      },
    });
    this.starter.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );
    props.stateMachine.grantStartExecution(this.starter.role);
  }
}
