import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDynamoDbAuditTrail } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import { createDynamoDbDocumentRepository } from '#shared/adapters/aws/dynamodb-document-repository.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { createDynamoDbPortalOutbox } from '#shared/adapters/aws/dynamodb-portal-outbox.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import {
  createObservability,
  type Observability,
} from '#shared/adapters/observability/create-observability.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import type { RuntimeConfig } from '#shared/config/runtime-config.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import type { AuditTrail } from '#shared/ports/audit-trail.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { KpiRollupStore } from '#shared/ports/kpi-rollup-store.ts';
import type { PortalOutbox } from '#shared/ports/portal-outbox.ts';
import type { Clock, DocumentRepository, ObjectStore } from '#shared/ports.ts';
import { lambdaTracer } from './lambda-environment.ts';

/** The adapters every function uses: storage, the documents table, the clock and observability. */
export interface Adapters {
  config: RuntimeConfig;
  observability: Observability;
  objects: ObjectStore;
  repository: DocumentRepository;
  /** Dossiers, their code counters and intake idempotency keys, in the documents table. */
  dossiers: DossierRepository;
  /** The national-portal outbox, in the documents table. */
  portalOutbox: PortalOutbox;
  /** The KPI rollup's figures, in the documents table. */
  kpis: KpiRollupStore;
  /**
   * The audit trail (`AUDIT_TABLE`); without the table every append fails, so that nothing
   * audited is handed out (functions that read no archive have none).
   */
  audit: AuditTrail;
  clock: Clock;
  /**
   * The province's working calendar, read on first use (so that functions that never count
   * working time never depend on the calendar files) and shared by every container built on these
   * adapters.
   */
  calendar: () => WorkingCalendar;
  /** Closes the SDK clients' connections (the embedded runtime's stop). */
  destroy(): void;
}

/**
 * Builds the shared adapters once from a runtime configuration; both composition roots
 * ({@link createContainer}, `createPipelineContainer`) start from them, and the embedded runtime
 * shares one set between the two.
 */
export function createAdapters(config: RuntimeConfig): Adapters {
  const observability = createObservability(
    config.observability,
    { province: config.provinceConfig.province.slug },
    lambdaTracer,
  );
  let calendar: WorkingCalendar | undefined;
  const s3 = observability.traced(new S3Client(awsClientSettings(config.aws, 's3')));
  const dynamodb = observability.traced(new DynamoDBClient(awsClientSettings(config.aws, 'dynamodb')));
  return {
    config,
    observability,
    objects: createS3ObjectStore(s3),
    repository: createDynamoDbDocumentRepository(dynamodb, config.documentsTable),
    dossiers: createDynamoDbDossierRepository(dynamodb, config.documentsTable),
    portalOutbox: createDynamoDbPortalOutbox(dynamodb, config.documentsTable),
    kpis: createDynamoDbKpiRollupStore(dynamodb, config.documentsTable),
    audit: config.auditTable ? createDynamoDbAuditTrail(dynamodb, config.auditTable) : noAuditTrail,
    clock: { now: () => new Date() },
    calendar: () => {
      calendar ??= loadWorkingCalendar(config.provinceConfig.calendar, { files: config.nationalCalendars });
      return calendar;
    },
    destroy() {
      s3.destroy();
      dynamodb.destroy();
    },
  };
}

const refuse = () =>
  Promise.reject(new Error('AUDIT_TABLE is not set: no audit trail, so nothing audited is handed out'));
const noAuditTrail: AuditTrail = { append: refuse, listEntries: refuse, readChain: refuse };
