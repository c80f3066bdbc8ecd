import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalStepFunctions,
  startLocalStepFunctions,
  type TaskHandler,
} from '#infra/local/local-step-functions.ts';

/** `${NameFunctionArn}`, as in the project's ASL files. */
const lambdaPlaceholder = (name: string) => `\${${name}FunctionArn}`;

const ASL = JSON.stringify({
  StartAt: 'Double',
  States: {
    Double: {
      Type: 'Task',
      Resource: lambdaPlaceholder('Double'),
      ResultPath: '$.doubled',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }],
      Next: 'SquareAll',
    },
    SquareAll: {
      Type: 'Map',
      ItemsPath: '$.items',
      ResultPath: '$.squares',
      Iterator: {
        StartAt: 'Square',
        States: { Square: { Type: 'Task', Resource: lambdaPlaceholder('Square'), End: true } },
      },
      End: true,
    },
    Recover: { Type: 'Task', Resource: lambdaPlaceholder('Recover'), End: true },
  },
});

class QuarantineError extends Error {
  override readonly name = 'QuarantineError';
}

interface Input {
  value: number;
  items?: number[];
  fail?: 'caught' | 'uncaught';
  gate?: boolean;
}

function createHandlers(gate: { promise: Promise<void> }): Record<string, TaskHandler> {
  return {
    Double: async (event) => {
      const input = event as Input;
      if (input.gate) await gate.promise;
      if (input.fail) throw new QuarantineError('EMPTY_FILE: the object is empty');
      return { value: input.value * 2 };
    },
    Square: async (event) => (event as number) ** 2,
    Recover: async (event) => {
      const input = event as Input & { error: { Error: string; Cause: string } };
      if (input.fail === 'uncaught') throw new Error('archive unreachable');
      return { recovered: input.error.Error, message: JSON.parse(input.error.Cause).errorMessage };
    },
  };
}

describe('startLocalStepFunctions with the real SFNClient', () => {
  let dataDir: string;
  let sfnServer: LocalStepFunctions;
  let sfn: SFNClient;
  let stateMachineArn: string;
  let releaseGate: () => void;
  const logs: string[] = [];

  const start = async (gate: { promise: Promise<void> }) => {
    sfnServer = await startLocalStepFunctions({
      dataDir,
      port: 0,
      log: (message) => logs.push(message),
      stateMachines: [{ name: 'tiny', definition: ASL, taskHandlers: createHandlers(gate) }],
    });
    sfn?.destroy();
    sfn = new SFNClient({
      endpoint: sfnServer.endpoint,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stateMachineArn = sfnServer.stateMachineArn('tiny');
  };

  const startExecution = (name: string, input: Input) =>
    sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));

  const describeExecution = (executionArn: string | undefined) =>
    sfn.send(new DescribeExecutionCommand({ executionArn }));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-sfn-'));
    let release = () => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    releaseGate = release;
    await start({ promise });
  });

  afterAll(async () => {
    sfn.destroy();
    await sfnServer.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs an execution through Task and Map states and describes it as SUCCEEDED with its output', async () => {
    const { executionArn } = await startExecution('ok-1', { value: 3, items: [1, 2, 3] });
    await sfnServer.whenIdle();

    const described = await describeExecution(executionArn);

    expect(executionArn).toBe('arn:aws:states:ap-southeast-1:000000000000:execution:tiny:ok-1');
    expect(described.status).toBe('SUCCEEDED');
    expect(described.startDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output ?? '')).toEqual({
      value: 3,
      items: [1, 2, 3],
      doubled: { value: 6 },
      squares: [1, 4, 9],
    });
  });

  it('hands a thrown error to Catch as Lambda does (Error = type, Cause = JSON) and records uncaught failures', async () => {
    const caught = await startExecution('caught-1', { value: 1, fail: 'caught' });
    const failing = await startExecution('failed-1', { value: 1, fail: 'uncaught' });
    await sfnServer.whenIdle();

    const recovered = await describeExecution(caught.executionArn);
    const failed = await describeExecution(failing.executionArn);

    expect(recovered.status).toBe('SUCCEEDED');
    expect(JSON.parse(recovered.output ?? '')).toEqual({
      recovered: 'QuarantineError',
      message: 'EMPTY_FILE: the object is empty',
    });
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('Error');
    expect(JSON.parse(failed.cause ?? '').errorMessage).toBe('archive unreachable');
    expect(
      logs.some((line) => line.includes('failed-1 FAILED') && line.includes('archive unreachable')),
    ).toBe(true);
  });

  it('returns the same ARN for a running duplicate, and ExecutionAlreadyExists for another input or a closed one', async () => {
    const first = await startExecution('dup-1', { value: 5, gate: true, items: [] });
    const again = await startExecution('dup-1', { value: 5, gate: true, items: [] });
    const otherInput = startExecution('dup-1', { value: 6, gate: true, items: [] });
    await expect(otherInput).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));

    releaseGate();
    await sfnServer.whenIdle();
    const afterClose = startExecution('dup-1', { value: 5, gate: true, items: [] });

    expect(again.executionArn).toBe(first.executionArn);
    expect(running.executions?.map((execution) => execution.name)).toEqual(['dup-1']);
    await expect(afterClose).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect((await describeExecution(first.executionArn)).status).toBe('SUCCEEDED');
  });

  it('answers ExecutionDoesNotExist for an unknown ARN', async () => {
    const unknown = describeExecution('arn:aws:states:ap-southeast-1:000000000000:execution:tiny:nope');

    await expect(unknown).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('keeps executions across a restart and resumes those interrupted by the stop', async () => {
    const gate = { promise: new Promise<void>(() => {}) };
    await sfnServer.stop();
    await start(gate);
    const interrupted = await startExecution('interrupted-1', { value: 7, gate: true, items: [2] });
    await sfnServer.stop();

    await start({ promise: Promise.resolve() });
    await sfnServer.whenIdle();

    const resumed = await describeExecution(interrupted.executionArn);
    const earlier = await describeExecution('arn:aws:states:ap-southeast-1:000000000000:execution:tiny:ok-1');
    expect(resumed.status).toBe('SUCCEEDED');
    expect(JSON.parse(resumed.output ?? '').squares).toEqual([4]);
    expect(earlier.status).toBe('SUCCEEDED');
    expect(logs.some((line) => line.includes('resuming execution interrupted-1'))).toBe(true);
  });
});
