import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProvinceConfigError } from '#shared/config/load-province-config.ts';
import {
  loadNationalCalendars,
  loadWorkingCalendar,
  NATIONAL_CALENDARS_DIR,
  parseCalendarYear,
} from '#shared/config/load-working-calendar.ts';
import { provinceCalendarSchema } from '#shared/config/working-calendar-config.ts';
import { dateOfDay, dayOfDate, formatLocal } from '#shared/domain/calendar/vietnam-time.ts';
import { CalendarRangeError, isWorkingDay } from '#shared/domain/calendar/working-calendar.ts';
import { addWorkingTime, workingTimeBetween } from '#shared/domain/calendar/working-time.ts';

const national = loadWorkingCalendar(provinceCalendarSchema.parse(undefined));
const at = (local: string) => new Date(`${local}:00+07:00`);
const HOUR = 3_600_000;

function workingDaysBetween(from: string, to: string, calendar = national): string[] {
  const days: string[] = [];
  for (let day = dayOfDate(from); day <= dayOfDate(to); day++) {
    if (isWorkingDay(calendar, day)) days.push(dateOfDay(day));
  }
  return days;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('the 2026 national calendar', () => {
  it('ships 2026 only, with 8 working hours a day and the 15:00 same-day cutoff', () => {
    expect(national.years).toEqual([2026]);
    expect(national.hoursPerWorkingDay).toBe(8);
    expect(national.sameDayCutoff).toBe(15 * 60);
    expect(workingTimeBetween(national, at('2026-03-10T00:00'), at('2026-03-11T00:00'))).toBe(8 * HOUR);
  });

  it('is off 1–4 Jan and works the make-up Saturday 10 Jan', () => {
    expect(workingDaysBetween('2026-01-01', '2026-01-12')).toEqual([
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
      '2026-01-10',
      '2026-01-12',
    ]);
  });

  it('is off the whole Tết week, 14–22 Feb', () => {
    expect(workingDaysBetween('2026-02-12', '2026-02-24')).toEqual([
      '2026-02-12',
      '2026-02-13',
      '2026-02-23',
      '2026-02-24',
    ]);
    // Friday 13 Feb 16:00 + 2 working hours lands after Tết, on Monday 23 Feb.
    expect(formatLocal(addWorkingTime(national, at('2026-02-13T16:00'), 2 * HOUR))).toBe(
      '2026-02-23T08:30+07:00',
    );
  });

  it('observes Hùng Kings on Monday 27 Apr and is off 30 Apr–1 May', () => {
    expect(workingDaysBetween('2026-04-24', '2026-05-05')).toEqual([
      '2026-04-24',
      '2026-04-28',
      '2026-04-29',
      '2026-05-04',
      '2026-05-05',
    ]);
  });

  it('is off the National Day days 29 Aug–2 Sep and works the make-up Saturday 22 Aug', () => {
    expect(workingDaysBetween('2026-08-20', '2026-09-04')).toEqual([
      '2026-08-20',
      '2026-08-21',
      '2026-08-22',
      '2026-08-24',
      '2026-08-25',
      '2026-08-26',
      '2026-08-27',
      '2026-08-28',
      '2026-09-03',
      '2026-09-04',
    ]);
  });

  it('works the make-up Saturdays in the same windows as a weekday', () => {
    expect(national.windowsOn(dayOfDate('2026-01-10'))).toEqual([
      { start: 7 * 60 + 30, end: 11 * 60 + 30 },
      { start: 13 * 60, end: 17 * 60 },
    ]);
    expect(national.windowsOn(dayOfDate('2026-01-17'))).toEqual([]);
  });

  it('refuses a date in a year no calendar covers instead of assuming a Monday–Friday week', () => {
    const error = thrown(() => isWorkingDay(national, dayOfDate('2027-01-04')));
    expect(error).toBeInstanceOf(CalendarRangeError);
    expect((error as Error).message).toContain('2027-01-04');
    expect((error as Error).message).toContain('vn-2027.yaml');
    expect(thrown(() => addWorkingTime(national, at('2026-12-30T09:00'), 40 * HOUR))).toBeInstanceOf(
      CalendarRangeError,
    );
  });
});

describe("a province's calendar section", () => {
  const local = loadWorkingCalendar(
    provinceCalendarSchema.parse({
      week: { friday: ['07:00-11:30'] },
      extraDaysOff: [{ from: '2026-03-10', name: 'Ngày giải phóng tỉnh' }],
      extraWorkingDays: [{ date: '2026-03-14', name: 'Làm bù', windows: ['07:00-11:00'] }],
      sameDayCutoff: '14:00',
    }),
  );

  it('adds days off and working days and replaces weekday windows, keeping the national holidays', () => {
    expect(workingDaysBetween('2026-03-09', '2026-03-16', local)).toEqual([
      '2026-03-09',
      '2026-03-11',
      '2026-03-12',
      '2026-03-13',
      '2026-03-14',
      '2026-03-16',
    ]);
    expect(local.windowsOn(dayOfDate('2026-03-13'))).toEqual([{ start: 420, end: 690 }]);
    expect(local.windowsOn(dayOfDate('2026-03-14'))).toEqual([{ start: 420, end: 660 }]);
    expect(isWorkingDay(local, dayOfDate('2026-02-16'))).toBe(false);
    expect(local.sameDayCutoff).toBe(14 * 60);
  });

  it('rejects local days outside the shipped years, naming the field', () => {
    const error = thrown(() =>
      loadWorkingCalendar(
        provinceCalendarSchema.parse({ extraWorkingDays: [{ date: '2027-01-09', name: 'x' }] }),
        { configName: 'config/provinces/x.yaml' },
      ),
    );
    expect(error).toBeInstanceOf(ProvinceConfigError);
    expect((error as Error).message).toBe(
      'config/provinces/x.yaml: calendar.extraWorkingDays[0].date: 2027-01-09 is in no shipped calendar (2026)',
    );
  });

  it('defaults to the national calendar, the pause clock and one apology slip', () => {
    expect(provinceCalendarSchema.parse(undefined)).toMatchObject({
      supplementResume: 'pause',
      maxApologySlips: 1,
      extraDaysOff: [],
    });
  });
});

describe('national calendar files', () => {
  it('loads every vn-YYYY file of the folder', () => {
    expect(loadNationalCalendars(NATIONAL_CALENDARS_DIR).map((year) => year.year)).toEqual([2026]);
  });

  it('names the file, the field and its line', () => {
    const text = [
      'year: 2027',
      'name: test',
      'source: test',
      'week:',
      "  monday: ['07:30-11:30', '13:00-12:00']",
      "makeUpDayWindows: ['07:30-11:30']",
      'daysOff:',
      "  - from: '2027-02-30'",
      '    name: bad',
      'workingDays:',
      "  - date: '2026-01-10'",
      '    name: wrong year',
    ].join('\n');
    const error = thrown(() => parseCalendarYear(text, 'config/calendars/vn-2027.yaml'));
    expect(error).toBeInstanceOf(ProvinceConfigError);
    expect((error as Error).message.split('\n')).toEqual([
      'config/calendars/vn-2027.yaml: week.monday[1] (line 5): must end after it starts',
      'config/calendars/vn-2027.yaml: daysOff[0].from (line 8): is not a calendar date',
      'config/calendars/vn-2027.yaml: workingDays[0].date (line 11): must be in 2027',
    ]);
  });

  it('refuses a file whose year differs from its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendars-'));
    writeFileSync(
      join(dir, 'vn-2027.yaml'),
      "year: 2026\nname: x\nsource: x\nweek: {}\nmakeUpDayWindows: ['07:30-11:30']\n",
    );
    expect((thrown(() => loadNationalCalendars(dir)) as Error).message).toBe(
      `${join(dir, 'vn-2027.yaml')}: year (line 1): must be 2027, the year in the file name`,
    );
  });
});
