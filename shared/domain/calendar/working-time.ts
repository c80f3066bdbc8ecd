/** Arithmetic on working time: the time inside a calendar's working windows. */

import { instantAt, localDayOf, localTimeOf, MINUTE_MS } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';

/**
 * The instant at which `durationMs` of working time has passed since `from`; time before the next
 * window does not count. For a positive duration the result lies inside a window (its end included).
 * @throws CalendarRangeError when the count leaves the calendar.
 */
export function addWorkingTime(calendar: WorkingCalendar, from: Date, durationMs: number): Date {
  let day = localDayOf(from);
  let position = localTimeOf(from);
  let remaining = durationMs;
  for (;;) {
    for (const window of calendar.windowsOn(day)) {
      const start = Math.max(position, window.start * MINUTE_MS);
      const end = window.end * MINUTE_MS;
      if (start >= end) continue;
      if (remaining <= end - start) return instantAt(day, start + remaining);
      remaining -= end - start;
      position = end;
    }
    day += 1;
    position = 0;
  }
}

/**
 * Working time from `from` to `to`; negative when `to` is earlier.
 * @throws CalendarRangeError when a day between them is outside the calendar.
 */
export function workingTimeBetween(calendar: WorkingCalendar, from: Date, to: Date): number {
  if (to < from) return -workingTimeBetween(calendar, to, from);
  const lastDay = localDayOf(to);
  let total = 0;
  for (let day = localDayOf(from); day <= lastDay; day++) {
    const dayStart = day === localDayOf(from) ? localTimeOf(from) : 0;
    const dayEnd = day === lastDay ? localTimeOf(to) : Number.POSITIVE_INFINITY;
    for (const window of calendar.windowsOn(day)) {
      const start = Math.max(dayStart, window.start * MINUTE_MS);
      const end = Math.min(dayEnd, window.end * MINUTE_MS);
      if (end > start) total += end - start;
    }
  }
  return total;
}

/**
 * The close of the first working day on or after local `day` whose working time ends after
 * `notBefore` (when given).
 * @throws CalendarRangeError when the search leaves the calendar.
 */
export function closeOfWorkingDay(calendar: WorkingCalendar, day: number, notBefore?: Date): Date {
  for (let candidate = day; ; candidate++) {
    const last = calendar.windowsOn(candidate).at(-1);
    if (last === undefined) continue;
    const close = instantAt(candidate, last.end * MINUTE_MS);
    if (notBefore === undefined || close > notBefore) return close;
  }
}

/** Whether `instant` lies inside a working window (its start and end included). */
export function isWorkingInstant(calendar: WorkingCalendar, instant: Date): boolean {
  const time = localTimeOf(instant);
  return calendar
    .windowsOn(localDayOf(instant))
    .some((window) => window.start * MINUTE_MS <= time && time <= window.end * MINUTE_MS);
}
