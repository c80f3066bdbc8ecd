import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';
import { privateBucketProps } from './private-bucket-props.ts';

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
      ...privateBucketProps(props.dataKey, props.accessLogs, 'archive/'),
      objectLockEnabled: true,
    });
    // Years, not the L2's day count: a retention of N years must not drift with leap days.
    (this.bucket.node.defaultChild as CfnBucket).objectLockConfiguration = {
      objectLockEnabled: 'Enabled',
      rule: { defaultRetention: { mode: 'COMPLIANCE', years: props.defaultRetentionYears } },
    };
    acknowledgeNoReplication(this.bucket);
  }
}
