import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadWorkingCalendar, readNationalCalendarFiles } from '#shared/config/load-working-calendar.ts';
import {
  assertRuntimeRole,
  parseRuntimeConfig,
  type RuntimeConfig,
  RuntimeConfigError,
  runtimeConfigToEnvironment,
} from '#shared/config/runtime-config.ts';

const PROVINCE_JSON = JSON.stringify(parse(readFileSync('config/provinces/sample-province.yaml', 'utf8')));
const ARN = 'arn:aws:states:ap-southeast-1:123456789012:stateMachine:motcua-sample-document-pipeline';

/** What the stack gives the API, starter and reconciler (and Lambda adds AWS_REGION). */
const API_ENV = {
  MOTCUA_PROVINCE_CONFIG: PROVINCE_JSON,
  DOCUMENTS_TABLE: 'motcua-sample-documents',
  INGEST_BUCKET: 'motcua-sample-ingest',
  STATE_MACHINE_ARN: ARN,
  AWS_REGION: 'ap-southeast-1',
};
/** What the stack gives the pipeline's Task functions. */
const PIPELINE_ENV = {
  MOTCUA_PROVINCE_CONFIG: PROVINCE_JSON,
  DOCUMENTS_TABLE: 'motcua-sample-documents',
  INGEST_BUCKET: 'motcua-sample-ingest',
  ARCHIVE_BUCKET: 'motcua-sample-archive',
  SIGNER: 'kms',
  OCR_WORKERS: '2',
  AWS_REGION: 'ap-southeast-1',
};

/** The issues a parse fails with, as `VARIABLE: message`. */
function issuesOf(env: Record<string, string | undefined>, role?: 'back-office' | 'pipeline'): string[] {
  try {
    parseRuntimeConfig(env, role);
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeConfigError);
    return (error as RuntimeConfigError).issues.map((issue) => `${issue.variable}: ${issue.message}`);
  }
  throw new Error('parsed');
}

describe('parseRuntimeConfig', () => {
  it('reads the API, starter and reconciler environment into a typed configuration', () => {
    const config = parseRuntimeConfig(API_ENV, 'back-office');
    expect(config).toEqual({
      provinceConfig: expect.objectContaining({ province: expect.objectContaining({ slug: 'sample' }) }),
      documentsTable: 'motcua-sample-documents',
      buckets: { ingest: 'motcua-sample-ingest' },
      stateMachineArn: ARN,
      signer: { kind: 'kms' },
      aws: { region: 'ap-southeast-1' },
      observability: { logLevel: 'INFO', tracing: true, metrics: true },
    });
  });

  it("reads the pipeline's environment, local signing and the embedded runtime's endpoints", () => {
    const config = parseRuntimeConfig(
      {
        ...PIPELINE_ENV,
        SIGNER: 'local',
        LOCAL_SIGNING_DIR: '/data/signing-keys',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        S3_FORCE_PATH_STYLE: 'true',
        POWERTOOLS_LOG_LEVEL: 'warn',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_METRICS_DISABLED: '1',
      },
      'pipeline',
    );
    expect(config).toMatchObject({
      buckets: { ingest: 'motcua-sample-ingest', archive: 'motcua-sample-archive' },
      signer: { kind: 'local', directory: '/data/signing-keys' },
      ocrWorkers: 2,
      aws: {
        region: 'ap-southeast-1',
        endpoints: { s3: 'http://127.0.0.1:4569', dynamodb: 'http://127.0.0.1:8000' },
        forcePathStyle: true,
      },
      observability: { logLevel: 'WARN', tracing: false, metrics: false },
    });
    expect(config.stateMachineArn).toBeUndefined();
  });

  it('names a missing variable: DOCUMENTS_TABLE: required', () => {
    const { DOCUMENTS_TABLE: _, ...env } = API_ENV;
    expect(() => parseRuntimeConfig(env)).toThrow(/DOCUMENTS_TABLE: required/);
    expect(issuesOf({ ...API_ENV, DOCUMENTS_TABLE: '' })).toEqual(['DOCUMENTS_TABLE: required']);
  });

  it('lists every missing and malformed variable at once, each with what was expected', () => {
    expect(
      issuesOf(
        {
          MOTCUA_PROVINCE_CONFIG: PROVINCE_JSON,
          INGEST_BUCKET: 'Not_A_Bucket',
          OCR_WORKERS: 'zero',
          AWS_REGION: 'saigon',
          AWS_ENDPOINT_URL_S3: 'localhost:4569',
          S3_FORCE_PATH_STYLE: 'yes',
          POWERTOOLS_LOG_LEVEL: 'LOUD',
          SIGNER: 'hsm',
        },
        'back-office',
      ),
    ).toEqual([
      'DOCUMENTS_TABLE: required',
      'INGEST_BUCKET: expected an S3 bucket name, got "Not_A_Bucket"',
      'SIGNER: expected kms or local, got "hsm"',
      'OCR_WORKERS: expected a positive whole number of workers, got "zero"',
      'AWS_REGION: expected an AWS region such as ap-southeast-1, got "saigon"',
      'AWS_ENDPOINT_URL_S3: expected an http(s) URL, got "localhost:4569"',
      'S3_FORCE_PATH_STYLE: expected true or false, got "yes"',
      'POWERTOOLS_LOG_LEVEL: expected one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, got "LOUD"',
      'STATE_MACHINE_ARN: required',
    ]);
  });

  it('puts every variable in the error message, one per line', () => {
    expect(() => parseRuntimeConfig({ AWS_REGION: 'ap-southeast-1' })).toThrow(
      'invalid runtime configuration:\n  MOTCUA_PROVINCE_CONFIG: required\n  DOCUMENTS_TABLE: required\n  INGEST_BUCKET: required',
    );
  });

  it("requires what each function's composition root needs", () => {
    expect(issuesOf(PIPELINE_ENV, 'back-office')).toEqual(['STATE_MACHINE_ARN: required']);
    expect(issuesOf(API_ENV, 'pipeline')).toEqual(['ARCHIVE_BUCKET: required']);
    expect(issuesOf({ ...PIPELINE_ENV, SIGNER: 'local' }, 'pipeline')).toEqual([
      'LOCAL_SIGNING_DIR: required',
    ]);
  });

  it('names the field of a malformed province configuration, and JSON that is not JSON', () => {
    const province = JSON.parse(PROVINCE_JSON) as { province: { slug: string } };
    province.province.slug = 'Not A Slug';
    expect(issuesOf({ ...API_ENV, MOTCUA_PROVINCE_CONFIG: JSON.stringify(province) })).toEqual([
      'MOTCUA_PROVINCE_CONFIG: province.slug: must be lowercase letters, digits and dashes',
    ]);
    expect(issuesOf({ ...API_ENV, MOTCUA_PROVINCE_CONFIG: '{oops' })[0]).toMatch(
      /^MOTCUA_PROVINCE_CONFIG: not valid JSON/,
    );
  });

  it('reads the national calendars a Lambda bundle carries, and a working calendar is built from them alone', () => {
    const files = readNationalCalendarFiles();
    const config = parseRuntimeConfig(
      { ...API_ENV, MOTCUA_NATIONAL_CALENDARS: JSON.stringify(files) },
      'back-office',
    );
    expect(config.nationalCalendars).toEqual(files);
    const calendar = loadWorkingCalendar(config.provinceConfig.calendar, {
      files: config.nationalCalendars,
      dir: '/nonexistent',
    });
    expect(calendar).toBeDefined();
    expect(runtimeConfigToEnvironment(config).MOTCUA_NATIONAL_CALENDARS).toBe(JSON.stringify(files));
    expect(issuesOf({ ...API_ENV, MOTCUA_NATIONAL_CALENDARS: '[{"name": 1}]' })).toEqual([
      'MOTCUA_NATIONAL_CALENDARS: [0].name: Invalid input: expected string, received number',
      'MOTCUA_NATIONAL_CALENDARS: [0].text: Invalid input: expected string, received undefined',
    ]);
    expect(issuesOf({ ...API_ENV, MOTCUA_NATIONAL_CALENDARS: '{}' })).toEqual([
      'MOTCUA_NATIONAL_CALENDARS: expected [{ name, text }] of calendar files',
    ]);
  });

  it('malformed ARNs are named too', () => {
    expect(issuesOf({ ...API_ENV, STATE_MACHINE_ARN: 'document-pipeline' })).toEqual([
      'STATE_MACHINE_ARN: expected a state machine ARN, got "document-pipeline"',
    ]);
  });
});

