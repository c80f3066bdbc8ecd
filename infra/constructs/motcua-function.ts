import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  DockerImageFunction,
  type FunctionOptions,
  type Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type CalendarFile, readNationalCalendarFiles } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { acknowledgeFunctionTracing } from './acknowledge-function-tracing.ts';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';
import { BUNDLE_SETTINGS, bundleDefines, NATIVE_OCR_PACKAGES, RUNTIME_PACKAGES } from './function-bundle.ts';
import { ocrImageCode } from './native-ocr-image.ts';
import { resolveRuntimePackages } from './resolve-runtime-packages.ts';

/** The shipped national calendars, read once per synth and compiled into every bundle. */
let calendarFiles: CalendarFile[] | undefined;
export const NATIONAL_CALENDAR_FILES = (): CalendarFile[] => {
  calendarFiles ??= readNationalCalendarFiles();
  return calendarFiles;
};

/** Repository root: holds package-lock.json, node_modules and functions/. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface MotcuaFunctionProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  /** The validated province configuration, compiled into the bundle as `process.env.MOTCUA_PROVINCE_CONFIG`. */
  readonly config: ProvinceConfig;
  /** Key that encrypts the function's log group. */
  readonly logsKey: IKey;
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Extra environment variables (the config itself is compiled in: env vars are limited to 4 KB). */
  readonly environment?: Record<string, string>;
  /**
   * Packages left out of the bundle and copied, with their dependency closure, from the
   * local node_modules (linux-x64 binaries) into the asset.
   * @default RUNTIME_PACKAGES
   */
  readonly runtimePackages?: readonly string[];
  /**
   * Reserved concurrency: a cost and blast-radius cap.
   * @default - unreserved (uses the account pool)
   */
  readonly reservedConcurrency?: number;
  /**
   * How the function is invoked, which decides why it needs no dead-letter queue: `synchronous`
   * (a Step Functions task, API Gateway, an SQS event source: the caller sees the failure) or
   * `scheduled` (an idempotent sweep that the next scheduled run redoes).
   * @default 'synchronous'
   */
  readonly invocation?: 'synchronous' | 'scheduled';
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
  /**
   * More esbuild `define`s compiled into the bundle beside the province configuration (data too
   * large for Lambda's 4 KB of environment variables, e.g. the KPI targets).
   * @default none
   */
  readonly defines?: Readonly<Record<string, string>>;
  /**
   * `zip`: bundled here by NodejsFunction for the nodejs22.x runtime. `native-ocr-image`: the
   * container image of infra/ocr-image/Dockerfile, which bundles the same entry the same way on
   * Node 22 with Debian's native Tesseract installed (for the functions that OCR; `cdk deploy`
   * then needs Docker).
   * @default 'zip'
   */
  readonly packaging?: FunctionPackaging;
}

/** How a function's code reaches Lambda: see {@link MotcuaFunctionProps.packaging}. */
export type FunctionPackaging = 'zip' | 'native-ocr-image';

/**
 * A motcua Lambda function: Node.js 22 on x86_64 (the native binaries in node_modules are
 * linux-x64), X-Ray tracing, an encrypted log group with retention, esbuild bundling to ESM with
 * the province configuration compiled in: a zip bundled here, or the native OCR image.
 */
export class MotcuaFunction extends Construct {
  /** A NodejsFunction (zip) or a DockerImageFunction (image): use only what both have. */
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  /** The execution role: logs to its own log group only, no managed policies. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MotcuaFunctionProps) {
    super(scope, id);
    const runtimePackages = [...(props.runtimePackages ?? RUNTIME_PACKAGES)];
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.logGroup.grantWrite(this.role);
    const options: FunctionOptions = {
      role: this.role,
      description: props.description,
      architecture: Architecture.X86_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    };
    this.function =
      props.packaging === 'native-ocr-image'
        ? new DockerImageFunction(this, 'Function', {
            ...options,
            code: ocrImageCode({
              projectRoot: PROJECT_ROOT,
              entry: props.entry,
              config: props.config,
              calendars: NATIONAL_CALENDAR_FILES(),
              runtimePackages: [...runtimePackages, ...NATIVE_OCR_PACKAGES],
            }),
          })
        : this.bundleZip(props, options, runtimePackages);
    this.acknowledgeInvocation(props.reservedConcurrency, props.invocation ?? 'synchronous');
  }

  private bundleZip(
    props: MotcuaFunctionProps,
    options: FunctionOptions,
    runtimePackages: string[],
  ): NodejsFunction {
    const copied = runtimePackages.length > 0 ? resolveRuntimePackages(PROJECT_ROOT, runtimePackages) : [];
    const fn = new NodejsFunction(this, 'Function', {
      ...options,
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLE_SETTINGS.target,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourcemap,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: BUNDLE_SETTINGS.sourcesContent,
        bundleAwsSDK: true,
        define: { ...bundleDefines(props.config, NATIONAL_CALENDAR_FILES()), ...props.defines },
        externalModules: runtimePackages,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // Hard links when cdk.out shares the file system with node_modules (instant, no extra disk).
          afterBundling: (inputDir, outputDir) =>
            copied.map((name) => {
              const from = `"${inputDir}/node_modules/${name}"`;
              const to = `"${outputDir}/node_modules/${name}"`;
              return `mkdir -p "$(dirname ${to})" && (cp -al ${from} ${to} 2>/dev/null || cp -R ${from} ${to})`;
            }),
        },
      },
    });
    // An image function has no runtime: its Node version is the Dockerfile's base image.
    const pinned =
      'nodejs22.x is pinned on purpose: the handlers, the embedded runtime and the test toolchain run Node 22 (the `node` devDependency); upgrade them together.';
    acknowledgeOnResource(
      fn,
      { id: 'AwsSolutions-L1', reason: pinned },
      { id: 'Serverless-LambdaLatestVersion', reason: pinned },
    );
    return fn;
  }

  private acknowledgeInvocation(
    reservedConcurrency: number | undefined,
    invocation: 'synchronous' | 'scheduled',
  ): void {
    acknowledgeFunctionTracing(this.role);
    const reason =
      invocation === 'scheduled'
        ? 'Invoked asynchronously by a schedule with an empty event: Lambda retries a failed run twice and the next scheduled run redoes it (the sweep is idempotent), so a failed event holds nothing worth replaying; failures are logged as errors.'
        : 'Invoked synchronously (Step Functions task, API Gateway or SQS event source): failures return to the caller, which retries and routes them to quarantine or the queue DLQ; an async DLQ would never receive anything.';
    acknowledgeOnResource(
      this.function,
      { id: 'NIST.800.53.R5-LambdaDLQ', reason },
      { id: 'Serverless-LambdaDLQ', reason },
      { id: 'Serverless-LambdaAsyncFailureDestination', reason },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'The functions reach only AWS service APIs (S3, DynamoDB, KMS, Step Functions) over TLS with IAM-scoped credentials; there is no private network resource to reach, and a VPC would add NAT/endpoint cost without narrowing access.',
      },
    );
    if (reservedConcurrency === undefined) {
      acknowledgeOnResource(this.function, {
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason:
          'Concurrency is bounded upstream (Map MaxConcurrency, SQS event-source maximum concurrency, API throttling); reserving per function fails deployment in accounts whose concurrency quota is still the new-account minimum.',
      });
    }
  }
}
