import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/domain/errors.ts';
import {
  KPI_ROLLUP_ASL,
  KPI_ROLLUP_TASKS,
  type KpiRollupTask,
  loadKpiRollupDefinition,
} from '#state-machines/kpi-rollup-tasks.ts';
import { runWithStubbedTasks, type TaskStub } from '#test/support/run-stubbed-state-machine.ts';

const STALE = [{ day: '2026-02-11', mark: 'm-1' }];
const HAPPY: Record<KpiRollupTask, TaskStub> = {
  PlanRollup: () => ({
    range: { from: '2026-03-01', to: '2026-03-02' },
    days: ['2026-02-11', '2026-03-01', '2026-03-02'],
    stale: STALE,
  }),
  RollUpDay: (input) => ({ day: input.day, dossiers: 1, written: 14, unchanged: 0 }),
  RollUpPeriods: (input) => ({
    dossiers: 3,
    periods: (input.days as string[]).map((period) => ({ period })),
  }),
  ClearStale: (input) => ({ cleared: (input.stale as unknown[]).length, kept: 0 }),
};

/** Runs the real rollup definition with stubbed tasks: the tasks in the order they ran, and the outcome. */
const run = (overrides: Partial<Record<KpiRollupTask, TaskStub>> = {}, input: Record<string, string> = {}) =>
  runWithStubbedTasks(loadKpiRollupDefinition(), { ...HAPPY, ...overrides }, input);

describe('the KPI rollup task table', () => {
  it('matches the Task states of kpi-rollup.asl.json, each with a Lambda entry that runs it', () => {
    const asl = readFileSync(KPI_ROLLUP_ASL, 'utf8');
    const resources = [...asl.matchAll(/\$\{(\w+)FunctionArn\}/g)].map((match) => match[1]);
    expect([...new Set(resources)].sort()).toEqual(Object.keys(KPI_ROLLUP_TASKS).sort());
    for (const [task, { entry }] of Object.entries(KPI_ROLLUP_TASKS)) {
      const file = new URL(`../../../functions/kpi/${entry}.ts`, import.meta.url);
      expect(existsSync(file), `${entry}.ts`).toBe(true);
      expect(readFileSync(file, 'utf8'), `${entry}.ts`).toContain(`'${task}'`);
    }
    const definition = loadKpiRollupDefinition();
    expect(definition.States.RollUpDays?.MaxConcurrency).toBe(4);
  });
});

describe('KPI rollup flow (the ASL with stubbed tasks)', () => {
  it('plans, rolls up each planned day, then the periods of those days, then clears the planned markers', async () => {
    const { tasks, calls, output, failure } = await run({}, { from: '2026-03-01', to: '2026-03-02' });
    expect(failure).toBeUndefined();
    expect(tasks).toEqual([
      'PlanRollup',
      'RollUpDay',
      'RollUpDay',
      'RollUpDay',
      'RollUpPeriods',
      'ClearStale',
    ]);
    expect(calls[0]?.input).toEqual({ from: '2026-03-01', to: '2026-03-02' });
    expect(
      calls
        .filter((call) => call.task === 'RollUpDay')
        .map((call) => call.input)
        .sort((a, b) => String(a.day).localeCompare(String(b.day))),
    ).toEqual([{ day: '2026-02-11' }, { day: '2026-03-01' }, { day: '2026-03-02' }]);
    expect(calls.find((call) => call.task === 'RollUpPeriods')?.input).toEqual({
      days: ['2026-02-11', '2026-03-01', '2026-03-02'],
    });
    expect(calls.find((call) => call.task === 'ClearStale')?.input).toEqual({ stale: STALE });
    expect(output).toMatchObject({
      days: [{ day: '2026-02-11' }, { day: '2026-03-01' }, { day: '2026-03-02' }],
      cleared: { cleared: 1, kept: 0 },
    });
  });

  it('retries a transient failure of a day, and ends in Failed without clearing the markers when the periods keep failing', async () => {
    let dayFailures = 0;
    const { tasks, failure } = await run({
      RollUpDay: (input) => {
        if (input.day === '2026-03-01' && dayFailures++ === 0) throw new Error('throttled');
        return HAPPY.RollUpDay(input);
      },
      RollUpPeriods: () => {
        throw new Error('outage');
      },
    });
    expect(tasks.filter((task) => task === 'RollUpDay')).toHaveLength(4);
    expect(tasks.filter((task) => task === 'RollUpPeriods')).toHaveLength(7);
    expect(tasks).not.toContain('ClearStale');
    expect(String((failure as { name?: string })?.name ?? failure)).toMatch(
      /KpiRollup.Failed|ExecutionError/,
    );
  });

  it('stops at once on a malformed request (a validation error is not retried)', async () => {
    const { tasks, failure } = await run({
      PlanRollup: () => {
        throw new ValidationError('INVALID_KPI_ROLLUP', 'rollup request: from: expected a day yyyy-MM-dd');
      },
    });
    expect(tasks).toEqual(['PlanRollup']);
    expect(failure).toBeDefined();
  });
});
