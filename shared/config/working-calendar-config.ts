/**
 * Schemas of the working calendar as data: a national year file (`config/calendars/vn-YYYY.yaml`)
 * and the `calendar` section a province adds on top of it.
 */
import { z } from 'zod';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes after midnight of a valid `HH:mm`. */
export function minutesOf(time: string): number {
  const [, hours, minutes] = TIME.exec(time) ?? [];
  return Number(hours) * 60 + Number(minutes);
}

/** `{ start, end }` in minutes after midnight of a valid `HH:mm-HH:mm`. */
export function parseWindow(text: string): { start: number; end: number } {
  const [start = '', end = ''] = text.split('-');
  return { start: minutesOf(start), end: minutesOf(end) };
}

// Parsed values stay text (a parsed configuration travels to handlers as JSON and is parsed again);
// the calendar loader turns them into minutes.

/** `HH:mm`, local (Asia/Ho_Chi_Minh) time. */
const timeSchema = z.string().regex(TIME, 'must be a time HH:mm such as 15:00');

/** `HH:mm-HH:mm`, local time. */
const windowSchema = z
  .string()
  .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/, 'must be a window HH:mm-HH:mm such as 07:30-11:30')
  .superRefine((text, ctx) => {
    const [start = '', end = ''] = text.split('-');
    if (!TIME.test(start) || !TIME.test(end))
      ctx.addIssue({ code: 'custom', message: 'has an invalid time' });
    else if (minutesOf(start) >= minutesOf(end))
      ctx.addIssue({ code: 'custom', message: 'must end after it starts' });
  });

/** A day's working windows in order, none overlapping; empty for a day off. */
const windowsSchema = z.array(windowSchema).superRefine((windows, ctx) => {
  const parsed = windows.map(parseWindow);
  parsed.forEach((window, index) => {
    const previous = parsed[index - 1];
    if (previous && window.start < previous.end) {
      ctx.addIssue({ code: 'custom', path: [index], message: 'must start after the previous window ends' });
    }
  });
});

const dateSchema = z
  .string()
  .regex(DATE, 'must be a date YYYY-MM-DD')
  .refine((text) => {
    const [, year, month, day] = DATE.exec(text) ?? [];
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    return date.toISOString().startsWith(text);
  }, 'is not a calendar date');

/** Working windows per weekday; a weekday left out (or empty) is not worked. */
const weekSchema = z.strictObject({
  monday: windowsSchema.optional(),
  tuesday: windowsSchema.optional(),
  wednesday: windowsSchema.optional(),
  thursday: windowsSchema.optional(),
  friday: windowsSchema.optional(),
  saturday: windowsSchema.optional(),
  sunday: windowsSchema.optional(),
});

const daysOffSchema = z
  .strictObject({
    /** First day off, or the only one. */
    from: dateSchema,
    /** Last day off (inclusive). @default from */
    to: dateSchema.optional(),
    name: z.string().min(1),
  })
  .refine((entry) => entry.to === undefined || entry.to >= entry.from, {
    path: ['to'],
    message: 'must not be before from',
  });

const workingDaySchema = z.strictObject({
  date: dateSchema,
  name: z.string().min(1),
  /** @default the calendar's make-up day windows */
  windows: windowsSchema.min(1).optional(),
});

/** One national year file, e.g. `config/calendars/vn-2026.yaml`. */
export const calendarYearSchema = z
  .strictObject({
    year: z.number().int().min(2000).max(2100),
    name: z.string().min(1),
    /** Where the days off and swaps were announced. */
    source: z.string().min(1),
    week: weekSchema,
    /** Windows of a make-up working day (a Saturday worked instead of a swapped day). */
    makeUpDayWindows: windowsSchema.min(1),
    /** Public holidays and days off moved by the government's swaps. */
    daysOff: z.array(daysOffSchema).default([]),
    /** Days worked although their weekday is not (make-up Saturdays). */
    workingDays: z.array(workingDaySchema).default([]),
  })
  .superRefine((file, ctx) => {
    const inYear = (date: string) => date.startsWith(`${file.year}-`);
    const off = new Set<string>();
    file.daysOff.forEach((entry, index) => {
      for (const field of ['from', 'to'] as const) {
        const date = entry[field];
        if (date !== undefined && !inYear(date)) {
          ctx.addIssue({
            code: 'custom',
            path: ['daysOff', index, field],
            message: `must be in ${file.year}`,
          });
        }
      }
      for (const date of datesBetween(entry.from, entry.to ?? entry.from)) off.add(date);
    });
    file.workingDays.forEach((entry, index) => {
      if (!inYear(entry.date)) {
        ctx.addIssue({
          code: 'custom',
          path: ['workingDays', index, 'date'],
          message: `must be in ${file.year}`,
        });
      }
      if (off.has(entry.date)) {
        ctx.addIssue({
          code: 'custom',
          path: ['workingDays', index, 'date'],
          message: `${entry.date} is also listed as a day off`,
        });
      }
    });
  });

/**
 * A province's `calendar` section: what it changes on the national calendar of every year
 * shipped, and how its dossier clock runs.
 */
export const provinceCalendarSchema = z
  .strictObject({
    /** Working windows replacing the national ones for the weekdays listed. */
    week: weekSchema.optional(),
    /** Windows of a make-up working day. @default the national file's */
    makeUpDayWindows: windowsSchema.min(1).optional(),
    /** Local days off on top of the national ones. */
    extraDaysOff: z.array(daysOffSchema).default([]),
    /** Local working days on top of the national ones. */
    extraWorkingDays: z.array(workingDaySchema).default([]),
    /** Working hours in one working day. @default 8 */
    hoursPerWorkingDay: z.number().positive().max(24).default(8),
    /** A same-day procedure received after this time counts from the next working day. @default 15:00 */
    sameDayCutoff: timeSchema.default('15:00'),
    /**
     * When a supplement is complete: `pause` resumes the remaining time, `restart` starts the full
     * limit again (as some provinces apply the decree). @default pause
     */
    supplementResume: z.enum(['pause', 'restart']).default('pause'),
    /** Apology slips (phiếu xin lỗi) allowed per dossier. @default 1 */
    maxApologySlips: z.number().int().min(0).max(10).default(1),
  })
  .default({
    extraDaysOff: [],
    extraWorkingDays: [],
    hoursPerWorkingDay: 8,
    sameDayCutoff: '15:00',
    supplementResume: 'pause',
    maxApologySlips: 1,
  });

/** Every `YYYY-MM-DD` from `from` to `to`, inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += 86_400_000) {
    dates.push(new Date(day).toISOString().slice(0, 10));
  }
  return dates;
}

export type CalendarYearFile = z.infer<typeof calendarYearSchema>;
export type ProvinceCalendarConfig = z.infer<typeof provinceCalendarSchema>;
