import { z } from 'zod';
import { formatConfigPath } from '#shared/config/load-province-config.ts';
import type { CalendarFile } from '#shared/config/load-working-calendar.ts';
import { type ProvinceConfig, provinceConfigSchema } from '#shared/config/province-config.ts';

/** Log levels of the handlers' logger (Powertools'). */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The AWS services the handlers call, by the SDK's endpoint names (`AWS_ENDPOINT_URL_{SERVICE}`). */
export const AWS_SERVICES = ['s3', 'dynamodb', 'sfn', 'kms', 'textract'] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** How the SDK clients reach AWS, or the embedded runtime's local servers. */
export interface AwsRuntimeConfig {
  /** `AWS_REGION` (Lambda sets it). */
  region: string;
  /**
   * Service endpoints (`AWS_ENDPOINT_URL_S3`, …): the embedded runtime's local servers.
   * @default the SDK's, i.e. AWS
   */
  endpoints?: Partial<Record<AwsService, string>>;
  /**
   * Never read from the environment: there the SDK's own chain finds them (with Lambda's session token).
   * @default the SDK's credential chain (the function's role in Lambda)
   */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** `S3_FORCE_PATH_STYLE`: path-style S3 URLs, which s3rver needs. @default false */
  forcePathStyle?: boolean;
}

/** `SIGNER` (and `LOCAL_SIGNING_DIR`): KMS keys by alias in AWS, local keys in the embedded runtime. */
export type SignerConfig = { kind: 'kms' } | { kind: 'local'; directory: string };

/** Logs, metrics and traces (Powertools). */
export interface ObservabilityConfig {
  /** `POWERTOOLS_LOG_LEVEL`. @default 'INFO' */
  logLevel: LogLevel;
  /** `POWERTOOLS_TRACE_ENABLED`: X-Ray segments of the handlers and their SDK calls. @default true */
  tracing: boolean;
  /** Not `POWERTOOLS_METRICS_DISABLED`: CloudWatch metrics written as EMF lines on stdout. @default true */
  metrics: boolean;
}

/**
 * Everything the handlers are configured with: parsed once from a Lambda function's environment
 * ({@link parseRuntimeConfig}), or built as an object by the embedded runtime and tests.
 */
export interface RuntimeConfig {
  /** `MOTCUA_PROVINCE_CONFIG` (JSON; the Lambda bundle compiles it in). */
  provinceConfig: ProvinceConfig;
  /**
   * `MOTCUA_NATIONAL_CALENDARS` (JSON `[{name, text}]`; the Lambda bundle compiles the shipped
   * `config/calendars` files in). Absent: they are read from disk.
   */
  nationalCalendars?: CalendarFile[];
  /** `DOCUMENTS_TABLE` */
  documentsTable: string;
  /** `AUDIT_TABLE`: the audit trail (the API's; it only appends and queries). */
  auditTable?: string;
  /**
   * `INGEST_BUCKET`, `ARCHIVE_BUCKET` (the pipeline's, read by the API), `EXPORTS_BUCKET` (the API's
   * archive export packages).
   */
  buckets: { ingest: string; archive?: string; exports?: string };
  /** `STATE_MACHINE_ARN`: the document pipeline, which the API, starter and reconciler start. */
  stateMachineArn?: string;
  /** `ROUTING_STATE_MACHINE_ARN`: the dossier routing, which intake starts. */
  routingStateMachineArn?: string;
  /**
   * `PORTAL_OUTBOX_FILE`: where portal messages are written when the province has no portal
   * endpoint (the embedded runtime's stand-in for the national portal).
   */
  portalOutboxFile?: string;
  signer: SignerConfig;
  /**
   * `TIMESTAMP_AUTHORITY_URL`: the RFC 3161 authority that timestamps signatures (the province's,
   * or the embedded runtime's local TSA). Absent: signatures are not timestamped (PAdES B-B).
   */
  timestampAuthorityUrl?: string;
  /** `OCR_WORKERS`: Tesseract workers. @default one per CPU */
  ocrWorkers?: number;
  aws: AwsRuntimeConfig;
  observability: ObservabilityConfig;
}

