import { createHash } from 'node:crypto';
import type { DocumentRecord } from '#shared/domain/document.ts';
import type { ComponentUploadTicket, Dossier } from '#shared/domain/dossiers/dossier.ts';
import type { AuditEntry } from '#shared/ports/audit-trail.ts';
import type { SignatureVerification } from '#shared/ports.ts';
import type { ExportView } from '#shared/use-cases/archive/export-archive.ts';
import type { ArchiveRecordView } from '#shared/use-cases/archive/read-archive-record.ts';
import type { ArchiveHit } from '#shared/use-cases/archive/search-archive.ts';
import type { AuditChainReport } from '#shared/use-cases/audit/verify-audit-chain.ts';
import type { DossierPage } from '#shared/use-cases/dossiers/list-dossiers.ts';
import type { UnitAttentionView } from '#shared/use-cases/dossiers/read-unit-attention.ts';
import type { DocumentPage } from '#shared/use-cases/read-documents.ts';
import type { UploadTicket } from '#shared/use-cases/request-upload.ts';

/** One page of `GET /documents`; `nextCursor` is absent on the last page. */
/** One page of `GET /dossiers` (dossier summaries, due date first); `nextCursor` is absent on the last page. */
/** What `GET /units/{unitId}/attention` answers. */
export type { DocumentPage, DossierPage, UnitAttentionView };

/** The filters of `GET /dossiers`; see shared/use-cases/dossiers/list-dossiers.ts. */
export interface DossierListFilters {
  /** The competent unit (province-wide roles), or the caller's own unit. */
  unit?: string;
  /** One or more status codes. */
  status?: number | number[];
  procedure?: string;
  /** Due at or after / at or before: an ISO instant, or a date (a Vietnam day). */
  dueAfter?: string;
  dueBefore?: string;
  /** 1..200. @default 50 */
  limit?: number;
  cursor?: string;
}

/** A page of archive search hits. */
export interface ArchivePage {
  documents: ArchiveHit[];
  nextCursor?: string;
}

/** An error answer of the API, in its `{ error: { code, message } }` format. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** What the state allows instead, on a 409 for a forbidden transition. */
    readonly allowed?: string[],
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** What `POST /dossiers/{code}/actions/{action}` answers: 201 for a change, 200 for a replayed key. */
export interface DossierActionView {
  status: 201 | 200;
  dossier: Dossier;
}

/** The body of a dossier action; see shared/use-cases/dossiers/act-on-dossier.ts. */
export interface DossierActionRequest {
  idempotencyKey: string;
  stepId?: string;
  reason?: string;
  note?: string;
  amount?: number;
  documentIds?: string[];
  score?: number;
  comment?: string;
}

export interface DocumentView {
  document: DocumentRecord;
  downloadUrl?: string;
  verification?: SignatureVerification[];
}

/** What `POST /dossiers` answers: 201 for a new dossier, 200 for a replayed idempotency key. */
export interface ReceivedDossierView {
  status: 201 | 200;
  dossier: Dossier;
  /** A ticket per paper to upload now (PUT the scan with {@link ApiClient.upload}'s second half). */
  uploads: ComponentUploadTicket[];
}

/** The body of `POST /dossiers`; see shared/use-cases/dossiers/receive-dossier.ts. */
export interface ReceiveDossierRequest {
  idempotencyKey: string;
  procedureCode: string;
  channel: 1 | 2 | 3;
  receivingUnitId: string;
  competentAgencyId?: string;
  owner: { kind: 1 | 2 | 3 | 4; id: string; name: string };
  queueTicket?: { issuedAt: string; calledAt?: string; servedAt?: string };
  /** Scans ready at intake, by component id (the document type): each gets an upload ticket unless reused. */
  files?: Record<string, { mediaType: string; size: number; sha256: string }>;
}

const SETTLED = new Set(['ARCHIVED', 'QUARANTINED', 'NEEDS_REVIEW']);

