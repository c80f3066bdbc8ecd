import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket, type CfnBucket, HttpMethods, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { INGEST_OBJECT_EXPIRY_DAYS, INGEST_OBJECT_TAGS } from '#shared/adapters/aws/ingest-object-tags.ts';
import { acknowledgeNoReplication } from './acknowledge-bucket-rules.ts';
import { privateBucketProps } from './private-bucket-props.ts';

/** Key prefixes of the ingest bucket. */
export const INGEST_PREFIXES = {
  /**
   * Scans PUT by browsers through presigned URLs: `incoming/{agency}/{dossier}/{component}/{uuid}`.
   * They stay here (quarantine is a status in the index, not a move) until the pipeline tags them
   * with their terminal state (INGEST_OBJECT_TAGS) and the lifecycle rules expire them.
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
  /**
   * Days after upload that a scan tagged `quarantined` expires.
   * @default INGEST_OBJECT_EXPIRY_DAYS.quarantined (90)
   */
  readonly quarantineRetentionDays?: number;
  /**
   * Days after upload that a scan tagged `archived` (its signed copy is in the archive) expires.
   * @default INGEST_OBJECT_EXPIRY_DAYS.archived (7)
   */
  readonly archivedOriginalRetentionDays?: number;
}

/**
 * The bucket browsers upload scans to: KMS-encrypted, TLS-only, private, versioned, access
 * logged, with EventBridge notifications on; `work/` expires after 7 days, uploads expire by
 * the terminal-state tag the pipeline sets, noncurrent versions after 30 days.
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
        {
          id: 'expire-quarantined-uploads',
          prefix: INGEST_PREFIXES.incoming,
          tagFilters: { [INGEST_OBJECT_TAGS.key]: INGEST_OBJECT_TAGS.values.quarantined },
          expiration: Duration.days(props.quarantineRetentionDays ?? INGEST_OBJECT_EXPIRY_DAYS.quarantined),
        },
        {
          id: 'expire-archived-uploads',
          prefix: INGEST_PREFIXES.incoming,
          tagFilters: { [INGEST_OBJECT_TAGS.key]: INGEST_OBJECT_TAGS.values.archived },
          expiration: Duration.days(
            props.archivedOriginalRetentionDays ?? INGEST_OBJECT_EXPIRY_DAYS.archived,
          ),
        },
        { id: 'abort-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Expiring a current version leaves a delete marker over the old one: both go.
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(30),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
    // Set on the L1: the L2's eventBridgeEnabled deploys a custom-resource Lambda to do the same.
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    acknowledgeNoReplication(this.bucket);
  }
}
