import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledgeStateMachineRole } from './acknowledge-state-machine-role.ts';
import type { MotcuaFunction } from './motcua-function.ts';

export interface TaskStateMachineProps {
  readonly stateMachineName: string;
  /** The ASL document, whose tasks name `${Task}FunctionArn`. */
  readonly definition: unknown;
  /** The task functions by task name. */
  readonly functions: Readonly<Record<string, MotcuaFunction>>;
  readonly logsKey: IKey;
}

/**
 * A standard state machine over one ASL file and its task functions, as every workflow of the
 * back office is deployed: each `${Task}FunctionArn` substituted, encrypted execution logs kept a
 * year, X-Ray on, and leave to invoke exactly those functions. Creates `Logs` and `StateMachine`
 * in `scope`.
 */
export function createTaskStateMachine(scope: Construct, props: TaskStateMachineProps): StateMachine {
  const logGroup = new LogGroup(scope, 'Logs', {
    logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
    retention: RetentionDays.ONE_YEAR,
    encryptionKey: props.logsKey,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const functions = Object.entries(props.functions);
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    stateMachineName: props.stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(JSON.stringify(props.definition, null, 2)),
    definitionSubstitutions: Object.fromEntries(
      functions.map(([task, fn]) => [`${task}FunctionArn`, fn.function.functionArn]),
    ),
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
  });
  // The ASL calls functions by bare ARN, never a version or alias: no `:*` resource needed.
  stateMachine.addToRolePolicy(
    new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: functions.map(([, fn]) => fn.function.functionArn),
    }),
  );
  acknowledgeStateMachineRole(stateMachine);
  return stateMachine;
}
