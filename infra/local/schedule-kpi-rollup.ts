import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_MS, HOUR_MS, instantAt, localDayOf, localTimeOf } from '#shared/domain/calendar/vietnam-time.ts';

/** Where the embedded runtime records its last KPI rollup (in the data folder). */
export const KPI_ROLLUP_RECORD = 'kpi-rollup.json';

/** What `{dataDir}/kpi-rollup.json` holds. */
export interface KpiRollupRecord {
  /** When the timer last started a rollup (a new data folder: when the timer first ran on it). */
  lastRunAt: string;
  /** The execution it started, if any. */
  executionArn?: string;
}

/** Options of {@link scheduleKpiRollup}. */
export interface KpiRollupTimerOptions {
  dataDir: string;
  /** Starts the rollup state machine with `{}` (yesterday plus the stale days); answers the execution's ARN. */
  start: () => Promise<string>;
  /**
   * Runs every this many milliseconds instead of daily at 01:00 Asia/Ho_Chi_Minh (tests).
   * @default daily at 01:00 Vietnam time, as the schedule in AWS
   */
  everyMs?: number;
  /** @default the system clock */
  now?: () => Date;
  log: (message: string) => void;
}

/** The next 01:00 in Vietnam time after `now`. */
export function nextKpiRollupAt(now: Date): Date {
  const day = localDayOf(now) + (localTimeOf(now) < HOUR_MS ? 0 : 1);
  return instantAt(day, HOUR_MS);
}

async function readRecord(path: string): Promise<KpiRollupRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as Partial<KpiRollupRecord>;
    return typeof record.lastRunAt === 'string' && !Number.isNaN(Date.parse(record.lastRunAt))
      ? (record as KpiRollupRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The embedded runtime's stand-in for the nightly schedule: starts the KPI rollup at 01:00 local
 * time (or every `everyMs`), and once at start when the last run recorded in the data folder is
 * older than that period (the machine was off at 01:00). A new data folder has nothing older to
 * roll up: its first start is recorded as its last run. Answers a stopper that waits for a start
 * already under way.
 */
export async function scheduleKpiRollup(options: KpiRollupTimerOptions): Promise<() => Promise<void>> {
  const now = options.now ?? (() => new Date());
  const path = join(options.dataDir, KPI_ROLLUP_RECORD);
  const period = options.everyMs ?? DAY_MS;
  let starting: Promise<void> | undefined;
  const run = () => {
    starting ??= options
      .start()
      .then(async (executionArn) => {
        const record: KpiRollupRecord = { lastRunAt: now().toISOString(), executionArn };
        await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
      })
      .catch((error: unknown) => options.log(`[embedded] KPI rollup: ${String(error)}`))
      .finally(() => {
        starting = undefined;
      });
    return starting;
  };

  const last = await readRecord(path);
  if (!last) {
    await writeFile(path, `${JSON.stringify({ lastRunAt: now().toISOString() }, null, 2)}\n`);
  } else if (now().getTime() - Date.parse(last.lastRunAt) >= period) {
    options.log(`[embedded] KPI rollup: last run ${last.lastRunAt}, catching up`);
    void run();
  }

  let timer: NodeJS.Timeout | undefined;
  if (options.everyMs !== undefined) {
    timer = setInterval(run, options.everyMs);
    timer.unref();
  } else {
    const arm = () => {
      timer = setTimeout(
        () => {
          void run();
          arm();
        },
        // From a minute on, so that a timer that fires a little early does not run twice.
        Math.max(0, nextKpiRollupAt(new Date(now().getTime() + 60_000)).getTime() - now().getTime()),
      );
      timer.unref();
    };
    arm();
  }
  return async () => {
    clearInterval(timer);
    clearTimeout(timer);
    await starting;
  };
}
