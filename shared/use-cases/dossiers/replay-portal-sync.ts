/**
 * Sends dossiers to the national portal again: every message created since an instant, or a
 * dossier's messages from a version on, go back to pending and the next delivery run sends them
 * (the portal keeps one copy per dossier and version). For province admins after a portal outage
 * or a lost batch.
 */
import { z } from 'zod';
import { authorize, type Principal } from '#shared/auth/authorize.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { PortalOutbox } from '#shared/ports/portal-outbox.ts';
import type { Clock } from '#shared/ports.ts';
import { createReplayPortalMessages } from './deliver-portal-messages.ts';

const selectionSchema = z.union([
  z.strictObject({ from: z.iso.datetime({ offset: true, error: 'must be an ISO instant' }) }),
  z.strictObject({
    dossierCode: z.string().min(1),
    fromVersion: z.number().int().min(1).optional(),
  }),
]);

export function createReplayPortalSync(deps: { outbox: PortalOutbox; clock: Clock }) {
  const replay = createReplayPortalMessages(deps);
  return async function replayPortalSync(principal: Principal, body: unknown): Promise<{ replayed: number }> {
    authorize(principal, 'portal:replay');
    const parsed = selectionSchema.safeParse(body);
    if (!parsed.success) {
      throw new ValidationError(
        'INVALID_REPLAY_REQUEST',
        'send {"from": ISO instant} or {"dossierCode": code, "fromVersion"?: number}',
      );
    }
    const selection = parsed.data;
    return replay('from' in selection ? { from: new Date(selection.from).toISOString() } : selection);
  };
}
