/**
 * Local time in Asia/Ho_Chi_Minh. Vietnam has kept UTC+7 without daylight saving since 1975, so
 * a fixed +07:00 offset is exact for every date the calendars cover (no time-zone database needed).
 */

const OFFSET_MS = 7 * 3_600_000;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Local day number: whole days since 1970-01-01 in Vietnam time. */
export function localDayOf(instant: Date): number {
  return Math.floor((instant.getTime() + OFFSET_MS) / DAY_MS);
}

/** Milliseconds since local midnight. */
export function localTimeOf(instant: Date): number {
  const local = instant.getTime() + OFFSET_MS;
  return local - Math.floor(local / DAY_MS) * DAY_MS;
}

/** The instant `msOfDay` after local midnight of `day`. */
export function instantAt(day: number, msOfDay: number): Date {
  return new Date(day * DAY_MS + msOfDay - OFFSET_MS);
}

/** Local day number of `YYYY-MM-DD`. */
export function dayOfDate(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** `YYYY-MM-DD` of a local day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Gregorian year of a local day number. */
export function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** 0 Sunday … 6 Saturday. */
export function weekdayOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

/** `2026-08-28T14:00+07:00`, for messages and reports. */
export function formatLocal(instant: Date): string {
  return `${new Date(instant.getTime() + OFFSET_MS).toISOString().slice(0, 16)}+07:00`;
}
