import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import {
  bindS3Events,
  createIngestQueue,
  type IngestStarter,
  replayPendingUploads,
} from '#infra/local/bind-s3-events.ts';
import { type LocalAuth, loadLocalAuth } from '#infra/local/local-auth.ts';
import { type HttpApiHandler, type LocalHttpApi, startLocalHttpApi } from '#infra/local/local-http-api.ts';
import {
  collectTaskStateNames,
  loadAslDefinition,
  startLocalStepFunctions,
  type TaskHandler,
} from '#infra/local/local-step-functions.ts';
import { scheduleKpiRollup } from '#infra/local/schedule-kpi-rollup.ts';
import {
  ensureAuditTable,
  ensureDocumentsTable,
  startLocalDynamoDb,
} from '#infra/local/start-local-dynamodb.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3 } from '#infra/local/start-local-s3.ts';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { provinceKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import {
  type LogLevel,
  type RuntimeConfig,
  runtimeConfigToEnvironment,
} from '#shared/config/runtime-config.ts';
import {
  DOCUMENT_PIPELINE_NAME,
  DOCUMENT_PIPELINE_TASKS,
  loadDocumentPipelineDefinition,
} from '#state-machines/document-pipeline-tasks.ts';
import {
  DOSSIER_ROUTING_NAME,
  DOSSIER_ROUTING_TASKS,
  loadDossierRoutingDefinition,
} from '#state-machines/dossier-routing-tasks.ts';
import {
  KPI_ROLLUP_NAME,
  KPI_ROLLUP_TASKS,
  loadKpiRollupDefinition,
} from '#state-machines/kpi-rollup-tasks.ts';

/** The handler functions the embedded runtime binds (the same ones Lambda runs). */
export interface EmbeddedHandlers {
  /** Task handlers by ASL Task state name. */
  pipelineTaskHandlers: Readonly<Record<string, TaskHandler>>;
  /** The dossier routing's Task handlers by state name (none: dossiers are received but not routed). */
  routingTaskHandlers?: Readonly<Record<string, TaskHandler>>;
  /** The KPI rollup's Task handlers by state name (none: no rollup, no timer). */
  kpiRollupTaskHandlers?: Readonly<Record<string, TaskHandler>>;
  /** The ingest queue's consumer. */
  startPipeline: IngestStarter;
  /** The HTTP API's handler. */
  httpApi: HttpApiHandler;
  /** The reconciler's sweep: resumes documents that stopped moving. */
  reconcile?: () => Promise<unknown>;
  /** Sends what the national-portal outbox holds (to `{dataDir}/national-portal.jsonl` by default). */
  deliverPortalMessages?: () => Promise<unknown>;
  /** Signs and locks the closed days of the audit trail not anchored yet. */
  anchorAuditTrail?: () => Promise<unknown>;
  /** The overdue sweep: records each unit's attention list of the day (`at`: an ISO instant to sweep as of). */
  sweepOverdue?: (event: { at?: string }) => Promise<unknown>;
  /** Releases what the handlers hold (OCR workers) so the process can exit. */
  close?: () => Promise<void>;
}

/** Options of {@link startEmbeddedBackOffice}. */
export interface EmbeddedBackOfficeOptions {
  /** Where every piece keeps its state. @default './data' */
  dataDir?: string;
  /** Port of the HTTP API on 127.0.0.1; 0 picks a free one. @default 3000 */
  apiPort?: number;
  /** @default 'config/provinces/sample-province.yaml' */
  provinceConfigPath?: string;
  /** Tesseract workers. @default the handlers' default (one per CPU) */
  ocrWorkers?: number;
  /**
   * Waits this long before every retry of a failed Task instead of the definition's backoff.
   * @default the definition's backoff (seconds, as in AWS)
   */
  retryIntervalMs?: number;
  /**
   * How often the reconciler sweeps, as the schedule does in AWS; 0 turns the sweep off.
   * @default 300000 (5 minutes)
   */
  reconcileEveryMs?: number;
  /** How often the national-portal outbox is delivered, as its schedule does in AWS; 0 turns it off. @default 5000 */
  portalDeliveryEveryMs?: number;
  /** How often closed days of the audit trail are anchored (daily in AWS); 0 turns it off. @default 1 hour */
  auditAnchorEveryMs?: number;
  /**
   * How often the overdue sweep runs, as the schedule does in AWS; 0 turns it off.
   * @default 1800000 (30 minutes)
   */
  sweepEveryMs?: number;
  /**
   * How often the KPI rollup runs instead of daily at 01:00 Vietnam time (tests); 0 turns the
   * timer and its catch-up at start off. @default daily at 01:00 Asia/Ho_Chi_Minh
   */
  kpiRollupEveryMs?: number;
  /**
   * Silences the runtime's informational lines (failures are still written to stderr), the
   * handlers' log lines below WARN and their metrics.
   */
  quiet?: boolean;
  /** The handlers' log level (their JSON lines go to stdout, as in Lambda). @default 'WARN' when quiet, else 'INFO' */
  logLevel?: LogLevel;
  /** Whether the handlers write their metrics (EMF lines on stdout). @default true unless quiet */
  metrics?: boolean;
  /**
   * Builds the handlers over the runtime configuration once the local servers run.
   * @default {@link loadProjectHandlers}
   */
  loadHandlers?: (config: RuntimeConfig) => Promise<EmbeddedHandlers>;
}

