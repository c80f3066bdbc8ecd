/**
 * The dossier clock: from a dossier's events, its effective due date (pauses applied) and whether
 * it finished on time or is overdue at a given instant, as Decision 766 rule 2.1 judges it.
 */

import { localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import {
  addWorkingTime,
  closeOfWorkingDay,
  workingTimeBetween,
} from '#shared/domain/calendar/working-time.ts';
import { computeDueDate, type TimeLimit } from '#shared/domain/dossiers/compute-due-date.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/** What happened to a dossier, as far as its clock is concerned. */
export type DossierClockEvent =
  | { readonly type: 'received'; readonly at: Date }
  /** Status 5: the clock stops until the supplement is answered. */
  | { readonly type: 'supplement-requested'; readonly at: Date }
  | { readonly type: 'supplement-answered'; readonly at: Date }
  /** Status 6: the clock stops until the obligation is paid. */
  | { readonly type: 'fee-requested'; readonly at: Date }
  | { readonly type: 'fee-paid'; readonly at: Date }
  /** End of processing: the first of processed (9), returned (10), stopped, refused or withdrawn. */
  | { readonly type: 'finished'; readonly at: Date };

/**
 * How the clock resumes after a supplement: `pause` continues the remaining time, `restart` starts
 * the full limit again once the supplement is complete. A paid obligation always continues.
 */
export type SupplementResume = 'pause' | 'restart';

export interface DossierClock {
  /** The due date as first computed at receipt. */
  readonly initialDueAt: Date;
  /** The due date with the pauses so far; while paused, the due date as the pause found it. */
  readonly dueAt: Date;
  readonly state: 'running' | 'awaiting-supplement' | 'awaiting-fee' | 'finished';
  readonly supplementRequests: number;
  readonly finishedAt?: Date;
  /**
   * Finished: finished by the due date. Open: still within time at `at` (a dossier awaiting its one
   * supplement is judged at the request). Always false after more than one supplement request.
   */
  readonly onTime: boolean;
  /** Open (not finished) and not on time. */
  readonly overdue: boolean;
}

/** The events do not tell a possible story (e.g. an answer with no request). */
export class DossierClockError extends ValidationError {
  constructor(message: string) {
    super('INVALID_CLOCK_EVENTS', message);
  }
}

/** The due date after a pause from `pausedAt` to `resumedAt` under the remaining-time rule. */
function resume(
  dueAt: Date,
  pausedAt: Date,
  resumedAt: Date,
  limit: TimeLimit,
  calendar: WorkingCalendar,
): Date {
  if (pausedAt >= dueAt) return dueAt; // paused after the due date: nothing remained to resume
  switch (limit.unit) {
    case 'working-days':
    case 'working-hours':
      return addWorkingTime(calendar, resumedAt, workingTimeBetween(calendar, pausedAt, dueAt));
    case 'calendar-days':
      return closeOfWorkingDay(calendar, localDayOf(dueAt) + localDayOf(resumedAt) - localDayOf(pausedAt));
    case 'same-day':
      return computeDueDate(resumedAt, limit, calendar);
  }
}

/**
 * Runs the clock over `events` up to `at` (events after it are ignored).
 * @throws DossierClockError when there is no receipt first or a pause is answered that was never asked;
 *   CalendarRangeError when a date leaves the calendar.
 */
export function trackDossierClock(
  events: readonly DossierClockEvent[],
  limit: TimeLimit,
  calendar: WorkingCalendar,
  options: { readonly at: Date; readonly supplementResume?: SupplementResume },
): DossierClock {
  const ordered = events
    .filter((event) => event.at <= options.at)
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at.getTime() - b.event.at.getTime() || a.index - b.index)
    .map(({ event }) => event);
  const [received, ...rest] = ordered;
  if (received?.type !== 'received') throw new DossierClockError('the first event must be the receipt');
  const initialDueAt = computeDueDate(received.at, limit, calendar);
  let dueAt = initialDueAt;
  let pause: { kind: 'supplement' | 'fee'; at: Date } | undefined;
  let supplementRequests = 0;
  let finishedAt: Date | undefined;
  for (const event of rest) {
    if (finishedAt) throw new DossierClockError(`${event.type} after the dossier finished`);
    switch (event.type) {
      case 'received':
        throw new DossierClockError('a dossier is received once');
      case 'supplement-requested':
      case 'fee-requested':
        if (pause) throw new DossierClockError(`${event.type} while the clock is already stopped`);
        pause = { kind: event.type === 'fee-requested' ? 'fee' : 'supplement', at: event.at };
        if (pause.kind === 'supplement') supplementRequests += 1;
        break;
      case 'supplement-answered':
      case 'fee-paid': {
        const kind = event.type === 'fee-paid' ? 'fee' : 'supplement';
        if (pause?.kind !== kind) throw new DossierClockError(`${event.type} with no ${kind} request open`);
        dueAt =
          kind === 'supplement' && options.supplementResume === 'restart'
            ? computeDueDate(event.at, limit, calendar)
            : resume(dueAt, pause.at, event.at, limit, calendar);
        pause = undefined;
        break;
      }
      case 'finished':
        finishedAt = event.at;
        break;
    }
  }
  const withinOneSupplement = supplementRequests <= 1;
  if (finishedAt) {
    // A dossier stopped while waiting is judged at the pause, as 766 judges one waiting on its supplement.
    const judgedAt = pause?.at ?? finishedAt;
    const onTime = withinOneSupplement && judgedAt <= dueAt;
    return { initialDueAt, dueAt, state: 'finished', supplementRequests, finishedAt, onTime, overdue: false };
  }
  const onTime = withinOneSupplement && (pause?.at ?? options.at) <= dueAt;
  return {
    initialDueAt,
    dueAt,
    state: pause ? (pause.kind === 'supplement' ? 'awaiting-supplement' : 'awaiting-fee') : 'running',
    supplementRequests,
    onTime,
    overdue: !onTime,
  };
}

/**
 * A dossier's clock events from its record: receipt, supplement and fee requests with their
 * answers, and the end of processing (the first of processed, refused, stopped, withdrawn or returned).
 */
export function dossierClockEvents(
  dossier: Pick<Dossier, 'receivedAt' | 'supplements' | 'feeRequests' | 'finishedAt' | 'returnedAt'>,
): DossierClockEvent[] {
  const events: DossierClockEvent[] = [{ type: 'received', at: new Date(dossier.receivedAt) }];
  for (const request of dossier.supplements) {
    events.push({ type: 'supplement-requested', at: new Date(request.requestedAt) });
    if (request.answeredAt) events.push({ type: 'supplement-answered', at: new Date(request.answeredAt) });
  }
  for (const request of dossier.feeRequests) {
    events.push({ type: 'fee-requested', at: new Date(request.requestedAt) });
    if (request.paidAt) events.push({ type: 'fee-paid', at: new Date(request.paidAt) });
  }
  const end = dossier.finishedAt ?? dossier.returnedAt;
  if (end) events.push({ type: 'finished', at: new Date(end) });
  return events;
}
