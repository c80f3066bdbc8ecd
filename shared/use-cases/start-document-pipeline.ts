import { createHash } from 'node:crypto';
import { TERMINAL_STATUSES } from '#shared/domain/document.ts';
import { parseUploadObjectKey } from '#shared/domain/upload-policy.ts';
import type { DocumentRepository, ExecutionStarter } from '#shared/ports.ts';

/** An object that appeared in the ingest bucket. */
export interface UploadedObject {
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
}

/** Input of the document pipeline state machine. */
export interface PipelineInput {
  bucket: string;
  key: string;
  documentId: string;
  etag?: string;
  versionId?: string;
  /** The run (execution name) that may own the document; every write of the run is conditional on it. */
  runId: string;
}

export type StartOutcome =
  | { outcome: 'started' | 'already-started'; executionName: string }
  | { outcome: 'ignored'; reason: string };

/**
 * Execution names are derived from what identifies one stored version of the object, so a
 * duplicate S3 event (EventBridge and SQS deliver at least once) starts no second execution.
 */
export function executionNameFor(object: UploadedObject, documentId: string): string {
  const version = object.versionId ?? object.etag ?? '';
  const digest = createHash('sha256').update(`${object.bucket}/${object.key}#${version}`).digest('hex');
  return `${documentId}-${digest.slice(0, 16)}`;
}

/** Starts the pipeline for a newly uploaded object unless its document is already settled. */
export function createStartDocumentPipeline(deps: {
  repository: DocumentRepository;
  starter: ExecutionStarter;
}) {
  return async function startDocumentPipeline(object: UploadedObject): Promise<StartOutcome> {
    const parts = parseUploadObjectKey(object.key);
    if (!parts) return { outcome: 'ignored', reason: `not an upload key: ${object.key}` };
    const record = await deps.repository.get(parts.documentId);
    if (record && (TERMINAL_STATUSES.includes(record.status) || record.status === 'NEEDS_REVIEW')) {
      return { outcome: 'ignored', reason: `document ${parts.documentId} is already ${record.status}` };
    }
    const executionName = executionNameFor(object, parts.documentId);
    const input: PipelineInput = {
      bucket: object.bucket,
      key: object.key,
      documentId: parts.documentId,
      etag: object.etag,
      versionId: object.versionId,
      runId: executionName,
    };
    const { started } = await deps.starter.start(executionName, input);
    return { outcome: started ? 'started' : 'already-started', executionName };
  };
}
