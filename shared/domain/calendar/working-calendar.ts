/**
 * The working calendar as data: working windows per weekday, public holidays, days off moved by
 * the government's swaps and make-up working days (a Saturday can be worked), per year. Nothing
 * here assumes a Monday–Friday week: a day is worked only if its year's data says so, and a day in
 * a year no calendar covers is an error, never a guess.
 */

import { dateOfDay, dayOfDate, weekdayOfDay, yearOfDay } from '#shared/domain/calendar/vietnam-time.ts';
import { DomainError } from '#shared/domain/errors.ts';

/** A working window in local minutes after midnight, `start` < `end`. */
export interface WorkingWindow {
  readonly start: number;
  readonly end: number;
}

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
const WEEKDAYS: readonly Weekday[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

/** Working windows per weekday; a weekday left out is not worked. */
export type WeekWindows = Partial<Record<Weekday, readonly WorkingWindow[]>>;

/** A named day (`YYYY-MM-DD`, local). */
export interface CalendarDay {
  readonly date: string;
  readonly name: string;
}

/** A day worked although its weekday is not (a make-up Saturday). */
export interface MakeUpDay extends CalendarDay {
  /** @default the calendar's make-up day windows */
  readonly windows?: readonly WorkingWindow[];
}

/** One year of a calendar as published. */
export interface CalendarYearSpec {
  readonly year: number;
  readonly week: WeekWindows;
  readonly makeUpDayWindows: readonly WorkingWindow[];
  /** Public holidays and swapped days off, one entry per day. */
  readonly daysOff: readonly CalendarDay[];
  readonly workingDays: readonly MakeUpDay[];
}

/** What a province changes on the national calendar, for every year it covers. */
export interface CalendarOverrides {
  /** Replaces the national windows of the weekdays listed. */
  readonly week?: WeekWindows;
  readonly makeUpDayWindows?: readonly WorkingWindow[];
  /** Days off on top of the national ones (they win over a national make-up day). */
  readonly daysOff?: readonly CalendarDay[];
  /** Working days on top of the national ones (they win over a national day off). */
  readonly workingDays?: readonly MakeUpDay[];
  /** @default 8 */
  readonly hoursPerWorkingDay?: number;
  /** Local minutes after midnight; a same-day procedure received later counts from the next working day. @default 900 (15:00) */
  readonly sameDayCutoff?: number;
}

/** A province's working calendar over the years it covers. */
export interface WorkingCalendar {
  /** Years covered, ascending. */
  readonly years: readonly number[];
  /** Working hours that make one working day. */
  readonly hoursPerWorkingDay: number;
  /** Same-day cutoff in local minutes after midnight. */
  readonly sameDayCutoff: number;
  /**
   * The working windows of a local day (empty for a day off).
   * @throws CalendarRangeError when no calendar covers the day's year.
   */
  windowsOn(day: number): readonly WorkingWindow[];
}

/** A date no shipped calendar covers: the due date cannot be computed, never guessed. */
export class CalendarRangeError extends DomainError {
  override readonly name = 'CalendarRangeError';
  readonly code = 'OUTSIDE_WORKING_CALENDAR';
  constructor(
    readonly date: string,
    readonly years: readonly number[],
  ) {
    super(
      `no working calendar covers ${date} (calendars cover ${years.join(', ') || 'no year'}): ` +
        `add config/calendars/vn-${date.slice(0, 4)}.yaml`,
    );
  }
}

/** Two rules in a calendar contradict each other. */
export class CalendarDefinitionError extends DomainError {
  override readonly name = 'CalendarDefinitionError';
  readonly code = 'INVALID_WORKING_CALENDAR';
}

/**
 * Builds a calendar from published years and a province's changes.
 * @throws CalendarDefinitionError on a year given twice, a province date outside every year, or
 *   a province date that is both a day off and a working day.
 */
export function buildWorkingCalendar(
  specs: readonly CalendarYearSpec[],
  overrides: CalendarOverrides = {},
): WorkingCalendar {
  const years = specs.map((spec) => spec.year).sort((a, b) => a - b);
  if (new Set(years).size !== years.length) {
    throw new CalendarDefinitionError(`a year is given twice: ${years.join(', ')}`);
  }
  const windowsByDay = new Map<number, readonly WorkingWindow[]>();
  for (const spec of specs) {
    const week = { ...spec.week, ...overrides.week };
    const makeUp = overrides.makeUpDayWindows ?? spec.makeUpDayWindows;
    for (let day = dayOfDate(`${spec.year}-01-01`); yearOfDay(day) === spec.year; day++) {
      windowsByDay.set(day, week[WEEKDAYS[weekdayOfDay(day)] ?? 'sunday'] ?? []);
    }
    for (const off of spec.daysOff) windowsByDay.set(dayOfDate(off.date), []);
    for (const worked of spec.workingDays) windowsByDay.set(dayOfDate(worked.date), worked.windows ?? makeUp);
  }
  const localOff = new Set((overrides.daysOff ?? []).map((off) => off.date));
  for (const day of [...(overrides.daysOff ?? []), ...(overrides.workingDays ?? [])]) {
    if (!windowsByDay.has(dayOfDate(day.date))) {
      throw new CalendarDefinitionError(
        `${day.date} (${day.name}) is outside the calendars (${years.join(', ')})`,
      );
    }
  }
  for (const off of overrides.daysOff ?? []) windowsByDay.set(dayOfDate(off.date), []);
  for (const worked of overrides.workingDays ?? []) {
    if (localOff.has(worked.date)) {
      throw new CalendarDefinitionError(`${worked.date} is both a local day off and a local working day`);
    }
    const spec = specs.find((candidate) => worked.date.startsWith(`${candidate.year}-`));
    const makeUp = overrides.makeUpDayWindows ?? spec?.makeUpDayWindows ?? [];
    windowsByDay.set(dayOfDate(worked.date), worked.windows ?? makeUp);
  }
  return {
    years,
    hoursPerWorkingDay: overrides.hoursPerWorkingDay ?? 8,
    sameDayCutoff: overrides.sameDayCutoff ?? 15 * 60,
    windowsOn(day) {
      const windows = windowsByDay.get(day);
      if (windows === undefined) throw new CalendarRangeError(dateOfDay(day), years);
      return windows;
    },
  };
}

/** Whether a local day has working time. @throws CalendarRangeError outside the calendar. */
export function isWorkingDay(calendar: WorkingCalendar, day: number): boolean {
  return calendar.windowsOn(day).length > 0;
}
