import { join } from 'node:path';
import { Duration, TimeZone } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import { STALE_DAYS_PARTITION } from '#shared/adapters/aws/dynamodb-kpi-stale-days.ts';
import type { KpiTargets } from '#shared/config/kpi-targets.ts';
import { provinceKpiTargets } from '#shared/config/load-kpi-targets.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import {
  KPI_ROLLUP_TASKS,
  type KpiRollupTask,
  loadKpiRollupDefinition,
} from '#state-machines/kpi-rollup-tasks.ts';
import { grantIndexQuery, grantTableItemsUnder, type ItemAction } from './grant-access.ts';
import { MotcuaFunction } from './motcua-function.ts';
import { createTaskStateMachine } from './task-state-machine.ts';

export interface KpiRollupProps {
  readonly config: ProvinceConfig;
  /** Folder holding `kpi/`. */
  readonly functionsRoot: string;
  readonly table: ITable;
  /** Named in every function's configuration; the rollup functions get no access to it. */
  readonly ingestBucket: IBucket;
  readonly logsKey: IKey;
  /**
   * The province's KPI targets, compiled into the functions' bundles.
   * @default `config/kpi-targets/{slug}-province.yaml` when it exists, else none (figures are `no-target`)
   */
  readonly targets?: KpiTargets;
  /**
   * When the rollup of yesterday (and of the stale days) starts (EventBridge Scheduler).
   * @default every day at 01:00 Asia/Ho_Chi_Minh
   */
  readonly schedule?: ScheduleExpression;
}

/**
 * What each task may do on the documents table, by partition-key prefix (`dynamodb:LeadingKeys`):
 * the plan reads and the clearing updates stale-day markers (no role deletes items); a day reads its bucket (`KPIDAY#`,
 * Query) and its dossiers (`DOSSIER#`, BatchGetItem) and writes figures (`KPI#`); the periods
 * also read day figures (`KPI#`, Query), open dossiers by key (GetItem) and the status index.
 */
const TABLE_ACCESS: Record<KpiRollupTask, readonly [readonly ItemAction[], readonly string[]][]> = {
  PlanRollup: [[['dynamodb:Query'], [STALE_DAYS_PARTITION]]],
  RollUpDay: [
    [['dynamodb:Query'], ['KPIDAY#']],
    [['dynamodb:BatchGetItem'], ['DOSSIER#']],
    [['dynamodb:PutItem'], ['KPI#']],
  ],
  RollUpPeriods: [
    [['dynamodb:Query'], ['KPIDAY#', 'KPI#']],
    [['dynamodb:BatchGetItem', 'dynamodb:GetItem'], ['DOSSIER#']],
    [['dynamodb:PutItem'], ['KPI#']],
  ],
  ClearStale: [[['dynamodb:UpdateItem'], [STALE_DAYS_PARTITION]]],
};

/**
 * The nightly KPI rollup: its Task functions, the STANDARD state machine from
 * `kpi-rollup.asl.json` (a run may take longer than an Express workflow's five minutes), and an
 * EventBridge Scheduler schedule in Vietnam time that starts it with `{}` (yesterday plus the
 * stale days). An operator starts it with `{from, to}` for a range.
 */
export class KpiRollup extends Construct {
  readonly functions: Record<KpiRollupTask, MotcuaFunction>;
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: KpiRollupProps) {
    super(scope, id);
    const slug = props.config.province.slug;
    const stateMachineName = `motcua-${slug}-kpi-rollup`;
    const targets = props.targets ?? provinceKpiTargets(props.config);
    const make = (task: KpiRollupTask) => {
      const spec = KPI_ROLLUP_TASKS[task];
      const fn = new MotcuaFunction(this, task, {
        entry: join(props.functionsRoot, 'kpi', `${spec.entry}.ts`),
        description: `motcua ${slug}: KPI rollup task ${task}`,
        config: props.config,
        logsKey: props.logsKey,
        runtimePackages: [],
        environment: { DOCUMENTS_TABLE: props.table.tableName, INGEST_BUCKET: props.ingestBucket.bucketName },
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        ...(targets
          ? { defines: { 'process.env.MOTCUA_KPI_TARGETS': JSON.stringify(JSON.stringify(targets)) } }
          : {}),
      });
      for (const [actions, prefixes] of TABLE_ACCESS[task]) {
        grantTableItemsUnder(fn.role, props.table, actions, prefixes);
      }
      if (task === 'RollUpPeriods') {
        grantIndexQuery(fn.role, props.table, [DOCUMENTS_TABLE_SCHEMA.statusIndex.name]);
      }
      return fn;
    };
    this.functions = Object.fromEntries(
      (Object.keys(KPI_ROLLUP_TASKS) as KpiRollupTask[]).map((task) => [task, make(task)]),
    ) as Record<KpiRollupTask, MotcuaFunction>;

    this.stateMachine = createTaskStateMachine(this, {
      stateMachineName,
      definition: loadKpiRollupDefinition(),
      functions: this.functions,
      logsKey: props.logsKey,
    });

    this.schedule = new Schedule(this, 'Schedule', {
      description: `motcua ${slug}: KPI rollup of yesterday and of the days late changes made stale`,
      schedule:
        props.schedule ??
        ScheduleExpression.cron({ minute: '0', hour: '1', timeZone: TimeZone.ASIA_HO_CHI_MINH }),
      // A run missed entirely is made up by the next night's: the stale days stay marked, and an
      // operator can start a range.
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /** Lets a role start a rollup (an operator's range). */
  grantStart(grantee: IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
  }
}
