/**
 * What a unit must act on today: its open dossiers and steps that are past due, or due within the
 * near window (by default before the end of the next working day). Due dates come from the dossier
 * clock, which applies supplement and fee pauses; a paused dossier is not judged while it waits on
 * the applicant.
 */
import { instantAt, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import { isWorkingDay, type WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import type { TimeLimit } from '#shared/domain/dossiers/compute-due-date.ts';
import type { Dossier, DossierStatus, DossierStep } from '#shared/domain/dossiers/dossier.ts';
import { isOpenStep } from '#shared/domain/dossiers/dossier-summary.ts';
import {
  dossierClockEvents,
  type SupplementResume,
  trackDossierClock,
} from '#shared/domain/dossiers/track-dossier-clock.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/** `past`: its due date has passed; `near`: due before the near window closes. */
export type AttentionKind = 'near' | 'past';

/** One thing a unit must act on. */
export interface AttentionItem {
  /** The unit that must act: the competent agency for the dossier's due date, the step's agency for a step. */
  unitId: string;
  dossierCode: string;
  procedureCode: string;
  status: DossierStatus;
  /** Absent for the dossier's own due date (NgayHenTra). */
  stepId?: string;
  stepName?: string;
  role?: string;
  dueAt: string;
  kind: AttentionKind;
}

/** A unit's attention list of one Vietnam day, as the latest sweep of that day left it. */
export interface AttentionList {
  unitId: string;
  /** `YYYY-MM-DD`, Vietnam time. */
  day: string;
  /** When the sweep that wrote it looked. */
  sweptAt: string;
  /** Past due first, then near; each by due date, dossier code and step. */
  items: AttentionItem[];
}

/** Statuses in which a dossier is open (received, processing, paused on the applicant, processed awaiting return). */
export const OPEN_DOSSIER_STATUSES: readonly DossierStatus[] = [2, 4, 5, 6, 9];

/**
 * The end of the near window seen from `at`: the start of the local day after the
 * `workingDays`-th working day after `at`'s day (0: the end of today). With the default 1, a
 * Friday's window ends with Monday when Saturday is not worked, with Saturday when it is.
 * @throws ValidationError INVALID_NEAR_WINDOW; CalendarRangeError when the search leaves the calendar.
 */
export function nearDueHorizon(calendar: WorkingCalendar, at: Date, workingDays = 1): Date {
  if (!Number.isInteger(workingDays) || workingDays < 0 || workingDays > 30) {
    throw new ValidationError(
      'INVALID_NEAR_WINDOW',
      `the near window must be 0 to 30 working days, not ${workingDays}`,
    );
  }
  let day = localDayOf(at);
  for (let counted = 0; counted < workingDays; counted++) {
    day += 1;
    while (!isWorkingDay(calendar, day)) day += 1;
  }
  return instantAt(day + 1, 0);
}

/**
 * When an open step is due for the attention list: its statutory end, except that a result is
 * handed back from the appointment date (NgayHenTra) on, so the return step is never due before
 * the dossier. Undefined for a step that is not open or has no statutory end.
 */
export function stepAttentionDue(
  dossier: Pick<Dossier, 'dueAt'>,
  step: Pick<DossierStep, 'kind' | 'state' | 'dueAt'>,
): string | undefined {
  if (!isOpenStep(step) || step.dueAt === undefined) return undefined;
  if (step.kind === 'return' && step.dueAt < dossier.dueAt) return dossier.dueAt;
  return step.dueAt;
}

function kindOf(dueAt: string, at: Date, horizon: Date): AttentionKind | undefined {
  const due = new Date(dueAt);
  if (due < at) return 'past';
  if (due < horizon) return 'near';
  return undefined;
}

/**
 * What an open dossier asks of its units at `at`: its own due date (from the clock) when the clock
 * runs, and each open step's. A dossier waiting on a supplement or a fee gives nothing; a
 * processed one (the clock has stopped) only its return step.
 * @throws DossierClockError, CalendarRangeError from the clock.
 */
export function dossierAttention(
  dossier: Dossier,
  limit: TimeLimit,
  calendar: WorkingCalendar,
  options: { at: Date; horizon: Date; supplementResume?: SupplementResume },
): AttentionItem[] {
  if (!OPEN_DOSSIER_STATUSES.includes(dossier.status)) return [];
  const clock = trackDossierClock(dossierClockEvents(dossier), limit, calendar, {
    at: options.at,
    supplementResume: options.supplementResume,
  });
  if (clock.state === 'awaiting-supplement' || clock.state === 'awaiting-fee') return [];
  const base = { dossierCode: dossier.code, procedureCode: dossier.procedureCode, status: dossier.status };
  const items: AttentionItem[] = [];
  if (clock.state === 'running') {
    const dueAt = clock.dueAt.toISOString();
    const kind = kindOf(dueAt, options.at, options.horizon);
    if (kind) items.push({ unitId: dossier.competentAgencyId, ...base, dueAt, kind });
  }
  // Steps run on the dossier's due date as the clock has it.
  const clocked = { dueAt: clock.dueAt.toISOString() };
  for (const step of dossier.steps) {
    const dueAt = stepAttentionDue(clocked, step);
    const kind = dueAt === undefined ? undefined : kindOf(dueAt, options.at, options.horizon);
    if (dueAt === undefined || kind === undefined) continue;
    items.push({
      unitId: step.agencyId,
      ...base,
      stepId: step.stepId,
      stepName: step.name,
      role: step.role,
      dueAt,
      kind,
    });
  }
  return items;
}

/** The order of an attention list: past due first, then near; each by due date, dossier and step. */
export function compareAttention(a: AttentionItem, b: AttentionItem): number {
  const key = (item: AttentionItem) =>
    `${item.kind === 'past' ? 0 : 1}#${item.dueAt}#${item.dossierCode}#${item.stepId ?? ''}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
