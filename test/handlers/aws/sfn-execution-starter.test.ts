import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSfnExecutionStarter } from '#shared/adapters/aws/sfn-execution-starter.ts';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:ap-southeast-1:123456789012:stateMachine:pipeline';

describe('createSfnExecutionStarter', () => {
  beforeEach(() => sfn.reset());

  it('starts an execution with the given name and JSON input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:exec-1`, startDate: new Date() });
    const result = await createSfnExecutionStarter(new SFNClient({}), ARN).start('exec-1', { key: 'k' });
    expect(result).toEqual({ started: true, executionArn: `${ARN}:exec-1` });
    const call = sfn.commandCalls(StartExecutionCommand)[0];
    expect(call?.args[0].input).toEqual({ stateMachineArn: ARN, name: 'exec-1', input: '{"key":"k"}' });
  });

  it('reports a duplicate name as not started instead of failing', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(createSfnExecutionStarter(new SFNClient({}), ARN).start('exec-1', {})).resolves.toEqual({
      started: false,
    });
  });

  it('propagates other errors', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('throttled'));
    await expect(createSfnExecutionStarter(new SFNClient({}), ARN).start('exec-1', {})).rejects.toThrow(
      'throttled',
    );
  });
});
