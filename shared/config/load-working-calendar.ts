/**
 * Loads the national working calendars (`config/calendars/vn-YYYY.yaml`) and applies a province's
 * `calendar` section. Errors name the file, the field path and its line, as province files do.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  configIssue,
  formatConfigPath,
  ProvinceConfigError,
  type ProvinceConfigIssue,
  parseConfigFile,
  validateConfig,
} from '#shared/config/load-province-config.ts';
import {
  type CalendarYearFile,
  calendarYearSchema,
  datesBetween,
  minutesOf,
  type ProvinceCalendarConfig,
  parseWindow,
} from '#shared/config/working-calendar-config.ts';
import {
  buildWorkingCalendar,
  type CalendarOverrides,
  type CalendarYearSpec,
  type WeekWindows,
  type WorkingCalendar,
} from '#shared/domain/calendar/working-calendar.ts';

/** Where the national calendars ship. */
export const NATIONAL_CALENDARS_DIR = fileURLToPath(new URL('../../config/calendars/', import.meta.url));

const FILE_NAME = /^vn-(\d{4})\.ya?ml$/;

type WeekText = CalendarYearFile['week'];
type DaysOffText = CalendarYearFile['daysOff'];
type WorkingDaysText = CalendarYearFile['workingDays'];

function weekOf(week: WeekText | undefined): WeekWindows {
  return Object.fromEntries(
    Object.entries(week ?? {}).flatMap(([day, windows]) =>
      windows ? [[day, windows.map(parseWindow)]] : [],
    ),
  );
}

function daysOffOf(entries: DaysOffText) {
  return entries.flatMap((entry) =>
    datesBetween(entry.from, entry.to ?? entry.from).map((date) => ({ date, name: entry.name })),
  );
}

function workingDaysOf(entries: WorkingDaysText) {
  return entries.map((entry) => ({
    date: entry.date,
    name: entry.name,
    ...(entry.windows ? { windows: entry.windows.map(parseWindow) } : {}),
  }));
}

/**
 * Parses and validates one national year file (YAML).
 * @throws ProvinceConfigError naming the file and every bad field with its line.
 */
export function parseCalendarYear(text: string, fileName: string): CalendarYearSpec {
  const file = parseConfigFile(text, fileName);
  const data = validateConfig(calendarYearSchema, file, fileName);
  const year = FILE_NAME.exec(fileName.split(/[\\/]/).at(-1) ?? '')?.[1];
  if (year !== undefined && Number(year) !== data.year) {
    throw new ProvinceConfigError(fileName, [
      configIssue(file, ['year'], `must be ${year}, the year in the file name`),
    ]);
  }
  return {
    year: data.year,
    week: weekOf(data.week),
    makeUpDayWindows: data.makeUpDayWindows.map(parseWindow),
    daysOff: daysOffOf(data.daysOff),
    workingDays: workingDaysOf(data.workingDays),
  };
}

/**
 * Reads every national year file (`vn-YYYY.yaml`) in `dir`.
 * @throws ProvinceConfigError when one is unreadable or invalid.
 */
/** One national calendar file, by name and text (read from disk, or compiled into a Lambda bundle). */
export interface CalendarFile {
  name: string;
  text: string;
}

/**
 * The national calendar files (`vn-YYYY.yaml`) of a folder.
 * @throws ProvinceConfigError when the folder cannot be read.
 */
export function readNationalCalendarFiles(dir: string = NATIONAL_CALENDARS_DIR): CalendarFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => FILE_NAME.test(name));
  } catch (error) {
    throw new ProvinceConfigError(dir, [{ path: '', message: `cannot read: ${(error as Error).message}` }]);
  }
  return names.sort().map((name) => ({ name: join(dir, name), text: readFileSync(join(dir, name), 'utf8') }));
}

/**
 * Parses every national year file, from a folder or from files already read.
 * @throws ProvinceConfigError when one is unreadable or invalid.
 */
export function loadNationalCalendars(
  source: string | readonly CalendarFile[] = NATIONAL_CALENDARS_DIR,
): CalendarYearSpec[] {
  const files = typeof source === 'string' ? readNationalCalendarFiles(source) : source;
  return files.map((file) => parseCalendarYear(file.text, file.name));
}

/**
 * A province's working calendar: the national calendar of every shipped year with the province's
 * `calendar` section applied.
 * @throws ProvinceConfigError naming `calendar.…` fields outside the shipped years or contradicting
 *   each other, or a bad national file.
 */
export function loadWorkingCalendar(
  section: ProvinceCalendarConfig,
  options: {
    readonly dir?: string;
    /** The national files already read (a Lambda bundle carries them); else read from `dir`. */
    readonly files?: readonly CalendarFile[];
    readonly configName?: string;
  } = {},
): WorkingCalendar {
  const specs = loadNationalCalendars(options.files ?? options.dir);
  const years = new Set(specs.map((spec) => spec.year));
  const issues: ProvinceConfigIssue[] = [];
  const offDates = new Set(daysOffOf(section.extraDaysOff).map((day) => day.date));
  section.extraDaysOff.forEach((entry, index) => {
    for (const field of ['from', 'to'] as const) {
      const date = entry[field];
      if (date !== undefined && !years.has(Number(date.slice(0, 4)))) {
        issues.push({
          path: formatConfigPath(['calendar', 'extraDaysOff', index, field]),
          message: `${date} is in no shipped calendar (${[...years].join(', ')})`,
        });
      }
    }
  });
  section.extraWorkingDays.forEach((entry, index) => {
    const path = formatConfigPath(['calendar', 'extraWorkingDays', index, 'date']);
    if (!years.has(Number(entry.date.slice(0, 4)))) {
      issues.push({ path, message: `${entry.date} is in no shipped calendar (${[...years].join(', ')})` });
    } else if (offDates.has(entry.date)) {
      issues.push({ path, message: `${entry.date} is also in calendar.extraDaysOff` });
    }
  });
  if (issues.length > 0)
    throw new ProvinceConfigError(options.configName ?? 'province configuration', issues);
  const overrides: CalendarOverrides = {
    ...(section.week ? { week: weekOf(section.week) } : {}),
    ...(section.makeUpDayWindows ? { makeUpDayWindows: section.makeUpDayWindows.map(parseWindow) } : {}),
    daysOff: daysOffOf(section.extraDaysOff),
    workingDays: workingDaysOf(section.extraWorkingDays),
    hoursPerWorkingDay: section.hoursPerWorkingDay,
    sameDayCutoff: minutesOf(section.sameDayCutoff),
  };
  return buildWorkingCalendar(specs, overrides);
}