/** A running embedded back office. */
export interface EmbeddedBackOffice {
  apiUrl: string;
  s3Endpoint: string;
  /** A 12-hour token of a province-admin, counter and processing officer of the first one-stop agency. */
  devToken: string;
  /** What the handlers are configured with: the local servers' endpoints and credentials, names, signer. */
  runtimeConfig: RuntimeConfig;
  /**
   * The same settings as the environment variables of a Lambda function (with the local
   * credentials), for tools and child processes; nothing in this process reads or writes
   * `process.env` for them.
   */
  env: Readonly<Record<string, string>>;
  config: ProvinceConfig;
  /** Issues more tokens, e.g. for other roles or agencies. */
  auth: LocalAuth;
  /** Resolves once no upload is waiting for the starter and no execution is running. */
  whenIdle(): Promise<void>;
  /**
   * Runs the overdue sweep now, through the same handler as the timer (and the schedule in AWS),
   * as of `at` (@default now); answers its report.
   */
  sweepOverdueDossiers(at?: Date): Promise<unknown>;
  /**
   * Runs the KPI rollup state machine (the timer's, and the schedule's in AWS) with `input`
   * (`{}`: yesterday and the stale days; `{from, to}`: a range) and answers its output once it
   * has ended. @throws Error naming the execution's error and cause when it fails.
   */
  runKpiRollup(input?: { from?: string; to?: string }): Promise<unknown>;
  stop(): Promise<void>;
}

/** Another embedded back office already runs on this data folder. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

const REGION = 'ap-southeast-1';
const PIPELINE_STATE_MACHINE = DOCUMENT_PIPELINE_NAME;

/**
 * Runs the whole back office on this machine: local S3, DynamoDB, Step Functions and HTTP API
 * servers in front of the same handlers and SDK clients as in AWS; only the runtime configuration
 * differs (endpoints, credentials, local signing), and it is passed to the handlers' factories,
 * never written to `process.env`: several back offices can run in one process. Uploads left
 * unfinished by an earlier run (even a kill -9) are picked up again.
 */
