/**
 * The KPI rollup's benchmarks in `npm run bench`:
 *
 * - `ratio rollup-day 10x/1x`: one day's rollup (rollUpKpiDay on dynalite, the embedded runtime's
 *   DynamoDB) over a table holding one simulated year and over one holding ten years of the same
 *   size, the measured day having the same dossiers in both; medians of interleaved runs. The goal
 *   is ≤ 1.2: the day's cost follows the day, not the history.
 * - `ratio rollup-full/sqlite`: a full-year recompute of N simulated dossiers along the rollup's
 *   own path (rollUpKpiDay for every day, then the year from the days) against node:sqlite (in
 *   memory) inserting the same KPI terms and grouping them into the same day and year figures.
 *   The goal is ≤ 2.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ensureDocumentsTable,
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '#infra/local/start-local-dynamodb.ts';
import {
  createDynamoDbDossierBulkWriter,
  createDynamoDbDossierRepository,
} from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { loadKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadNationalCalendars } from '#shared/config/load-working-calendar.ts';
import { dateOfDay, dayOfDate, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import { buildWorkingCalendar, type WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import {
  type DossierKpiId,
  type KpiContext,
  kpiUnitsOf,
  prepareKpiContext,
  sumKpiValues,
} from '#shared/domain/kpi/kpi-definitions.ts';
import { plainCalendarYear, simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import {
  type KpiFigure,
  type KpiRollupStore,
  kpiFigureDigest,
  PROVINCE_SCOPE,
} from '#shared/ports/kpi-rollup-store.ts';
import { DAY_KPIS, type RollUpKpiDayDeps, rollUpKpiDay } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { median } from './measure-throughput.ts';

/** The options `npm run bench` takes for these benchmarks (spread into its parseArgs options). */
export const KPI_BENCH_OPTIONS = {
  /** Dossiers of the full-year recompute. */
  'kpi-dossiers': { type: 'string', default: '1000000' },
  /** Dossiers per simulated year of the day rollup's 1× and 10× tables. */
  'kpi-year-dossiers': { type: 'string', default: '3000' },
  /** Measured runs of the day rollup on each table. */
  'kpi-runs': { type: 'string', default: '7' },
  'skip-kpi': { type: 'boolean', default: false },
  /** Only these benchmarks (no OCR pipeline). */
  'kpi-only': { type: 'boolean', default: false },
} as const;

export interface KpiBenchArgs {
  'kpi-dossiers': string;
  'kpi-year-dossiers': string;
  'kpi-runs': string;
  'skip-kpi': boolean;
}

const CONFIG_PATH = 'config/provinces/sample-province.yaml';
const TARGETS_PATH = 'config/kpi-targets/sample-province.yaml';
const HISTORY_YEARS = 10;

const print = (line = '') => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 2) => value.toFixed(digits);
const seconds = (ms: number) => `${fixed(ms / 1000, 1)} s`;
const count = (value: number) => value.toLocaleString('en-US');

/** Wall and process CPU milliseconds (every thread: dynalite, LevelDB and SQLite run in this process). */
interface Timing {
  wall: number;
  cpu: number;
}

const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

