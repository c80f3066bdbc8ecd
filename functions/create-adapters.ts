import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import {
  createDynamoDbArchiveAuditLog,
  createDynamoDbDocumentRepository,
} from '#shared/adapters/aws/dynamodb-document-repository.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import {
  createObservability,
  type Observability,
} from '#shared/adapters/observability/create-observability.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';
import type { ArchiveAuditLog, Clock, DocumentRepository, ObjectStore } from '#shared/ports.ts';

/** The adapters every function uses: storage, the documents table, the clock and observability. */
export interface Adapters {
  config: RuntimeConfig;
  observability: Observability;
  objects: ObjectStore;
  repository: DocumentRepository;
  audit: ArchiveAuditLog;
  clock: Clock;
  /** Closes the SDK clients' connections (the embedded runtime's stop). */
  destroy(): void;
}

/**
 * Builds the shared adapters once from a runtime configuration; both composition roots
 * ({@link createContainer}, `createPipelineContainer`) start from them, and the embedded runtime
 * shares one set between the two.
 */
export function createAdapters(config: RuntimeConfig): Adapters {
  const observability = createObservability(config.observability, {
    province: config.provinceConfig.province.slug,
  });
  const s3 = observability.traced(new S3Client(awsClientSettings(config.aws, 's3')));
  const dynamodb = observability.traced(new DynamoDBClient(awsClientSettings(config.aws, 'dynamodb')));
  return {
    config,
    observability,
    objects: createS3ObjectStore(s3),
    repository: createDynamoDbDocumentRepository(dynamodb, config.documentsTable),
    audit: createDynamoDbArchiveAuditLog(dynamodb, config.documentsTable),
    clock: { now: () => new Date() },
    destroy() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}
