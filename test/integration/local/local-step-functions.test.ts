import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
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
      // The gate of an interrupted run never opens: stop() waits for it only this long.
      stopGraceMs: 50,
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

const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** A human step as the dossier routing workflow waits on it. */
const awaitStep = (name: string, timeoutSeconds: number) => ({
  Type: 'Task',
  Resource: CALLBACK,
  Parameters: {
    FunctionName: lambdaPlaceholder(name),
    Payload: {
      'dossierCode.$': '$.dossierCode',
      'stepId.$': '$.stepId',
      'mode.$': '$.mode',
      'taskToken.$': '$$.Task.Token',
    },
  },
  TimeoutSeconds: timeoutSeconds,
});

const CALLBACK_ASL = JSON.stringify({
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.mode', StringEquals: 'nested', Next: 'Dossiers' },
        { Variable: '$.mode', StringEquals: 'quick', Next: 'AwaitQuickStep' },
        { Variable: '$.mode', StringEquals: 'invoke', Next: 'Invoke' },
      ],
      Default: 'AwaitStep',
    },
    AwaitStep: {
      ...awaitStep('AwaitStep', 2_000_000),
      ResultPath: '$.result',
      Retry: [{ ErrorEquals: ['StepReturned'], MaxAttempts: 1 }],
      Catch: [{ ErrorEquals: ['StepRejected'], ResultPath: '$.rejection', Next: 'Rejected' }],
      End: true,
    },
    Rejected: { Type: 'Pass', Parameters: { 'rejected.$': '$.rejection' }, End: true },
    AwaitQuickStep: {
      ...awaitStep('AwaitQuickStep', 1),
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timedOut', Next: 'TimedOut' }],
      End: true,
    },
    TimedOut: { Type: 'Pass', Parameters: { 'error.$': '$.timedOut.Error' }, End: true },
    Invoke: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: lambdaPlaceholder('Echo'), 'Payload.$': '$' },
      End: true,
    },
    Dossiers: {
      Type: 'Map',
      ItemsPath: '$.dossiers',
      ItemProcessor: {
        StartAt: 'Steps',
        States: {
          Steps: {
            Type: 'Map',
            ItemsPath: '$.steps',
            ItemSelector: {
              'dossierCode.$': '$.dossierCode',
              'stepId.$': '$$.Map.Item.Value',
              mode: 'nested',
            },
            ItemProcessor: {
              StartAt: 'AwaitNestedStep',
              States: { AwaitNestedStep: { ...awaitStep('AwaitNestedStep', 2_000_000), End: true } },
            },
            End: true,
          },
        },
      },
      ResultPath: '$.results',
      End: true,
    },
  },
});

interface StepEvent {
  dossierCode: string;
  stepId: string;
  mode: string;
  taskToken: string;
}

