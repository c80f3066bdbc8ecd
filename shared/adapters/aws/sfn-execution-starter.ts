import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionStarter } from '#shared/ports.ts';

/** Starts executions of one state machine; a name already used means "already started". */
export function createSfnExecutionStarter(sfn: SFNClient, stateMachineArn: string): ExecutionStarter {
  const executionArn = (name: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  return {
    async start(name, input) {
      try {
        const response = await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return { started: true, executionArn: response.executionArn };
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return { started: false };
        throw error;
      }
    },

    async isRunning(name) {
      try {
        const response = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(name) }));
        return response.status === 'RUNNING';
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return false;
        throw error;
      }
    },
  };
}
