/**
 * Cursors of merged, ordered lists: the list's fingerprint and the sort key of the last item
 * handed out. Opaque to callers (base64url JSON); a cursor of another query, or a forged one, is a
 * 400, never a storage error.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '#shared/domain/errors.ts';
import type { DossierListQuery } from '#shared/ports/dossier-repository.ts';

/** A short, stable digest of what a list was asked for (its cursors carry it). */
export function listFingerprint(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 16);
}

export function encodeListCursor(fingerprint: string, after: string): string {
  return Buffer.from(JSON.stringify({ q: fingerprint, after })).toString('base64url');
}

/**
 * The sort key a cursor continues after.
 * @throws ValidationError INVALID_CURSOR unless the cursor is one of the list with `fingerprint`.
 */
export function decodeListCursor(cursor: string, fingerprint: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (decoded && typeof decoded === 'object') {
      const { q, after } = decoded as { q?: unknown; after?: unknown };
      if (q === fingerprint && typeof after === 'string' && after.length > 0) return after;
    }
  } catch {
    // Reported below.
  }
  throw new ValidationError('INVALID_CURSOR', 'the cursor is not one this list returned');
}

/** The fingerprint of a dossier list: its queues, statuses and filters, whatever their order. */
export function dossierListFingerprint(query: DossierListQuery): string {
  const queues = query.queues
    .map((queue) => (queue.kind === 'province' ? 'province' : `${queue.kind}:${queue.unitId}`))
    .sort();
  const statuses = [...query.statuses].sort((a, b) => a - b);
  const { procedureCode, dueFrom, dueTo } = query;
  return listFingerprint({ queues, statuses, procedureCode, dueFrom, dueTo });
}
