import { join } from 'node:path';
import { Duration, TimeZone } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { grantIndexQuery, grantTableItemsUnder } from './grant-access.ts';
import { MotcuaFunction } from './motcua-function.ts';

export interface OverdueSweepProps {
  readonly config: ProvinceConfig;
  /** Folder holding `dossiers/sweep-overdue.ts`. */
  readonly functionsRoot: string;
  readonly table: ITable;
  /** Named in every function's configuration; the sweep gets no access to it. */
  readonly ingestBucket: IBucket;
  readonly logsKey: IKey;
  /**
   * When the sweep runs (EventBridge Scheduler, Asia/Ho_Chi_Minh).
   * @default every hour on the hour from 07:00 to 17:00, every day (a Saturday can be worked)
   */
  readonly schedule?: ScheduleExpression;
}

/**
 * A schedule's Lambda target whose role may invoke the function's unqualified ARN only (CDK's
 * LambdaInvoke also grants `{arn}:*`, every version and alias, which the schedule never calls).
 */
export class InvokeUnqualified extends LambdaInvoke {
  constructor(
    private readonly target: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(target, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.target.functionArn] }),
    );
  }
}

/**
 * The overdue sweep: an EventBridge Scheduler schedule in Vietnam time invokes a function that
 * records each unit's attention list of the day. The function reads dossiers (GetItem on
 * `DOSSIER#` items, Query on the status index that holds the open dossiers and open steps) and
 * writes only attention lists (PutItem on `ATTENTION#` items).
 */
export class OverdueSweep extends Construct {
  readonly function: MotcuaFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: OverdueSweepProps) {
    super(scope, id);
    const slug = props.config.province.slug;
    this.function = new MotcuaFunction(this, 'SweepOverdue', {
      entry: join(props.functionsRoot, 'dossiers', 'sweep-overdue.ts'),
      description: `motcua ${slug}: records each unit's attention list of dossiers and steps near or past due`,
      config: props.config,
      logsKey: props.logsKey,
      runtimePackages: [],
      memorySize: 512,
      timeout: Duration.minutes(5),
      environment: { DOCUMENTS_TABLE: props.table.tableName, INGEST_BUCKET: props.ingestBucket.bucketName },
      invocation: 'scheduled',
    });
    const role = this.function.role;
    grantTableItemsUnder(role, props.table, ['dynamodb:GetItem'], ['DOSSIER#']);
    grantTableItemsUnder(role, props.table, ['dynamodb:PutItem'], ['ATTENTION#']);
    grantIndexQuery(role, props.table, [DOCUMENTS_TABLE_SCHEMA.statusIndex.name]);
    this.schedule = new Schedule(this, 'Schedule', {
      description: `motcua ${slug}: attention lists of dossiers and steps near or past due`,
      schedule:
        props.schedule ??
        ScheduleExpression.cron({ minute: '0', hour: '7-17', timeZone: TimeZone.ASIA_HO_CHI_MINH }),
      // The sweep looks from the time it runs; a failed run is redone by the next hour's.
      target: new InvokeUnqualified(this.function.function, {
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(30),
      }),
    });
  }
}
