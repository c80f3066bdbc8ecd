import { describe, expect, it } from 'vitest';
import { createStepTimings, timeTaskHandlers } from '../../../scripts/lib/load-timed-handlers.ts';
import { median } from '../../../scripts/lib/measure-throughput.ts';

describe('timeTaskHandlers', () => {
  it('records every call of each step, failed ones included, and passes results through', async () => {
    const timings = createStepTimings();
    const handlers = timeTaskHandlers(
      {
        Ok: async (event) => ({ echoed: event }),
        Fails: async () => {
          throw new Error('boom');
        },
      },
      timings,
    );

    const result = await handlers.Ok?.('x');
    await handlers.Ok?.('y');
    await expect(handlers.Fails?.(null)).rejects.toThrow('boom');

    expect(result).toEqual({ echoed: 'x' });
    expect(timings.snapshot().get('Ok')).toHaveLength(2);
    expect(timings.snapshot().get('Fails')).toHaveLength(1);
    expect(timings.cpuSnapshot().get('Ok')).toHaveLength(2);
    expect(timings.lastEnd('Ok')).toBeTypeOf('number');
    timings.reset();
    expect(timings.snapshot().size).toBe(0);
    expect(timings.lastEnd('Ok')).toBeUndefined();
  });

  it('takes no CPU time while measuring CPU is off, and the durations still', async () => {
    const timings = createStepTimings();
    const handlers = timeTaskHandlers({ Ok: async () => 'done' }, timings);
    timings.measuresCpu = false;
    await handlers.Ok?.(null);
    timings.measuresCpu = true;
    await handlers.Ok?.(null);
    expect(timings.snapshot().get('Ok')).toHaveLength(2);
    expect(timings.cpuSnapshot().get('Ok')).toHaveLength(1);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});