describe('assertRuntimeRole', () => {
  it('checks a configuration built as an object as a parsed one is checked', () => {
    const config: RuntimeConfig = parseRuntimeConfig(PIPELINE_ENV, 'pipeline');
    expect(() => assertRuntimeRole(config, 'pipeline')).not.toThrow();
    expect(() => assertRuntimeRole(config, 'back-office')).toThrow(/STATE_MACHINE_ARN: required/);
  });
});

describe('runtimeConfigToEnvironment', () => {
  it('is read back by parseRuntimeConfig into the same configuration (credentials aside)', () => {
    const config: RuntimeConfig = {
      ...parseRuntimeConfig({ ...PIPELINE_ENV, STATE_MACHINE_ARN: ARN }, 'pipeline'),
      signer: { kind: 'local', directory: '/data/keys' },
      aws: {
        region: 'ap-southeast-1',
        endpoints: { s3: 'http://127.0.0.1:1', dynamodb: 'http://127.0.0.1:2', sfn: 'http://127.0.0.1:3' },
        forcePathStyle: true,
      },
      observability: { logLevel: 'WARN', tracing: false, metrics: false },
    };
    const env = runtimeConfigToEnvironment(config);
    expect(parseRuntimeConfig(env, 'pipeline')).toEqual(config);
    expect(env).toMatchObject({ AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:3', STATE_MACHINE_ARN: ARN });
    expect(
      runtimeConfigToEnvironment({
        ...config,
        aws: { ...config.aws, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      }),
    ).toEqual(env);
  });
});

describe('TIMESTAMP_AUTHORITY_URL', () => {
  it('names the authority that timestamps signatures, and round-trips through the environment', () => {
    const env = { ...PIPELINE_ENV, TIMESTAMP_AUTHORITY_URL: 'https://tsa.example.vn/tsr' };
    const config = parseRuntimeConfig(env, 'pipeline');
    expect(config.timestampAuthorityUrl).toBe('https://tsa.example.vn/tsr');
    expect(runtimeConfigToEnvironment(config).TIMESTAMP_AUTHORITY_URL).toBe('https://tsa.example.vn/tsr');
    expect(parseRuntimeConfig(PIPELINE_ENV, 'pipeline').timestampAuthorityUrl).toBeUndefined();
  });

  it('refuses what is not an http(s) URL', () => {
    expect(issuesOf({ ...PIPELINE_ENV, TIMESTAMP_AUTHORITY_URL: 'ftp://tsa.example.vn' })).toEqual([
      'TIMESTAMP_AUTHORITY_URL: expected an http(s) URL, got "ftp://tsa.example.vn"',
    ]);
  });
});
