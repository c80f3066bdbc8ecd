/**
 * The reported periods of the KPIs by their keys (local Asia/Ho_Chi_Minh days): a day
 * `yyyy-MM-dd`, a month `yyyy-MM`, a quarter `yyyy-Qn`, a year `yyyy`; and the scopes the period
 * rollup adds to the units' and the province's (a level of units, a district with its units).
 */
import { dateOfDay, dayOfDate } from '#shared/domain/calendar/vietnam-time.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { KpiPeriod, KpiUnitInfo } from '#shared/domain/kpi/kpi-definitions.ts';

/** The month, quarter and year a day belongs to, by key. */
export interface PeriodsOfDay {
  readonly month: string;
  readonly quarter: string;
  readonly year: string;
}

export type PeriodKind = 'day' | 'month' | 'quarter' | 'year';

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_KEY = /^(\d{4})-(\d{2})$/;
const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;
const YEAR_KEY = /^(\d{4})$/;

const pad = (value: number) => String(value).padStart(2, '0');

/** Last day of a month (1–12) of a year. */
const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function invalid(key: string): never {
  throw new ValidationError(
    'INVALID_KPI_PERIOD',
    `not a period key (yyyy-MM-dd, yyyy-MM, yyyy-Qn or yyyy): ${key}`,
  );
}

/**
 * The kind of a period key and its first and last days.
 * @throws ValidationError INVALID_KPI_PERIOD for anything but a valid day, month, quarter or year key.
 */
export function parsePeriodKey(key: string): { kind: PeriodKind } & KpiPeriod {
  let match = DAY_KEY.exec(key);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (month < 1 || month > 12 || day < 1 || day > lastDayOfMonth(year, month)) invalid(key);
    return { kind: 'day', from: key, to: key };
  }
  match = MONTH_KEY.exec(key);
  if (match) {
    const [year, month] = [Number(match[1]), Number(match[2])];
    if (month < 1 || month > 12) invalid(key);
    return {
      kind: 'month',
      from: `${key}-01`,
      to: `${key}-${pad(lastDayOfMonth(year, month))}`,
    };
  }
  match = QUARTER_KEY.exec(key);
  if (match) {
    const [year, quarter] = [Number(match[1]), Number(match[2])];
    const last = quarter * 3;
    return {
      kind: 'quarter',
      from: `${year}-${pad(last - 2)}-01`,
      to: `${year}-${pad(last)}-${pad(lastDayOfMonth(year, last))}`,
    };
  }
  match = YEAR_KEY.exec(key);
  if (match) return { kind: 'year', from: `${key}-01-01`, to: `${key}-12-31` };
  return invalid(key);
}

/**
 * The month, quarter and year keys of a day.
 * @throws ValidationError INVALID_KPI_PERIOD when `day` is not a valid `yyyy-MM-dd`.
 */
export function periodsContaining(day: string): PeriodsOfDay {
  if (parsePeriodKey(day).kind !== 'day') invalid(day);
  const year = day.slice(0, 4);
  const month = Number(day.slice(5, 7));
  return { month: day.slice(0, 7), quarter: `${year}-Q${Math.ceil(month / 3)}`, year };
}

/**
 * Every day of a period (ISO dates, in order).
 * @throws ValidationError INVALID_KPI_PERIOD for an invalid key.
 */
export function daysOfPeriod(key: string): string[] {
  const { from, to } = parsePeriodKey(key);
  const days: string[] = [];
  for (let day = dayOfDate(from); day <= dayOfDate(to); day += 1) days.push(dateOfDay(day));
  return days;
}

/** The scope of every unit of one level taken together (e.g. all communes). */
export const levelScope = (level: KpiUnitInfo['level']): string => `LEVEL#${level}`;

/** The scope of a district together with the units under it (its own figures keep its agency id). */
export const treeScope = (districtId: string): string => `TREE#${districtId}`;