export async function startEmbeddedBackOffice(
  options: EmbeddedBackOfficeOptions = {},
): Promise<EmbeddedBackOffice> {
  const dataDir = resolve(options.dataDir ?? './data');
  const config = loadProvinceConfig(options.provinceConfigPath ?? 'config/provinces/sample-province.yaml');
  const info = options.quiet ? () => {} : (message: string) => process.stderr.write(`${message}\n`);
  await mkdir(join(dataDir, 'signing-keys'), { recursive: true });
  await assertDataDirFree(dataDir);

  const slug = config.province.slug;
  const names = {
    ingestBucket: `motcua-${slug}-ingest`,
    archiveBucket: `motcua-${slug}-archive`,
    exportsBucket: `motcua-${slug}-exports`,
    table: `motcua-${slug}-documents`,
    auditTable: `motcua-${slug}-audit`,
  };
  const stoppers: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) {
      await Promise.resolve(stopOne()).catch((error: unknown) => info(`[embedded] stop: ${String(error)}`));
    }
  };

  try {
    const s3 = await startLocalS3({
      dataDir,
      buckets: [names.ingestBucket, names.archiveBucket, names.exportsBucket],
      region: REGION,
    });
    stoppers.push(() => s3.stop());
    const dynamodb = await startLocalDynamoDb({ dataDir });
    stoppers.push(() => dynamodb.stop());
    const timestampAuthorityUrl = await startTimestampAuthority(config, dataDir, stoppers);

    const handlers = deferred<EmbeddedHandlers>();
    const definition = loadDocumentPipelineDefinition();
    const routingDefinition = loadDossierRoutingDefinition();
    const kpiRollupDefinition = loadKpiRollupDefinition();
    const sfn = await startLocalStepFunctions({
      dataDir,
      region: REGION,
      log: (message) => process.stderr.write(`${message}\n`),
      stateMachines: [
        {
          name: PIPELINE_STATE_MACHINE,
          definition,
          // Resumed executions may start before the handlers are imported: they wait for them.
          taskHandlers: lazyTaskHandlers(
            definition,
            handlers.promise,
            (loaded) => loaded.pipelineTaskHandlers,
          ),
          retryIntervalMs: options.retryIntervalMs,
        },
        {
          name: DOSSIER_ROUTING_NAME,
          definition: routingDefinition,
          taskHandlers: lazyTaskHandlers(
            routingDefinition,
            handlers.promise,
            (loaded) => loaded.routingTaskHandlers,
          ),
          retryIntervalMs: options.retryIntervalMs,
        },
        {
          name: KPI_ROLLUP_NAME,
          definition: kpiRollupDefinition,
          taskHandlers: lazyTaskHandlers(
            kpiRollupDefinition,
            handlers.promise,
            (loaded) => loaded.kpiRollupTaskHandlers,
          ),
          retryIntervalMs: options.retryIntervalMs,
        },
      ],
    });
    stoppers.push(() => sfn.stop());

    // Explicit endpoints, credentials and region: whatever the developer's AWS_* variables or
    // profile say, the handlers reach only these servers.
    const runtimeConfig: RuntimeConfig = {
      provinceConfig: config,
      documentsTable: names.table,
      auditTable: names.auditTable,
      buckets: { ingest: names.ingestBucket, archive: names.archiveBucket, exports: names.exportsBucket },
      stateMachineArn: sfn.stateMachineArn(PIPELINE_STATE_MACHINE),
      routingStateMachineArn: sfn.stateMachineArn(DOSSIER_ROUTING_NAME),
      portalOutboxFile: join(dataDir, 'national-portal.jsonl'),
      signer: { kind: 'local', directory: join(dataDir, 'signing-keys') },
      timestampAuthorityUrl,
      ...(options.ocrWorkers ? { ocrWorkers: options.ocrWorkers } : {}),
      aws: {
        region: REGION,
        endpoints: { s3: s3.endpoint, dynamodb: dynamodb.endpoint, sfn: sfn.endpoint },
        credentials: { ...LOCAL_S3_CREDENTIALS },
        forcePathStyle: true,
      },
      observability: {
        logLevel: options.logLevel ?? (options.quiet ? 'WARN' : 'INFO'),
        tracing: false,
        metrics: options.metrics ?? !options.quiet,
      },
    };
    const loaded = await (options.loadHandlers ?? loadProjectHandlers)(runtimeConfig);
    assertTaskHandlers(definition, loaded.pipelineTaskHandlers);
    handlers.resolve(loaded);
    // Pushed before the SFN server's stopper runs last-in-first-out, so workers outlive executions.
    stoppers.unshift(() => loaded.close?.());

    const dynamoClient = new DynamoDBClient(awsClientSettings(runtimeConfig.aws, 'dynamodb'));
    await ensureDocumentsTable(dynamoClient, names.table);
    await ensureAuditTable(dynamoClient, names.auditTable);
    dynamoClient.destroy();

    const queue = createIngestQueue({
      starter: loaded.startPipeline,
      region: REGION,
      queueName: `motcua-${slug}-ingest`,
      deadLetterPath: join(dataDir, 'dead-letters.jsonl'),
      log: (message) => process.stderr.write(`${message}\n`),
    });
    stoppers.push(() => queue.close());
    stoppers.push(bindS3Events({ s3, queue, bucket: names.ingestBucket }));
    const s3Client = new S3Client(awsClientSettings(runtimeConfig.aws, 's3'));
    const replayed = await replayPendingUploads({
      s3: s3Client,
      bucket: names.ingestBucket,
      queue,
      region: REGION,
    });
    s3Client.destroy();
    if (replayed > 0)
      info(`[embedded] re-submitted ${replayed} upload(s) found in ${names.ingestBucket}/incoming/`);

    const deliverEveryMs = options.portalDeliveryEveryMs ?? 5000;
    const deliver = loaded.deliverPortalMessages;
    if (deliver && deliverEveryMs > 0) {
      let delivering: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        delivering ??= deliver()
          .catch((error: unknown) => process.stderr.write(`[embedded] portal delivery: ${String(error)}\n`))
          .finally(() => {
            delivering = undefined;
          });
      }, deliverEveryMs);
      timer.unref();
      // A run already going finishes before the servers it writes to stop.
      stoppers.push(async () => {
        clearInterval(timer);
        await delivering;
      });
    }

    const anchorEveryMs = options.auditAnchorEveryMs ?? 60 * 60 * 1000;
    const anchor = loaded.anchorAuditTrail;
    if (anchor && anchorEveryMs > 0) {
      let anchoring: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        anchoring ??= anchor()
          .catch((error: unknown) => process.stderr.write(`[embedded] audit anchoring: ${String(error)}\n`))
          .finally(() => {
            anchoring = undefined;
          });
      }, anchorEveryMs);
      timer.unref();
      stoppers.push(async () => {
        clearInterval(timer);
        await anchoring;
      });
    }

    const reconcileEveryMs = options.reconcileEveryMs ?? 5 * 60 * 1000;
    const reconcile = loaded.reconcile;
    if (reconcile && reconcileEveryMs > 0) {
      const timer = setInterval(() => {
        reconcile().catch((error: unknown) =>
          process.stderr.write(`[embedded] reconcile: ${String(error)}\n`),
        );
      }, reconcileEveryMs);
      timer.unref();
      stoppers.push(() => clearInterval(timer));
    }
    const sweepEveryMs = options.sweepEveryMs ?? 30 * 60 * 1000;
    const sweepOverdue = loaded.sweepOverdue;
    if (sweepOverdue && sweepEveryMs > 0) {
      const timer = setInterval(() => {
        sweepOverdue({}).catch((error: unknown) =>
          process.stderr.write(`[embedded] overdue sweep: ${String(error)}\n`),
        );
      }, sweepEveryMs);
      timer.unref();
      stoppers.push(() => clearInterval(timer));
    }

    const sfnClient = new SFNClient(awsClientSettings(runtimeConfig.aws, 'sfn'));
    stoppers.push(() => sfnClient.destroy());
    const startKpiRollup = async (input: object) => {
      const started = await sfnClient.send(
        new StartExecutionCommand({
          stateMachineArn: sfn.stateMachineArn(KPI_ROLLUP_NAME),
          name: `kpi-rollup-${Date.now()}-${randomUUID().slice(0, 8)}`,
          input: JSON.stringify(input),
        }),
      );
      return started.executionArn as string;
    };
    const kpiRollupEveryMs = options.kpiRollupEveryMs;
    if (loaded.kpiRollupTaskHandlers && kpiRollupEveryMs !== 0) {
      stoppers.push(
        await scheduleKpiRollup({
          dataDir,
          start: () => startKpiRollup({}),
          ...(kpiRollupEveryMs === undefined ? {} : { everyMs: kpiRollupEveryMs }),
          log: (message) => process.stderr.write(`${message}\n`),
        }),
      );
    }

    const auth = await loadLocalAuth(join(dataDir, 'auth'));
    const api: LocalHttpApi = await startLocalHttpApi({
      handler: loaded.httpApi,
      auth,
      port: options.apiPort ?? 3000,
    });
    stoppers.push(() => api.stop());

    const devToken = await issueDevToken(auth, config);
    await writeFile(join(dataDir, 'dev-token.txt'), `${devToken}\n`, { mode: 0o600 });
    const runtimePath = join(dataDir, 'runtime.json');
    await writeFile(
      runtimePath,
      `${JSON.stringify({ apiUrl: api.url, s3Endpoint: s3.endpoint, pid: process.pid, startedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    stoppers.unshift(() => rm(runtimePath, { force: true }));

    return {
      apiUrl: api.url,
      s3Endpoint: s3.endpoint,
      devToken,
      runtimeConfig,
      env: {
        ...runtimeConfigToEnvironment(runtimeConfig),
        AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      },
      config,
      auth,
      async whenIdle() {
        // Executions may upload (and uploads start executions): wait until both are quiet at once.
        do {
          await queue.whenIdle();
          await sfn.whenIdle();
          await new Promise((resolveTick) => setImmediate(resolveTick));
        } while (!queue.isIdle() || !sfn.isIdle());
      },
      async sweepOverdueDossiers(at) {
        if (!sweepOverdue) throw new Error('these handlers have no overdue sweep');
        return sweepOverdue(at ? { at: at.toISOString() } : {});
      },
      async runKpiRollup(input = {}) {
        const executionArn = await startKpiRollup(input);
        for (;;) {
          const execution = await sfnClient.send(new DescribeExecutionCommand({ executionArn }));
          if (execution.status === 'SUCCEEDED') return JSON.parse(execution.output ?? 'null');
          if (execution.status !== 'RUNNING') {
            throw new Error(
              `KPI rollup ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
            );
          }
          await new Promise((resolveWait) => setTimeout(resolveWait, 100));
        }
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The project's handlers over one runtime configuration: the API, starter and reconciler share
 * one container, the pipeline's Task states another, both over one set of adapters. Imported when
 * called, so that a back office with stand-in handlers never loads OCR, PDF and signing packages.
 */