/**
 * What each composition root needs beyond the settings every function has: the API, starter and
 * reconciler start executions (`createContainer`), the pipeline's tasks archive (`createPipelineContainer`),
 * and the API also records reads in the audit trail; the routing tasks and the overdue sweep need
 * only the documents table.
 */
export const RUNTIME_ROLES = {
  'back-office': ['STATE_MACHINE_ARN'],
  api: ['STATE_MACHINE_ARN', 'ROUTING_STATE_MACHINE_ARN', 'AUDIT_TABLE'],
  pipeline: ['ARCHIVE_BUCKET'],
  routing: [],
  portal: [],
  'audit-anchor': ['AUDIT_TABLE', 'ARCHIVE_BUCKET'],
  sweep: [],
  kpi: [],
  'kpi-reports': ['EXPORTS_BUCKET'],
} as const satisfies Record<string, readonly RuntimeVariable[]>;
export type RuntimeRole = keyof typeof RUNTIME_ROLES;

/** One environment variable that is missing or malformed. */
export interface RuntimeConfigIssue {
  variable: string;
  message: string;
}

/** A runtime configuration that cannot be used; the message names every bad variable. */
export class RuntimeConfigError extends Error {
  override readonly name = 'RuntimeConfigError';
  constructor(readonly issues: readonly RuntimeConfigIssue[]) {
    super(
      [
        'invalid runtime configuration:',
        ...issues.map((issue) => `  ${issue.variable}: ${issue.message}`),
      ].join('\n'),
    );
  }
}

const ENDPOINT_VARIABLES = {
  s3: 'AWS_ENDPOINT_URL_S3',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sfn: 'AWS_ENDPOINT_URL_SFN',
  kms: 'AWS_ENDPOINT_URL_KMS',
  textract: 'AWS_ENDPOINT_URL_TEXTRACT',
} as const satisfies Record<AwsService, string>;

