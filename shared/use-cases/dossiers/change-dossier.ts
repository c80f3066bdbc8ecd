/**
 * Applies one change to a dossier as its next version: read, change, write only over the version
 * read; when another change came first, read again and re-decide (a bounded number of times).
 */
import type { Dossier, DossierEvent } from '#shared/domain/dossiers/dossier.ts';
import { ConflictError, NotFoundError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';

/** Idempotency keys remembered per dossier: enough for any retry, bounded so the item stays small. */
const REMEMBERED_COMMANDS = 50;
const ATTEMPTS = 8;

/**
 * What a change decides: `undefined` when there is nothing to do (the dossier stays as it is),
 * else the event that describes it; `apply` has already changed the draft.
 */
export type DossierChange = (draft: Dossier) => Omit<DossierEvent, 'version' | 'status'> | undefined;

export interface ChangedDossier {
  dossier: Dossier;
  /** False when the change decided there was nothing to do. */
  changed: boolean;
}

/**
 * @param commandKey an idempotency key: remembered with the version it produced.
 * @throws NotFoundError when there is no such dossier; whatever `change` throws.
 */
export async function changeDossier(
  dossiers: Pick<DossierRepository, 'getDossier' | 'saveDossier'>,
  code: string,
  change: DossierChange,
  commandKey?: string,
): Promise<ChangedDossier> {
  for (let attempt = 1; ; attempt++) {
    const current = await dossiers.getDossier(code);
    if (!current) throw new NotFoundError(`no dossier ${code}`);
    const draft = structuredClone(current);
    const event = change(draft);
    if (!event) return { dossier: current, changed: false };
    draft.version = current.version + 1;
    draft.history.push({ ...event, version: draft.version, status: draft.status });
    if (commandKey) {
      const keys = Object.entries({ ...draft.appliedCommands, [commandKey]: draft.version });
      draft.appliedCommands = Object.fromEntries(keys.slice(-REMEMBERED_COMMANDS));
    }
    try {
      await dossiers.saveDossier(draft);
      return { dossier: draft, changed: true };
    } catch (error) {
      if (!(error instanceof ConflictError && error.code === 'DOSSIER_CHANGED') || attempt >= ATTEMPTS)
        throw error;
    }
  }
}
