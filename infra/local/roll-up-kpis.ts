/**
 * `npm run kpi:rollup`: rolls up the KPI figures of a day (or a range of days) on an embedded
 * runtime's data, then the months, quarters and years containing them, and prints the province's
 * figures of each day and of the month (or of the period asked for).
 *
 *   npm run kpi:rollup -- --date 2026-11-30
 *   npm run kpi:rollup -- --date 2026-11-01 --to 2026-11-30 --data-dir ./data
 *   npm run kpi:rollup -- --date 2026-11-30 --period 2026-Q4
 *   npm run kpi:rollup -- --period 2026-Q4            (every day of the quarter up to today)
 *   npm run kpi:rollup -- --date 2026-11-30 --endpoint http://127.0.0.1:PORT   (a running back office's DynamoDB)
 *
 * Without `--endpoint` it opens the data folder's DynamoDB store itself, so the back office on that
 * folder must be stopped (its store has one owner). Only dossiers saved since the day buckets exist
 * (KPIDAY#… items) are found: older ones are filed again at their next change.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import type { KpiTargets } from '#shared/config/kpi-targets.ts';
import { loadKpiTargets, provinceKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { vietnamDate } from '#shared/config/procedure-catalogue.ts';
import { kpiDefinition, kpiUnitsOf } from '#shared/domain/kpi/kpi-definitions.ts';
import { parsePeriodKey, periodsContaining } from '#shared/domain/kpi/kpi-periods.ts';
import { isInternalTerm, type KpiFigure, PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';
import {
  daysBetween,
  type KpiDayRollup,
  type RollUpKpiDayDeps,
  rollUpKpiDays,
} from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import {
  type KpiPeriodRollup,
  type KpiPeriodsRollup,
  type RollUpKpiPeriodsDeps,
  rollUpKpiPeriods,
} from '#shared/use-cases/kpi/roll-up-kpi-periods.ts';
import { ensureDocumentsTable, withLocalDynamoDb } from './start-local-dynamodb.ts';

const USAGE = `Usage: npm run kpi:rollup -- (--date YYYY-MM-DD [--to YYYY-MM-DD] [--period KEY] | --period KEY) [--data-dir <folder> | --endpoint <url>] [--config <province.yaml>] [--targets <targets.yaml>]

  --date      the (first) local day to roll up; the months, quarters and years containing the days follow
  --to        the last day of a range, inclusive (default: --date)
  --period    the period whose province figures are printed (YYYY-MM, YYYY-Qn or YYYY; default: the
              month of the last day); alone, every day of it up to today is rolled up first
  --data-dir  the back office's data folder (env MOTCUA_DATA_DIR, default ./data); stop the back office first
  --endpoint  a running back office's DynamoDB endpoint instead of opening the data folder
  --config    province configuration (default config/provinces/sample-province.yaml)
  --targets   KPI targets (default config/kpi-targets/{slug}-province.yaml when it exists)`;

export interface RollUpLocalKpisRequest {
  from: string;
  to: string;
  dataDir: string;
  endpoint?: string;
  configPath: string;
  targetsPath?: string;
  now?: () => Date;
}

/** Opens the data folder's (or a running back office's) documents table and runs `task` on its ports. */
async function onLocalTable<T>(
  request: RollUpLocalKpisRequest,
  task: (deps: RollUpKpiDayDeps & RollUpKpiPeriodsDeps) => Promise<T>,
): Promise<T> {
  const config = loadProvinceConfig(request.configPath);
  const { targetsPath } = request;
  const targets: KpiTargets | undefined = targetsPath
    ? await stat(targetsPath).then(
        () => loadKpiTargets(targetsPath, config),
        () => {
          throw new Error(`no targets file ${targetsPath}`);
        },
      )
    : provinceKpiTargets(config);
  return withLocalDynamoDb(request, async (client) => {
    const table = `motcua-${config.province.slug}-documents`;
    await ensureDocumentsTable(client, table);
    return task({
      dossiers: createDynamoDbDossierRepository(client, table),
      store: createDynamoDbKpiRollupStore(client, table),
      context: {
        procedures: config.procedures,
        calendar: loadWorkingCalendar(config.calendar),
        units: kpiUnitsOf(config),
        supplementResume: config.dossiers.supplementResume,
      },
      agencies: config.agencies,
      ...(targets ? { targets } : {}),
      now: request.now ?? (() => new Date()),
    });
  });
}

/** Rolls up the days on the data folder's (or a running back office's) documents table. */
export async function rollUpLocalKpis(request: RollUpLocalKpisRequest): Promise<KpiDayRollup[]> {
  return onLocalTable(request, (deps) => rollUpKpiDays(deps, request.from, request.to));
}

/** What a rollup of days and of the periods containing them did. */
export interface LocalKpiRollup {
  days: KpiDayRollup[];
  periods: KpiPeriodsRollup;
}

/** Rolls up the days, then every month, quarter and year containing one of them. */
export async function rollUpLocalKpiPeriods(request: RollUpLocalKpisRequest): Promise<LocalKpiRollup> {
  return onLocalTable(request, async (deps) => {
    const days = await rollUpKpiDays(deps, request.from, request.to);
    const periods = await rollUpKpiPeriods(
      deps,
      days.map((rollup) => rollup.day),
    );
    return { days, periods };
  });
}

