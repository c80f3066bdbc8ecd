import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { closeServer, listenOnLoopback } from './listen-on-loopback.ts';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<LocalHandlers[string]>[0];

/**
 * A Task state's handler: receives the state input, returns its result (like a Lambda function).
 * For `arn:aws:states:::lambda:invoke` and `…lambda:invoke.waitForTaskToken` it receives
 * `Parameters.Payload`, as the Lambda function does.
 */
export type TaskHandler = (event: unknown) => Promise<unknown>;

/** One state machine served by the local Step Functions server. */
export interface LocalStateMachineOptions {
  /** State machine name; its ARN is `arn:aws:states:{region}:000000000000:stateMachine:{name}`. */
  name: string;
  /** ASL text (or parsed object) with `${XFunctionArn}` placeholders. */
  definition: string | object;
  /** Task handlers by Task state name (states inside Map and Parallel included). */
  taskHandlers: Readonly<Record<string, TaskHandler>>;
  /** Values for other `${Name}` placeholders of the definition. */
  substitutions?: Readonly<Record<string, string>>;
  /**
   * Waits this long before every retry instead of the definition's backoff (tests).
   * @default the definition's IntervalSeconds, BackoffRate and jitter
   */
  retryIntervalMs?: number;
}

/** Options of {@link startLocalStepFunctions}. */
export interface LocalStepFunctionsOptions {
  /**
   * Root data folder: the execution journal is `{dataDir}/executions.jsonl`, the callback
   * tasks' tokens `{dataDir}/task-tokens.jsonl`.
   */
  dataDir: string;
  stateMachines: readonly LocalStateMachineOptions[];
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** @default 'ap-southeast-1' */
  region?: string;
  /**
   * How long stop() waits for task handlers already called to finish before closing (their
   * executions resume at the next start either way). @default 10000
   */
  stopGraceMs?: number;
  /** Where failed executions and resumptions are reported. @default a line on stderr */
  log?: (message: string) => void;
}

