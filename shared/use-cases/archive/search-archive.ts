import { z } from 'zod';
import { authorize, hasRoleFor, isAllowed, type Principal } from '#shared/auth/authorize.ts';
import { ForbiddenError } from '#shared/domain/errors.ts';
import type { AuditSource, AuditTrail } from '#shared/ports/audit-trail.ts';
import type { ArchiveEntry, Clock, DocumentRepository } from '#shared/ports.ts';
import { createAuditRecorder, isDenial, recordedQuery } from '../audit/record-audit.ts';
import { parseQuery } from '../parse-query.ts';

/** What an archive search returns per hit: the paper, where it sits and how it was signed. */
export interface ArchiveHit {
  code: string;
  docType: string;
  ownerId: string;
  agencyId: string;
  dossierId?: string;
  documentId: string;
  archivedAt: string;
  retainUntil?: string;
  signature?: ArchiveEntry['signature'];
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** The query string of `GET /archive/documents`; every field optional, at least one criterion. */
const SEARCH_QUERY = z
  .strictObject({
    code: z.string().min(1).max(80).optional(),
    ownerId: z
      .string()
      .regex(/^\d{10}(-\d{3})?$|^\d{12}$/, 'a 12-digit personal ID or a tax code')
      .optional(),
    docType: z
      .string()
      .regex(/^[A-Z]{2,10}$/, '2–10 capital letters')
      .optional(),
    dossierId: z.string().min(1).max(80).optional(),
    agencyId: z.string().min(1).max(40).optional(),
    archivedFrom: instant.optional(),
    archivedTo: instant.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
    cursor: z.string().min(1).max(2048).optional(),
  })
  .refine((query) => query.code || query.ownerId || query.docType || query.dossierId || query.agencyId, {
    message: 'name at least one of code, ownerId, docType, dossierId or agencyId',
    params: { code: 'MISSING_CRITERION' },
  })
  .refine((query) => !query.archivedFrom || !query.archivedTo || query.archivedFrom <= query.archivedTo, {
    message: 'archivedFrom is after archivedTo',
    path: ['archivedFrom'],
  });

/** The criteria of an archive search, as `GET /archive/documents` takes them (and an export). */
export type ArchiveCriteria = z.output<typeof SEARCH_QUERY>;

/**
 * Reads a search's query string (or an export's criteria): at least one criterion, known
 * parameters only, well-formed values.
 * @throws ValidationError naming the first bad parameter (`INVALID_OWNER_ID`, `MISSING_CRITERION`, …).
 */
export function parseArchiveQuery(input: unknown): ArchiveCriteria {
  return parseQuery(SEARCH_QUERY, input);
}

/**
 * Auditors and province admins search the whole province's archive; an agency admin searches its
 * own agency's papers only. Served from the archive's index items: never a scan. Each search is
 * recorded in the audit trail (its criteria and hit count) before the hits are handed out, and
 * a refused one as denied.
 */
export function createSearchArchive(deps: {
  repository: DocumentRepository;
  audit: AuditTrail;
  clock: Clock;
}) {
  const audit = createAuditRecorder(deps);
  return async function searchArchive(
    principal: Principal,
    input: Record<string, string | undefined>,
    source?: AuditSource,
  ): Promise<{ documents: ArchiveHit[]; nextCursor?: string }> {
    const refuse = async (error: unknown): Promise<never> => {
      if (isDenial(error)) {
        await audit.denied(principal, 'search', { query: recordedQuery(input) }, error.code, source);
      }
      throw error;
    };
    // A role that may never search is refused (and recorded) whatever it asked.
    if (!hasRoleFor(principal, 'archive:search')) {
      await refuse(new ForbiddenError('no role of this user may archive:search'));
    }
    const query = parseArchiveQuery(input);
    const provinceWide = isAllowed(principal, 'archive:search');
    const agencyId = query.agencyId ?? (provinceWide ? undefined : principal.agencyId);
    try {
      authorize(principal, 'archive:search', agencyId);
    } catch (error) {
      await refuse(error);
    }
    const page = await deps.repository.searchArchive({ ...query, agencyId });
    await audit.allowed(
      principal,
      'search',
      { query: recordedQuery(input), hits: page.items.length },
      source,
    );
    return {
      documents: page.items.map((entry) => ({
        code: entry.code,
        docType: entry.docType,
        ownerId: entry.ownerId,
        agencyId: entry.agencyId,
        dossierId: entry.dossierId,
        documentId: entry.documentId,
        archivedAt: entry.archivedAt,
        retainUntil: entry.retainUntil,
        signature: entry.signature,
      })),
      nextCursor: page.cursor,
    };
  };
}
