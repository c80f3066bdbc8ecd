import { randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createSfnExecutionStarter } from '#shared/adapters/aws/sfn-execution-starter.ts';
import { createSfnTaskCallbacks } from '#shared/adapters/aws/sfn-task-callbacks.ts';
import type { Observability } from '#shared/adapters/observability/create-observability.ts';
import { createZipWriter } from '#shared/adapters/packaging/write-zip.ts';
import { createManifestSigner } from '#shared/adapters/signing/sign-manifest.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import { provinceSigningAgencyId } from '#shared/config/province-config.ts';
import { assertRuntimeRole, parseRuntimeConfig, type RuntimeConfig } from '#shared/config/runtime-config.ts';
import { createExportArchive } from '#shared/use-cases/archive/export-archive.ts';
import { createReadArchiveRecord } from '#shared/use-cases/archive/read-archive-record.ts';
import { createSearchArchive } from '#shared/use-cases/archive/search-archive.ts';
import { readAuditAnchor } from '#shared/use-cases/audit/anchor-audit-chain.ts';
import { createReadAuditTrail } from '#shared/use-cases/audit/read-audit-trail.ts';
import { createCompleteReview } from '#shared/use-cases/complete-review.ts';
import { createActOnDossier } from '#shared/use-cases/dossiers/act-on-dossier.ts';
import { createListDossiers } from '#shared/use-cases/dossiers/list-dossiers.ts';
import { createReadDossier } from '#shared/use-cases/dossiers/read-dossier.ts';
import { createReadUnitAttention } from '#shared/use-cases/dossiers/read-unit-attention.ts';
import { createReceiveDossier } from '#shared/use-cases/dossiers/receive-dossier.ts';
import { createRecordPortalSync } from '#shared/use-cases/dossiers/record-portal-sync.ts';
import { createReplayPortalSync } from '#shared/use-cases/dossiers/replay-portal-sync.ts';
import { createSweepOverdueDossiers } from '#shared/use-cases/dossiers/sweep-overdue-dossiers.ts';
import { createKpiReports } from '#shared/use-cases/kpi/produce-kpi-report.ts';
import { createReadKpiFigures } from '#shared/use-cases/kpi/read-kpi-figures.ts';
import { createReadKpiScorecard } from '#shared/use-cases/kpi/read-kpi-scorecard.ts';
import { createReadKpiTrend } from '#shared/use-cases/kpi/read-kpi-trend.ts';
import { createReadDocuments } from '#shared/use-cases/read-documents.ts';
import { createReconcileDocuments } from '#shared/use-cases/reconcile-documents.ts';
import { createRequestUpload } from '#shared/use-cases/request-upload.ts';
import { createStartDocumentPipeline } from '#shared/use-cases/start-document-pipeline.ts';
import { routingExecutionName } from '#state-machines/dossier-routing-tasks.ts';
import { type Adapters, createAdapters } from './create-adapters.ts';
import { createSignerDirectory } from './create-signer-directory.ts';
import { lambdaEnvironment } from './lambda-environment.ts';

/**
 * The composition root of the API, the starter and the reconciler: their use cases over the
 * adapters, built once. The pipeline's heavier root, with OCR and signing, is
 * functions/pipeline/pipeline-container.ts, so that these functions never load those packages.
 */
export interface Container {
  config: RuntimeConfig;
  observability: Observability;
  requestUpload: ReturnType<typeof createRequestUpload>;
  readDocuments: ReturnType<typeof createReadDocuments>;
  completeReview: ReturnType<typeof createCompleteReview>;
  searchArchive: ReturnType<typeof createSearchArchive>;
  readArchiveRecord: ReturnType<typeof createReadArchiveRecord>;
  exportArchive: ReturnType<typeof createExportArchive>;
  readAuditTrail: ReturnType<typeof createReadAuditTrail>;
  reconcileDocuments: ReturnType<typeof createReconcileDocuments>;
  startDocumentPipeline: ReturnType<typeof createStartDocumentPipeline>;
  receiveDossier: ReturnType<typeof createReceiveDossier>;
  readDossier: ReturnType<typeof createReadDossier>;
  actOnDossier: ReturnType<typeof createActOnDossier>;
  replayPortalSync: ReturnType<typeof createReplayPortalSync>;
  listDossiers: ReturnType<typeof createListDossiers>;
  readUnitAttention: ReturnType<typeof createReadUnitAttention>;
  readKpiFigures: ReturnType<typeof createReadKpiFigures>;
  readKpiTrend: ReturnType<typeof createReadKpiTrend>;
  readKpiScorecard: ReturnType<typeof createReadKpiScorecard>;
  kpiReports: ReturnType<typeof createKpiReports>;
  /** The overdue sweep, which the embedded runtime runs on a timer over this container. */
  sweepOverdueDossiers: ReturnType<typeof createSweepOverdueDossiers>;
}