export async function loadProjectHandlers(config: RuntimeConfig): Promise<EmbeddedHandlers> {
  const [
    { createAdapters },
    { createContainer },
    pipeline,
    ingest,
    api,
    reconciler,
    routing,
    routingTasks,
    portal,
    audit,
    sweeper,
    kpi,
    kpiTasks,
  ] = await Promise.all([
    import('#functions/create-adapters.ts'),
    import('#functions/container.ts'),
    import('#functions/pipeline/index.ts'),
    import('#functions/ingest/start-pipeline.ts'),
    import('#functions/api/http-api.ts'),
    import('#functions/ingest/reconcile-documents.ts'),
    import('#functions/routing/routing-container.ts'),
    import('#functions/routing/routing-task.ts'),
    import('#functions/dossiers/deliver-portal-messages.ts'),
    import('#functions/audit/anchor-audit-chain.ts'),
    import('#functions/dossiers/sweep-overdue.ts'),
    import('#functions/kpi/kpi-container.ts'),
    import('#functions/kpi/kpi-task.ts'),
  ]);
  const adapters = createAdapters(config);
  const container = createContainer(config, adapters);
  const pipelineContainer = pipeline.createPipelineContainer(config, adapters);
  const routingContainer = routing.createRoutingContainer(config, adapters);
  const kpiContainer = kpi.createKpiContainer(config, adapters, {
    targets: provinceKpiTargets(config.provinceConfig),
  });
  const anchorAudit = lambdaFunction(
    'anchor-audit-chain',
    300,
    () => audit.createAnchorAuditChainHandler(audit.createAuditAnchoring(config, adapters)),
    256,
  );
  const deliverPortal = lambdaFunction(
    'deliver-portal-messages',
    60,
    () => portal.createDeliverPortalMessagesHandler(portal.createPortalDelivery(config, adapters)),
    256,
  );
  const reconcile = lambdaFunction(
    'reconcile-documents',
    120,
    () => reconciler.createReconcileHandler(container),
    256,
  );
  return {
    pipelineTaskHandlers: pipeline.createPipelineTaskHandlers(pipelineContainer, (task, create) => {
      const { entry, timeoutSeconds, memoryMb } = DOCUMENT_PIPELINE_TASKS[task];
      return lambdaFunction(entry, timeoutSeconds, create, memoryMb);
    }),
    routingTaskHandlers: Object.fromEntries(
      (Object.keys(DOSSIER_ROUTING_TASKS) as (keyof typeof DOSSIER_ROUTING_TASKS)[]).map((task) => {
        const { entry, memoryMb } = DOSSIER_ROUTING_TASKS[task];
        return [
          task,
          lambdaFunction(entry, 30, () => routingTasks.routingTask(routingContainer, task), memoryMb),
        ];
      }),
    ),
    kpiRollupTaskHandlers: Object.fromEntries(
      (Object.keys(KPI_ROLLUP_TASKS) as (keyof typeof KPI_ROLLUP_TASKS)[]).map((task) => {
        const { entry, memoryMb, timeoutSeconds } = KPI_ROLLUP_TASKS[task];
        return [
          task,
          lambdaFunction(entry, timeoutSeconds, () => kpiTasks.kpiTask(kpiContainer, task), memoryMb),
        ];
      }),
    ),
    startPipeline: lambdaFunction(
      'start-pipeline',
      30,
      () => ingest.createStartPipelineHandler(container),
      256,
    ),
    httpApi: lambdaFunction('http-api', 29, () => api.createHttpApiHandler(container), 512) as HttpApiHandler,
    reconcile: () => reconcile({}),
    deliverPortalMessages: () => deliverPortal({}),
    anchorAuditTrail: () => anchorAudit({}),
    sweepOverdue: lambdaFunction(
      'sweep-overdue',
      120,
      () => sweeper.createSweepOverdueHandler(container),
      256,
    ),
    close: async () => {
      await pipelineContainer.close();
      kpiContainer.close();
      adapters.destroy();
    },
  };
}