async function timed<T>(into: Timing, work: () => Promise<T> | T): Promise<T> {
  const wall = performance.now();
  const cpu = cpuNow();
  try {
    return await work();
  } finally {
    into.wall += performance.now() - wall;
    into.cpu += cpuNow() - cpu;
  }
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer, not "${text}"`);
  return value;
}

/**
 * The national calendars shipped, with plain stand-ins (no holidays) for the years of history
 * before them and the year after them: the simulated years must be covered, and late dossiers
 * run into the next one.
 */
function benchCalendar(): { calendar: WorkingCalendar; year: number } {
  const specs = loadNationalCalendars();
  const first = specs[0];
  const last = specs.at(-1);
  if (!first || !last) throw new Error('no national calendar shipped');
  const before = [];
  for (let year = last.year - HISTORY_YEARS + 1; year < first.year; year++) {
    before.push(plainCalendarYear(first, year));
  }
  return {
    calendar: buildWorkingCalendar([...before, ...specs, plainCalendarYear(last, last.year + 1)]),
    year: last.year,
  };
}

/** Runs both benchmarks and prints their lines. @returns 1 when a check failed, else 0. */
export async function benchKpiRollup(args: KpiBenchArgs): Promise<number> {
  if (args['skip-kpi']) return 0;
  const fullDossiers = positive('kpi-dossiers', args['kpi-dossiers']);
  const yearDossiers = positive('kpi-year-dossiers', args['kpi-year-dossiers']);
  const runs = positive('kpi-runs', args['kpi-runs']);
  const config = loadProvinceConfig(CONFIG_PATH);
  const { calendar, year } = benchCalendar();
  const context: Omit<KpiContext, 'period'> = {
    procedures: config.procedures,
    calendar,
    units: kpiUnitsOf(config),
    supplementResume: config.dossiers.supplementResume,
  };
  const targets = loadKpiTargets(TARGETS_PATH, config);
  const simulation = { province: config, calendar };

  print();
  print(`KPI rollup benchmarks — sample province, simulated years of ${count(yearDossiers)} dossiers`);
  const dayOk = await benchDayRollup({ year, yearDossiers, runs, context, targets, simulation });
  print();
  const fullOk = await benchFullYear({ year, dossiers: fullDossiers, context, targets, simulation });
  return dayOk && fullOk ? 0 : 1;
}

interface BenchSetup {
  year: number;
  context: Omit<KpiContext, 'period'>;
  targets: RollUpKpiDayDeps['targets'];
  simulation: { province: ReturnType<typeof loadProvinceConfig>; calendar: WorkingCalendar };
}

/** A dynalite server on a temporary folder with the documents table. */
async function startTable(): Promise<{
  client: DynamoDBClient;
  table: string;
  stop: () => Promise<void>;
}> {
  const dataDir = await mkdtemp(join(tmpdir(), 'motcua-bench-kpi-'));
  const server: LocalDynamoDb = await startLocalDynamoDb({ dataDir });
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const table = 'motcua-bench-documents';
  await ensureDocumentsTable(client, table);
  return {
    client,
    table,
    stop: async () => {
      client.destroy();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function benchDayRollup(setup: BenchSetup & { yearDossiers: number; runs: number }): Promise<boolean> {
  const { year, yearDossiers, runs } = setup;
  const one = await startTable();
  const ten = await startTable();
  try {
    const simulateYear = (simulated: number) =>
      simulateProvinceYear({
        ...setup.simulation,
        seed: `bench-${simulated}`,
        year: simulated,
        dossiers: yearDossiers,
      });
    // The measured year's busiest day: the same dossiers in both tables (the other years' events
    // all fall in their own years).
    const bucketSizes = new Map<string, number>();
    const load = async (target: typeof one, years: number[]) => {
      const writer = createDynamoDbDossierBulkWriter(target.client, target.table);
      let loaded = 0;
      const started = performance.now();
      for (const simulated of years) {
        let batch: Dossier[] = [];
        for (const dossier of simulateYear(simulated)) {
          if (simulated === year && target === one) {
            for (const day of kpiDaysOf(dossier)) bucketSizes.set(day, (bucketSizes.get(day) ?? 0) + 1);
          }
          batch.push(dossier);
          if (batch.length === 500) {
            await writer.putDossiers(batch);
            batch = [];
          }
          loaded += 1;
        }
        await writer.putDossiers(batch);
      }
      return { loaded, ms: performance.now() - started };
    };
    const historyYears = Array.from(
      { length: HISTORY_YEARS },
      (_, index) => year - HISTORY_YEARS + 1 + index,
    );
    const loadedOne = await load(one, [year]);
    print(
      `Loaded 1× (${year}): ${count(loadedOne.loaded)} dossiers with BatchWriteItem in ${seconds(loadedOne.ms)} (${fixed((loadedOne.loaded / loadedOne.ms) * 1000, 0)} dossiers/s)`,
    );
    const loadedTen = await load(ten, historyYears);
    print(
      `Loaded 10× (${historyYears[0]}–${year}): ${count(loadedTen.loaded)} dossiers in ${seconds(loadedTen.ms)} (${fixed((loadedTen.loaded / loadedTen.ms) * 1000, 0)} dossiers/s)`,
    );
    const [day] = [...bucketSizes].sort(([, a], [, b]) => b - a)[0] ?? [];
    if (!day) throw new Error('nothing simulated');

    const depsOf = (target: typeof one): RollUpKpiDayDeps => ({
      dossiers: createDynamoDbDossierRepository(target.client, target.table),
      store: createDynamoDbKpiRollupStore(target.client, target.table),
      context: setup.context,
      ...(setup.targets ? { targets: setup.targets } : {}),
      now: () => new Date(),
    });
    const sides = [
      { name: '1×', deps: depsOf(one), runs: [] as Timing[], dossiers: 0, written: 0 },
      { name: '10×', deps: depsOf(ten), runs: [] as Timing[], dossiers: 0, written: 0 },
    ];
    // A first run each writes the day's figures; the measured ones recompute and find them unchanged.
    for (const side of sides) {
      const first = await rollUpKpiDay(side.deps, day);
      side.dossiers = first.dossiers;
      side.written = first.written;
    }
    for (let run = 0; run < runs; run++) {
      // Alternate which goes first, so that a slow spell of the shared machine hits both.
      const order = run % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const timing = { wall: 0, cpu: 0 };
        await timed(timing, () => rollUpKpiDay(side.deps, day));
        side.runs.push(timing);
      }
    }
    const [oneSide, tenSide] = sides as [(typeof sides)[0], (typeof sides)[0]];
    const cpuOf = (side: typeof oneSide) => median(side.runs.map((run) => run.cpu));
    for (const [side, loaded] of [
      [oneSide, loadedOne.loaded],
      [tenSide, loadedTen.loaded],
    ] as const) {
      print(
        `rollup-day ${side.name.padEnd(3)} ${day}: ${side.dossiers} dossiers in the day's bucket, table of ${count(loaded)} dossiers: ` +
          `median ${fixed(cpuOf(side), 0)} ms CPU, ${fixed(median(side.runs.map((run) => run.wall)), 0)} ms wall over ${runs} interleaved runs ` +
          `(CPU ${side.runs.map((run) => fixed(run.cpu, 0)).join(', ')} ms; ${side.written} figures written by a first run, none by these)`,
      );
    }
    print(
      `  (process CPU time: the client, dynalite and LevelDB all run in this process; wall time follows the shared machine's load, ratio of wall medians ${fixed(median(tenSide.runs.map((run) => run.wall)) / median(oneSide.runs.map((run) => run.wall)))})`,
    );
    const same = oneSide.dossiers === tenSide.dossiers && oneSide.dossiers === bucketSizes.get(day);
    if (!same) {
      print(
        `CHECK FAILED: the day's bucket differs (1×: ${oneSide.dossiers}, 10×: ${tenSide.dossiers}, simulated: ${bucketSizes.get(day)})`,
      );
    }
    print(`ratio rollup-day 10x/1x: ${fixed(cpuOf(tenSide) / cpuOf(oneSide))}`);
    return same;
  } finally {
    await one.stop();
    await ten.stop();
  }
}

