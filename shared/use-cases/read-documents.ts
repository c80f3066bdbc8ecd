import { authorize, isAllowed, type Principal } from '#shared/auth/authorize.ts';
import type { DocumentRecord, DocumentStatus } from '#shared/domain/document.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type {
  ArchiveAuditLog,
  ArchiveRead,
  Clock,
  DocumentRepository,
  ObjectStore,
  PdfSignatureVerifier,
  SignatureVerification,
} from '#shared/ports.ts';

const STATUSES: readonly DocumentStatus[] = [
  'AWAITING_UPLOAD',
  'PROCESSING',
  'NEEDS_REVIEW',
  'ARCHIVED',
  'QUARANTINED',
];
const DOWNLOAD_URL_SECONDS = 300;

export interface ReadDocumentsDependencies {
  repository: DocumentRepository;
  objects: ObjectStore;
  verifier: PdfSignatureVerifier;
  audit: ArchiveAuditLog;
  clock: Clock;
}

/** A document as the API shows it. */
export interface DocumentView {
  document: DocumentRecord;
  downloadUrl?: string;
  verification?: SignatureVerification[];
}

/** Status, result, signed copy and on-demand signature check of uploaded documents. */
export function createReadDocuments(deps: ReadDocumentsDependencies) {
  async function readable(principal: Principal, documentId: string): Promise<DocumentRecord> {
    const record = await deps.repository.get(documentId);
    // Someone else's document is reported as missing, so ids cannot be probed across agencies.
    if (!record || !isAllowed(principal, 'document:read', record.agencyId)) {
      throw new NotFoundError(`document ${documentId} does not exist`);
    }
    return record;
  }

  return {
    async getDocument(
      principal: Principal,
      documentId: string,
      options: { download?: boolean; verify?: boolean } = {},
    ): Promise<DocumentView> {
      const document = await readable(principal, documentId);
      if (document.status !== 'ARCHIVED' || !document.archive || !document.code) return { document };
      const { bucket, signedPdfKey } = document.archive;
      const record = (action: ArchiveRead['action']) =>
        deps.audit.recordRead({
          documentId,
          code: document.code ?? '',
          actor: principal.userId,
          roles: [...principal.roles],
          agencyId: principal.agencyId,
          action,
          at: deps.clock.now().toISOString(),
        });
      // Each read is recorded first: an archive read that could not be recorded does not happen.
      const view: DocumentView = { document };
      if (options.download) {
        await record('download');
        view.downloadUrl = await deps.objects.presignGet(bucket, signedPdfKey, DOWNLOAD_URL_SECONDS);
      }
      if (options.verify) {
        await record('verify');
        view.verification = await deps.verifier.verify(await deps.objects.get(bucket, signedPdfKey));
      }
      return view;
    },

    async listDocuments(
      principal: Principal,
      query: { status?: string; agencyId?: string; limit?: number },
    ): Promise<DocumentRecord[]> {
      const status = (query.status ?? 'NEEDS_REVIEW') as DocumentStatus;
      if (!STATUSES.includes(status)) {
        throw new ValidationError('INVALID_STATUS', `status must be one of ${STATUSES.join(', ')}`);
      }
      const agencyId = query.agencyId ?? principal.agencyId;
      authorize(principal, 'document:list', agencyId);
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
      const { items } = await deps.repository.listByStatus(status, { limit });
      return items.filter(
        (record) =>
          (agencyId === undefined || record.agencyId === agencyId) &&
          isAllowed(principal, 'document:list', record.agencyId),
      );
    },
  };
}
