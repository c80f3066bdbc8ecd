import { INGEST_OBJECT_TAGS } from '#shared/adapters/aws/ingest-object-tags.ts';
import type { DocumentRecord, DocumentStatus } from '#shared/domain/document.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import type { Clock, DocumentRepository, ExecutionStarter, ObjectStore } from '#shared/ports.ts';
import type { PipelineInput } from './start-document-pipeline.ts';

export interface ReconcileDependencies {
  repository: DocumentRepository;
  objects: ObjectStore;
  starter: ExecutionStarter;
  clock: Clock;
  /** What the sweep did: `info` for each resumed document, `alert` for one that needs an operator. */
  log: {
    info(event: Record<string, unknown>): void;
    alert(event: Record<string, unknown>): void;
  };
}

/** Restarts of one document before it is quarantined as stalled. */
const MAX_RESUMES = 3;
const PAGE_SIZE = 100;

export interface ReconcileReport {
  resumed: string[];
  /** Documents still moving: their run is alive, only slow. */
  busy: string[];
  /** Upload requests whose object never arrived (yet). */
  awaitingUpload: number;
}

/**
 * Finds documents that should be moving but are not — an object uploaded whose event was lost,
 * or a run that stopped (a crash, a restart, a step that kept failing) — and hands each to a new
 * run, which owns it from then on. A document whose run is still going is left to it. Pages
 * through every stale document, oldest first.
 */
export function createReconcileDocuments(deps: ReconcileDependencies) {
  async function* staleDocuments(status: DocumentStatus, cutoff: number): AsyncIterable<DocumentRecord> {
    let cursor: string | undefined;
    do {
      const page = await deps.repository.listByStatus(status, {
        oldestFirst: true,
        limit: PAGE_SIZE,
        cursor,
      });
      for (const record of page.items) {
        if (Date.parse(record.updatedAt) > cutoff) return;
        yield record;
      }
      cursor = page.cursor;
    } while (cursor);
  }

  async function quarantineStalled(record: DocumentRecord, reason: string): Promise<void> {
    const at = deps.clock.now().toISOString();
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
      { status: [record.status], runId: record.runId },
    );
    await deps.objects.tag(record.bucket, record.key, {
      [INGEST_OBJECT_TAGS.key]: INGEST_OBJECT_TAGS.values.quarantined,
    });
  }

  async function resume(record: DocumentRecord, reason: string): Promise<boolean> {
    const resumeCount = (record.resumeCount ?? 0) + 1;
    if (resumeCount > MAX_RESUMES) {
      if (!record.code) {
        // A document that stalls every time is not retried forever: it ends in quarantine, visibly.
        await quarantineStalled(record, reason);
        return false;
      }
      // Its code is spent and archive copies may be locked: it must finish, so an operator is told.
      deps.log.alert({
        event: 'stalled-coded-document',
        documentId: record.documentId,
        code: record.code,
        resumeCount,
      });
    }
    const now = deps.clock.now();
    const runId = `${record.documentId}-resume-${now.getTime()}`;
    // A run in progress is taken over only from the run that stopped; the upload's first run
    // claims a document still awaiting its upload by itself.
    const takeOver = record.status === 'PROCESSING' ? { runId } : {};
    await deps.repository.update(
      record.documentId,
      { ...takeOver, resumeCount, updatedAt: now.toISOString() },
      { status: [record.status], runId: record.runId },
    );
    const input: PipelineInput = {
      bucket: record.bucket,
      key: record.key,
      documentId: record.documentId,
      runId,
    };
    const { started } = await deps.starter.start(runId, input);
    if (started) deps.log.info({ event: 'resumed', documentId: record.documentId, runId, reason });
    return started;
  }

  return async function reconcileDocuments(options: { idleForMs: number }): Promise<ReconcileReport> {
    const cutoff = deps.clock.now().getTime() - options.idleForMs;
    const report: ReconcileReport = { resumed: [], busy: [], awaitingUpload: 0 };
    const attempt = async (record: DocumentRecord, reason: string) => {
      try {
        if (await resume(record, reason)) report.resumed.push(record.documentId);
      } catch (error) {
        // Another run or a review moved it meanwhile: nothing to resume.
        if (!(error instanceof ConflictError)) throw error;
      }
    };
    for await (const record of staleDocuments('PROCESSING', cutoff)) {
      if (record.runId && (await deps.starter.isRunning(record.runId))) {
        report.busy.push(record.documentId);
        continue;
      }
      await attempt(record, 'processing interrupted');
    }
    for await (const record of staleDocuments('AWAITING_UPLOAD', cutoff)) {
      if (!(await deps.objects.head(record.bucket, record.key))) {
        report.awaitingUpload++;
        continue;
      }
      await attempt(record, 'uploaded object never started');
    }
    return report;
  };
}