/** A KpiRollupStore in memory with the DynamoDB one's write-only-when-changed semantics. */
function inMemoryStore(): KpiRollupStore & { scopes: () => string[] } {
  const periods = new Map<string, Map<string, { figure: KpiFigure; digest: string }>>();
  const scopes = new Set<string>();
  return {
    scopes: () => [...scopes].sort(),
    async putFigures(figures) {
      let written = 0;
      let unchanged = 0;
      for (const figure of figures) {
        const key = `${figure.scope}\u0000${figure.period}`;
        let period = periods.get(key);
        if (!period) {
          period = new Map();
          periods.set(key, period);
        }
        scopes.add(figure.scope);
        const digest = kpiFigureDigest(figure);
        if (period.get(figure.kpiId)?.digest === digest) {
          unchanged += 1;
          continue;
        }
        period.set(figure.kpiId, { figure, digest });
        written += 1;
      }
      return { written, unchanged };
    },
    async listFigures(scope, period) {
      const stored = periods.get(`${scope}\u0000${period}`);
      return [...(stored?.values() ?? [])]
        .map((entry) => entry.figure)
        .sort((a, b) => (a.kpiId < b.kpiId ? -1 : a.kpiId > b.kpiId ? 1 : 0));
    },
  };
}

/** Day buckets in memory, filled as the simulator yields dossiers and let go once rolled up. */
function inMemoryDayBuckets(): Pick<DossierRepository, 'listDossiersTouchingDay'> & {
  file(dossier: Dossier): void;
  take(day: string): Dossier[];
} {
  const buckets = new Map<string, Dossier[]>();
  return {
    file(dossier) {
      for (const day of kpiDaysOf(dossier)) {
        const bucket = buckets.get(day);
        if (bucket) bucket.push(dossier);
        else buckets.set(day, [dossier]);
      }
    },
    take(day) {
      const bucket = buckets.get(day) ?? [];
      buckets.delete(day);
      return bucket;
    },
    async listDossiersTouchingDay(day, page) {
      const bucket = buckets.get(day) ?? [];
      const start = page.cursor === undefined ? 0 : Number(page.cursor);
      const end = start + page.limit;
      return { items: bucket.slice(start, end), ...(end < bucket.length ? { cursor: String(end) } : {}) };
    },
  };
}

