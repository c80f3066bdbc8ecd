/**
 * `npm run kpi:rollup`: rolls up the KPI figures of a day (or a range of days) on an embedded
 * runtime's data and prints the province's figures of each day.
 *
 *   npm run kpi:rollup -- --date 2026-11-30
 *   npm run kpi:rollup -- --date 2026-11-01 --to 2026-11-30 --data-dir ./data
 *   npm run kpi:rollup -- --date 2026-11-30 --endpoint http://127.0.0.1:PORT   (a running back office's DynamoDB)
 *
 * Without `--endpoint` it opens the data folder's DynamoDB store itself, so the back office on that
 * folder must be stopped (its store has one owner). Only dossiers saved since the day buckets exist
 * (KPIDAY#… items) are found: older ones are filed again at their next change.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import type { KpiTargets } from '#shared/config/kpi-targets.ts';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { kpiDefinition, kpiUnitsOf } from '#shared/domain/kpi/kpi-definitions.ts';
import { type KpiFigure, PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';
import { type KpiDayRollup, rollUpKpiDays } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { ensureDocumentsTable, type LocalDynamoDb, startLocalDynamoDb } from './start-local-dynamodb.ts';

const USAGE = `Usage: npm run kpi:rollup -- --date YYYY-MM-DD [--to YYYY-MM-DD] [--data-dir <folder> | --endpoint <url>] [--config <province.yaml>] [--targets <targets.yaml>]

  --date      the (first) local day to roll up
  --to        the last day of a range, inclusive (default: --date)
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

/** Rolls up the days on the data folder's (or a running back office's) documents table. */
export async function rollUpLocalKpis(request: RollUpLocalKpisRequest): Promise<KpiDayRollup[]> {
  const config = loadProvinceConfig(request.configPath);
  const targetsPath = request.targetsPath ?? `config/kpi-targets/${config.province.slug}-province.yaml`;
  const targets: KpiTargets | undefined = await stat(targetsPath).then(
    () => loadKpiTargets(targetsPath, config),
    () => {
      if (request.targetsPath) throw new Error(`no targets file ${targetsPath}`);
      return undefined;
    },
  );
  let server: LocalDynamoDb | undefined;
  let endpoint = request.endpoint;
  if (!endpoint) {
    const dataDir = resolve(request.dataDir);
    await stat(join(dataDir, 'dynamodb')).catch(() => {
      throw new Error(`${dataDir} holds no embedded DynamoDB store (start the back office on it once)`);
    });
    server = await startLocalDynamoDb({ dataDir });
    endpoint = server.endpoint;
  }
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const table = `motcua-${config.province.slug}-documents`;
    await ensureDocumentsTable(client, table);
    return await rollUpKpiDays(
      {
        dossiers: createDynamoDbDossierRepository(client, table),
        store: createDynamoDbKpiRollupStore(client, table),
        context: {
          procedures: config.procedures,
          calendar: loadWorkingCalendar(config.calendar),
          units: kpiUnitsOf(config),
          supplementResume: config.dossiers.supplementResume,
        },
        ...(targets ? { targets } : {}),
        now: request.now ?? (() => new Date()),
      },
      request.from,
      request.to,
    );
  } finally {
    client.destroy();
    await server?.stop();
  }
}

const formatNumber = (value: number | undefined) =>
  value === undefined ? '—' : Number.isInteger(value) ? String(value) : value.toFixed(2);

/** A day's province figures as a table for a terminal. */
export function formatKpiDay(rollup: KpiDayRollup): string {
  const rows = rollup.figures
    .filter((figure: KpiFigure) => figure.scope === PROVINCE_SCOPE)
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
  return [
    `${rollup.day}  province  ${rollup.dossiers} dossiers touched the day; ${rollup.written} items written, ${rollup.unchanged} unchanged`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      to: { type: 'string' },
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
  if (!values.date) throw new Error(`--date is required\n\n${USAGE}`);
  const from = values.date;
  const to = values.to ?? from;
  for (const value of [from, to]) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`not a day (YYYY-MM-DD): ${value}\n\n${USAGE}`);
  }
  const rollups = await rollUpLocalKpis({
    from,
    to,
    dataDir: values['data-dir'] ?? process.env.MOTCUA_DATA_DIR ?? './data',
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    configPath: values.config ?? 'config/provinces/sample-province.yaml',
    ...(values.targets ? { targetsPath: values.targets } : {}),
  });
  process.stdout.write(`${rollups.map(formatKpiDay).join('\n\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 2;
  });
}
