import { z } from 'zod';
import { authorize, type Principal } from '#shared/auth/authorize.ts';
import type { AuditAnchor } from '#shared/domain/audit-anchor.ts';
import { chainOf, chainsBetween } from '#shared/domain/audit-chain.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { AUDIT_ACTIONS, type AuditEntry, type AuditTrail } from '#shared/ports/audit-trail.ts';
import type { Clock } from '#shared/ports.ts';
import { type AuditChainReport, verifyAuditChain } from './verify-audit-chain.ts';

/** Page size of `GET /audit/entries`. @default 50, at most 200 */
const LIMIT = { default: 50, max: 200 } as const;
/** Days one `GET /audit/verify` may walk (the command has no limit). @default 31 */
const MAX_VERIFY_DAYS = 31;
/** How far back `from` defaults. @default 7 days before `to` */
const DEFAULT_SPAN_MS = 7 * 24 * 3600 * 1000;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** An instant (with offset) or a UTC day; a day as `to` means its end. */
const bound = (end: boolean) =>
  z
    .union([z.iso.datetime({ offset: true }), day])
    .transform((value) =>
      value.length === 10
        ? end
          ? `${value}T23:59:59.999Z`
          : `${value}T00:00:00.000Z`
        : new Date(value).toISOString(),
    );

const ENTRIES_QUERY = z.strictObject({
  actor: z.string().min(1).max(128).optional(),
  documentId: z.string().min(1).max(128).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  outcome: z.enum(['allowed', 'denied']).optional(),
  from: bound(false).optional(),
  to: bound(true).optional(),
  limit: z.coerce.number().int().min(1).max(LIMIT.max).default(LIMIT.default),
  cursor: z.string().min(1).max(4096).optional(),
});

const VERIFY_QUERY = z.strictObject({ from: bound(false).optional(), to: bound(true).optional() });

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new ValidationError('UNKNOWN_PARAMETER', `unknown parameter ${issue.keys.join(', ')}`);
  }
  const field = String(issue?.path[0] ?? 'query');
  throw new ValidationError(`INVALID_${field.toUpperCase()}`, `${field}: ${issue?.message ?? 'invalid'}`);
}

function range(clock: Clock, from?: string, to?: string): { from: string; to: string } {
  const end = to ?? clock.now().toISOString();
  const start = from ?? new Date(new Date(end).getTime() - DEFAULT_SPAN_MS).toISOString();
  if (start > end) throw new ValidationError('INVALID_FROM', 'from: after to');
  return { from: start, to: end };
}

/**
 * The auditors' view of the audit trail (auditors and province admins): entries by actor,
 * document, action, outcome and time, from keys and indexes; and verification of the chain.
 */
export function createReadAuditTrail(deps: {
  audit: AuditTrail;
  clock: Clock;
  /** The anchor of a closed day, where days are anchored (see anchor-audit-chain.ts). */
  anchorOf?: (chain: string) => Promise<AuditAnchor | undefined>;
}) {
  return {
    /** One page of entries, oldest first; `from` defaults to 7 days before `to` (default now). */
    async listEntries(
      principal: Principal,
      input: Record<string, string | undefined>,
    ): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
      authorize(principal, 'audit:read');
      const query = parse(ENTRIES_QUERY, input);
      const page = await deps.audit.listEntries({ ...query, ...range(deps.clock, query.from, query.to) });
      return { entries: page.items, ...(page.cursor && { nextCursor: page.cursor }) };
    },

    /** Verifies the chains of `from` to `to` (days or instants; default today), at most 31 days. */
    async verify(principal: Principal, input: Record<string, string | undefined>): Promise<AuditChainReport> {
      authorize(principal, 'audit:read');
      const query = parse(VERIFY_QUERY, input);
      const today = chainOf(deps.clock.now().toISOString());
      const to = query.to ?? `${today}T23:59:59.999Z`;
      const from = query.from ?? `${chainOf(to)}T00:00:00.000Z`;
      if (from > to) throw new ValidationError('INVALID_FROM', 'from: after to');
      if (chainsBetween(from, to).length > MAX_VERIFY_DAYS) {
        throw new ValidationError(
          'RANGE_TOO_LONG',
          `verify at most ${MAX_VERIFY_DAYS} days per request (npm run audit:verify has no limit)`,
        );
      }
      return verifyAuditChain(deps.audit, { from, to }, deps.anchorOf);
    },
  };
}
