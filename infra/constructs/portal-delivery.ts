import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { grantTableItems } from './grant-access.ts';
import { MotcuaFunction } from './motcua-function.ts';

export interface PortalDeliveryProps {
  readonly config: ProvinceConfig;
  /** Folder holding `dossiers/deliver-portal-messages.ts`. */
  readonly functionsRoot: string;
  readonly table: ITable;
  /** Named in the function's configuration; the function gets no access to it. */
  readonly ingestBucket: IBucket;
  readonly logsKey: IKey;
  /** Where invocations the schedule could not complete go (the stack's dead-letter queue). */
  readonly deadLetterQueue: IQueue;
}

/**
 * Delivers the national-portal outbox every minute: a function that sends the due messages in
 * order per dossier (retries with backoff, dead letters in the outbox itself, replay through the
 * API); invocations the schedule could not complete go to the stack's dead-letter queue.
 */
export class PortalDelivery extends Construct {
  readonly sender: MotcuaFunction;

  constructor(scope: Construct, id: string, props: PortalDeliveryProps) {
    super(scope, id);
    this.sender = new MotcuaFunction(this, 'DeliverPortalMessages', {
      entry: join(props.functionsRoot, 'dossiers', 'deliver-portal-messages.ts'),
      description: `motcua ${props.config.province.slug}: sends dossier changes to the national public-service portal`,
      config: props.config,
      logsKey: props.logsKey,
      runtimePackages: [],
      memorySize: 256,
      timeout: Duration.minutes(2),
      // One run at a time: two would send a dossier's messages side by side.
      reservedConcurrency: 1,
      invocation: 'scheduled',
      environment: { DOCUMENTS_TABLE: props.table.tableName, INGEST_BUCKET: props.ingestBucket.bucketName },
    });
    // Due messages are listed on the status index; a dossier's pending ones by its key.
    grantTableItems(this.sender.role, props.table, 'readWrite', {
      queryIndexes: [DOCUMENTS_TABLE_SCHEMA.statusIndex.name],
    });
    new Rule(this, 'Schedule', {
      description: 'Send dossier changes to the national public-service portal',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(this.sender.function, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
        }),
      ],
    });
  }
}
