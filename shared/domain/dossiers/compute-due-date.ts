/**
 * Due dates (NgayHenTra) of dossiers from a procedure's statutory time limit and the province's
 * working calendar. Every due date in the product comes from here.
 */

import { HOUR_MS, localDayOf, localTimeOf, MINUTE_MS } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { addWorkingTime, closeOfWorkingDay } from '#shared/domain/calendar/working-time.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/** A statutory time limit as value + unit. */
export type TimeLimit =
  /** Working time: one working day is the calendar's hours per working day (8). */
  | { readonly unit: 'working-days'; readonly value: number }
  | { readonly unit: 'working-hours'; readonly value: number }
  /** Due at the close of the working day `value` calendar days after receipt, or of the next working day. */
  | { readonly unit: 'calendar-days'; readonly value: number }
  /** Due at the close of the day of receipt; received after the cutoff (15:00), of the next working day. */
  | { readonly unit: 'same-day' };

/** @throws ValidationError INVALID_TIME_LIMIT on a value that is not positive (whole for calendar days). */
export function checkTimeLimit(limit: TimeLimit): void {
  if (limit.unit === 'same-day') return;
  const whole = limit.unit === 'calendar-days';
  if (!Number.isFinite(limit.value) || limit.value <= 0 || (whole && !Number.isInteger(limit.value))) {
    throw new ValidationError(
      'INVALID_TIME_LIMIT',
      `a limit in ${limit.unit} must be a positive ${whole ? 'whole ' : ''}number, not ${limit.value}`,
    );
  }
}

/** Working time a working-time limit stands for. */
export function workingTimeOf(limit: TimeLimit, calendar: WorkingCalendar): number | undefined {
  if (limit.unit === 'working-days') return limit.value * calendar.hoursPerWorkingDay * HOUR_MS;
  if (limit.unit === 'working-hours') return limit.value * HOUR_MS;
  return undefined;
}

/**
 * The due date of a dossier received at `receivedAt` under `limit`. It always lies inside a
 * working window, and never moves earlier when the receipt moves later.
 * @throws ValidationError INVALID_TIME_LIMIT; CalendarRangeError when the count leaves the calendar.
 */
export function computeDueDate(receivedAt: Date, limit: TimeLimit, calendar: WorkingCalendar): Date {
  checkTimeLimit(limit);
  switch (limit.unit) {
    case 'working-days':
    case 'working-hours':
      return addWorkingTime(calendar, receivedAt, workingTimeOf(limit, calendar) ?? 0);
    case 'calendar-days':
      return closeOfWorkingDay(calendar, localDayOf(receivedAt) + limit.value);
    case 'same-day': {
      const afterCutoff = localTimeOf(receivedAt) > calendar.sameDayCutoff * MINUTE_MS;
      return closeOfWorkingDay(calendar, localDayOf(receivedAt) + (afterCutoff ? 1 : 0), receivedAt);
    }
  }
}
