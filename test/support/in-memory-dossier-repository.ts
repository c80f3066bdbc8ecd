import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { ConflictError, NotFoundError } from '#shared/domain/errors.ts';
import type { DossierRepository, IdempotencyRecord } from '#shared/ports/dossier-repository.ts';

/** A DossierRepository in memory with the same conditional semantics as the DynamoDB one. */
export function createInMemoryDossierRepository(): DossierRepository & { counterCalls: () => number } {
  const dossiers = new Map<string, string>();
  const counters = new Map<string, number>();
  const keys = new Map<string, IdempotencyRecord>();
  let calls = 0;
  return {
    counterCalls: () => calls,
    async claimIdempotencyKey(record) {
      const existing = keys.get(record.key);
      if (existing) return structuredClone(existing);
      keys.set(record.key, { ...record });
      return undefined;
    },
    async assignDossierCode(key, dossierCode) {
      const record = keys.get(key);
      if (!record) throw new NotFoundError(`no idempotency key ${key}`);
      record.dossierCode ??= dossierCode;
      return record.dossierCode;
    },
    async completeIdempotencyKey(key, uploads) {
      const record = keys.get(key);
      if (!record) throw new NotFoundError(`no idempotency key ${key}`);
      record.uploads = structuredClone(uploads);
    },
    async nextDossierNumber(receivingUnitId, day) {
      calls += 1;
      // A turn of the event loop, so that concurrent callers interleave as they do against DynamoDB.
      await Promise.resolve();
      const next = (counters.get(`${receivingUnitId}#${day}`) ?? 0) + 1;
      counters.set(`${receivingUnitId}#${day}`, next);
      return next;
    },
    async createDossier(dossier) {
      if (dossiers.has(dossier.code))
        throw new ConflictError('DOSSIER_EXISTS', `dossier ${dossier.code} exists`);
      dossiers.set(dossier.code, JSON.stringify(dossier));
    },
    async saveDossier(dossier) {
      const stored = dossiers.get(dossier.code);
      if (stored === undefined || (JSON.parse(stored) as Dossier).version !== dossier.version - 1) {
        throw new ConflictError(
          'DOSSIER_CHANGED',
          `dossier ${dossier.code} changed since version ${dossier.version - 1}`,
        );
      }
      dossiers.set(dossier.code, JSON.stringify(dossier));
    },
    async getDossier(code) {
      const stored = dossiers.get(code);
      return stored === undefined ? undefined : JSON.parse(stored);
    },
  };
}