/** A small client of the motcua HTTP API, as an agency's scanning station would use it. */
export function createApiClient(apiUrl: string, token: string) {
  async function send<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(new URL(path, apiUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as {
      error?: { code: string; message: string; allowed?: string[] };
    };
    if (!response.ok) {
      throw new ApiError(
        response.status,
        payload.error?.code ?? 'UNKNOWN',
        payload.error?.message ?? '',
        payload.error?.allowed,
      );
    }
    return { status: response.status, body: payload as T };
  }

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await send<T>(method, path, body)).body;
  }

  return {
    call,

    requestUpload(request: {
      agencyId: string;
      mediaType: string;
      size: number;
      sha256: string;
      dossierId?: string;
      componentId?: string;
    }): Promise<UploadTicket> {
      return call('POST', '/uploads', request);
    },

    /** Asks for a URL, then PUTs the bytes straight to storage. */
    async upload(
      bytes: Uint8Array,
      options: {
        agencyId: string;
        mediaType: string;
        dossierId?: string;
        declaredSize?: number;
        sha256?: string;
      },
    ): Promise<UploadTicket> {
      const ticket = await this.requestUpload({
        agencyId: options.agencyId,
        mediaType: options.mediaType,
        dossierId: options.dossierId,
        size: options.declaredSize ?? bytes.byteLength,
        sha256: options.sha256 ?? createHash('sha256').update(bytes).digest('hex'),
      });
      const response = await fetch(ticket.url, {
        method: ticket.method,
        headers: ticket.headers,
        body: bytes,
      });
      if (!response.ok) throw new Error(`upload PUT failed: ${response.status} ${await response.text()}`);
      return ticket;
    },

    /** Status and result; `download` and `verify` read the archive (and are audited). */
    getDocument(
      documentId: string,
      options: { download?: boolean; verify?: boolean } = {},
    ): Promise<DocumentView> {
      const query = new URLSearchParams();
      if (options.download) query.set('download', '1');
      if (options.verify) query.set('verify', '1');
      const suffix = query.size > 0 ? `?${query}` : '';
      return call('GET', `/documents/${encodeURIComponent(documentId)}${suffix}`);
    },

    /**
     * One page of the documents in a status: the caller's agency's, or the province's for a
     * province-wide role (one agency's when `agencyId` is given). Pass `nextCursor` back for the next.
     * @param options.limit page size, 1..200. @default 50
     */
    listDocuments(
      status: string,
      options: { agencyId?: string; limit?: number; cursor?: string } = {},
    ): Promise<DocumentPage> {
      const query = new URLSearchParams({ status });
      if (options.agencyId !== undefined) query.set('agencyId', options.agencyId);
      if (options.limit !== undefined) query.set('limit', String(options.limit));
      if (options.cursor !== undefined) query.set('cursor', options.cursor);
      return call('GET', `/documents?${query}`);
    },

    /** `GET /archive/documents`: a page of archived papers matching the criteria, newest first. */
    searchArchive(query: Record<string, string | number | undefined>): Promise<ArchivePage> {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined) params.set(name, String(value));
      }
      return call('GET', `/archive/documents?${params}`);
    },

    /** `GET /archive/documents/{code}`: the archive record; a download URL and a verification on request. */
    readArchiveRecord(
      code: string,
      options: { download?: boolean; verify?: boolean } = {},
    ): Promise<ArchiveRecordView> {
      const query = new URLSearchParams();
      if (options.download) query.set('download', '1');
      if (options.verify) query.set('verify', '1');
      return call('GET', `/archive/documents/${encodeURIComponent(code)}?${query}`);
    },

    /**
     * `POST /archive/exports`: packs every paper the criteria match (those of `GET /archive/documents`,
     * no paging) into a signed ZIP; the view has a 5-minute `downloadUrl` (auditors, province admins).
     */
    async createArchiveExport(criteria: Record<string, string>): Promise<ExportView> {
      return (await call<{ export: ExportView }>('POST', '/archive/exports', criteria)).export;
    },

    /** `GET /archive/exports/{exportId}`: one of the caller's exports, with a fresh download URL. */
    async readArchiveExport(exportId: string): Promise<ExportView> {
      return (await call<{ export: ExportView }>('GET', `/archive/exports/${encodeURIComponent(exportId)}`))
        .export;
    },

    /** `GET /audit/entries`: a page of the audit trail, oldest first (auditors, province admins). */
    listAuditEntries(query: {
      actor?: string;
      documentId?: string;
      action?: string;
      outcome?: 'allowed' | 'denied';
      from?: string;
      to?: string;
      limit?: number;
      cursor?: string;
    }): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        if (value !== undefined) params.set(name, String(value));
      }
      return call('GET', `/audit/entries?${params}`);
    },

    /** `GET /audit/verify`: walks the audit chains of `from`..`to` (days or instants; default today). */
    verifyAuditChain(range: { from?: string; to?: string } = {}): Promise<AuditChainReport> {
      const params = new URLSearchParams();
      if (range.from) params.set('from', range.from);
      if (range.to) params.set('to', range.to);
      return call('GET', `/audit/verify?${params}`);
    },

    /** `POST /dossiers`: receives a dossier; the same idempotency key again answers as the first time. */
    async receiveDossier(request: ReceiveDossierRequest): Promise<ReceivedDossierView> {
      const { status, body } = await send<Omit<ReceivedDossierView, 'status'>>('POST', '/dossiers', request);
      return { status: status === 201 ? 201 : 200, ...body };
    },

    /**
     * `GET /dossiers`: a page of the dossiers the caller may see, in due-date order (a counter
     * officer's unit's intake, an agency's queue and consultations, or the province). Pass
     * `nextCursor` back as `cursor` for the next page.
     */
    listDossiers(filters: DossierListFilters = {}): Promise<DossierPage> {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(filters)) {
        if (value === undefined) continue;
        params.set(name, Array.isArray(value) ? value.join(',') : String(value));
      }
      return call('GET', `/dossiers?${params}`);
    },

    /** `GET /units/{unitId}/attention`: what the overdue sweep found near or past due for the unit (today unless `day`). */
    unitAttention(unitId: string, day?: string): Promise<UnitAttentionView> {
      const query = day === undefined ? '' : `?${new URLSearchParams({ day })}`;
      return call('GET', `/units/${encodeURIComponent(unitId)}/attention${query}`);
    },

    /** `GET /dossiers/{code}`: a dossier of the caller's agency (receiving or competent); 404 otherwise. */
    async getDossier(code: string): Promise<Dossier> {
      return (await call<{ dossier: Dossier }>('GET', `/dossiers/${encodeURIComponent(code)}`)).dossier;
    },

    /**
     * `POST /dossiers/{code}/actions/{action}`: accept, complete, request-supplement, answer-supplement,
     * request-fee, pay-fee, receive, refuse, stop, withdraw or rate; a 409 names the allowed actions.
     */
    async actOnDossier(
      code: string,
      action: string,
      request: DossierActionRequest,
    ): Promise<DossierActionView> {
      const { status, body } = await send<{ dossier: Dossier }>(
        'POST',
        `/dossiers/${encodeURIComponent(code)}/actions/${encodeURIComponent(action)}`,
        request,
      );
      return { status: status === 201 ? 201 : 200, dossier: body.dossier };
    },

    /** `POST /portal/replay`: sends messages to the national portal again (province admins). */
    replayPortalSync(selection: { from: string } | { dossierCode: string; fromVersion?: number }) {
      return call<{ replayed: number }>('POST', '/portal/replay', selection);
    },

    /** PUTs a scan's bytes to the URL of an upload ticket. */
    async putUpload(
      ticket: { url: string; method: 'PUT'; headers: Record<string, string> },
      bytes: Uint8Array,
    ) {
      const response = await fetch(ticket.url, {
        method: ticket.method,
        headers: ticket.headers,
        body: bytes,
      });
      if (!response.ok) throw new Error(`upload PUT failed: ${response.status} ${await response.text()}`);
    },

    completeReview(documentId: string, review: { docType: string; ownerId: string }) {
      return call<{ document: DocumentRecord }>(
        'POST',
        `/documents/${encodeURIComponent(documentId)}/review`,
        review,
      );
    },

    /** Downloads a presigned URL the API handed out (e.g. a document's `downloadUrl`). */
    async download(url: string): Promise<Uint8Array> {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`download failed: ${response.status} ${await response.text()}`);
      return new Uint8Array(await response.arrayBuffer());
    },

    /**
     * Polls until the document is archived, quarantined or waiting for review.
     * @param pollMs pause between two reads. @default 250
     */
    async waitUntilSettled(documentId: string, timeoutMs = 180_000, pollMs = 250): Promise<DocumentView> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // A document recorded only by the pipeline (an object nobody asked to upload) is 404 until then.
        const view = await this.getDocument(documentId).catch((error: unknown) => {
          if (error instanceof ApiError && error.status === 404) return undefined;
          throw error;
        });
        if (view && SETTLED.has(view.document.status)) return view;
        if (Date.now() > deadline) {
          throw new Error(
            `document ${documentId} still ${view?.document.status ?? 'unknown'} after ${timeoutMs} ms`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
