import { Duration } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXPORT_RETENTION_DAYS, EXPORTS_PREFIX } from '#shared/use-cases/archive/export-archive.ts';
import { KPI_REPORTS_PREFIX } from '#shared/use-cases/kpi/produce-kpi-report.ts';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';
import { grantObjects } from './grant-access.ts';
import { privateBucketProps } from './private-bucket-props.ts';

export interface ArchiveExportsProps {
  readonly dataKey: IKey;
  readonly accessLogs: IBucket;
}

/**
 * Archive export packages: a bucket of their own (not the archive's, whose Object Lock would keep
 * every hand-over copy for years), private, KMS-encrypted, TLS-only, access-logged, whose packages
 * expire after EXPORT_RETENTION_DAYS.
 */
export class ArchiveExports extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ArchiveExportsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      ...privateBucketProps(props.dataKey, props.accessLogs, 'exports/'),
      // A package is a copy for hand-over (the archive keeps the originals): it goes after a week.
      lifecycleRules: [
        {
          id: 'expire-export-packages',
          prefix: EXPORTS_PREFIX,
          expiration: Duration.days(EXPORT_RETENTION_DAYS),
          noncurrentVersionExpiration: Duration.days(1),
        },
        // A KPI report is kept; producing its period again leaves the earlier files as old versions.
        {
          id: 'expire-replaced-kpi-reports',
          prefix: KPI_REPORTS_PREFIX,
          noncurrentVersionExpiration: Duration.days(30),
        },
        { id: 'abort-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledgeNoReplication(this.bucket);
  }

  /**
   * Lets `role` (the API's) write packages and their records under `exports/`, read them back
   * (their presigned download URLs carry its credentials) and abort a failed multipart upload.
   * The manifests are signed with the province's key: see AgencySigningKeys.allowSigningWith.
   */
  allowExportBy(role: IRole, dataKey: IKey): void {
    grantObjects(role, role, {
      bucket: this.bucket,
      key: dataKey,
      read: [EXPORTS_PREFIX],
      write: [EXPORTS_PREFIX],
      extraWriteActions: ['s3:AbortMultipartUpload'],
    });
  }

  /**
   * Lets `role` (the API's) write the KPI reports and their records under `reports/kpi/`, read them
   * back (presigned downloads carry its credentials) and list that prefix (the reports' list).
   */
  allowKpiReportsBy(role: IRole, dataKey: IKey): void {
    grantObjects(role, role, {
      bucket: this.bucket,
      key: dataKey,
      read: [KPI_REPORTS_PREFIX],
      write: [KPI_REPORTS_PREFIX],
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${KPI_REPORTS_PREFIX}*`] } },
      }),
    );
  }
}
