/**
 * The reported periods of the KPIs by their keys (local Asia/Ho_Chi_Minh days): a day
 * `yyyy-MM-dd`, a month `yyyy-MM`, a quarter `yyyy-Qn`, a year `yyyy`; and the scopes the period
 * rollup adds to the units' and the province's (a level of units, a district with its units).
 */
import { dateOfDay, dayOfDate } from '#shared/domain/calendar/vietnam-time.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { KpiPeriod, KpiUnitInfo } from '#shared/domain/kpi/kpi-definitions.ts';
import { type KpiPeriodKind, periodDays, readKpiPeriod } from '#shared/domain/kpi/kpi-period-keys.ts';

/** The month, quarter and year a day belongs to, by key. */
export interface PeriodsOfDay {
  readonly month: string;
  readonly quarter: string;
  readonly year: string;
}

export type PeriodKind = KpiPeriodKind;

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
  const period = readKpiPeriod(key);
  if (!period) return invalid(key);
  return { kind: period.kind, ...periodDays(period) };
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