/**
 * Builds the container from a runtime configuration (and shared adapters, where the caller has them).
 * @throws RuntimeConfigError when the configuration lacks what these functions need (STATE_MACHINE_ARN).
 */
export function createContainer(
  config: RuntimeConfig,
  adapters: Adapters = createAdapters(config),
): Container {
  assertRuntimeRole(config, 'back-office');
  const { observability, objects, repository, dossiers, audit, clock, portalOutbox } = adapters;
  const recordPortalSync = createRecordPortalSync({ config: config.provinceConfig, outbox: portalOutbox });
  const provinceConfig = config.provinceConfig;
  const sfn = observability.traced(new SFNClient(awsClientSettings(config.aws, 'sfn')));
  const starter = createSfnExecutionStarter(sfn, config.stateMachineArn ?? '');
  const routing = createSfnExecutionStarter(sfn, config.routingStateMachineArn ?? '');
  const requestUpload = createRequestUpload({
    config: provinceConfig,
    repository,
    objects,
    clock,
    ids: { newId: randomUUID },
    ingestBucket: config.buckets.ingest,
  });
  return {
    config,
    observability,
    requestUpload,
    readDocuments: createReadDocuments({
      repository,
      objects,
      audit,
      clock,
      verifier: { verify: verifyPdfSignatures },
    }),
    completeReview: createCompleteReview({ config: provinceConfig, repository, clock, starter }),
    searchArchive: createSearchArchive({ repository, audit, clock }),
    readArchiveRecord: createReadArchiveRecord({
      config: provinceConfig,
      repository,
      objects,
      audit,
      clock,
      verifier: { verify: verifyPdfSignatures },
    }),
    exportArchive: createExportArchive({
      config: provinceConfig,
      repository,
      objects,
      audit,
      clock,
      ids: { newId: randomUUID },
      zip: createZipWriter(),
      // The province's key, which also signs the audit trail's anchors, signs what it hands over.
      signer: createManifestSigner(
        createSignerDirectory(config, observability),
        provinceSigningAgencyId(provinceConfig),
      ),
      exportsBucket: config.buckets.exports,
    }),
    readAuditTrail: createReadAuditTrail({
      audit,
      clock,
      ...(config.buckets.archive
        ? { anchorOf: (chain: string) => readAuditAnchor(objects, config.buckets.archive ?? '', chain) }
        : {}),
    }),
    reconcileDocuments: createReconcileDocuments({
      repository,
      objects,
      clock,
      starter,
      log: {
        info: (event) => observability.logger.info({ message: 'document resumed', ...event }),
        alert: (event) => observability.logger.error({ message: 'document needs an operator', ...event }),
      },
    }),
    startDocumentPipeline: createStartDocumentPipeline({ repository, starter }),
    receiveDossier: createReceiveDossier({
      config: provinceConfig,
      calendar: adapters.calendar,
      dossiers,
      archive: repository,
      requestUpload,
      startRouting: async (dossierCode) => {
        if (!config.routingStateMachineArn) throw new Error('ROUTING_STATE_MACHINE_ARN is not set');
        await routing.start(routingExecutionName(dossierCode), { dossierCode });
      },
      onChange: recordPortalSync,
      clock,
    }),
    readDossier: createReadDossier({ dossiers }),
    actOnDossier: createActOnDossier({
      config: provinceConfig,
      calendar: adapters.calendar,
      dossiers,
      documents: repository,
      callbacks: createSfnTaskCallbacks(sfn),
      clock,
      onChange: recordPortalSync,
    }),
    replayPortalSync: createReplayPortalSync({ outbox: portalOutbox, clock }),
    listDossiers: createListDossiers({ dossiers }),
    readUnitAttention: createReadUnitAttention({ config: provinceConfig, dossiers, clock }),
    readKpiFigures: createReadKpiFigures({ config: provinceConfig, store: adapters.kpis }),
    readKpiTrend: createReadKpiTrend({ config: provinceConfig, store: adapters.kpis }),
    readKpiScorecard: createReadKpiScorecard({ config: provinceConfig, store: adapters.kpis }),
    kpiReports: createKpiReports({
      config: provinceConfig,
      store: adapters.kpis,
      objects,
      audit,
      clock,
      reportsBucket: config.buckets.exports,
    }),
    sweepOverdueDossiers: createSweepOverdueDossiers({
      config: provinceConfig,
      calendar: adapters.calendar,
      dossiers,
      clock,
    }),
  };
}

let processContainer: Container | undefined;

/**
 * The container of a Lambda process, built on first use from its environment (the Lambda entries'
 * only way in; everything else passes a {@link RuntimeConfig}).
 * @throws RuntimeConfigError naming every missing or malformed variable.
 */
export function containerFromEnvironment(role: 'back-office' | 'api' = 'back-office'): Container {
  processContainer ??= createContainer(parseRuntimeConfig(lambdaEnvironment(), role));
  return processContainer;
}