describe('callback tasks (.waitForTaskToken) with the real SFNClient', () => {
  let dataDir: string;
  let sfnServer: LocalStepFunctions;
  let sfn: SFNClient;
  let stateMachineArn: string;
  /** What the Invoke handler waits for before it answers. */
  let invokeGate: Promise<void> = Promise.resolve();
  /** Tokens handed to the AwaitStep handlers, by `dossierCode/stepId`, one per call. */
  const issued = new Map<string, string[]>();

  const recordStep: TaskHandler = async (event) => {
    const step = event as StepEvent;
    const key = `${step.dossierCode}/${step.stepId}`;
    issued.set(key, [...(issued.get(key) ?? []), step.taskToken]);
    if (step.mode === 'self') {
      // A step already done: the handler completes its own task before it returns.
      await sfn.send(
        new SendTaskSuccessCommand({
          taskToken: step.taskToken,
          output: JSON.stringify({ done: 'at once' }),
        }),
      );
    }
    return { recorded: key };
  };

  const start = async () => {
    sfnServer = await startLocalStepFunctions({
      dataDir,
      port: 0,
      log: () => {},
      stateMachines: [
        {
          name: 'routing',
          definition: CALLBACK_ASL,
          retryIntervalMs: 1,
          taskHandlers: {
            AwaitStep: recordStep,
            AwaitQuickStep: recordStep,
            AwaitNestedStep: recordStep,
            Invoke: async (event) => {
              await invokeGate;
              return { echoed: event };
            },
          },
        },
      ],
    });
    sfn?.destroy();
    sfn = new SFNClient({
      endpoint: sfnServer.endpoint,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stateMachineArn = sfnServer.stateMachineArn('routing');
  };

  const restart = async () => {
    await sfnServer.stop();
    await start();
  };

  const startExecution = async (name: string, input: object) =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })))
      .executionArn ?? '';

  const waitUntil = async <T>(probe: () => Promise<T | undefined> | T | undefined, what: string) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  };

  /** The token of the `call`-th handler call for that step (1 = first). */
  const tokenOf = (step: string, call = 1) =>
    waitUntil(() => issued.get(step)?.[call - 1], `call ${call} of ${step}`);

  const waitForEnd = (executionArn: string) =>
    waitUntil(async (): Promise<DescribeExecutionCommandOutput | undefined> => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    }, `the end of ${executionArn}`);

  const readTokenJournal = async () =>
    (await readFile(join(dataDir, 'task-tokens.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { taskToken: string; status: string });

  const succeed = (taskToken: string, output: unknown) =>
    sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-sfn-callback-'));
    await start();
  });

  afterAll(async () => {
    sfn.destroy();
    await sfnServer.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('hands the handler the Payload with its token and makes the SendTaskSuccess output the state result', async () => {
    const executionArn = await startExecution('success-1', {
      mode: 'single',
      dossierCode: 'D-1',
      stepId: 'review',
    });
    const token = await tokenOf('D-1/review');
    const whileWaiting = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    await succeed(token, { decision: 'approved', officer: 'Nguyễn Văn A' });
    const ended = await waitForEnd(executionArn);

    expect(token).toMatch(/^local-sfn\.v1\.[\w-]{43}$/);
    expect(whileWaiting.status).toBe('RUNNING');
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '')).toEqual({
      mode: 'single',
      dossierCode: 'D-1',
      stepId: 'review',
      result: { decision: 'approved', officer: 'Nguyễn Văn A' },
    });
  });

  it('counts an execution that waits only on a human step as idle, and one whose handler still runs as busy', async () => {
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    invokeGate = slow;
    const executionArn = await startExecution('idle-1', {
      mode: 'single',
      dossierCode: 'D-idle',
      stepId: 'review',
    });
    const token = await tokenOf('D-idle/review');
    await sfnServer.whenIdle();
    expect(sfnServer.isIdle()).toBe(true);
    // A plain Lambda task at work: busy until it returns.
    const busyArn = await startExecution('idle-2', { mode: 'invoke' });
    await waitUntil(() => (sfnServer.isIdle() ? undefined : true), 'the Invoke handler to start');
    expect(sfnServer.isIdle()).toBe(false);
    release();
    await slow;
    invokeGate = Promise.resolve();
    await succeed(token, { ok: true });
    await waitForEnd(executionArn);
    await waitForEnd(busyArn);
    expect(sfnServer.isIdle()).toBe(true);
  });

  it('waits on each item of a Map inside a Map and completes them one by one', async () => {
    const executionArn = await startExecution('nested-1', {
      mode: 'nested',
      dossiers: [{ dossierCode: 'D-2', steps: ['appraise', 'consult'] }],
    });
    const appraise = await tokenOf('D-2/appraise');
    const consult = await tokenOf('D-2/consult');

    await succeed(consult, { step: 'consult', ok: true });
    await sleep(50);
    const afterOne = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    await succeed(appraise, { step: 'appraise', ok: true });
    const ended = await waitForEnd(executionArn);

    expect(appraise).not.toBe(consult);
    expect(afterOne.status).toBe('RUNNING');
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '').results).toEqual([
      [
        { step: 'appraise', ok: true },
        { step: 'consult', ok: true },
      ],
    ]);
  });

  it('fails the task with SendTaskFailure error and cause, which a Catch handles', async () => {
    const executionArn = await startExecution('failure-1', {
      mode: 'single',
      dossierCode: 'D-3',
      stepId: 'review',
    });
    const token = await tokenOf('D-3/review');

    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'StepRejected', cause: 'missing document' }),
    );
    const ended = await waitForEnd(executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '')).toEqual({
      rejected: { Error: 'StepRejected', Cause: 'missing document' },
    });
  });

  it('retries a task failed by SendTaskFailure with a new token and a new handler call', async () => {
    const executionArn = await startExecution('retry-1', {
      mode: 'single',
      dossierCode: 'D-11',
      stepId: 'review',
    });
    const first = await tokenOf('D-11/review');

    await sfn.send(new SendTaskFailureCommand({ taskToken: first, error: 'StepReturned', cause: 'redo' }));
    const second = await tokenOf('D-11/review', 2);
    await succeed(second, { redone: true });
    const ended = await waitForEnd(executionArn);

    expect(second).not.toBe(first);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '').result).toEqual({ redone: true });
  });

  it('accepts a heartbeat on a live token and answers TaskTimedOut once the task is completed', async () => {
    const executionArn = await startExecution('heartbeat-1', {
      mode: 'single',
      dossierCode: 'D-4',
      stepId: 'review',
    });
    const token = await tokenOf('D-4/review');

    const heartbeat = await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await succeed(token, { ok: true });
    await waitForEnd(executionArn);

    expect(heartbeat.$metadata.httpStatusCode).toBe(200);
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
    await expect(succeed(token, { again: true })).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('answers InvalidToken for a token it never issued', async () => {
    const garbage = 'not-a-token';

    await expect(succeed(garbage, {})).rejects.toBeInstanceOf(InvalidToken);
    await expect(sfn.send(new SendTaskFailureCommand({ taskToken: garbage }))).rejects.toBeInstanceOf(
      InvalidToken,
    );
    await expect(sfn.send(new SendTaskHeartbeatCommand({ taskToken: garbage }))).rejects.toBeInstanceOf(
      InvalidToken,
    );
  });

  it('answers InvalidOutput for an output that is not JSON and keeps the task waiting', async () => {
    const executionArn = await startExecution('output-1', {
      mode: 'single',
      dossierCode: 'D-5',
      stepId: 'review',
    });
    const token = await tokenOf('D-5/review');

    const invalid = sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{not json' }));
    await expect(invalid).rejects.toBeInstanceOf(InvalidOutput);
    await succeed(token, { ok: 'after all' });
    const ended = await waitForEnd(executionArn);

    expect(JSON.parse(ended.output ?? '').result).toEqual({ ok: 'after all' });
  });

  it('completes a task whose handler sends SendTaskSuccess on its own token before returning', async () => {
    const executionArn = await startExecution('self-1', { mode: 'self', dossierCode: 'D-6', stepId: 'done' });

    const ended = await waitForEnd(executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '').result).toEqual({ done: 'at once' });
    expect(issued.get('D-6/done')).toHaveLength(1);
  });

  it('fails a task with States.Timeout after its TimeoutSeconds, and its token then answers TaskTimedOut', async () => {
    const executionArn = await startExecution('timeout-1', {
      mode: 'quick',
      dossierCode: 'D-7',
      stepId: 'late',
    });
    const token = await tokenOf('D-7/late');

    const ended = await waitForEnd(executionArn);

    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '')).toEqual({ error: 'States.Timeout' });
    await expect(succeed(token, { late: true })).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('closes the tokens of a stopped execution, on disk too', async () => {
    const executionArn = await startExecution('stopped-1', {
      mode: 'single',
      dossierCode: 'D-8',
      stepId: 'review',
    });
    const token = await tokenOf('D-8/review');

    await sfn.send(new StopExecutionCommand({ executionArn }));
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const journal = await readTokenJournal();

    expect(stopped.status).toBe('ABORTED');
    expect(journal.filter((record) => record.taskToken === token).map((record) => record.status)).toEqual([
      'WAITING',
      'CLOSED',
    ]);
    await expect(succeed(token, { late: true })).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('wraps a plain lambda:invoke result as AWS does ({Payload, StatusCode})', async () => {
    const executionArn = await startExecution('invoke-1', { mode: 'invoke', value: 1 });

    const ended = await waitForEnd(executionArn);

    expect(JSON.parse(ended.output ?? '')).toEqual({
      ExecutedVersion: '$LATEST',
      Payload: { echoed: { mode: 'invoke', value: 1 } },
      StatusCode: 200,
    });
  });

  it('after a restart (journal cut short), completes the execution with SendTaskSuccess on the token issued before it', async () => {
    const executionArn = await startExecution('restart-a', {
      mode: 'single',
      dossierCode: 'D-9',
      stepId: 'sign',
    });
    const before = await tokenOf('D-9/sign');
    await sfnServer.stop();
    // As a kill -9 may leave it: a last line cut short.
    await appendFile(join(dataDir, 'task-tokens.jsonl'), `{"taskToken":"${before}","status":"SUCC`);

    await start();
    const replayed = await tokenOf('D-9/sign', 2);
    await succeed(before, { signed: true });
    const ended = await waitForEnd(executionArn);

    expect(replayed).toBe(before);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '').result).toEqual({ signed: true });
  });

  it('after a restart, does not hand a token completed before it to the handler again', async () => {
    const executionArn = await startExecution('restart-b', {
      mode: 'nested',
      dossiers: [{ dossierCode: 'D-10', steps: ['appraise', 'consult'] }],
    });
    await succeed(await tokenOf('D-10/appraise'), { step: 'appraise' });
    const consult = await tokenOf('D-10/consult');

    await restart();
    const replayedConsult = await tokenOf('D-10/consult', 2);
    await succeed(replayedConsult, { step: 'consult' });
    const ended = await waitForEnd(executionArn);

    expect(replayedConsult).toBe(consult);
    expect(issued.get('D-10/appraise')).toHaveLength(1);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output ?? '').results).toEqual([[{ step: 'appraise' }, { step: 'consult' }]]);
  });

  it('refuses a Task whose TimeoutSeconds a Node.js timer cannot hold, naming the state', async () => {
    const tooLong = JSON.parse(CALLBACK_ASL);
    tooLong.States.Dossiers.ItemProcessor.States.Steps.ItemProcessor.States.AwaitNestedStep.TimeoutSeconds = 2_147_484;

    const starting = startLocalStepFunctions({
      dataDir,
      stateMachines: [
        { name: 'too-long', definition: tooLong, taskHandlers: { AwaitNestedStep: recordStep } },
      ],
    });

    await expect(starting).rejects.toThrow(
      /too-long: Task state AwaitNestedStep: TimeoutSeconds is 2147484 s/,
    );
  });
});