/** A running local Step Functions server. */
export interface LocalStepFunctions {
  /** `http://127.0.0.1:{port}`: the SFN endpoint (`AWS_ENDPOINT_URL_SFN`). */
  endpoint: string;
  /** ARN of a served state machine. */
  stateMachineArn(name: string): string;
  /** Resolves once no execution is working: each running one (if any) waits on callback tasks only (a human step). */
  whenIdle(): Promise<void>;
  isIdle(): boolean;
  /** Closes the server and aborts running executions; they resume at the next start. */
  stop(): Promise<void>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What the journal keeps of one execution. */
interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

/**
 * What `{dataDir}/task-tokens.jsonl` keeps of one callback task's token. `WAITING`: issued, no
 * outcome yet; `SUCCEEDED`/`FAILED`: an outcome arrived (the task completes with it, at once or
 * when a replay reaches it); `TIMED_OUT`: its TimeoutSeconds passed; `CLOSED`: its execution
 * ended while it waited, or its handler failed (then a replay may issue it again).
 */
interface TaskTokenRecord {
  taskToken: string;
  executionArn: string;
  stateName: string;
  status: 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'CLOSED';
  /** Epoch milliseconds of the issue: the timeout counts from here, across restarts. */
  issuedAt: number;
  timeoutSeconds: number;
  output?: string;
  error?: string;
  cause?: string;
}

/** An error answered in the JSON 1.0 protocol's shape (`__type` + `message`). */
class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

const ACCOUNT = '000000000000';
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;
/** Step Functions' limit on a state's input or output. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_REQUEST_BYTES = 1024 * 1024;
/** Node's setTimeout holds at most 2^31-1 ms; a longer delay fires at once. */
const MAX_TIMER_SECONDS = 2_147_483;
const CALLBACK_SUFFIX = '.waitForTaskToken';
const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:[\w-]*:\d*:lambda:invoke(\.waitForTaskToken)?$/;
/** Stands for `$$.Task.Token` in a prepared definition (the interpreter's context has no Task). */
const TASK_TOKEN_MARKER = '<local-sfn:$$.Task.Token>';
const TASK_TOKEN_PREFIX = 'local-sfn.v1.';
const TASK_TIMED_OUT = "Task Timed Out: 'Provided task does not exist anymore'";

/**
 * Starts a server speaking the Step Functions JSON 1.0 protocol (StartExecution,
 * DescribeExecution, ListExecutions, StopExecution, and for callback tasks SendTaskSuccess,
 * SendTaskFailure, SendTaskHeartbeat) that runs executions in-process with
 * aws-local-stepfunctions, Task states bound to local handlers. Executions are journalled in
 * `{dataDir}/executions.jsonl`; those still running when the process stopped are resumed
 * (from the start, with the same name and input) so that none is lost, as in AWS.
 *
 * Callback tasks (`Resource` ending in `.waitForTaskToken`) call their handler with
 * `$$.Task.Token` filled in, then wait for SendTaskSuccess (its output is the state's result),
 * SendTaskFailure (Error = `error`, Cause = `cause`, for Retry and Catch) or their
 * TimeoutSeconds (States.Timeout). A token is `local-sfn.v1.` + base64url SHA-256 of the
 * execution ARN, state name, canonical JSON of the task's input and how many times this run
 * already entered that state with that input (so retries and identical Map items get their own
 * token), hence a replay issues the same tokens. Tokens live in `{dataDir}/task-tokens.jsonl`
 * (issue, then outcome): an outcome sent while the task does not wait (before a replay reaches
 * it, or before its handler returns) completes it on arrival without calling the handler again.
 * The timeout counts from the first issue, across restarts. Limits: HeartbeatSeconds is not
 * enforced (SendTaskHeartbeat only checks the token); a callback task without TimeoutSeconds
 * waits at most 2,147,483 s (AWS: 99,999,999 s); TimeoutSecondsPath is refused on callback
 * tasks; a Retry or Catch on States.TaskFailed also matches a callback task's States.Timeout.
 */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const region = options.region ?? 'ap-southeast-1';
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  await mkdir(options.dataDir, { recursive: true });
  const journal = createJournal<ExecutionRecord>(
    join(options.dataDir, 'executions.jsonl'),
    (record) => record.executionArn,
  );
  const machines = new Map(
    options.stateMachines.map((machine) => {
      const arn = `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${machine.name}`;
      return [arn, prepareStateMachine(machine, region)] as const;
    }),
  );
  const executions = journal.load();
  const callbacks = new CallbackTasks(
    join(options.dataDir, 'task-tokens.jsonl'),
    (executionArn) => executions.get(executionArn)?.status === 'RUNNING',
  );
  const running = new Map<string, { abort: () => void; run: ExecutionRun }>();
  let idleWaiters: (() => void)[] = [];
  let stopping = false;

