import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_ROUTES } from '#functions/api/api-routes.ts';
import { DOCUMENTS_TABLE_SCHEMA } from '#shared/adapters/aws/documents-table.ts';
import { ROLES } from '#shared/auth/authorize.ts';
import { allowListingAnchors } from './audit-anchoring.ts';
import type { AuditTable } from './audit-table.ts';
import type { DossierRouting } from './dossier-routing.ts';
import { grantObjects, grantTableItems } from './grant-access.ts';
import { INGEST_PREFIXES } from './ingest-bucket.ts';
import { MotcuaFunction } from './motcua-function.ts';
import type { ProvinceResources } from './province-resources.ts';

export interface BackOfficeApiProps extends ProvinceResources {
  readonly stateMachine: IStateMachine;
  /** The dossier routing, which intake starts and officers' actions answer. */
  readonly routing: Pick<DossierRouting, 'stateMachineArn' | 'grantStart' | 'grantTaskResponse'>;
  /** The audit trail, which the API appends to and auditors query. */
  readonly auditTable: AuditTable;
  /**
   * Browser origins allowed by CORS.
   * @default ['*'] (every route needs a bearer token; no cookies are used)
   */
  readonly allowedOrigins?: string[];
}

/**
 * Officer sign-in and the HTTP API: a Cognito user pool (MFA, threat protection, strong
 * passwords, role groups, `custom:agency`), an app client, and an HTTP API whose routes all
 * go through a Cognito JWT authorizer to one Lambda, with throttling and JSON access logs.
 */
export class BackOfficeApi extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly handler: MotcuaFunction;

  constructor(scope: Construct, id: string, props: BackOfficeApiProps) {
    super(scope, id);
    const slug = props.config.province.slug;
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `motcua-${slug}-officers`,
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: true },
      signInCaseSensitive: false,
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      customAttributes: { agency: new StringAttribute({ minLen: 13, maxLen: 13, mutable: true }) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of ROLES) {
      new UserPoolGroup(this, `Group-${group}`, { userPool: this.userPool, groupName: group });
    }
    // Officers must not change their own agency claim: the client may read it, never write it.
    this.client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, fullname: true })
        .withCustomAttributes('agency'),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    this.handler = new MotcuaFunction(this, 'Handler', {
      entry: join(props.functionsRoot, 'api', 'http-api.ts'),
      description: `motcua ${slug}: back-office HTTP API`,
      config: props.config,
      logsKey: props.logsKey,
      // The KPI reports' PDFs embed DejaVu Sans (Vietnamese diacritics), read from its package.
      runtimePackages: ['dejavu-fonts-ttf'],
      memorySize: 512,
      // An archive export packs up to 100 MiB while its request waits; an HTTP API waits 30 s at most.
      timeout: Duration.seconds(29),
      environment: {
        INGEST_BUCKET: props.ingestBucket.bucketName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        DOCUMENTS_TABLE: props.table.tableName,
        AUDIT_TABLE: props.auditTable.table.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        ROUTING_STATE_MACHINE_ARN: props.routing.stateMachineArn,
      },
    });
    const role = this.handler.role;
    // Presigned PUTs carry the handler's credentials: it may write only under incoming/.
    grantObjects(role, role, {
      bucket: props.ingestBucket,
      key: props.dataKey,
      write: [INGEST_PREFIXES.incoming],
    });
    grantObjects(role, role, { bucket: props.archiveBucket, key: props.dataKey, read: [''] });
    // Verification reads each day's anchor of the audit trail (found by listing its key).
    allowListingAnchors(role, props.archiveBucket);
    // Upload requests, reviews and audited reads write; document lists query the status index
    // (province-wide) or the agency-status index (an agency's queue).
    const { statusIndex, agencyStatusIndex } = DOCUMENTS_TABLE_SCHEMA;
    grantTableItems(role, props.table, 'readWrite', {
      queryIndexes: [statusIndex.name, agencyStatusIndex.name],
    });
    props.stateMachine.grantStartExecution(role);
    // Intake starts a dossier's routing; an officer's action ends the step the routing waits on.
    props.routing.grantStart(role);
    props.routing.grantTaskResponse(role);
    // Reads are recorded before they are served; the audit table is append-only for this role.
    props.auditTable.grantAppend(role);

    const authorizer = new HttpJwtAuthorizer(
      'CognitoAuthorizer',
      `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`,
      { jwtAudience: [this.client.userPoolClientId], authorizerName: 'cognito' },
    );
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `motcua-${slug}-back-office`,
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowOrigins: props.allowedOrigins ?? ['*'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });
    const integration = new HttpLambdaIntegration('Handler', this.handler.function);
    for (const route of Object.values(API_ROUTES)) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer,
      });
    }
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            subject: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  /** The API's base URL. */
  get url(): string {
    return this.stage.url;
  }
}
