import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import {
  createDynamoDbArchiveAuditLog,
  createDynamoDbDocumentRepository,
} from '#shared/adapters/aws/dynamodb-document-repository.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import { createSfnExecutionStarter } from '#shared/adapters/aws/sfn-execution-starter.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { provinceConfigFromEnv } from '#shared/config/load-province-config.ts';
import type { ExecutionStarter } from '#shared/ports.ts';
import { createCompleteReview } from '#shared/use-cases/complete-review.ts';
import { createReadDocuments } from '#shared/use-cases/read-documents.ts';
import { createReconcileDocuments } from '#shared/use-cases/reconcile-documents.ts';
import { createRequestUpload } from '#shared/use-cases/request-upload.ts';
import { createStartDocumentPipeline } from '#shared/use-cases/start-document-pipeline.ts';

/**
 * The composition root of the API, starter and reconciler handlers (the pipeline's heavier one,
 * with OCR and signing, is functions/pipeline/wire-pipeline.ts). It reads only the environment:
 * in AWS the stack sets it; the embedded runtime points the SDK's endpoint variables
 * (AWS_ENDPOINT_URL_S3, …) at its local servers.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function wire() {
  const config = provinceConfigFromEnv(requiredEnv('MOTCUA_PROVINCE_CONFIG'));
  const s3 = new S3Client({
    ...awsClientSettings(),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  });
  const objects = createS3ObjectStore(s3);
  const dynamodb = new DynamoDBClient(awsClientSettings());
  const repository = createDynamoDbDocumentRepository(dynamodb, requiredEnv('DOCUMENTS_TABLE'));
  const audit = createDynamoDbArchiveAuditLog(dynamodb, requiredEnv('DOCUMENTS_TABLE'));
  const clock = { now: () => new Date() };
  const buckets = { ingest: requiredEnv('INGEST_BUCKET'), archive: process.env.ARCHIVE_BUCKET ?? '' };
  let executionStarter: ExecutionStarter | undefined;
  const starter = () => {
    executionStarter ??= createSfnExecutionStarter(
      new SFNClient(awsClientSettings()),
      requiredEnv('STATE_MACHINE_ARN'),
    );
    return executionStarter;
  };
  return {
    config,
    objects,
    repository,
    clock,
    buckets,
    requestUpload: createRequestUpload({
      config,
      repository,
      objects,
      clock,
      ids: { newId: randomUUID },
      ingestBucket: buckets.ingest,
    }),
    readDocuments: createReadDocuments({
      repository,
      objects,
      audit,
      clock,
      verifier: { verify: verifyPdfSignatures },
    }),
    get completeReview() {
      return createCompleteReview({ config, repository, clock, starter: starter() });
    },
    get reconcileDocuments() {
      return createReconcileDocuments({ repository, objects, clock, starter: starter() });
    },
    get startDocumentPipeline() {
      return createStartDocumentPipeline({ repository, starter: starter() });
    },
  };
}

let wired: ReturnType<typeof wire> | undefined;

/** The handlers' dependencies, built once per process (per Lambda container). */
export function dependencies(): ReturnType<typeof wire> {
  wired ??= wire();
  return wired;
}

/** Forgets the wiring, so that the next call reads the environment again (an embedded restart). */
export function resetDependencies(): void {
  wired = undefined;
}
