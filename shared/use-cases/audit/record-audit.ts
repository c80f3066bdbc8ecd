import type { Principal } from '#shared/auth/authorize.ts';
import { ForbiddenError, NotFoundError } from '#shared/domain/errors.ts';
import type { AuditAction, AuditSource, AuditTarget, AuditTrail } from '#shared/ports/audit-trail.ts';
import type { Clock } from '#shared/ports.ts';

/** What a use case needs to record: the trail and the clock. */
export interface AuditDependencies {
  audit: AuditTrail;
  clock: Clock;
}

/** Whether an error is a refusal that must be recorded (403, or 404 hiding another agency's paper). */
export function isDenial(error: unknown): error is ForbiddenError | NotFoundError {
  return error instanceof ForbiddenError || error instanceof NotFoundError;
}

/**
 * Records what a principal did or attempted. Awaited before anything is handed out: when the
 * trail cannot record, the caller fails and hands out nothing.
 */
export function createAuditRecorder(deps: AuditDependencies) {
  const base = (principal: Principal, action: AuditAction, target: AuditTarget, source?: AuditSource) => ({
    actor: principal.userId,
    roles: [...principal.roles].sort(),
    ...(principal.agencyId ? { agencyId: principal.agencyId } : {}),
    action,
    target,
    at: deps.clock.now().toISOString(),
    ...(source && withoutEmpty(source)),
  });
  return {
    allowed(principal: Principal, action: AuditAction, target: AuditTarget, source?: AuditSource) {
      return deps.audit.append({ ...base(principal, action, target, source), outcome: 'allowed' });
    },
    denied(
      principal: Principal,
      action: AuditAction,
      target: AuditTarget,
      reason: string,
      source?: AuditSource,
    ) {
      return deps.audit.append({ ...base(principal, action, target, source), outcome: 'denied', reason });
    },
  };
}

function withoutEmpty(source: AuditSource): { source?: AuditSource } {
  const kept = Object.fromEntries(Object.entries(source).filter(([, value]) => value)) as AuditSource;
  return Object.keys(kept).length > 0 ? { source: kept } : {};
}

/** A search's criteria as recorded: the given, non-empty parameters. */
export function recordedQuery(input: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}
