import { join } from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import {
  DOSSIER_ROUTING_TASKS,
  type DossierRoutingTask,
  loadDossierRoutingDefinition,
} from '#state-machines/dossier-routing-tasks.ts';
import { grantTableItems } from './grant-access.ts';
import { MotcuaFunction } from './motcua-function.ts';
import { createTaskStateMachine } from './task-state-machine.ts';

export interface DossierRoutingProps {
  readonly config: ProvinceConfig;
  /** Folder holding `routing/`. */
  readonly functionsRoot: string;
  readonly table: ITable;
  /** Named in every function's configuration; the routing functions get no access to it. */
  readonly ingestBucket: IBucket;
  readonly logsKey: IKey;
}

/**
 * The dossier routing: its Task functions and the STANDARD state machine from
 * `dossier-routing.asl.json` (human steps are callback tasks that wait up to the table's timeout).
 * The state machine's ARN is known from its name before it exists, so that the functions that
 * answer its callbacks can be granted SendTask* on it without a dependency cycle.
 */
export class DossierRouting extends Construct {
  readonly functions: Record<DossierRoutingTask, MotcuaFunction>;
  readonly stateMachine: StateMachine;
  readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: DossierRoutingProps) {
    super(scope, id);
    const slug = props.config.province.slug;
    const stateMachineName = `motcua-${slug}-dossier-routing`;
    this.stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const make = (task: DossierRoutingTask) => {
      const spec = DOSSIER_ROUTING_TASKS[task];
      const timeout = 'functionTimeoutSeconds' in spec ? spec.functionTimeoutSeconds : spec.timeoutSeconds;
      const fn = new MotcuaFunction(this, task, {
        entry: join(props.functionsRoot, 'routing', `${spec.entry}.ts`),
        description: `motcua ${slug}: dossier routing task ${task}`,
        config: props.config,
        logsKey: props.logsKey,
        runtimePackages: [],
        environment: {
          DOCUMENTS_TABLE: props.table.tableName,
          INGEST_BUCKET: props.ingestBucket.bucketName,
          SIGNER: 'kms',
        },
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(timeout),
      });
      grantTableItems(fn.role, props.table, 'readWrite');
      return fn;
    };
    this.functions = Object.fromEntries(
      (Object.keys(DOSSIER_ROUTING_TASKS) as DossierRoutingTask[]).map((task) => [task, make(task)]),
    ) as Record<DossierRoutingTask, MotcuaFunction>;
    // A step already finished (a replay, a timeout's retry) is answered by the function itself.
    this.grantTaskResponse(this.functions.AwaitStep.role);

    this.stateMachine = createTaskStateMachine(this, {
      stateMachineName,
      definition: loadDossierRoutingDefinition(),
      functions: this.functions,
      logsKey: props.logsKey,
    });
  }

  /** Lets a role answer the routing's waiting steps (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat). */
  grantTaskResponse(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: [this.stateMachineArn],
      }),
    );
  }

  /** Lets a role start a dossier's routing. */
  grantStart(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }),
    );
  }
}
