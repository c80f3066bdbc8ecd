import { authorize, authorizeRole, isAllowed, type Principal } from '#shared/auth/authorize.ts';
import type { DocumentRecord, DocumentStatus } from '#shared/domain/document.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { AuditSource, AuditTrail } from '#shared/ports/audit-trail.ts';
import type {
  Clock,
  DocumentRepository,
  ObjectStore,
  PdfSignatureVerifier,
  SignatureVerification,
} from '#shared/ports.ts';
import { createAuditRecorder } from './audit/record-audit.ts';

const STATUSES: readonly DocumentStatus[] = [
  'AWAITING_UPLOAD',
  'PROCESSING',
  'NEEDS_REVIEW',
  'ARCHIVED',
  'QUARANTINED',
];
const DOWNLOAD_URL_SECONDS = 300;
/** Page size of a document list. @default 50, at most 200 */
const PAGE_LIMIT = { default: 50, max: 200 } as const;

export interface ReadDocumentsDependencies {
  repository: DocumentRepository;
  objects: ObjectStore;
  verifier: PdfSignatureVerifier;
  audit: AuditTrail;
  clock: Clock;
}

/** A document as the API shows it. */
export interface DocumentView {
  document: DocumentRecord;
  downloadUrl?: string;
  verification?: SignatureVerification[];
}

/** One page of a document list; `nextCursor` asks for the next page, absent on the last. */
export interface DocumentPage {
  documents: DocumentRecord[];
  nextCursor?: string;
}

/** What a list asks for: `limit` 1..200 (default 50), `cursor` as a previous page returned it. */
export interface DocumentListQuery {
  /** @default NEEDS_REVIEW */
  status?: string;
  /** A province-wide caller's choice of agency; an agency's own staff always list their agency. */
  agencyId?: string;
  limit?: number;
  cursor?: string;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return PAGE_LIMIT.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT.max) {
    throw new ValidationError('INVALID_LIMIT', `limit must be a whole number from 1 to ${PAGE_LIMIT.max}`);
  }
  return limit;
}

/** Status, result, signed copy and on-demand signature check of uploaded documents. */
export function createReadDocuments(deps: ReadDocumentsDependencies) {
  const audit = createAuditRecorder(deps);

  return {
    /**
     * A document's status and result; for an archived paper, each read is recorded in the audit
     * trail first (`read`, or `download` and `verify`), and a refused one as denied.
     */
    async getDocument(
      principal: Principal,
      documentId: string,
      options: { download?: boolean; verify?: boolean } = {},
      source?: AuditSource,
    ): Promise<DocumentView> {
      const document = await deps.repository.get(documentId);
      // Someone else's document is reported as missing, so ids cannot be probed across agencies;
      // the refused attempt at an archived paper is recorded before the answer.
      if (!document || !isAllowed(principal, 'document:read', document.agencyId)) {
        if (document?.status === 'ARCHIVED' || (document && (options.download || options.verify))) {
          const action = options.download ? 'download' : options.verify ? 'verify' : 'read';
          await audit.denied(principal, action, { documentId, code: document.code }, 'NOT_FOUND', source);
        }
        throw new NotFoundError(`document ${documentId} does not exist`);
      }
      if (document.status !== 'ARCHIVED' || !document.archive || !document.code) return { document };
      // The version archived is the one read, whatever is written under the key later.
      const { bucket, signedPdfKey, versions } = document.archive;
      const version = { versionId: versions?.signedPdf };
      const target = { documentId, code: document.code };
      // Each read is recorded first: an archive read that could not be recorded does not happen.
      const view: DocumentView = { document };
      if (!options.download && !options.verify) await audit.allowed(principal, 'read', target, source);
      if (options.download) {
        await audit.allowed(principal, 'download', target, source);
        view.downloadUrl = await deps.objects.presignGet(bucket, signedPdfKey, DOWNLOAD_URL_SECONDS, version);
      }
      if (options.verify) {
        await audit.allowed(principal, 'verify', target, source);
        view.verification = await deps.verifier.verify(
          await deps.objects.get(bucket, signedPdfKey, version),
          {
            at: deps.clock.now(),
          },
        );
      }
      return view;
    },

    /**
     * One page of the documents in a status (newest change first). Agency staff get their agency's
     * documents; a province-wide caller gets the province's, or one agency's when it names one.
     * Each page is read from an index of exactly that list, so a page is full whenever more remain.
     */
    async listDocuments(principal: Principal, query: DocumentListQuery): Promise<DocumentPage> {
      authorizeRole(principal, 'document:list');
      const status = (query.status ?? 'NEEDS_REVIEW') as DocumentStatus;
      if (!STATUSES.includes(status)) {
        throw new ValidationError('INVALID_STATUS', `status must be one of ${STATUSES.join(', ')}`);
      }
      const limit = pageLimit(query.limit);
      const provinceWide = isAllowed(principal, 'document:list', undefined);
      const agencyId = provinceWide ? query.agencyId : (query.agencyId ?? principal.agencyId);
      authorize(principal, 'document:list', agencyId);
      const options = { limit, cursor: query.cursor || undefined };
      const page =
        agencyId === undefined
          ? await deps.repository.listByStatus(status, options)
          : await deps.repository.listByAgencyAndStatus(agencyId, status, options);
      return { documents: page.items, ...(page.cursor && { nextCursor: page.cursor }) };
    },
  };
}
