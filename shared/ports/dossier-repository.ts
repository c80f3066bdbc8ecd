/**
 * Persistence of dossiers, their per-unit daily code counters and the idempotency records of
 * intake commands (DynamoDB's documents table in AWS and the embedded runtime).
 */
import type { ComponentUploadTicket, Dossier } from '#shared/domain/dossiers/dossier.ts';

/**
 * What a command's idempotency key has recorded: the request it was first used with, the dossier
 * code it was given, and once the command finished, what it answered.
 */
export interface IdempotencyRecord {
  key: string;
  /** SHA-256 of the first request's canonical body: another body under the key is refused. */
  requestHash: string;
  /** ISO instant the first attempt began. */
  startedAt: string;
  dossierCode?: string;
  /** Set when the command finished: the upload tickets it handed out. */
  uploads?: ComponentUploadTicket[];
}

export interface DossierRepository {
  /**
   * Records the key for a new command; when the key is already recorded, returns that record and
   * changes nothing.
   */
  claimIdempotencyKey(
    record: Pick<IdempotencyRecord, 'key' | 'requestHash' | 'startedAt'>,
  ): Promise<IdempotencyRecord | undefined>;
  /**
   * Gives the key's command its dossier code, once: returns the code the key holds afterwards (an
   * earlier attempt's, when it had one).
   * @throws NotFoundError when the key is not recorded.
   */
  assignDossierCode(key: string, dossierCode: string): Promise<string>;
  /** Records the command as finished with what it answered. */
  completeIdempotencyKey(key: string, uploads: ComponentUploadTicket[]): Promise<void>;
  /** The next number (1, 2, …) of a unit's dossiers of a day (`yyMMdd`); atomic, never repeated. */
  nextDossierNumber(receivingUnitId: string, day: string): Promise<number>;
  /** @throws ConflictError DOSSIER_EXISTS when the code is taken. */
  createDossier(dossier: Dossier): Promise<void>;
  getDossier(code: string): Promise<Dossier | undefined>;
  /**
   * Replaces a dossier with its next version: only when the stored one is still at
   * `dossier.version - 1`, so that two commands never both apply to the same state.
   * @throws ConflictError DOSSIER_CHANGED when another change came first.
   */
  saveDossier(dossier: Dossier): Promise<void>;
}
