/**
 * Persistence of dossiers, their per-unit daily code counters and the idempotency records of
 * intake commands (DynamoDB's documents table in AWS and the embedded runtime).
 */
import type { ComponentUploadTicket, Dossier, DossierStatus } from '#shared/domain/dossiers/dossier.ts';
import type { AttentionList } from '#shared/domain/dossiers/dossier-attention.ts';
import type { DossierSummary } from '#shared/domain/dossiers/dossier-summary.ts';

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

/**
 * One list of dossiers the storage keeps in due-date order, per status:
 * - `province`: every dossier
 * - `competent`: the dossiers whose competent agency is the unit
 * - `received`: the dossiers the unit received (its counter's)
 * - `open-steps`: the dossiers with a step waiting on the unit (`waiting` or `in-progress`),
 *   e.g. a consulted agency's consultations
 */
export type DossierQueue =
  | { kind: 'province' }
  | { kind: 'competent' | 'received' | 'open-steps'; unitId: string };

/** A page of the union of some queues, in due-date order; each dossier once. */
export interface DossierListQuery {
  /** At least one. */
  queues: readonly DossierQueue[];
  /** At least one. */
  statuses: readonly DossierStatus[];
  procedureCode?: string;
  /** Due at or after this ISO instant. */
  dueFrom?: string;
  /** Due at or before this ISO instant. */
  dueTo?: string;
  limit: number;
  /**
   * As a previous page of the same query returned it.
   * @throws ValidationError INVALID_CURSOR for a cursor of another query, or a forged one.
   */
  cursor?: string;
}

/** A page of a list; `cursor` asks for the next one and is absent once nothing more can follow. */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

/** An open step with a statutory end, as the overdue sweep finds it. */
export interface OpenStepRef {
  dossierCode: string;
  stepId: string;
  agencyId: string;
  /** When the step is due for the attention list (see stepAttentionDue). */
  dueAt: string;
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
  /**
   * A page of the dossiers in any of the queues, in any of the statuses, in due-date order (then
   * code). Read from indexes of exactly those lists, so a page is never a filtered province-wide
   * page; only `procedureCode` filters within them.
   */
  listDossiers(query: DossierListQuery): Promise<Page<DossierSummary>>;
  /** A page of the open steps due before `before` (an ISO instant), earliest first. */
  listOpenStepsDueBefore(
    before: string,
    page: { limit: number; cursor?: string },
  ): Promise<Page<OpenStepRef>>;
  /** Replaces a unit's attention list of a day (a sweep of the same day again writes the same list). */
  saveAttentionList(list: AttentionList): Promise<void>;
  getAttentionList(unitId: string, day: string): Promise<AttentionList | undefined>;
  /**
   * A page of the dossiers (latest version) with an event on a local day (`yyyy-MM-dd`, see
   * kpiDaysOf), in code order: read from the day's own bucket, which every create and save files
   * the dossier under, never from a scan. For the KPI rollup of that day.
   */
  listDossiersTouchingDay(day: string, page: { limit: number; cursor?: string }): Promise<Page<Dossier>>;
}
