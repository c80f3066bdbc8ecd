import { cpus } from 'node:os';
import { KMSClient } from '@aws-sdk/client-kms';
import { TextractClient } from '@aws-sdk/client-textract';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDocumentToolkit } from '#shared/adapters/documents/create-document-toolkit.ts';
import { createTesseractOcrEngine } from '#shared/adapters/ocr/tesseract-ocr-engine.ts';
import { createTextractOcrEngine } from '#shared/adapters/ocr/textract-ocr-engine.ts';
import { createKmsSignerDirectory } from '#shared/adapters/signing/kms-signer-directory.ts';
import { createLocalSignerDirectory } from '#shared/adapters/signing/local-signer-directory.ts';
import { createPadesPdfSigner } from '#shared/adapters/signing/sign-pdf-pades.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { signingKeyAlias } from '#shared/config/signing-key-alias.ts';
import type { OcrEngine, SignerDirectory } from '#shared/ports.ts';
import {
  createDocumentPipelineSteps,
  type DocumentPipelineSteps,
} from '#shared/use-cases/document-pipeline-steps.ts';
import { dependencies, requiredEnv, resetDependencies } from '../wire-dependencies.ts';

function createOcrEngine(config: ProvinceConfig): OcrEngine {
  if (config.ocr.engine === 'textract') {
    return createTextractOcrEngine({ client: new TextractClient(awsClientSettings()) });
  }
  const workers = Number(process.env.OCR_WORKERS) || Math.max(1, cpus().length);
  return createTesseractOcrEngine({ workers, language: config.ocr.language });
}

/** Local keys in the embedded runtime (SIGNER=local); KMS keys by alias in AWS. */
function createSignerDirectory(config: ProvinceConfig): SignerDirectory {
  const identityFor = (agencyId: string) => ({
    commonName: config.agencies.find((agency) => agency.id === agencyId)?.name ?? agencyId,
    organisation: config.signing.organisation,
    province: config.province.name,
    country: config.signing.country,
  });
  if (process.env.SIGNER === 'local') {
    return createLocalSignerDirectory({
      directory: requiredEnv('LOCAL_SIGNING_DIR'),
      keySpec: config.signing.keySpec,
      identityFor,
    });
  }
  return createKmsSignerDirectory({
    kms: new KMSClient(awsClientSettings()),
    keyIdFor: (agencyId: string) => signingKeyAlias(config.province.slug, agencyId),
    identityFor,
  });
}

let steps: DocumentPipelineSteps | undefined;
let ocrEngine: OcrEngine | undefined;

/** The pipeline steps, built once per process with OCR, PDF and signing adapters. */
export function pipelineSteps(): DocumentPipelineSteps {
  if (steps) return steps;
  const { config, repository, objects, clock, buckets } = dependencies();
  ocrEngine = createOcrEngine(config);
  steps = createDocumentPipelineSteps({
    config,
    repository,
    objects,
    clock,
    buckets,
    documents: createDocumentToolkit(),
    ocr: ocrEngine,
    signers: createSignerDirectory(config),
    pdfSigner: createPadesPdfSigner(),
  });
  return steps;
}

/**
 * Stops OCR workers so that the process can exit, and forgets every client so that a back office
 * started again in the same process (tests, the benchmark) wires itself to its new endpoints.
 */
export async function closePipeline(): Promise<void> {
  await ocrEngine?.close?.();
  ocrEngine = undefined;
  steps = undefined;
  resetDependencies();
}
