/**
 * The keys of reported KPI periods (kpi-rollup-store.ts): a day `yyyy-MM-dd`, a month `yyyy-MM`,
 * a quarter `yyyy-Qn` or a year `yyyy`. Reading them, stepping to the next one of the same kind
 * and naming them in Vietnamese, as the API and the reports need.
 */
import { ValidationError } from '#shared/domain/errors.ts';

export type KpiPeriodKind = 'day' | 'month' | 'quarter' | 'year';

/** A period key, read. */
export interface ParsedKpiPeriod {
  readonly key: string;
  readonly kind: KpiPeriodKind;
  readonly year: number;
  /** 1–12 for a month or day, 1–4 for a quarter. */
  readonly index?: number;
  /** Day of the month, for a day. */
  readonly day?: number;
}

const PATTERNS: readonly [KpiPeriodKind, RegExp][] = [
  ['day', /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/],
  ['month', /^(\d{4})-(0[1-9]|1[0-2])$/],
  ['quarter', /^(\d{4})-Q([1-4])$/],
  ['year', /^(\d{4})$/],
];

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** The period a key names, or undefined when it names none (`2026-13`, `2026-02-30`, `2026-Q5`). */
export function readKpiPeriod(key: string): ParsedKpiPeriod | undefined {
  for (const [kind, pattern] of PATTERNS) {
    const match = pattern.exec(key);
    if (!match) continue;
    const year = Number(match[1]);
    if (year < 2000 || year > 2100) return undefined;
    if (kind === 'year') return { key, kind, year };
    const index = Number(match[2]);
    if (kind !== 'day') return { key, kind, year, index };
    const day = Number(match[3]);
    const date = new Date(Date.UTC(year, index - 1, day));
    if (date.getUTCMonth() !== index - 1) return undefined;
    return { key, kind, year, index, day };
  }
  return undefined;
}

/**
 * Reads a period key.
 * @throws ValidationError INVALID_PERIOD naming the accepted forms.
 */
export function parseKpiPeriod(key: string, name = 'period'): ParsedKpiPeriod {
  const parsed = readKpiPeriod(key);
  if (!parsed) {
    throw new ValidationError(
      'INVALID_PERIOD',
      `${name}: ${JSON.stringify(key)} is not a period (yyyy-MM-dd, yyyy-MM, yyyy-Qn or yyyy, years 2000–2100)`,
    );
  }
  return parsed;
}

/** The period of the same kind after this one (the day after, the next month, quarter or year). */
export function nextKpiPeriod(period: ParsedKpiPeriod): ParsedKpiPeriod {
  const { kind, year, index = 1, day = 1 } = period;
  let key: string;
  if (kind === 'year') key = pad(year + 1, 4);
  else if (kind === 'quarter') key = index === 4 ? `${year + 1}-Q1` : `${year}-Q${index + 1}`;
  else if (kind === 'month') key = index === 12 ? `${year + 1}-01` : `${year}-${pad(index + 1, 2)}`;
  else key = new Date(Date.UTC(year, index - 1, day + 1)).toISOString().slice(0, 10);
  return parseKpiPeriod(key);
}

/**
 * The periods from `from` to `to`, both included, of one kind.
 * @throws ValidationError PERIOD_KINDS_DIFFER, INVALID_PERIOD_RANGE (`to` before `from`) or
 *   TOO_MANY_PERIODS (more than `max`).
 */
export function kpiPeriodsBetween(from: string, to: string, max: number): ParsedKpiPeriod[] {
  const first = parseKpiPeriod(from, 'from');
  const last = parseKpiPeriod(to, 'to');
  if (first.kind !== last.kind) {
    throw new ValidationError(
      'PERIOD_KINDS_DIFFER',
      `from (${first.kind}) and to (${last.kind}) must be periods of one kind`,
    );
  }
  // Keys of one kind sort as their periods do.
  if (last.key < first.key) throw new ValidationError('INVALID_PERIOD_RANGE', `${to} is before ${from}`);
  const periods: ParsedKpiPeriod[] = [first];
  while ((periods.at(-1) as ParsedKpiPeriod).key !== last.key) {
    if (periods.length === max) {
      throw new ValidationError(
        'TOO_MANY_PERIODS',
        `${from}..${to} holds more than ${max} periods: ask for a shorter range or a longer kind`,
      );
    }
    periods.push(nextKpiPeriod(periods.at(-1) as ParsedKpiPeriod));
  }
  return periods;
}

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'];

/** The period as a Vietnamese report names it: `Quý IV năm 2026`, `Năm 2026`, `Tháng 11 năm 2026`. */
export function kpiPeriodLabel(period: ParsedKpiPeriod): string {
  const { kind, year, index = 1, day = 1 } = period;
  if (kind === 'year') return `Năm ${year}`;
  if (kind === 'quarter') return `Quý ${ROMAN_QUARTERS[index - 1]} năm ${year}`;
  if (kind === 'month') return `Tháng ${index} năm ${year}`;
  return `Ngày ${pad(day, 2)}/${pad(index, 2)}/${year}`;
}
