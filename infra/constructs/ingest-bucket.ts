import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type CfnBucket, HttpMethods, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';
import { privateBucketProps } from './private-bucket-props.ts';

/** Key prefixes of the ingest bucket. */
export const INGEST_PREFIXES = {
  /**
   * Scans PUT by browsers through presigned URLs: `incoming/{agency}/{dossier}/{component}/{uuid}`.
   * They stay here whatever becomes of them; quarantine is a status in the index, not a move.
   */
  incoming: 'incoming/',
  /** Rasterised pages, OCR text and signed copies: temporary, expired after 7 days. */
  work: 'work/',
} as const;

export interface IngestBucketProps {
  readonly dataKey: IKey;
  readonly accessLogs: IBucket;
  /**
   * Origins allowed to PUT scans from a browser.
   * @default ['*'] (presigned URLs carry the authorisation)
   */
  readonly allowedOrigins?: string[];
}

/**
 * The bucket browsers upload scans to: KMS-encrypted, TLS-only, private, versioned, access
 * logged, with EventBridge notifications on; `work/` expires after 7 days.
 */
export class IngestBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: IngestBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      ...privateBucketProps(props.dataKey, props.accessLogs, 'ingest/'),
      cors: [
        {
          allowedMethods: [HttpMethods.PUT],
          allowedOrigins: props.allowedOrigins ?? ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: 'expire-work-files', prefix: INGEST_PREFIXES.work, expiration: Duration.days(7) },
        { id: 'abort-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    // Set on the L1: the L2's eventBridgeEnabled deploys a custom-resource Lambda to do the same.
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    acknowledgeNoReplication(this.bucket);
  }
}