/** An unset variable and an empty one are both missing: Lambda keeps empty values. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const required = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

const text = (what = 'a non-empty string') =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : `expected ${what}`) }).min(1);
const matching = (pattern: RegExp, what: string) =>
  text(what).regex(pattern, { error: (issue) => `expected ${what}, got "${String(issue.input)}"` });
const flag = () =>
  z.string().transform((value, context) => {
    const normalised = value.trim().toLowerCase();
    if (['true', '1'].includes(normalised)) return true;
    if (['false', '0'].includes(normalised)) return false;
    context.addIssue({ code: 'custom', message: `expected true or false, got "${value}"` });
    return z.NEVER;
  });
const endpoint = () =>
  z.url({ protocol: /^https?$/, error: (issue) => `expected an http(s) URL, got "${String(issue.input)}"` });

/** A variable holding JSON that `schema` validates; each issue names its field path. */
const jsonOf = <Schema extends z.ZodType>(description: string, schema: Schema) =>
  text(description).transform((json, context): z.output<Schema> => {
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not valid JSON: ${(error as Error).message}` });
      return z.NEVER;
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const path = formatConfigPath(issue.path);
      context.addIssue({ code: 'custom', message: path ? `${path}: ${issue.message}` : issue.message });
    }
    return z.NEVER;
  });

const provinceConfigJson = jsonOf('the province configuration as JSON', provinceConfigSchema);
const nationalCalendarsJson = jsonOf(
  'the national calendar files as JSON',
  z.array(z.strictObject({ name: z.string().min(1), text: z.string() }), {
    error: 'expected [{ name, text }] of calendar files',
  }),
);

/** The Lambda environment variables the handlers read, and how each is read. */
export const runtimeEnvironmentSchema = z.object({
  MOTCUA_PROVINCE_CONFIG: required(provinceConfigJson),
  MOTCUA_NATIONAL_CALENDARS: optional(nationalCalendarsJson),
  DOCUMENTS_TABLE: required(matching(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
  AUDIT_TABLE: optional(matching(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name')),
  INGEST_BUCKET: required(matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  ARCHIVE_BUCKET: optional(matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  EXPORTS_BUCKET: optional(matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name')),
  STATE_MACHINE_ARN: optional(
    matching(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
      'a state machine ARN',
    ),
  ),
  ROUTING_STATE_MACHINE_ARN: optional(
    matching(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/,
      'a state machine ARN',
    ),
  ),
  PORTAL_OUTBOX_FILE: optional(text('a file path')),
  SIGNER: optional(
    z.enum(['kms', 'local'], { error: (issue) => `expected kms or local, got "${String(issue.input)}"` }),
  ),
  LOCAL_SIGNING_DIR: optional(text('a folder')),
  TIMESTAMP_AUTHORITY_URL: optional(endpoint()),
  OCR_WORKERS: optional(
    matching(/^[1-9]\d{0,2}$/, 'a positive whole number of workers').transform((value) => Number(value)),
  ),
  AWS_REGION: required(matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as ap-southeast-1')),
  AWS_ENDPOINT_URL_S3: optional(endpoint()),
  AWS_ENDPOINT_URL_DYNAMODB: optional(endpoint()),
  AWS_ENDPOINT_URL_SFN: optional(endpoint()),
  AWS_ENDPOINT_URL_KMS: optional(endpoint()),
  AWS_ENDPOINT_URL_TEXTRACT: optional(endpoint()),
  S3_FORCE_PATH_STYLE: optional(flag()),
  POWERTOOLS_LOG_LEVEL: optional(
    z.preprocess(
      (value) => (typeof value === 'string' ? value.toUpperCase() : value),
      z.enum(LOG_LEVELS, {
        error: (issue) => `expected one of ${LOG_LEVELS.join(', ')}, got "${String(issue.input)}"`,
      }),
    ),
  ),
  POWERTOOLS_TRACE_ENABLED: optional(flag()),
  POWERTOOLS_METRICS_DISABLED: optional(flag()),
});

/** A variable {@link runtimeEnvironmentSchema} reads. */
export type RuntimeVariable = keyof typeof runtimeEnvironmentSchema.shape;

/**
 * Reads a Lambda function's configuration from its environment, once, and fails fast: the error
 * names every missing or malformed variable (`DOCUMENTS_TABLE: required`). `role` adds what that
 * function's composition root needs ({@link RUNTIME_ROLES}).
 * @throws RuntimeConfigError
 */
export function parseRuntimeConfig(
  env: Readonly<Record<string, string | undefined>>,
  role?: RuntimeRole,
): RuntimeConfig {
  const result = runtimeEnvironmentSchema.safeParse(env);
  const issues: RuntimeConfigIssue[] = result.success
    ? []
    : result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? 'environment'),
        message: issue.message,
      }));
  const present = (name: string) => (env[name] ?? '') !== '';
  const missing = (name: string) =>
    !present(name) && !issues.some((issue) => issue.variable === name)
      ? [{ variable: name, message: 'required' }]
      : [];
  issues.push(...(role ? RUNTIME_ROLES[role].flatMap(missing) : []));
  if (env.SIGNER === 'local') issues.push(...missing('LOCAL_SIGNING_DIR'));
  if (!result.success || issues.length > 0) throw new RuntimeConfigError(issues);

  const vars = result.data;
  const endpoints = Object.fromEntries(
    AWS_SERVICES.flatMap((service) => {
      const url = vars[ENDPOINT_VARIABLES[service]];
      return url ? [[service, url]] : [];
    }),
  );
  return {
    provinceConfig: vars.MOTCUA_PROVINCE_CONFIG,
    ...(vars.MOTCUA_NATIONAL_CALENDARS ? { nationalCalendars: vars.MOTCUA_NATIONAL_CALENDARS } : {}),
    documentsTable: vars.DOCUMENTS_TABLE,
    ...(vars.AUDIT_TABLE ? { auditTable: vars.AUDIT_TABLE } : {}),
    buckets: {
      ingest: vars.INGEST_BUCKET,
      ...(vars.ARCHIVE_BUCKET ? { archive: vars.ARCHIVE_BUCKET } : {}),
      ...(vars.EXPORTS_BUCKET ? { exports: vars.EXPORTS_BUCKET } : {}),
    },
    ...(vars.STATE_MACHINE_ARN ? { stateMachineArn: vars.STATE_MACHINE_ARN } : {}),
    ...(vars.ROUTING_STATE_MACHINE_ARN ? { routingStateMachineArn: vars.ROUTING_STATE_MACHINE_ARN } : {}),
    ...(vars.PORTAL_OUTBOX_FILE ? { portalOutboxFile: vars.PORTAL_OUTBOX_FILE } : {}),
    signer:
      vars.SIGNER === 'local' && vars.LOCAL_SIGNING_DIR
        ? { kind: 'local', directory: vars.LOCAL_SIGNING_DIR }
        : { kind: 'kms' },
    ...(vars.TIMESTAMP_AUTHORITY_URL ? { timestampAuthorityUrl: vars.TIMESTAMP_AUTHORITY_URL } : {}),
    ...(vars.OCR_WORKERS ? { ocrWorkers: vars.OCR_WORKERS } : {}),
    aws: {
      region: vars.AWS_REGION,
      ...(Object.keys(endpoints).length > 0 ? { endpoints } : {}),
      ...(vars.S3_FORCE_PATH_STYLE === undefined ? {} : { forcePathStyle: vars.S3_FORCE_PATH_STYLE }),
    },
    observability: {
      logLevel: vars.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      tracing: vars.POWERTOOLS_TRACE_ENABLED ?? true,
      metrics: !(vars.POWERTOOLS_METRICS_DISABLED ?? false),
    },
  };
}

/**
 * Checks that a configuration has what `role`'s composition root needs (a configuration built
 * as an object is checked as one parsed from the environment is).
 * @throws RuntimeConfigError naming the variables that would carry the missing settings.
 */
export function assertRuntimeRole(config: RuntimeConfig, role: RuntimeRole): void {
  const has: Record<(typeof RUNTIME_ROLES)[RuntimeRole][number], boolean> = {
    STATE_MACHINE_ARN: Boolean(config.stateMachineArn),
    ROUTING_STATE_MACHINE_ARN: Boolean(config.routingStateMachineArn),
    ARCHIVE_BUCKET: Boolean(config.buckets.archive),
    AUDIT_TABLE: Boolean(config.auditTable),
    EXPORTS_BUCKET: Boolean(config.buckets.exports),
  };
  const issues = RUNTIME_ROLES[role]
    .filter((variable) => !has[variable])
    .map((variable) => ({ variable, message: 'required' }));
  if (issues.length > 0) throw new RuntimeConfigError(issues);
}

/**
 * The environment a Lambda function would need for this configuration, the inverse of
 * {@link parseRuntimeConfig} (credentials excepted: the SDK reads its own variables), for tools
 * and child processes that talk to the same servers.
 */
export function runtimeConfigToEnvironment(config: RuntimeConfig): Record<string, string> {
  const env: Record<string, string | undefined> = {
    MOTCUA_PROVINCE_CONFIG: JSON.stringify(config.provinceConfig),
    MOTCUA_NATIONAL_CALENDARS: config.nationalCalendars && JSON.stringify(config.nationalCalendars),
    DOCUMENTS_TABLE: config.documentsTable,
    AUDIT_TABLE: config.auditTable,
    INGEST_BUCKET: config.buckets.ingest,
    ARCHIVE_BUCKET: config.buckets.archive,
    EXPORTS_BUCKET: config.buckets.exports,
    STATE_MACHINE_ARN: config.stateMachineArn,
    ROUTING_STATE_MACHINE_ARN: config.routingStateMachineArn,
    PORTAL_OUTBOX_FILE: config.portalOutboxFile,
    SIGNER: config.signer.kind,
    LOCAL_SIGNING_DIR: config.signer.kind === 'local' ? config.signer.directory : undefined,
    TIMESTAMP_AUTHORITY_URL: config.timestampAuthorityUrl,
    OCR_WORKERS: config.ocrWorkers === undefined ? undefined : String(config.ocrWorkers),
    AWS_REGION: config.aws.region,
    ...Object.fromEntries(
      AWS_SERVICES.map((service) => [ENDPOINT_VARIABLES[service], config.aws.endpoints?.[service]]),
    ),
    S3_FORCE_PATH_STYLE:
      config.aws.forcePathStyle === undefined ? undefined : String(config.aws.forcePathStyle),
    POWERTOOLS_LOG_LEVEL: config.observability.logLevel,
    POWERTOOLS_TRACE_ENABLED: String(config.observability.tracing),
    POWERTOOLS_METRICS_DISABLED: String(!config.observability.metrics),
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
