/**
 * The nightly KPI rollup as the steps of its state machine (`state-machines/kpi-rollup.asl.json`):
 * plan the days (yesterday, or a range asked for, plus the days late changes made stale), roll up
 * each day, then the months, quarters and years containing them, then clear the stale markers
 * that were planned. Each step is idempotent, so a retried or replayed execution changes nothing
 * more than the first did.
 */
import { z } from 'zod';
import { dateOfDay, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { KpiStaleDays, StaleKpiDay } from '#shared/ports/kpi-stale-days.ts';
import { daysBetween, type RollUpKpiDayDeps, rollUpKpiDay } from './roll-up-kpi-day.ts';
import { type RollUpKpiPeriodsDeps, rollUpKpiPeriods } from './roll-up-kpi-periods.ts';

/** Most days a range asked for may hold: a year (a leap year included). */
export const MAX_ROLLUP_RANGE_DAYS = 366;
/**
 * Most stale days one run takes on: two months of late changes. The rest stay marked for the next
 * run, so a burst (a bulk correction, an import of old dossiers) is worked off night by night
 * instead of making one run too long.
 */
export const MAX_STALE_DAYS_PER_RUN = 62;

export interface KpiRollupStepsDeps {
  /** The day rollup's ports and context. */
  day: RollUpKpiDayDeps;
  /** The period rollup's ports and context. */
  periods: RollUpKpiPeriodsDeps;
  staleDays: KpiStaleDays;
  now: () => Date;
  /** @default MAX_STALE_DAYS_PER_RUN */
  maxStaleDays?: number;
}

/** What a run does: its days in order (the range's and the stale ones, each once), and the markers to clear. */
export interface KpiRollupPlan {
  range: { from: string; to: string };
  days: string[];
  stale: StaleKpiDay[];
}

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a day yyyy-MM-dd');
const requestSchema = z
  .object({ from: isoDay.optional(), to: isoDay.optional() })
  .strict()
  .refine((request) => request.to === undefined || request.from !== undefined, {
    message: '`to` needs `from`',
  });
const dayInput = z.object({ day: isoDay });
const daysInput = z.object({ days: z.array(isoDay) });
const staleInput = z.object({ stale: z.array(z.object({ day: isoDay, mark: z.string().min(1) })) });

function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      'INVALID_KPI_ROLLUP',
      `${what}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

export function createKpiRollupSteps(deps: KpiRollupStepsDeps) {
  const today = () => dateOfDay(localDayOf(deps.now()));
  return {
    /**
     * The run's days: `{from, to}` (both included; `to` defaults to `from`), or yesterday in Vietnam
     * time without them, plus the oldest stale days up to the limit.
     * @throws ValidationError INVALID_KPI_ROLLUP for a malformed request, a day after today or a
     * range longer than MAX_ROLLUP_RANGE_DAYS.
     */
    async planRollup(input: unknown): Promise<KpiRollupPlan> {
      const request = parse(requestSchema, input, 'rollup request');
      const now = today();
      const yesterday = dateOfDay(localDayOf(deps.now()) - 1);
      const from = request.from ?? yesterday;
      const to = request.to ?? from;
      let range: string[];
      try {
        range = daysBetween(from, to);
      } catch (error) {
        throw new ValidationError('INVALID_KPI_ROLLUP', (error as Error).message);
      }
      if (to > now) throw new ValidationError('INVALID_KPI_ROLLUP', `${to} has not begun (today is ${now})`);
      if (range.length > MAX_ROLLUP_RANGE_DAYS) {
        throw new ValidationError(
          'INVALID_KPI_ROLLUP',
          `${from}..${to} holds ${range.length} days; at most ${MAX_ROLLUP_RANGE_DAYS} per run`,
        );
      }
      const stale = await deps.staleDays.listStaleDays(deps.maxStaleDays ?? MAX_STALE_DAYS_PER_RUN);
      const days = [...new Set([...range, ...stale.map(({ day }) => day)])].sort();
      return { range: { from, to }, days, stale };
    },

    /** One day's figures; answers counts only (a state's output is limited to 256 KB). */
    async rollUpDay(input: unknown) {
      const { day } = parse(dayInput, input, 'rollup day');
      const rollup = await rollUpKpiDay(deps.day, day);
      return { day, dossiers: rollup.dossiers, written: rollup.written, unchanged: rollup.unchanged };
    },

    /** The months, quarters and years containing the days; answers counts per period. */
    async rollUpPeriods(input: unknown) {
      const { days } = parse(daysInput, input, 'rollup periods');
      const rollup = await rollUpKpiPeriods(deps.periods, days);
      return {
        dossiers: rollup.dossiers,
        periods: rollup.periods.map(({ period, written, unchanged }) => ({ period, written, unchanged })),
      };
    },

    /** Removes the planned stale markers that nothing marked again meanwhile. */
    async clearStale(input: unknown) {
      const { stale } = parse(staleInput, input, 'stale days');
      return deps.staleDays.clearStaleDays(stale);
    },
  };
}

export type KpiRollupSteps = ReturnType<typeof createKpiRollupSteps>;
