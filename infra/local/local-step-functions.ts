import { randomUUID } from 'node:crypto';
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

/** A Task state's handler: receives the state input, returns its result (like a Lambda function). */
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
  /** Root data folder; the execution journal is `{dataDir}/executions.jsonl`. */
  dataDir: string;
  stateMachines: readonly LocalStateMachineOptions[];
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** @default 'ap-southeast-1' */
  region?: string;
  /** Where failed executions and resumptions are reported. @default a line on stderr */
  log?: (message: string) => void;
}

/** A running local Step Functions server. */
export interface LocalStepFunctions {
  /** `http://127.0.0.1:{port}`: the SFN endpoint (`AWS_ENDPOINT_URL_SFN`). */
  endpoint: string;
  /** ARN of a served state machine. */
  stateMachineArn(name: string): string;
  /** Resolves once no execution is running (at once if none is). */
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

/**
 * Starts a server speaking the Step Functions JSON 1.0 protocol (StartExecution,
 * DescribeExecution, ListExecutions, StopExecution) that runs executions in-process with
 * aws-local-stepfunctions, Task states bound to local handlers. Executions are journalled in
 * `{dataDir}/executions.jsonl`; those still running when the process stopped are resumed
 * (from the start, with the same name and input) so that none is lost, as in AWS.
 */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const region = options.region ?? 'ap-southeast-1';
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  await mkdir(options.dataDir, { recursive: true });
  const journal = createJournal(join(options.dataDir, 'executions.jsonl'));
  const machines = new Map(
    options.stateMachines.map((machine) => {
      const arn = `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${machine.name}`;
      return [arn, prepareStateMachine(machine, region)] as const;
    }),
  );
  const executions = journal.load();
  const running = new Map<string, () => void>();
  let idleWaiters: (() => void)[] = [];
  let stopping = false;

  const launch = (record: ExecutionRecord) => {
    const machine = machines.get(record.stateMachineArn);
    if (!machine)
      throw new SfnApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${record.stateMachineArn}'`,
      );
    const execution = machine.stateMachine.run(JSON.parse(record.input), {
      overrides: {
        taskResourceLocalHandlers: machine.localHandlers,
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
    running.set(record.executionArn, execution.abort);
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
    settle(record);
  };

  const settle = (record: ExecutionRecord) => {
    running.delete(record.executionArn);
    if (running.size > 0) return;
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
      const abort = running.get(record.executionArn);
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
      running.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    isIdle: () => running.size === 0,
    async stop() {
      stopping = true;
      for (const abort of [...running.values()]) abort();
      await closeServer(server);
    },
  };
}

interface PreparedStateMachine {
  name: string;
  stateMachine: StateMachine;
  localHandlers: LocalHandlers;
  retryIntervalOverrides?: Record<string, number>;
}

function prepareStateMachine(machine: LocalStateMachineOptions, region: string): PreparedStateMachine {
  const definition = loadAslDefinition(machine.definition, { region, substitutions: machine.substitutions });
  const taskNames = collectTaskStateNames(definition);
  const missing = taskNames.filter((name) => !machine.taskHandlers[name]);
  if (missing.length > 0) {
    throw new Error(
      `State machine ${machine.name}: no local handler for Task state(s) ${missing.join(', ')}`,
    );
  }
  const localHandlers = Object.fromEntries(
    taskNames.map((name) => [name, asLambdaInvocation(name, machine.taskHandlers[name] as TaskHandler)]),
  );
  const retryIntervalMs = machine.retryIntervalMs;
  return {
    name: machine.name,
    stateMachine: new StateMachine(definition),
    localHandlers,
    retryIntervalOverrides:
      retryIntervalMs === undefined
        ? undefined
        : Object.fromEntries(taskNames.map((name) => [name, retryIntervalMs])),
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
export function collectTaskStateNames(definition: { States: Record<string, unknown> }): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const typed = state as {
      Type?: string;
      Iterator?: { States: Record<string, unknown> };
      ItemProcessor?: { States: Record<string, unknown> };
      Branches?: { States: Record<string, unknown> }[];
    };
    if (typed.Type === 'Task') names.push(name);
    for (const nested of [typed.Iterator, typed.ItemProcessor, ...(typed.Branches ?? [])]) {
      if (nested) names.push(...collectTaskStateNames(nested));
    }
  }
  return [...new Set(names)];
}

/** An error as Step Functions sees a Lambda failure: Error = errorType, Cause = the JSON Lambda returns. */
class LambdaFunctionError extends Error {
  constructor(errorType: string, cause: string) {
    super(cause);
    this.name = errorType;
  }
}

/**
 * Wraps a handler so that it behaves as a Lambda invocation seen from Step Functions: the
 * input and result cross a JSON boundary, a thrown error arrives as `{Error: errorType,
 * Cause: '{"errorType","errorMessage","trace"}'}`, and results over 256 KiB fail with
 * States.DataLimitExceeded.
 */
function asLambdaInvocation(
  stateName: string,
  handler: TaskHandler,
): (input: JsonValue) => Promise<JsonValue> {
  return async (input) => {
    let result: unknown;
    try {
      result = await handler(structuredClone(input));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const errorType = failure.name || 'Error';
      throw new LambdaFunctionError(
        errorType,
        JSON.stringify({ errorType, errorMessage: failure.message, trace: failure.stack?.split('\n') ?? [] }),
      );
    }
    const text = JSON.stringify(result ?? null);
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
      throw new LambdaFunctionError(
        'States.DataLimitExceeded',
        `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      );
    }
    return JSON.parse(text) as JsonValue;
  };
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

function isValidInput(text: string): boolean {
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** An append-only JSON-lines journal of execution records; the last line per ARN wins. */
function createJournal(path: string) {
  return {
    load(): Map<string, ExecutionRecord> {
      const records = new Map<string, ExecutionRecord>();
      if (!existsSync(path)) return records;
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const record = JSON.parse(line) as ExecutionRecord;
          records.set(record.executionArn, record);
        } catch {
          // A line cut short by a kill: the record before it still stands.
        }
      }
      // Compact: one line per execution.
      const compacted = `${path}.tmp`;
      writeFileSync(compacted, [...records.values()].map((record) => `${JSON.stringify(record)}\n`).join(''));
      renameSync(compacted, path);
      return records;
    },
    append(record: ExecutionRecord): void {
      appendFileSync(path, `${JSON.stringify(record)}\n`);
    },
  };
}
