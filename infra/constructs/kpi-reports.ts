import { join } from 'node:path';
import { Duration, TimeZone } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { KPI_REPORTS_PREFIX } from '#shared/use-cases/kpi/produce-kpi-report.ts';
import { grantObjects, grantTableItemsUnder } from './grant-access.ts';
import { MotcuaFunction } from './motcua-function.ts';
import { InvokeUnqualified } from './overdue-sweep.ts';

export interface KpiReportsProps {
  readonly config: ProvinceConfig;
  /** Folder holding `kpi/produce-kpi-reports.ts`. */
  readonly functionsRoot: string;
  readonly table: ITable;
  /** Named in every function's configuration; the report function gets no access to it. */
  readonly ingestBucket: IBucket;
  /** Where the reports are written (under `reports/kpi/`), and its key. */
  readonly exportsBucket: IBucket;
  readonly dataKey: IKey;
  readonly logsKey: IKey;
}

/**
 * The scheduled KPI reports: on the 16th of each quarter's last month the quarter's report, and on
 * 16 December the year's (EventBridge Scheduler, Asia/Ho_Chi_Minh, at 06:00, after the night's
 * rollup), produced by a function that reads stored figures (`KPI#` items) and writes only
 * `reports/kpi/` of the exports bucket. The API produces them on demand the same way.
 */
export class KpiReports extends Construct {
  readonly function: MotcuaFunction;
  readonly quarterly: Schedule;
  readonly yearly: Schedule;

  constructor(scope: Construct, id: string, props: KpiReportsProps) {
    super(scope, id);
    const slug = props.config.province.slug;
    this.function = new MotcuaFunction(this, 'ProduceKpiReports', {
      entry: join(props.functionsRoot, 'kpi', 'produce-kpi-reports.ts'),
      description: `motcua ${slug}: the quarter's and the year's KPI reports (XLSX and PDF)`,
      config: props.config,
      logsKey: props.logsKey,
      // The PDFs embed DejaVu Sans (Vietnamese diacritics), read from its package.
      runtimePackages: ['dejavu-fonts-ttf'],
      memorySize: 1024,
      timeout: Duration.minutes(5),
      environment: {
        DOCUMENTS_TABLE: props.table.tableName,
        INGEST_BUCKET: props.ingestBucket.bucketName,
        EXPORTS_BUCKET: props.exportsBucket.bucketName,
      },
      invocation: 'scheduled',
    });
    const role = this.function.role;
    grantTableItemsUnder(role, props.table, ['dynamodb:Query'], ['KPI#']);
    grantObjects(role, role, {
      bucket: props.exportsBucket,
      key: props.dataKey,
      write: [KPI_REPORTS_PREFIX],
    });
    const schedule = (name: string, description: string, cron: ScheduleExpression, kind: string) =>
      new Schedule(this, name, {
        description: `motcua ${slug}: ${description}`,
        schedule: cron,
        // Producing a period again replaces its files: a retry or a rerun is harmless.
        target: new InvokeUnqualified(this.function.function, {
          input: ScheduleTargetInput.fromObject({ kind }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      });
    this.quarterly = schedule(
      'Quarterly',
      "the quarter's KPI report, on the 16th of its last month",
      ScheduleExpression.cron({
        minute: '0',
        hour: '6',
        day: '16',
        month: '3,6,9,12',
        timeZone: TimeZone.ASIA_HO_CHI_MINH,
      }),
      'quarter',
    );
    this.yearly = schedule(
      'Yearly',
      "the year's KPI report, on 16 December",
      ScheduleExpression.cron({
        minute: '0',
        hour: '7',
        day: '16',
        month: '12',
        timeZone: TimeZone.ASIA_HO_CHI_MINH,
      }),
      'year',
    );
  }
}