const formatNumber = (value: number | undefined) =>
  value === undefined ? '—' : Number.isInteger(value) ? String(value) : value.toFixed(2);

/** Province figures as a table for a terminal. */
function provinceTable(figures: readonly KpiFigure[]): string[] {
  const rows = figures
    .filter((figure) => figure.scope === PROVINCE_SCOPE && !isInternalTerm(figure.kpiId))
    .map((figure) => {
      const definition = kpiDefinition(figure.kpiId);
      return [
        figure.kpiId,
        formatNumber(figure.value),
        definition.unit,
        `${formatNumber(figure.numerator)}/${formatNumber(figure.denominator)}`,
        figure.target === undefined
          ? ''
          : `${figure.comparison === 'at-most' ? '≤' : '≥'} ${formatNumber(figure.target)}`,
        figure.met === undefined ? figure.targetStatus : figure.met ? 'met' : 'NOT MET',
      ];
    });
  const header = ['kpi', 'value', 'unit', 'n/d', 'target', 'status'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A day's province figures as a table for a terminal. */
export function formatKpiDay(rollup: KpiDayRollup): string {
  return [
    `${rollup.day}  province  ${rollup.dossiers} dossiers touched the day; ${rollup.written} items written, ${rollup.unchanged} unchanged`,
    ...provinceTable(rollup.figures),
  ].join('\n');
}

/** A period's province figures (catalogue figures included) as a table for a terminal. */
export function formatKpiPeriod(rollup: KpiPeriodRollup): string {
  return [
    `${rollup.period}  province  ${rollup.written} items written, ${rollup.unchanged} unchanged (units, levels, districts and province)`,
    ...provinceTable(rollup.figures),
  ].join('\n');
}

/** Days rolled up one by one are printed each; a longer range as one line. */
const DAYS_PRINTED = 7;

/** What the command prints: the days, then the period asked for (or the last day's month). */
export function formatLocalKpiRollup(rollup: LocalKpiRollup, period?: string): string {
  const lastDay = rollup.days.at(-1)?.day;
  const shown = period ?? (lastDay ? periodsContaining(lastDay).month : undefined);
  const ofPeriod = rollup.periods.periods.find((item) => item.period === shown);
  if (!ofPeriod) {
    throw new Error(`${shown} does not contain any of the days rolled up`);
  }
  const written = rollup.days.reduce((sum, day) => sum + day.written, 0);
  const unchanged = rollup.days.reduce((sum, day) => sum + day.unchanged, 0);
  const days =
    rollup.days.length <= DAYS_PRINTED
      ? rollup.days.map(formatKpiDay)
      : [
          `${rollup.days[0]?.day}..${lastDay}  ${rollup.days.length} days rolled up; ${written} items written, ${unchanged} unchanged`,
        ];
  const { reads } = rollup.periods;
  return [
    ...days,
    `periods ${rollup.periods.periods.map((item) => item.period).join(', ')}: ${rollup.periods.dossiers} dossiers judged at period ends (${reads.bucketPages} day-bucket pages, ${reads.openDossiers} open dossiers read by key, ${reads.dayFigureQueries} day-figure and ${reads.monthFigureQueries} month-figure queries)`,
    formatKpiPeriod(ofPeriod),
  ].join('\n\n');
}

/**
 * The days a command line asks for: `--date` [`--to`], or every day of `--period` up to today.
 * @throws Error for a missing or malformed date or period, or a period that does not contain the days.
 */
export function daysToRollUp(
  values: { date?: string; to?: string; period?: string },
  today: string,
): { from: string; to: string } {
  if (values.date) {
    const to = values.to ?? values.date;
    for (const value of [values.date, to]) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`not a day (YYYY-MM-DD): ${value}\n\n${USAGE}`);
    }
    const period = values.period;
    if (period !== undefined) {
      parsePeriodKey(period);
      const contains = daysBetween(values.date, to).some((day) =>
        Object.values(periodsContaining(day)).includes(period),
      );
      if (!contains) throw new Error(`${period} does not contain ${values.date}..${to}\n\n${USAGE}`);
    }
    return { from: values.date, to };
  }
  if (!values.period) throw new Error(`--date or --period is required\n\n${USAGE}`);
  const { kind, from, to } = parsePeriodKey(values.period);
  if (kind === 'day')
    throw new Error(`--period is a month, quarter or year; use --date for a day\n\n${USAGE}`);
  if (from > today) throw new Error(`${values.period} has not started yet (today is ${today})`);
  return { from, to: to < today ? to : today };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      to: { type: 'string' },
      period: { type: 'string' },
      'data-dir': { type: 'string' },
      endpoint: { type: 'string' },
      config: { type: 'string' },
      targets: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { from, to } = daysToRollUp(values, vietnamDate(new Date()));
  const rollup = await rollUpLocalKpiPeriods({
    from,
    to,
    dataDir: values['data-dir'] ?? process.env.MOTCUA_DATA_DIR ?? './data',
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    configPath: values.config ?? 'config/provinces/sample-province.yaml',
    ...(values.targets ? { targetsPath: values.targets } : {}),
  });
  process.stdout.write(`${formatLocalKpiRollup(rollup, values.period)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 2;
  });
}
