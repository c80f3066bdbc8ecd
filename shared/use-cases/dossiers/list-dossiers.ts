/**
 * Dossier lists (`GET /dossiers`): a page of what the caller may see, in due-date order. A counter
 * officer sees what the unit received; a processing officer or agency admin the agency's queue
 * (dossiers it is competent for, and those with a step waiting on it, such as a consultation);
 * province admins and auditors the province, or one competent unit's dossiers. Each page is read
 * from indexes of exactly those lists, never filtered out of a province-wide page.
 */
import { z } from 'zod';
import { authorize, isAllowed, type Principal } from '#shared/auth/authorize.ts';
import { PROCEDURE_CODE_PATTERN } from '#shared/config/procedure-catalogue.ts';
import { AGENCY_ID_PATTERN } from '#shared/config/province-config.ts';
import { dayOfDate, instantAt } from '#shared/domain/calendar/vietnam-time.ts';
import { DOSSIER_STATUS, type DossierStatus } from '#shared/domain/dossiers/dossier.ts';
import type { DossierSummary } from '#shared/domain/dossiers/dossier-summary.ts';
import { ForbiddenError } from '#shared/domain/errors.ts';
import type { DossierQueue, DossierRepository } from '#shared/ports/dossier-repository.ts';
import { parseQuery } from '../parse-query.ts';

/** Page size of a dossier list. @default 50, at most 200 */
export const DOSSIER_PAGE_LIMIT = { default: 50, max: 200 } as const;
const STATUSES = Object.values(DOSSIER_STATUS) as DossierStatus[];

/** One page of `GET /dossiers`; `nextCursor` asks for the next page and is absent on the last. */
export interface DossierPage {
  dossiers: DossierSummary[];
  nextCursor?: string;
}

/**
 * A due-window bound: an ISO instant with its offset, or a date (`YYYY-MM-DD`) that stands for the
 * start (`dueAfter`) or the end (`dueBefore`) of that day in Vietnam.
 */
const dueBound = (end: 'start' | 'end') =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], {
      error: 'must be an ISO date (YYYY-MM-DD) or an instant with its offset',
    })
    .transform((value) => {
      if (value.length > 10) return new Date(value).toISOString();
      const day = dayOfDate(value) + (end === 'end' ? 1 : 0);
      return new Date(instantAt(day, 0).getTime() - (end === 'end' ? 1 : 0)).toISOString();
    });

const statusList = z.string().transform((value, context) => {
  const parts = value.split(',').map((part) => part.trim());
  const statuses = parts.map(Number);
  const bad = parts.find(
    (part, n) => !/^\d+$/.test(part) || !STATUSES.includes(statuses[n] as DossierStatus),
  );
  if (bad !== undefined) {
    context.addIssue({
      code: 'custom',
      message: `must be status codes 1 to 10, comma-separated (not "${bad}")`,
    });
    return z.NEVER;
  }
  return [...new Set(statuses)].sort((a, b) => a - b) as DossierStatus[];
});

/** The query string of `GET /dossiers`; a repeated parameter arrives comma-joined (as API Gateway sends it). */
const LIST_QUERY = z
  .strictObject({
    /** The competent unit; for a counter officer, the receiving unit. Agency staff may name only their own. */
    unit: z
      .string()
      .regex(AGENCY_ID_PATTERN, 'must be a QCVN 102 identifier such as 000.00.08.H56')
      .optional(),
    /** One or more status codes (`2,4` or `status=2&status=4`). @default every status */
    status: statusList.optional(),
    procedure: z
      .string()
      .regex(PROCEDURE_CODE_PATTERN, 'must be a procedure code such as 1.009994')
      .optional(),
    /** Due at or after. */
    dueAfter: dueBound('start').optional(),
    /** Due at or before. */
    dueBefore: dueBound('end').optional(),
    limit: z.coerce.number().int().min(1).max(DOSSIER_PAGE_LIMIT.max).default(DOSSIER_PAGE_LIMIT.default),
    cursor: z.string().min(1).max(2048).optional(),
  })
  .refine((query) => !query.dueAfter || !query.dueBefore || query.dueAfter <= query.dueBefore, {
    message: 'dueAfter is after dueBefore',
    path: ['dueAfter'],
    params: { code: 'INVALID_DUE_WINDOW' },
  });

/**
 * The queues a caller's page is made of: what its roles show of its own agency, or for a
 * province-wide role the province (one competent unit when it names one).
 * @throws ForbiddenError for a unit other than the caller's own, or a caller with no list.
 */
export function queuesOf(principal: Principal, unit: string | undefined): DossierQueue[] {
  if (isAllowed(principal, 'dossier:list')) {
    return unit === undefined ? [{ kind: 'province' }] : [{ kind: 'competent', unitId: unit }];
  }
  const agencyId = unit ?? principal.agencyId;
  authorize(principal, 'dossier:list', agencyId);
  if (agencyId === undefined) throw new ForbiddenError('not allowed to dossier:list');
  const queues: DossierQueue[] = [];
  if (principal.roles.has('counter-officer')) queues.push({ kind: 'received', unitId: agencyId });
  if (principal.roles.has('processing-officer') || principal.roles.has('agency-admin')) {
    queues.push({ kind: 'competent', unitId: agencyId }, { kind: 'open-steps', unitId: agencyId });
  }
  if (queues.length === 0) throw new ForbiddenError('not allowed to dossier:list');
  return queues;
}

export function createListDossiers(deps: { dossiers: Pick<DossierRepository, 'listDossiers'> }) {
  return async function listDossiers(
    principal: Principal,
    input: Record<string, string | undefined>,
  ): Promise<DossierPage> {
    const query = parseQuery(LIST_QUERY, input);
    const queues = queuesOf(principal, query.unit);
    const page = await deps.dossiers.listDossiers({
      queues,
      statuses: query.status ?? STATUSES,
      ...(query.procedure === undefined ? {} : { procedureCode: query.procedure }),
      ...(query.dueAfter === undefined ? {} : { dueFrom: query.dueAfter }),
      ...(query.dueBefore === undefined ? {} : { dueTo: query.dueBefore }),
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    return { dossiers: page.items, ...(page.cursor === undefined ? {} : { nextCursor: page.cursor }) };
  };
}
