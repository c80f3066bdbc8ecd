import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse, stringify } from 'yaml';
import {
  createDynamoDbDossierBulkWriter,
  type DossierBulkWriter,
} from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import {
  type CalendarFile,
  loadWorkingCalendar,
  readNationalCalendarFiles,
} from '#shared/config/load-working-calendar.ts';
import { dateOfDay, dayOfDate, instantAt, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { isSimulatedDossier, simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import { ensureDocumentsTable, withLocalDynamoDb } from './start-local-dynamodb.ts';

const USAGE = `Usage: npm run kpi:simulate -- --dossiers N --year YYYY [--seed S] [--as-of ISO] [--data-dir <folder> | --endpoint <url>] [--config <province.yaml>] [--force]

  --dossiers  dossiers received in the year (1 to 1,000,000)
  --year      the simulated year (needs its national calendar, config/calendars/vn-YYYY.yaml)
  --seed      the simulation's seed (default motcua): the same seed writes the same dossiers
  --as-of     what has happened by this instant is recorded (default: the year's end, or now
              while the year runs, so that nothing lies in the future)
  --data-dir  the back office's data folder (env MOTCUA_DATA_DIR, default ./data); stop the back office first
  --endpoint  a running back office's DynamoDB endpoint instead of opening the data folder
  --config    province configuration (default config/provinces/sample-province.yaml)
  --force     load even though the table holds real dossiers or another simulation of the year
              (a real dossier is never overwritten: a simulated one with its code is left out)`;

/** `KPISIMULATION` / `YEAR#{yyyy}`: which simulation of a year the table holds. */
const markKey = (year: number) => ({ pk: 'KPISIMULATION', sk: `YEAR#${year}` });

/** Dossiers generated, checked and written at a time. */
const BATCH = 500;

export interface LoadSimulatedKpisRequest {
  dossiers: number;
  year: number;
  seed: string;
  /** @default the year's last instant, or `now()` while the year has not ended */
  asOf?: Date;
  dataDir: string;
  endpoint?: string;
  configPath: string;
  force?: boolean;
  /**
   * The calendar the simulator walks the dossiers on. @default the province's, with a plain
   * stand-in (no holidays) for each year after the last shipped one that late dossiers reach
   */
  calendar?: WorkingCalendar;
  now?: () => Date;
  /** Called after each batch written, with the dossiers written so far. */
  onProgress?: (written: number) => void;
}

export interface SimulatedKpisLoad {
  table: string;
  asOf: string;
  /** Dossiers the simulator yielded. */
  simulated: number;
  /** Of them, written. */
  written: number;
  /** Codes left out because a real dossier has them (with `force` only). */
  keptReal: string[];
  /** Dossiers due after the last national calendar shipped: their days' rollups need its file. */
  dueAfterCalendar: number;
  lastCalendarYear: number;
  seconds: number;
}

/** A refusal to load: the message says why and what to do. */
export class SimulationLoadError extends Error {}

/**
 * The province's working calendar with a plain stand-in for `untilYear` and each year before it
 * after the last shipped one (a simulation's late dossiers run into the next year, whose calendar
 * may not be announced yet).
 */
function simulationCalendar(
  config: ReturnType<typeof loadProvinceConfig>,
  year: number,
): { calendar: WorkingCalendar; lastYear: number } {
  const files = readNationalCalendarFiles();
  const yearOf = (file: CalendarFile) => Number(/vn-(\d{4})\./.exec(file.name)?.[1]);
  const shipped = new Set(files.map(yearOf));
  if (!shipped.has(year)) {
    throw new SimulationLoadError(
      `no national calendar for ${year} (config/calendars/vn-${year}.yaml): shipped ${[...shipped].join(', ')}`,
    );
  }
  const lastYear = Math.max(...shipped);
  const last = files.find((file) => yearOf(file) === lastYear) as CalendarFile;
  const like = parse(last.text) as Record<string, unknown>;
  const standIns: CalendarFile[] = [];
  for (let standIn = lastYear + 1; standIn <= year + 1; standIn++) {
    standIns.push({
      name: `vn-${standIn}.yaml`,
      text: stringify({
        ...like,
        year: standIn,
        name: `Stand-in for ${standIn}: the week of ${lastYear}, no holidays (simulation only)`,
        daysOff: [],
        workingDays: [],
      }),
    });
  }
  return { calendar: loadWorkingCalendar(config.calendar, { files: [...files, ...standIns] }), lastYear };
}

/** Refuses a load that would mix the simulation with real dossiers or another simulation of the year. */
async function checkMix(
  db: DynamoDBDocumentClient,
  writer: DossierBulkWriter,
  table: string,
  request: LoadSimulatedKpisRequest,
): Promise<void> {
  const mark = (await db.send(new GetCommand({ TableName: table, Key: markKey(request.year) }))).Item;
  if (mark && (mark.seed !== request.seed || mark.dossiers !== request.dossiers) && !request.force) {
    throw new SimulationLoadError(
      `${table} holds another simulation of ${request.year} (seed ${mark.seed}, ${mark.dossiers} dossiers): ` +
        'loading this one would mix them; use a new data folder, or --force',
    );
  }
  if (!mark && !request.force && (await writer.holdsDossiers())) {
    throw new SimulationLoadError(
      `${table} holds dossiers that no simulation of ${request.year} wrote: simulated figures would mix with ` +
        'them; use a new data folder, or --force (real dossiers are never overwritten)',
    );
  }
}

/**
 * Simulates the year and writes its dossiers into the documents table of the data folder (or of
 * a running back office's DynamoDB), then raises the dossier counters past the codes written.
 * @throws SimulationLoadError when the year has no national calendar or has not begun, or the load would mix
 *   with real dossiers or another simulation of the year (without `force`).
 */
export async function loadSimulatedKpis(request: LoadSimulatedKpisRequest): Promise<SimulatedKpisLoad> {
  const started = performance.now();
  const config = loadProvinceConfig(request.configPath);
  const { calendar: standIn, lastYear } = simulationCalendar(config, request.year);
  const calendar = request.calendar ?? standIn;
  const now = (request.now ?? (() => new Date()))();
  const yearStart = instantAt(dayOfDate(`${request.year}-01-01`), 0);
  const yearEnd = new Date(instantAt(dayOfDate(`${request.year + 1}-01-01`), 0).getTime() - 1);
  const asOf = request.asOf ?? (now < yearEnd ? now : yearEnd);
  if (asOf < yearStart) {
    throw new SimulationLoadError(
      `${request.year} has not begun as of ${asOf.toISOString()}: nothing to simulate`,
    );
  }
  const calendarEnd = instantAt(dayOfDate(`${lastYear + 1}-01-01`), 0).toISOString();
  const simulate = () =>
    simulateProvinceYear({
      seed: request.seed,
      year: request.year,
      dossiers: request.dossiers,
      province: config,
      calendar,
      asOf,
    });

  return withLocalDynamoDb(
    request,
    async (client) => {
      const db = DynamoDBDocumentClient.from(client);
      const table = `motcua-${config.province.slug}-documents`;
      await ensureDocumentsTable(client, table);
      const writer = createDynamoDbDossierBulkWriter(client, table);
      await checkMix(db, writer, table, request);
      // Real dossiers whose codes the simulation gives: refused, or left out with --force.
      const kept = new Set<string>();
      if (await writer.holdsDossiers()) {
        let codes: string[] = [];
        const check = async () => {
          for (const found of await writer.findDossiers(codes)) {
            if (!isSimulatedDossier(found)) kept.add(found.code);
          }
          codes = [];
        };
        for (const dossier of simulate()) {
          codes.push(dossier.code);
          if (codes.length === BATCH) await check();
        }
        await check();
        if (kept.size > 0 && !request.force) {
          throw new SimulationLoadError(
            `${table} holds ${kept.size} real dossiers with codes the simulation gives (${[...kept][0]}, …): use a new data folder, or --force to leave them out`,
          );
        }
      }
      await db.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...markKey(request.year),
            year: request.year,
            seed: request.seed,
            dossiers: request.dossiers,
            asOf: asOf.toISOString(),
            loadedAt: now.toISOString(),
          },
        }),
      );

      const counters = new Map<string, number>();
      let simulated = 0;
      let written = 0;
      let dueAfterCalendar = 0;
      const write = async (batch: Dossier[]) => {
        const toWrite = batch.filter((dossier) => !kept.has(dossier.code));
        await writer.putDossiers(toWrite);
        written += toWrite.length;
        request.onProgress?.(written);
      };
      let batch: Dossier[] = [];
      for (const dossier of simulate()) {
        simulated += 1;
        if (dossier.dueAt >= calendarEnd) dueAfterCalendar += 1;
        const [, day, number] = /^(?:.*)-(\d{6})-(\d+)$/.exec(dossier.code) ?? [];
        const key = `${dossier.receivingUnitId}\u0000${day}`;
        counters.set(key, Math.max(counters.get(key) ?? 0, Number(number)));
        batch.push(dossier);
        if (batch.length === BATCH) {
          await write(batch);
          batch = [];
        }
      }
      await write(batch);
      for (const [key, number] of counters) {
        const [unitId = '', day = ''] = key.split('\u0000');
        await writer.raiseDossierNumber(unitId, day, number);
      }
      return {
        table,
        asOf: asOf.toISOString(),
        simulated,
        written,
        keptReal: [...kept],
        dueAfterCalendar,
        lastCalendarYear: lastYear,
        seconds: (performance.now() - started) / 1000,
      };
    },
    (message) => new SimulationLoadError(message),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dossiers: { type: 'string' },
      year: { type: 'string' },
      seed: { type: 'string', default: 'motcua' },
      'as-of': { type: 'string' },
      'data-dir': { type: 'string' },
      endpoint: { type: 'string' },
      config: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dossiers = Number(values.dossiers);
  if (!Number.isInteger(dossiers) || dossiers < 1 || dossiers > 1_000_000) {
    throw new SimulationLoadError(`--dossiers must be a whole number from 1 to 1,000,000\n\n${USAGE}`);
  }
  const year = Number(values.year);
  if (!values.year || !/^\d{4}$/.test(values.year)) {
    throw new SimulationLoadError(`--year must be a year (YYYY)\n\n${USAGE}`);
  }
  const asOf = values['as-of'] === undefined ? undefined : new Date(values['as-of']);
  if (asOf && Number.isNaN(asOf.getTime())) {
    throw new SimulationLoadError(`--as-of must be an ISO instant, not ${values['as-of']}\n\n${USAGE}`);
  }
  let reported = 0;
  const load = await loadSimulatedKpis({
    dossiers,
    year,
    seed: values.seed,
    ...(asOf ? { asOf } : {}),
    dataDir: values['data-dir'] ?? process.env.MOTCUA_DATA_DIR ?? './data',
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    configPath: values.config ?? 'config/provinces/sample-province.yaml',
    force: values.force,
    onProgress: (written) => {
      if (written - reported >= 5_000) {
        reported = written;
        process.stdout.write(`  ${written} dossiers written\n`);
      }
    },
  });
  const lines = [
    `Loaded ${load.written} of ${load.simulated} simulated dossiers of ${year} (seed ${values.seed}, as of ${load.asOf}) into ${load.table} in ${load.seconds.toFixed(1)} s: ${(load.written / load.seconds).toFixed(0)} dossiers/s.`,
  ];
  if (load.keptReal.length > 0) {
    lines.push(`Left out ${load.keptReal.length} whose codes real dossiers have (kept as they were).`);
  }
  if (load.dueAfterCalendar > 0) {
    lines.push(
      `${load.dueAfterCalendar} dossiers are due after ${load.lastCalendarYear}: rolling up the days they are open needs config/calendars/vn-${load.lastCalendarYear + 1}.yaml.`,
    );
  }
  lines.push(
    `Next: npm run kpi:rollup -- --date ${year}-01-01 --to ${dateOfDay(localDayOf(new Date(load.asOf)))}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 2;
  });
}