const DAY_KPI_IDS = new Set<string>(DAY_KPIS.map((kpi) => kpi.id));

async function benchFullYear(setup: BenchSetup & { dossiers: number }): Promise<boolean> {
  const { year } = setup;
  const buckets = inMemoryDayBuckets();
  const store = inMemoryStore();
  const deps: RollUpKpiDayDeps = {
    dossiers: buckets,
    store,
    context: setup.context,
    ...(setup.targets ? { targets: setup.targets } : {}),
    now: () => new Date(),
  };
  const database = new DatabaseSync(':memory:');
  database.exec(
    'CREATE TABLE terms (day TEXT NOT NULL, unit TEXT NOT NULL, kpi TEXT NOT NULL, n REAL NOT NULL, d REAL NOT NULL)',
  );
  const insert = database.prepare('INSERT INTO terms (day, unit, kpi, n, d) VALUES (?, ?, ?, ?, ?)');

  const rollupDays: Timing = { wall: 0, cpu: 0 };
  const sqliteInsert: Timing = { wall: 0, cpu: 0 };
  let rows = 0;
  let dayIndex = 0;
  const firstDay = dayOfDate(`${year}-01-01`);
  const lastDay = dayOfDate(`${year}-12-31`);
  let nextDay = firstDay;
  let generated = 0;
  let heapPeak = 0;
  const generationStarted = performance.now();

  /** The day's KPI terms as rows: one per dossier and KPI it counts in, one per unit's staff. */
  const termsOf = (day: string, dossiers: readonly Dossier[]) => {
    const prepared = prepareKpiContext({ ...setup.context, period: { from: day, to: day } });
    const terms: [string, string, string, number, number][] = [];
    for (const kpi of DAY_KPIS) {
      if (kpi.unitDenominator) {
        for (const unit of prepared.units)
          terms.push([day, unit.id, kpi.id, 0, kpi.unitDenominator(unit, prepared)]);
      }
      for (const dossier of dossiers) {
        const tally = kpi.tally(dossier, prepared);
        if (!tally) continue;
        const unit = kpi.attribution === 'receiving' ? dossier.receivingUnitId : dossier.competentAgencyId;
        terms.push([day, unit, kpi.id, tally.n, tally.d]);
      }
    }
    return terms;
  };

  const rollUpThrough = async (through: number) => {
    for (; nextDay <= Math.min(through, lastDay); nextDay++) {
      const day = dateOfDay(nextDay);
      const rollup = () => timed(rollupDays, () => rollUpKpiDay(deps, day));
      const sqlite = async () => {
        const terms = termsOf(day, await dayDossiers(day));
        await timed(sqliteInsert, () => {
          database.exec('BEGIN');
          for (const term of terms) insert.run(...term);
          database.exec('COMMIT');
        });
        rows += terms.length;
      };
      // Alternate which goes first, so that a slow spell of the shared machine hits both.
      if (dayIndex++ % 2 === 0) {
        await rollup();
        await sqlite();
      } else {
        await sqlite();
        await rollup();
      }
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      buckets.take(day);
    }
  };
  const dayDossiers = async (day: string) => {
    const all: Dossier[] = [];
    let cursor: string | undefined;
    do {
      const page = await buckets.listDossiersTouchingDay(day, {
        limit: 100_000,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return all;
  };

  // Dossiers come in order of receipt; one registered online may touch up to 8 days before its
  // receipt, so a day's bucket is complete once receipts have passed it by 8 days.
  for (const dossier of simulateProvinceYear({
    ...setup.simulation,
    seed: 'bench-full',
    year,
    dossiers: setup.dossiers,
  })) {
    buckets.file(dossier);
    generated += 1;
    const receivedDay = localDayOf(new Date(dossier.receivedAt));
    if (receivedDay - 9 >= nextDay) await rollUpThrough(receivedDay - 9);
  }
  await rollUpThrough(lastDay);
  const totalMs = performance.now() - generationStarted;
  const daysRolled = lastDay - firstDay + 1;

  // The year from its days: the rollup reads the days' figures back from its store.
  const rollupYear: Timing = { wall: 0, cpu: 0 };
  const yearFigures = new Map<string, Map<DossierKpiId, { n: number; d: number }>>();
  await timed(rollupYear, async () => {
    for (const scope of store.scopes()) {
      const values = new Map<DossierKpiId, { numerator: number; denominator: number }[]>();
      for (let day = firstDay; day <= lastDay; day++) {
        for (const figure of await store.listFigures(scope, dateOfDay(day))) {
          const list = values.get(figure.kpiId as DossierKpiId) ?? [];
          list.push(figure);
          values.set(figure.kpiId as DossierKpiId, list);
        }
      }
      const figures: KpiFigure[] = [];
      const terms = new Map<DossierKpiId, { n: number; d: number }>();
      for (const kpi of DAY_KPIS) {
        const value = sumKpiValues(kpi.kind, values.get(kpi.id) ?? []);
        terms.set(kpi.id, { n: value.numerator, d: value.denominator });
        figures.push({
          scope,
          period: String(year),
          kpiId: kpi.id,
          numerator: value.numerator,
          denominator: value.denominator,
          ...(value.value === undefined ? {} : { value: value.value }),
          targetStatus: 'no-target',
          ruleVersion: kpi.ruleVersion,
          computedAt: new Date().toISOString(),
        });
      }
      await store.putFigures(figures);
      yearFigures.set(scope, terms);
    }
  });

  // SQLite: the same day figures (each unit's and the province's), then the year's.
  const sqliteGroup: Timing = { wall: 0, cpu: 0 };
  const groupStarted = { wall: performance.now(), cpu: cpuNow() };
  const dayUnitRows = database
    .prepare('SELECT day, unit, kpi, SUM(n) AS n, SUM(d) AS d FROM terms GROUP BY day, unit, kpi')
    .all();
  const dayProvinceRows = database
    .prepare('SELECT day, kpi, SUM(n) AS n, SUM(d) AS d FROM terms GROUP BY day, kpi')
    .all();
  const yearUnitRows = database
    .prepare('SELECT unit, kpi, SUM(n) AS n, SUM(d) AS d FROM terms GROUP BY unit, kpi')
    .all();
  const yearProvinceRows = database
    .prepare('SELECT kpi, SUM(n) AS n, SUM(d) AS d FROM terms GROUP BY kpi')
    .all();
  sqliteGroup.wall = performance.now() - groupStarted.wall;
  sqliteGroup.cpu = cpuNow() - groupStarted.cpu;
  database.close();

  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  const province = yearFigures.get(PROVINCE_SCOPE);
  let same = 0;
  const lines: string[] = [];
  for (const row of yearProvinceRows) {
    const kpi = String(row.kpi) as DossierKpiId;
    if (!DAY_KPI_IDS.has(kpi)) continue;
    const rolled = province?.get(kpi);
    const equal = rolled !== undefined && close(rolled.n, Number(row.n)) && close(rolled.d, Number(row.d));
    if (equal) same += 1;
    if (lines.length < 4 || !equal) {
      lines.push(
        `  ${kpi.padEnd(22)} rollup ${fixed(rolled?.n ?? Number.NaN)}/${fixed(rolled?.d ?? Number.NaN)}  sqlite ${fixed(Number(row.n))}/${fixed(Number(row.d))}  ${equal ? 'same' : 'DIFFERENT'}`,
      );
    }
  }
  let unitsSame = 0;
  let unitsCompared = 0;
  for (const row of yearUnitRows) {
    const rolled = yearFigures.get(String(row.unit))?.get(String(row.kpi) as DossierKpiId);
    unitsCompared += 1;
    if (rolled && close(rolled.n, Number(row.n)) && close(rolled.d, Number(row.d))) unitsSame += 1;
  }
  const allSame = same === DAY_KPIS.length && unitsSame === unitsCompared;

  const rollupCpu = rollupDays.cpu + rollupYear.cpu;
  const sqliteCpu = sqliteInsert.cpu + sqliteGroup.cpu;
  const both = (timing: Timing) => `${seconds(timing.cpu)} CPU (${seconds(timing.wall)} wall)`;
  print(
    `rollup-full ${year}: ${count(generated)} simulated dossiers, ${daysRolled} days, generated and filed in day buckets as the simulator yields them ` +
      `(not timed; ${fixed(totalMs / 1000, 0)} s wall in all, heap peak ${fixed(heapPeak / 1024 ** 2, 0)} MiB); day by day, the two sides in alternating order`,
  );
  print(
    `  rollup: rollUpKpiDay per day (measureKpis over the day's bucket, figures per unit and province), then the year from the days; ` +
      `in-memory day buckets and figure store, so DynamoDB I/O is not measured: days ${both(rollupDays)} + year ${both(rollupYear)} = ${seconds(rollupCpu)} CPU`,
  );
  print(
    `  sqlite: node:sqlite in memory, ${count(rows)} rows (one per dossier and KPI term of a day, derived by the KPI definitions beforehand, not timed): ` +
      `insert ${both(sqliteInsert)} + GROUP BY into ${count(dayUnitRows.length + dayProvinceRows.length)} day and ${count(yearUnitRows.length + yearProvinceRows.length)} year figures ${both(sqliteGroup)} = ${seconds(sqliteCpu)} CPU`,
  );
  print(
    `  same year totals: ${same} of ${DAY_KPIS.length} province KPIs, ${unitsSame} of ${unitsCompared} unit figures${allSame ? '' : ' — CHECK FAILED'}`,
  );
  for (const line of lines) print(line);
  print(
    `  ratio of wall times ${fixed((rollupDays.wall + rollupYear.wall) / (sqliteInsert.wall + sqliteGroup.wall))} (the machine is shared: CPU time is the measure)`,
  );
  print(`ratio rollup-full/sqlite: ${fixed(rollupCpu / sqliteCpu)}`);
  return allSame;
}
