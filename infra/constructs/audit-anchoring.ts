import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ProvinceConfig, provinceSigningAgencyId } from '#shared/config/province-config.ts';
import { AUDIT_ANCHOR_PREFIX } from '#shared/use-cases/audit/anchor-audit-chain.ts';
import type { AgencySigningKeys } from './agency-signing-keys.ts';
import type { AuditTable } from './audit-table.ts';
import { grantObjects } from './grant-access.ts';
import { MotcuaFunction } from './motcua-function.ts';

export interface AuditAnchoringProps {
  readonly config: ProvinceConfig;
  readonly functionsRoot: string;
  readonly auditTable: AuditTable;
  readonly archiveBucket: IBucket;
  /** Named in the function's configuration; the function gets no access to them. */
  readonly documentsTable: ITable;
  readonly ingestBucket: IBucket;
  readonly dataKey: IKey;
  readonly logsKey: IKey;
  readonly signing: AgencySigningKeys;
  readonly deadLetterQueue: IQueue;
}

/**
 * Anchors each closed day of the audit trail: every morning at 07:30 Vietnam time (00:30 UTC, the
 * day's chain has closed) a function verifies the days not anchored yet, signs each day's entry
 * count and head hash with the province's key, and locks it in the archive bucket under
 * `audit-anchors/` (Object Lock), which the trail's writers cannot delete.
 */
export class AuditAnchoring extends Construct {
  readonly anchor: MotcuaFunction;

  constructor(scope: Construct, id: string, props: AuditAnchoringProps) {
    super(scope, id);
    this.anchor = new MotcuaFunction(this, 'AnchorAuditChain', {
      entry: join(props.functionsRoot, 'audit', 'anchor-audit-chain.ts'),
      description: `motcua ${props.config.province.slug}: signs and locks each closed day of the audit trail`,
      config: props.config,
      logsKey: props.logsKey,
      runtimePackages: [],
      memorySize: 256,
      timeout: Duration.minutes(5),
      reservedConcurrency: 1,
      invocation: 'scheduled',
      environment: {
        AUDIT_TABLE: props.auditTable.table.tableName,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        DOCUMENTS_TABLE: props.documentsTable.tableName,
        INGEST_BUCKET: props.ingestBucket.bucketName,
        SIGNER: 'kms',
      },
    });
    const role = this.anchor.role;
    props.auditTable.grantReadChains(role);
    grantObjects(role, role, {
      bucket: props.archiveBucket,
      key: props.dataKey,
      read: [AUDIT_ANCHOR_PREFIX],
      write: [AUDIT_ANCHOR_PREFIX],
      extraWriteActions: ['s3:PutObjectRetention'],
    });
    allowListingAnchors(role, props.archiveBucket);
    props.signing.allowSigningWith(provinceSigningAgencyId(props.config), role);
    new Rule(this, 'Schedule', {
      description: 'Anchor the closed days of the audit trail',
      schedule: Schedule.cron({ minute: '30', hour: '0' }),
      targets: [
        new LambdaFunction(this.anchor.function, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
        }),
      ],
    });
  }
}

/** ListBucket on the anchors' prefix only: how a day's anchor is found (and its absence told). */
export function allowListingAnchors(grantee: IGrantable, bucket: IBucket): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${AUDIT_ANCHOR_PREFIX}*`] } },
    }),
  );
}
