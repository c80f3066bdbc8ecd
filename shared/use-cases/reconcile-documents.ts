import type { DocumentRecord } from '#shared/domain/document.ts';
import type { Clock, DocumentRepository, ExecutionStarter, ObjectStore } from '#shared/ports.ts';
import type { PipelineInput } from './start-document-pipeline.ts';

export interface ReconcileDependencies {
  repository: DocumentRepository;
  objects: ObjectStore;
  starter: ExecutionStarter;
  clock: Clock;
}

/** Restarts of one document before it is quarantined as stalled. */
const MAX_RESUMES = 3;

export interface ReconcileReport {
  resumed: string[];
  /** Upload requests whose object never arrived (yet). */
  awaitingUpload: number;
}

/**
 * Finds documents that should be moving but are not — an object uploaded whose event was lost,
 * or an execution cut off by a crash or restart — and starts a fresh execution for each. The
 * steps are idempotent, so resuming from the start (or from AssignCode after a review) converges.
 */
export function createReconcileDocuments(deps: ReconcileDependencies) {
  async function resume(record: DocumentRecord, reason: string): Promise<boolean> {
    const resumeCount = (record.resumeCount ?? 0) + 1;
    const at = deps.clock.now().toISOString();
    if (resumeCount > MAX_RESUMES) {
      // A document that stalls every time is not retried forever: it ends in quarantine, visibly.
      await deps.repository.update(
        record.documentId,
        {
          status: 'QUARANTINED',
          quarantine: {
            reason: 'PROCESSING_FAILED',
            message: `stalled ${MAX_RESUMES + 1} times (${reason})`,
            at,
          },
          updatedAt: at,
        },
        [record.status],
      );
      return false;
    }
    await deps.repository.update(record.documentId, { resumeCount, updatedAt: at }, [record.status]);
    const input: PipelineInput = {
      bucket: record.bucket,
      key: record.key,
      documentId: record.documentId,
      ...(record.classification?.decidedBy === 'officer' ? { reviewed: true as const } : {}),
    };
    const name = `${record.documentId}-resume-${deps.clock.now().getTime()}`;
    const { started } = await deps.starter.start(name, input);
    if (started)
      console.info(
        JSON.stringify({ level: 'info', event: 'resumed', documentId: record.documentId, reason }),
      );
    return started;
  }

  return async function reconcileDocuments(options: { idleForMs: number }): Promise<ReconcileReport> {
    const cutoff = deps.clock.now().getTime() - options.idleForMs;
    const idle = (record: DocumentRecord) => Date.parse(record.updatedAt) <= cutoff;
    const report: ReconcileReport = { resumed: [], awaitingUpload: 0 };
    for (const record of (await deps.repository.listByStatus('PROCESSING', 1000)).filter(idle)) {
      if (await resume(record, 'processing interrupted')) report.resumed.push(record.documentId);
    }
    for (const record of (await deps.repository.listByStatus('AWAITING_UPLOAD', 1000)).filter(idle)) {
      if (!(await deps.objects.head(record.bucket, record.key))) {
        report.awaitingUpload++;
        continue;
      }
      if (await resume(record, 'uploaded object never started')) report.resumed.push(record.documentId);
    }
    return report;
  };
}
