import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TextractClient } from '@aws-sdk/client-textract';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDynamoDbDocumentRepository } from '#shared/adapters/aws/dynamodb-document-repository.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import { createSfnExecutionStarter } from '#shared/adapters/aws/sfn-execution-starter.ts';
import { createDocumentToolkit } from '#shared/adapters/documents/create-document-toolkit.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import { createTextractOcrEngine } from '#shared/adapters/ocr/textract-ocr-engine.ts';
import { createKmsSignerDirectory } from '#shared/adapters/signing/kms-signer-directory.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { provinceConfigFromEnv } from '#shared/config/load-province-config.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { ExecutionStarter, OcrEngine, SignerDirectory } from '#shared/ports.ts';
import { createCompleteReview } from '#shared/use-cases/complete-review.ts';
import { createDocumentPipelineSteps } from '#shared/use-cases/document-pipeline-steps.ts';
import { createReadDocuments } from '#shared/use-cases/read-documents.ts';
import { createReconcileDocuments } from '#shared/use-cases/reconcile-documents.ts';
import { createRequestUpload } from '#shared/use-cases/request-upload.ts';
import { createStartDocumentPipeline } from '#shared/use-cases/start-document-pipeline.ts';

/**
 * The composition root of every handler. It reads only the environment: in AWS the stack sets
 * it; the embedded runtime sets endpoint variables (AWS_ENDPOINT_URL_S3, …) to its local servers.
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function createOcrEngine(config: ProvinceConfig): OcrEngine {
  if (config.ocr.engine === 'textract') {
    return createTextractOcrEngine({ client: new TextractClient(awsClientSettings()) });
  }
  const workers = Number(process.env.OCR_WORKERS) || Math.max(1, cpus().length);
  return createTesseractOcrEngine({ workers, language: config.ocr.language });
}

function createSignerDirectory(config: ProvinceConfig): SignerDirectory {
  const identityFor = (agencyId: string) => ({
    commonName: config.agencies.find((agency) => agency.id === agencyId)?.name ?? agencyId,
    organisation: config.signing.organisation,
    province: config.province.name,
    country: config.signing.country,
  });
  if (process.env.SIGNER === 'local') {
    return createLocalSignerDirectory({
      directory: required('LOCAL_SIGNING_DIR'),
      keySpec: config.signing.keySpec,
      identityFor,
    });
  }
  const keys = JSON.parse(required('SIGNING_KEYS')) as Record<string, string>;
  return createKmsSignerDirectory({
    kms: new KMSClient(awsClientSettings()),
    keyIdFor: (agencyId) => {
      const keyId = keys[agencyId];
      if (!keyId) throw new Error(`agency ${agencyId} has no signing key`);
      return keyId;
    },
    identityFor,
  });
}

function wire() {
  const config = provinceConfigFromEnv(required('MOTCUA_PROVINCE_CONFIG'));
  const s3 = new S3Client({
    ...awsClientSettings(),
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
  });
  const objects = createS3ObjectStore(s3);
  const repository = createDynamoDbDocumentRepository(
    new DynamoDBClient(awsClientSettings()),
    required('DOCUMENTS_TABLE'),
  );
  const clock = { now: () => new Date() };
  const buckets = { ingest: required('INGEST_BUCKET'), archive: process.env.ARCHIVE_BUCKET ?? '' };
  let executionStarter: ExecutionStarter | undefined;
  const starter = () => {
    executionStarter ??= createSfnExecutionStarter(
      new SFNClient(awsClientSettings()),
      required('STATE_MACHINE_ARN'),
    );
    return executionStarter;
  };
  let pipeline: ReturnType<typeof createDocumentPipelineSteps> | undefined;
  return {
    config,
    requestUpload: createRequestUpload({
      config,
      repository,
      objects,
      clock,
      ids: { newId: randomUUID },
      ingestBucket: buckets.ingest,
    }),
    readDocuments: createReadDocuments({ repository, objects, verifier: { verify: verifyPdfSignatures } }),
    get completeReview() {
      return createCompleteReview({ config, repository, clock, starter: starter() });
    },
    get reconcileDocuments() {
      return createReconcileDocuments({ repository, objects, clock, starter: starter() });
    },
    get startDocumentPipeline() {
      return createStartDocumentPipeline({ repository, starter: starter() });
    },
    /** Built on first use: only the pipeline functions load OCR and signing. */
    get pipeline() {
      pipeline ??= createDocumentPipelineSteps({
        config,
        repository,
        objects,
        documents: createDocumentToolkit(),
        ocr: createOcrEngine(config),
        signers: createSignerDirectory(config),
        pdfSigner: createPadesPdfSigner(),
        clock,
        buckets,
      });
      return pipeline;
    },
  };
}

let wired: ReturnType<typeof wire> | undefined;

/** The handlers' dependencies, built once per process (per Lambda container). */
export function dependencies(): ReturnType<typeof wire> {
  wired ??= wire();
  return wired;
}