  const launch = (record: ExecutionRecord) => {
    const machine = machines.get(record.stateMachineArn);
    if (!machine)
      throw new SfnApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${record.stateMachineArn}'`,
      );
    const run: ExecutionRun = {
      executionArn: record.executionArn,
      ended: false,
      occurrences: new Map(),
      waiting: new Set(),
      active: 0,
      calls: new Set(),
      changed: () => checkIdle(),
    };
    const execution = machine.stateMachine.run(JSON.parse(record.input), {
      overrides: {
        taskResourceLocalHandlers: bindTaskHandlers(machine, run, callbacks),
        ...(machine.retryIntervalOverrides ? { retryIntervalOverrides: machine.retryIntervalOverrides } : {}),
      },
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/local`,
        },
        StateMachine: { Id: record.stateMachineArn, Name: machine.name },
      },
    });
    running.set(record.executionArn, { abort: execution.abort, run });
    execution.result.then(
      (output) =>
        record.status === 'RUNNING'
          ? finish(record, { status: 'SUCCEEDED', output: JSON.stringify(output) })
          : settle(record),
      (error: unknown) => {
        // Stopped by StopExecution (already recorded) or by stop() (left RUNNING to resume).
        if (record.status !== 'RUNNING' || (stopping && error instanceof ExecutionAbortedError)) {
          return settle(record);
        }
        const failure = describeFailure(error);
        finish(record, failure);
        log(`[local-sfn] execution ${record.name} ${failure.status}: ${failure.error}: ${failure.cause}`);
      },
    );
  };

  const finish = (record: ExecutionRecord, result: Partial<ExecutionRecord>) => {
    Object.assign(record, result, { stopDate: Date.now() / 1000 });
    journal.append(record);
    callbacks.closeExecution(record.executionArn);
    settle(record);
  };

  const settle = (record: ExecutionRecord) => {
    const current = running.get(record.executionArn);
    if (current) callbacks.endRun(current.run);
    running.delete(record.executionArn);
    checkIdle();
  };

  /** Idle: every running execution waits on callback tasks only (a human step), none is working. */
  const isIdle = () => [...running.values()].every(({ run }) => run.active === 0 && run.waiting.size > 0);
  const checkIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const operations: Record<string, (request: Record<string, unknown>) => unknown> = {
    StartExecution: (request) => {
      const stateMachineArn = requireString(request, 'stateMachineArn');
      const machine = machines.get(stateMachineArn);
      if (!machine)
        throw new SfnApiError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${stateMachineArn}'`,
        );
      const name = request.name === undefined ? randomUUID() : requireString(request, 'name');
      if (!EXECUTION_NAME.test(name)) throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
      const input = request.input === undefined ? '{}' : requireString(request, 'input');
      if (!isValidInput(input))
        throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input}'`);
      const executionArn = `arn:aws:states:${region}:${ACCOUNT}:execution:${machine.name}:${name}`;
      const existing = executions.get(executionArn);
      if (existing) {
        // AWS: idempotent for a running execution with the same input; a conflict otherwise.
        if (existing.status === 'RUNNING' && existing.input === input) {
          return { executionArn, startDate: existing.startDate };
        }
        throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn,
        name,
        status: 'RUNNING',
        input,
        startDate: Date.now() / 1000,
      };
      executions.set(executionArn, record);
      journal.append(record);
      launch(record);
      return { executionArn, startDate: record.startDate };
    },
    DescribeExecution: (request) => {
      const record = findExecution(executions, requireString(request, 'executionArn'));
      return { ...record };
    },
    ListExecutions: (request) => listExecutions(executions, request),
    StopExecution: (request) => {
      const record = findExecution(executions, requireString(request, 'executionArn'));
      const abort = running.get(record.executionArn)?.abort;
      if (record.status === 'RUNNING' && abort) {
        finish(record, {
          status: 'ABORTED',
          error: typeof request.error === 'string' ? request.error : undefined,
          cause: typeof request.cause === 'string' ? request.cause : undefined,
        });
        abort();
      }
      return { stopDate: record.stopDate ?? Date.now() / 1000 };
    },
    SendTaskSuccess: (request) => {
      const taskToken = requireString(request, 'taskToken');
      const output = requireString(request, 'output');
      if (Buffer.byteLength(output) > MAX_PAYLOAD_BYTES) {
        throw new SfnApiError(
          'ValidationException',
          `1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`,
        );
      }
      if (!isValidInput(output)) throw new SfnApiError('InvalidOutput', `Invalid Output: '${output}'`);
      callbacks.complete(taskToken, { status: 'SUCCEEDED', output });
      return {};
    },
    SendTaskFailure: (request) => {
      const taskToken = requireString(request, 'taskToken');
      const error = optionalString(request, 'error', 256);
      const cause = optionalString(request, 'cause', 32768);
      callbacks.complete(taskToken, { status: 'FAILED', error, cause });
      return {};
    },
    SendTaskHeartbeat: (request) => {
      callbacks.requireWaiting(requireString(request, 'taskToken'));
      return {};
    },
  };

  const server = createServer((req, res) => {
    handleRequest(req, res, operations).catch((error: unknown) => {
      log(`[local-sfn] request failed: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { __type: 'InternalFailure', message: 'internal error' });
    });
  });
  const endpoint = await listenOnLoopback(server, options.port);

  for (const record of executions.values()) {
    if (record.status !== 'RUNNING' || !machines.has(record.stateMachineArn)) continue;
    log(`[local-sfn] resuming execution ${record.name} interrupted by the last stop`);
    launch(record);
  }

  return {
    endpoint,
    stateMachineArn: (name) => `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${name}`,
    whenIdle: () =>
      isIdle() ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    isIdle,
    async stop() {
      stopping = true;
      const calls: Promise<unknown>[] = [];
      for (const { abort, run } of [...running.values()]) {
        calls.push(...run.calls);
        // Releases the waiting callback tasks (their tokens stay valid on disk for the replay).
        callbacks.endRun(run);
        abort();
      }
      // Handlers already called finish their work (a Lambda invocation is not cut short by a stop),
      // so that the servers they write to are not closed under them.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(calls),
        new Promise((resolve) => {
          grace = setTimeout(resolve, options.stopGraceMs ?? 10_000);
        }),
      ]);
      clearTimeout(grace);
      await closeServer(server);
    },
  };
}

/** One run of an execution (a start or a replay): what its tasks need to know of it. */
interface ExecutionRun {
  executionArn: string;
  /** Set once the run is over (ended, stopped, or the server stops): no handler is called after. */
  ended: boolean;
  /** How many times this run entered a callback task, by state name and input digest. */
  occurrences: Map<string, number>;
  /** Tokens this run's callback tasks wait on. */
  waiting: Set<string>;
  /** Task handlers of this run being called now. */
  active: number;
  /** Their calls. */
  calls: Set<Promise<unknown>>;
  /** Called when the run may have become quiet (waiting on callbacks only). */
  changed: () => void;
}

type TaskKind = 'task' | 'lambda-invoke' | 'callback';

interface PreparedTask {
  name: string;
  kind: TaskKind;
  /** The handler gets `Parameters.Payload` (Lambda integrations) instead of the whole input. */
  payloadOnly: boolean;
  /** Callback tasks: the declared TimeoutSeconds. */
  timeoutSeconds: number;
  handler: TaskHandler;
}

interface PreparedStateMachine {
  name: string;
  stateMachine: StateMachine;
  tasks: readonly PreparedTask[];
  retryIntervalOverrides?: Record<string, number>;
}

interface AslStates {
  States: Record<string, unknown>;
}

interface AslState {
  Type?: string;
  Resource?: string;
  Parameters?: unknown;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Seconds?: number;
  Iterator?: AslStates;
  ItemProcessor?: AslStates;
  Branches?: AslStates[];
}

function prepareStateMachine(machine: LocalStateMachineOptions, region: string): PreparedStateMachine {
  const definition = loadAslDefinition(machine.definition, { region, substitutions: machine.substitutions });
  const fail = (message: string): never => {
    throw new Error(`State machine ${machine.name}: ${message}`);
  };
  const timerLimit = (what: string, seconds: number) =>
    `${what} is ${seconds} s, more than ${MAX_TIMER_SECONDS} s (about 24.8 days), the longest a Node.js timer waits (a longer one fires at once)`;
  const topTimeout = (definition as { TimeoutSeconds?: number }).TimeoutSeconds;
  if (typeof topTimeout === 'number' && topTimeout > MAX_TIMER_SECONDS) {
    fail(timerLimit('its TimeoutSeconds', topTimeout));
  }
  const tasks = new Map<string, PreparedTask>();
  const missing: string[] = [];
  forEachState(definition, (name, state) => {
    if (state.Type === 'Wait' && typeof state.Seconds === 'number' && state.Seconds > MAX_TIMER_SECONDS) {
      fail(timerLimit(`Wait state ${name}: Seconds`, state.Seconds));
    }
    if (state.Type !== 'Task') return;
    if (typeof state.TimeoutSeconds === 'number' && state.TimeoutSeconds > MAX_TIMER_SECONDS) {
      fail(timerLimit(`Task state ${name}: TimeoutSeconds`, state.TimeoutSeconds));
    }
    const resource = state.Resource ?? '';
    const kind: TaskKind = resource.endsWith(CALLBACK_SUFFIX)
      ? 'callback'
      : LAMBDA_INVOKE.test(resource)
        ? 'lambda-invoke'
        : 'task';
    const timeoutSeconds = state.TimeoutSeconds ?? MAX_TIMER_SECONDS;
    if (kind === 'callback') {
      if (state.TimeoutSecondsPath !== undefined) {
        fail(`callback Task state ${name}: TimeoutSecondsPath is not supported locally, use TimeoutSeconds`);
      }
      if (markTaskTokenPaths(state.Parameters) === 0) {
        fail(`callback Task state ${name} does not pass "$$.Task.Token" in its Parameters`);
      }
      // The wrapper enforces the declared timeout from the token's first issue; the
      // interpreter's own timer (60 s by default) only stands behind it.
      state.TimeoutSeconds = MAX_TIMER_SECONDS;
    }
    const handler = machine.taskHandlers[name];
    if (!handler) {
      missing.push(name);
      return;
    }
    const existing = tasks.get(name);
    if (existing && existing.kind !== kind) {
      fail(`two Task states named ${name} have different kinds of Resource (one handler serves both)`);
    }
    tasks.set(name, {
      name,
      kind,
      payloadOnly: LAMBDA_INVOKE.test(resource),
      timeoutSeconds,
      handler,
    });
  });
  if (missing.length > 0) {
    fail(`no local handler for Task state(s) ${[...new Set(missing)].join(', ')}`);
  }
  const retryIntervalMs = machine.retryIntervalMs;
  return {
    name: machine.name,
    stateMachine: new StateMachine(definition),
    tasks: [...tasks.values()],
    retryIntervalOverrides:
      retryIntervalMs === undefined
        ? undefined
        : Object.fromEntries([...tasks.keys()].map((name) => [name, retryIntervalMs])),
  };
}

/**
 * Parses an ASL definition and fills its placeholders: every `${XFunctionArn}` becomes the
 * fake Lambda ARN `arn:aws:lambda:{region}:000000000000:function:X`; other `${Name}` come from
 * `substitutions`. Fails on any placeholder left.
 */
export function loadAslDefinition(
  definition: string | object,
  options: { region: string; substitutions?: Readonly<Record<string, string>> },
): StateMachineDefinition {
  const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
  const filled = text.replace(/\$\{(\w+)\}/g, (placeholder, name: string) => {
    const value = options.substitutions?.[name];
    if (value !== undefined) return value;
    const lambda = /^(\w+)FunctionArn$/.exec(name);
    if (lambda) return `arn:aws:lambda:${options.region}:${ACCOUNT}:function:${lambda[1]}`;
    throw new Error(`ASL placeholder ${placeholder} has no value`);
  });
  return JSON.parse(filled) as StateMachineDefinition;
}

/** Names of the Task states of a definition, nested Map and Parallel states included. */
export function collectTaskStateNames(definition: AslStates): string[] {
  const names: string[] = [];
  forEachState(definition, (name, state) => {
    if (state.Type === 'Task') names.push(name);
  });
  return [...new Set(names)];
}

/** Visits every state of a definition, those of nested Map and Parallel states included. */
function forEachState(definition: AslStates, visit: (name: string, state: AslState) => void): void {
  for (const [name, state] of Object.entries(definition.States)) {
    const typed = state as AslState;
    visit(name, typed);
    for (const nested of [typed.Iterator, typed.ItemProcessor, ...(typed.Branches ?? [])]) {
      if (nested) forEachState(nested, visit);
    }
  }
}

/** Replaces every `"X.$": "$$.Task.Token"` of a payload template (any depth) by `"X": marker`. */
function markTaskTokenPaths(template: unknown): number {
  if (Array.isArray(template))
    return template.reduce((count: number, item) => count + markTaskTokenPaths(item), 0);
  if (typeof template !== 'object' || template === null) return 0;
  const fields = template as Record<string, unknown>;
  let count = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (key.endsWith('.$') && value === '$$.Task.Token') {
      delete fields[key];
      fields[key.slice(0, -2)] = TASK_TOKEN_MARKER;
      count++;
    } else {
      count += markTaskTokenPaths(value);
    }
  }
  return count;
}

/** Puts the token wherever the definition had `$$.Task.Token`. */
function fillTaskToken(value: unknown, taskToken: string): unknown {
  if (value === TASK_TOKEN_MARKER) return taskToken;
  if (Array.isArray(value)) return value.map((item) => fillTaskToken(item, taskToken));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, fillTaskToken(field, taskToken)]),
  );
}

/** What a Lambda integration hands the function: `Parameters.Payload`. */
function lambdaPayload(parameters: unknown): unknown {
  return typeof parameters === 'object' && parameters !== null && 'Payload' in parameters
    ? (parameters as { Payload: unknown }).Payload
    : {};
}

/** JSON with object keys sorted at every depth: equal values, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = value as Record<string, unknown>;
    const entries = Object.keys(fields)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(fields[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function bindTaskHandlers(
  machine: PreparedStateMachine,
  run: ExecutionRun,
  callbacks: CallbackTasks,
): LocalHandlers {
  return Object.fromEntries(
    machine.tasks.map((task) => [
      task.name,
      task.kind === 'callback' ? callbacks.bind(task, run) : asLambdaInvocation(task, run),
    ]),
  );
}

/** An error as a Task state fails with it: Error = name, Cause = message. */
class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** What a task of a run that is over throws; the interpreter has settled the run already. */
class RunEndedError extends Error {
  override readonly name = 'States.Runtime';
  constructor() {
    super('The execution is no longer running');
  }
}

/**
 * Wraps a handler so that it behaves as a Lambda invocation seen from Step Functions: the
 * input and result cross a JSON boundary, a thrown error arrives as `{Error: errorType,
 * Cause: '{"errorType","errorMessage","trace"}'}`, and results over 256 KiB fail with
 * States.DataLimitExceeded. Through `arn:aws:states:::lambda:invoke` the function gets
 * `Parameters.Payload` and the state's result is `{ExecutedVersion, Payload, StatusCode}`.
 */
function asLambdaInvocation(task: PreparedTask, run: ExecutionRun): (input: JsonValue) => Promise<JsonValue> {
  return async (input) => {
    if (run.ended) throw new RunEndedError();
    if (!task.payloadOnly) return callHandler(run, task, input);
    const payload = await callHandler(run, task, lambdaPayload(input));
    return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
  };
}

/** Calls a task's handler for a run, counted as the run's work while it lasts. */
async function callHandler(run: ExecutionRun, task: PreparedTask, event: unknown): Promise<JsonValue> {
  run.active += 1;
  const call = invokeHandler(task, event);
  run.calls.add(call);
  try {
    return await call;
  } finally {
    run.active -= 1;
    run.calls.delete(call);
  }
}

async function invokeHandler(task: PreparedTask, event: unknown): Promise<JsonValue> {
  let result: unknown;
  try {
    result = await task.handler(structuredClone(event));
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    const errorType = failure.name || 'Error';
    throw new TaskFailure(
      errorType,
      JSON.stringify({ errorType, errorMessage: failure.message, trace: failure.stack?.split('\n') ?? [] }),
    );
  }
  const text = JSON.stringify(result ?? null);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new TaskFailure(
      'States.DataLimitExceeded',
      `The state/task '${task.name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  return JSON.parse(text) as JsonValue;
}

/** A callback task waiting on its token. */
interface Waiter {
  run: ExecutionRun;
  resolve(output: JsonValue): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The tokens of callback tasks: issued by the task wrapper, completed by SendTask*, kept in an
 * append-only journal (one line per change, compacted on load).
 */
class CallbackTasks {
  private readonly journal: ReturnType<typeof createJournal<TaskTokenRecord>>;
  private readonly records: Map<string, TaskTokenRecord>;
  private readonly byExecution = new Map<string, Set<string>>();
  private readonly waiters = new Map<string, Waiter>();

  constructor(
    path: string,
    private readonly isExecutionRunning: (executionArn: string) => boolean,
  ) {
    this.journal = createJournal<TaskTokenRecord>(path, (record) => record.taskToken);
    this.records = this.journal.load();
    for (const record of this.records.values()) this.index(record);
  }

  /** The local handler of a callback Task state for one run. */
  bind(task: PreparedTask, run: ExecutionRun): (input: JsonValue) => Promise<JsonValue> {
    return async (input) => {
      if (run.ended) throw new RunEndedError();
      const inputDigest = createHash('sha256').update(canonicalJson(input)).digest('base64url');
      const occurrenceKey = `${task.name}\n${inputDigest}`;
      const occurrence = run.occurrences.get(occurrenceKey) ?? 0;
      run.occurrences.set(occurrenceKey, occurrence + 1);
      const taskToken = deriveTaskToken(run.executionArn, task.name, inputDigest, occurrence);
      const record = this.issue(taskToken, run.executionArn, task);
      if (record.status === 'WAITING') {
        const event = fillTaskToken(input, taskToken);
        try {
          await callHandler(run, task, task.payloadOnly ? lambdaPayload(event) : event);
        } catch (error) {
          // Unless an outcome arrived meanwhile, the task fails as its Lambda did.
          if (this.records.get(taskToken)?.status === 'WAITING') {
            this.update(taskToken, { status: 'CLOSED' });
            throw error;
          }
        }
        if (run.ended) throw new RunEndedError();
      }
      return this.outcome(run, taskToken);
    };
  }

  /** SendTaskSuccess / SendTaskFailure: records the outcome and completes the task if it waits. */
  complete(taskToken: string, outcome: Pick<TaskTokenRecord, 'status' | 'output' | 'error' | 'cause'>): void {
    this.requireWaiting(taskToken);
    this.update(taskToken, outcome);
    const waiter = this.release(taskToken);
    if (!waiter) return; // Not waiting now: the task completes when it reaches this token.
    if (outcome.status === 'SUCCEEDED') waiter.resolve(JSON.parse(outcome.output ?? 'null') as JsonValue);
    else waiter.reject(new TaskFailure(outcome.error ?? '', outcome.cause ?? ''));
  }

  /** The record of a token that still waits for an outcome; InvalidToken or TaskTimedOut otherwise. */
  requireWaiting(taskToken: string): TaskTokenRecord {
    const record = this.records.get(taskToken);
    if (!record) throw new SfnApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    this.expireIfDue(record);
    if (record.status === 'WAITING' && !this.isExecutionRunning(record.executionArn)) {
      this.update(taskToken, { status: 'CLOSED' });
    }
    if (record.status !== 'WAITING') throw new SfnApiError('TaskTimedOut', TASK_TIMED_OUT);
    return record;
  }

  /** The execution ended: its waiting tokens are closed and their tasks released. */
  closeExecution(executionArn: string): void {
    for (const taskToken of this.byExecution.get(executionArn) ?? []) {
      if (this.records.get(taskToken)?.status === 'WAITING') this.update(taskToken, { status: 'CLOSED' });
      this.release(taskToken)?.reject(new RunEndedError());
    }
  }

  /** The run is over (ended or the server stops): its tasks stop waiting; tokens stay as they are. */
  endRun(run: ExecutionRun): void {
    run.ended = true;
    for (const taskToken of [...run.waiting]) this.release(taskToken)?.reject(new RunEndedError());
    run.occurrences.clear();
  }

  /** The token's record, issued now unless this token was issued before (by an earlier run). */
  private issue(taskToken: string, executionArn: string, task: PreparedTask): TaskTokenRecord {
    const existing = this.records.get(taskToken);
    if (existing && existing.status !== 'CLOSED') {
      this.expireIfDue(existing);
      return existing;
    }
    const record: TaskTokenRecord = {
      taskToken,
      executionArn,
      stateName: task.name,
      status: 'WAITING',
      issuedAt: Date.now(),
      timeoutSeconds: task.timeoutSeconds,
    };
    this.records.set(taskToken, record);
    this.index(record);
    this.journal.append(record);
    return record;
  }

  /** Completes with the recorded outcome, or waits for one until the token's deadline. */
  private outcome(run: ExecutionRun, taskToken: string): Promise<JsonValue> {
    const record = this.records.get(taskToken);
    if (!record) return Promise.reject(new RunEndedError());
    this.expireIfDue(record);
    switch (record.status) {
      case 'SUCCEEDED':
        return Promise.resolve(JSON.parse(record.output ?? 'null') as JsonValue);
      case 'FAILED':
        return Promise.reject(new TaskFailure(record.error ?? '', record.cause ?? ''));
      case 'TIMED_OUT':
        return Promise.reject(new TaskFailure('States.Timeout', 'The task timed out'));
      case 'CLOSED':
        return Promise.reject(new RunEndedError());
      case 'WAITING':
        this.release(taskToken)?.reject(new RunEndedError());
        return new Promise<JsonValue>((resolve, reject) => {
          const timer = setTimeout(() => this.expire(taskToken), deadlineOf(record) - Date.now());
          timer.unref();
          this.waiters.set(taskToken, { run, resolve, reject, timer });
          run.waiting.add(taskToken);
          run.changed();
        });
    }
  }

  private expireIfDue(record: TaskTokenRecord): void {
    if (record.status === 'WAITING' && Date.now() >= deadlineOf(record)) this.expire(record.taskToken);
  }

  private expire(taskToken: string): void {
    if (this.records.get(taskToken)?.status !== 'WAITING') return;
    this.update(taskToken, { status: 'TIMED_OUT' });
    this.release(taskToken)?.reject(new TaskFailure('States.Timeout', 'The task timed out'));
  }

  /** Stops waiting on a token; returns its waiter, if a task waited on it, to settle. */
  private release(taskToken: string): Waiter | undefined {
    const waiter = this.waiters.get(taskToken);
    if (!waiter) return undefined;
    clearTimeout(waiter.timer);
    this.waiters.delete(taskToken);
    waiter.run.waiting.delete(taskToken);
    return waiter;
  }

  private update(taskToken: string, change: Partial<TaskTokenRecord>): void {
    const record = this.records.get(taskToken);
    if (!record) return;
    Object.assign(record, change);
    this.journal.append(record);
  }

  private index(record: TaskTokenRecord): void {
    const tokens = this.byExecution.get(record.executionArn) ?? new Set<string>();
    tokens.add(record.taskToken);
    this.byExecution.set(record.executionArn, tokens);
  }
}

/** `local-sfn.v1.` + base64url SHA-256 of execution ARN, state name, input digest and occurrence. */
function deriveTaskToken(executionArn: string, stateName: string, inputDigest: string, occurrence: number) {
  const digest = createHash('sha256')
    .update([executionArn, stateName, inputDigest, String(occurrence)].join('\n'))
    .digest('base64url');
  return `${TASK_TOKEN_PREFIX}${digest}`;
}

function deadlineOf(record: TaskTokenRecord): number {
  return record.issuedAt + record.timeoutSeconds * 1000;
}

function describeFailure(error: unknown): Pick<ExecutionRecord, 'status' | 'error' | 'cause'> {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  }
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  const root = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  if (root instanceof Error) return { status: 'FAILED', error: root.name, cause: root.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(root) };
}

function listExecutions(executions: Map<string, ExecutionRecord>, request: Record<string, unknown>) {
  const stateMachineArn = requireString(request, 'stateMachineArn');
  const statusFilter = typeof request.statusFilter === 'string' ? request.statusFilter : undefined;
  const maxResults =
    typeof request.maxResults === 'number' && request.maxResults > 0 ? request.maxResults : 100;
  const offset = typeof request.nextToken === 'string' ? Number.parseInt(request.nextToken, 10) || 0 : 0;
  const matching = [...executions.values()]
    .filter((record) => record.stateMachineArn === stateMachineArn)
    .filter((record) => !statusFilter || record.status === statusFilter)
    .sort((a, b) => b.startDate - a.startDate);
  const page = matching.slice(offset, offset + maxResults);
  return {
    executions: page.map(({ executionArn, name, status, startDate, stopDate }) => ({
      executionArn,
      stateMachineArn,
      name,
      status,
      startDate,
      stopDate,
    })),
    nextToken: offset + maxResults < matching.length ? String(offset + maxResults) : undefined,
  };
}

function findExecution(executions: Map<string, ExecutionRecord>, executionArn: string): ExecutionRecord {
  const record = executions.get(executionArn);
  if (!record) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  return record;
}

async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  operations: Record<string, (request: Record<string, unknown>) => unknown>,
): Promise<void> {
  try {
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' ? target.replace(/^AWSStepFunctions\./, '') : '';
    const run = req.method === 'POST' ? operations[operation] : undefined;
    if (!run) throw new SfnApiError('UnknownOperationException', `Unsupported operation '${String(target)}'`);
    const body = await readBody(req);
    let request: unknown;
    try {
      request = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new SfnApiError('SerializationException', 'The request body is not valid JSON');
    }
    if (typeof request !== 'object' || request === null) {
      throw new SfnApiError('SerializationException', 'The request body is not a JSON object');
    }
    sendJson(res, 200, run(request as Record<string, unknown>));
  } catch (error) {
    if (!(error instanceof SfnApiError)) throw error;
    sendJson(res, error.statusCode, { __type: error.type, message: error.message });
  }
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new SfnApiError('ValidationException', 'Request too large', 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function requireString(request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new SfnApiError('ValidationException', `1 validation error detected: '${field}' must not be null`);
  }
  return value;
}

function optionalString(
  request: Record<string, unknown>,
  field: string,
  maxLength: number,
): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`,
    );
  }
  return value;
}

function isValidInput(text: string): boolean {
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * An append-only JSON-lines journal; the last line per key wins. Loading compacts it to one
 * line per key and drops a last line cut short by a kill.
 */
function createJournal<T>(path: string, keyOf: (record: T) => string) {
  return {
    load(): Map<string, T> {
      const records = new Map<string, T>();
      if (!existsSync(path)) return records;
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const record = JSON.parse(line) as T;
          records.set(keyOf(record), record);
        } catch {
          // A line cut short by a kill: the record before it still stands.
        }
      }
      const compacted = `${path}.tmp`;
      writeFileSync(compacted, [...records.values()].map((record) => `${JSON.stringify(record)}\n`).join(''));
      renameSync(compacted, path);
      return records;
    },
    append(record: T): void {
      appendFileSync(path, `${JSON.stringify(record)}\n`);
    },
  };
}
