import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';
import { acknowledgeOnResource } from './acknowledge-on-resource.ts';

/** The bucket that receives S3 server access logs of the ingest and archive buckets. */
export class AccessLogsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      // S3 server access log delivery only supports SSE-S3 on the target bucket.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(3653),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
    });
    const loop =
      'This is the server access log target; logging it to itself would loop, and S3 only writes access logs to a separate bucket.';
    acknowledgeOnResource(
      this.bucket,
      { id: 'AwsSolutions-S1', reason: loop },
      { id: 'NIST.800.53.R5-S3BucketLoggingEnabled', reason: loop },
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason:
          'S3 server access log delivery does not support SSE-KMS target buckets; SSE-S3 is the only supported encryption.',
      },
    );
    acknowledgeNoReplication(this.bucket);
  }
}