/**
 * Calls a function's handler as Lambda does: one invocation at a time per execution environment,
 * and a new environment (a cold start) when every one is busy. A handler's logger holds one
 * invocation's Lambda context and keys, so concurrent invocations must not share a handler.
 */
function lambdaFunction<Event, Result>(
  functionName: string,
  timeoutSeconds: number,
  create: () => (event: Event, context: Context) => Promise<Result>,
  memoryMb = 1024,
): (event: Event) => Promise<Result> {
  const idle: ((event: Event, context: Context) => Promise<Result>)[] = [];
  return async (event) => {
    const handler = idle.pop() ?? create();
    try {
      return await handler(event, lambdaContext(functionName, timeoutSeconds * 1000, memoryMb));
    } finally {
      idle.push(handler);
    }
  };
}

/** Enough of a Lambda context for middy and Powertools (timeouts and memory as configured in the stack). */
function lambdaContext(functionName: string, timeoutMs: number, memoryMb: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function lazyTaskHandlers(
  definition: object,
  handlers: Promise<EmbeddedHandlers>,
  select: (loaded: EmbeddedHandlers) => Readonly<Record<string, TaskHandler>> | undefined,
): Record<string, TaskHandler> {
  const names = collectTaskStateNames(loadAslDefinition(definition, { region: REGION }));
  return Object.fromEntries(
    names.map((name) => [
      name,
      async (event: unknown) => {
        const handler = select(await handlers)?.[name];
        if (!handler) throw new Error(`no handler for Task state ${name}`);
        return handler(event);
      },
    ]),
  );
}

function assertTaskHandlers(definition: object, taskHandlers: Readonly<Record<string, TaskHandler>>): void {
  const names = collectTaskStateNames(loadAslDefinition(definition, { region: REGION }));
  const missing = names.filter((name) => typeof taskHandlers[name] !== 'function');
  if (missing.length > 0) throw new Error(`pipelineTaskHandlers lacks Task state(s): ${missing.join(', ')}`);
}

/**
 * The time-stamping authority signatures use: the province's when it names one, else a local TSA
 * on loopback whose key, certificate and serial numbers live in `{dataDir}/timestamp-authority`.
 * Imported when needed, as the handlers are (it loads the PKI packages).
 */
async function startTimestampAuthority(
  config: ProvinceConfig,
  dataDir: string,
  stoppers: (() => Promise<void> | void)[],
): Promise<string> {
  const configured = config.signing.timestampAuthority?.url;
  if (configured) return configured;
  const { startLocalTimestampAuthority } = await import('#infra/local/local-timestamp-authority.ts');
  const tsa = await startLocalTimestampAuthority({ directory: join(dataDir, 'timestamp-authority') });
  stoppers.push(() => tsa.stop());
  return tsa.url;
}

async function issueDevToken(auth: LocalAuth, config: ProvinceConfig): Promise<string> {
  const agency = config.agencies.find((candidate) => candidate.oneStop) ?? config.agencies[0];
  return auth.issueLocalToken({
    sub: 'dev-admin',
    username: 'dev-admin',
    groups: ['province-admin', 'counter-officer', 'processing-officer'],
    agencyId: agency?.id ?? '',
    ttl: '12h',
  });
}

/** Refuses a data folder whose runtime.json names a live process (LevelDB allows one owner). */
async function assertDataDirFree(dataDir: string): Promise<void> {
  let pid: number | undefined;
  try {
    pid = (JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as { pid?: number }).pid;
  } catch {
    return;
  }
  if (!pid || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return; // Stale: the previous run was killed.
  }
  throw new DataDirInUseError(
    `${dataDir} is in use by process ${pid}; stop it first or choose another --data-dir`,
  );
}

function deferred<T>() {
  let resolvePromise: (value: T) => void = () => {};
  const promise = new Promise<T>((resolveValue) => {
    resolvePromise = resolveValue;
  });
  return { promise, resolve: resolvePromise };
}
