import { cpus } from 'node:os';
import { TextractClient } from '@aws-sdk/client-textract';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDocumentToolkit } from '#shared/adapters/documents/create-document-toolkit.ts';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import {
  chooseOcrEngine,
  createChosenTesseractEngine,
  probeTesseract,
} from '#shared/adapters/ocr/select-ocr-engine.ts';
import { createTextractOcrEngine } from '#shared/adapters/ocr/textract-ocr-engine.ts';
import { createHttpTimestampAuthority } from '#shared/adapters/signing/http-timestamp-authority.ts';
import { createPadesPdfSigner, type PadesPdfSignerOptions } from '#shared/adapters/signing/sign-pdf-pades.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import type { OcrEngine } from '#shared/ports.ts';
import {
  createDocumentPipelineSteps,
  type DocumentPipelineSteps,
} from '#shared/use-cases/document-pipeline-steps.ts';
import { createLinkArchivedComponent } from '#shared/use-cases/dossiers/link-archived-component.ts';
import { createRecordPortalSync } from '#shared/use-cases/dossiers/record-portal-sync.ts';
import { type Adapters, createAdapters } from '../create-adapters.ts';
import { createSignerDirectory } from '../create-signer-directory.ts';
import { lambdaEnvironment } from '../lambda-environment.ts';

/**
 * The composition root of the pipeline's Task functions: the steps over the shared adapters, OCR,
 * PDF and signing. OCR workers start on the first page, not here.
 */
export interface PipelineContainer {
  config: RuntimeConfig;
  observability: Observability;
  steps: DocumentPipelineSteps;
  /** Stops the OCR workers so that the process can exit. */
  close(): Promise<void>;
}

function createOcrEngine(config: RuntimeConfig, observability: Observability): OcrEngine {
  const { ocr } = config.provinceConfig;
  const probe = once(() => probeTesseract());
  const choice = chooseOcrEngine(ocr, probe);
  observability.logger.info(`OCR engine: ${choice.engine}, model ${choice.model}: ${choice.reason}`);
  if (choice.engine === 'textract') {
    const client = observability.traced(new TextractClient(awsClientSettings(config.aws, 'textract')));
    return createTextractOcrEngine({ client });
  }
  return createChosenTesseractEngine(
    { ...choice, engine: choice.engine },
    { language: ocr.language, workers: config.ocrWorkers ?? Math.max(1, cpus().length), probe: probe() },
  );
}

/**
 * Timestamps signatures (PAdES B-T) when the runtime names an authority; the province's request
 * settings apply to the province's own authority (not to the embedded runtime's local one).
 */
function timestampsOf(config: RuntimeConfig): PadesPdfSignerOptions {
  const url = config.timestampAuthorityUrl;
  if (!url) return {};
  const configured = config.provinceConfig.signing.timestampAuthority;
  const { timeoutMs, attempts, policy } = configured?.url === url ? configured : {};
  return { timestamps: createHttpTimestampAuthority({ url, timeoutMs, attempts, policy }) };
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

/**
 * Builds the pipeline's container from a runtime configuration (and shared adapters, where the
 * caller has them).
 * @throws RuntimeConfigError when the configuration lacks what the pipeline needs (ARCHIVE_BUCKET).
 */
export function createPipelineContainer(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): PipelineContainer {
  assertRuntimeRole(config, 'pipeline');
  const { observability, repository, objects, clock, dossiers, portalOutbox } = adapters;
  const ocr = createOcrEngine(config, observability);
  return {
    config,
    observability,
    steps: createDocumentPipelineSteps({
      config: config.provinceConfig,
      repository,
      objects,
      clock,
      buckets: { ingest: config.buckets.ingest, archive: config.buckets.archive ?? '' },
      documents: createDocumentToolkit(),
      ocr,
      signers: createSignerDirectory(config, observability),
      pdfSigner: createPadesPdfSigner(timestampsOf(config)),
      metrics: observability.pipelineMetrics,
      onArchived: createLinkArchivedComponent({
        dossiers,
        clock,
        onChange: createRecordPortalSync({ config: config.provinceConfig, outbox: portalOutbox }),
      }),
    }),
    close: async () => {
      await ocr.close?.();
    },
  };
}

let processContainer: PipelineContainer | undefined;

/**
 * The pipeline container of a Lambda process, built on first use from its environment (the
 * Lambda entries' only way in).
 * @throws RuntimeConfigError naming every missing or malformed variable.
 */
export function pipelineContainerFromEnvironment(): PipelineContainer {
  processContainer ??= createPipelineContainer(parseRuntimeConfig(lambdaEnvironment(), 'pipeline'));
  return processContainer;
}
