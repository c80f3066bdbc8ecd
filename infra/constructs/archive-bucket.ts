import { RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';

export interface ArchiveBucketProps {
  readonly dataKey: IKey;
  readonly accessLogs: IBucket;
  /** Object Lock default retention, in years, compliance mode (nobody, root included, can shorten it). */
  readonly defaultRetentionYears: number;
}

/**
 * The WORM archive of signed documents: Object Lock in COMPLIANCE mode with a default
 * retention in years, versioned, KMS-encrypted, TLS-only, private, access logged.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'archive/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Years, not the L2's day count: a retention of N years must not drift with leap days.
    (this.bucket.node.defaultChild as CfnBucket).objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: 'COMPLIANCE', years: props.defaultRetentionYears } },
    };
    acknowledgeNoReplication(this.bucket);
  }
}
