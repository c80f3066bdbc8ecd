import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { provinceCalendarSchema } from '#shared/config/working-calendar-config.ts';
import { formatLocal } from '#shared/domain/calendar/vietnam-time.ts';
import { isWorkingInstant } from '#shared/domain/calendar/working-time.ts';
import { computeDueDate, type TimeLimit } from '#shared/domain/dossiers/compute-due-date.ts';
import { ValidationError } from '#shared/domain/errors.ts';

const calendar = loadWorkingCalendar(provinceCalendarSchema.parse(undefined));
const at = (local: string) => new Date(`${local}:00+07:00`);
const due = (receivedLocal: string, limit: TimeLimit) =>
  formatLocal(computeDueDate(at(receivedLocal), limit, calendar));
const days = (value: number): TimeLimit => ({ unit: 'working-days', value });

describe('computeDueDate', () => {
  it.each([
    // [receipt, limit, due] — the figures in the issue note.
    ['2026-02-13T14:00', days(3), '2026-02-25T14:00+07:00'], // Friday before Tết
    ['2026-08-28T14:00', days(3), '2026-09-07T14:00+07:00'], // Friday before National Day
    ['2026-04-29T14:00', days(3), '2026-05-06T14:00+07:00'], // before 30 Apr–1 May
    ['2026-04-24T10:00', days(1), '2026-04-28T10:00+07:00'], // Friday before Hùng Kings Monday
    ['2026-01-09T14:00', days(1), '2026-01-10T14:00+07:00'], // make-up Saturday 10 Jan worked
    ['2026-08-21T14:00', days(1), '2026-08-22T14:00+07:00'], // make-up Saturday 22 Aug worked
    ['2026-12-31T10:00', days(0.5), '2026-12-31T15:30+07:00'],
    ['2026-03-12T18:30', { unit: 'working-hours', value: 2 }, '2026-03-13T09:30+07:00'],
    ['2026-03-12T12:00', { unit: 'working-hours', value: 1 }, '2026-03-12T14:00+07:00'],
    ['2026-02-10T09:00', { unit: 'calendar-days', value: 5 }, '2026-02-23T17:00+07:00'], // ends in Tết
    ['2026-03-02T09:00', { unit: 'calendar-days', value: 3 }, '2026-03-05T17:00+07:00'],
  ] as const)('received %s with %j is due %s', (received, limit, expected) => {
    expect(due(received, limit)).toBe(expected);
  });

  it('counts a same-day procedure received after 15:00 from the next working day', () => {
    expect(due('2026-04-29T14:55', { unit: 'same-day' })).toBe('2026-04-29T17:00+07:00');
    expect(due('2026-04-29T15:00', { unit: 'same-day' })).toBe('2026-04-29T17:00+07:00');
    // The next working day after Wednesday 29 Apr is Monday 4 May (30 Apr, 1 May, weekend).
    expect(due('2026-04-29T15:05', { unit: 'same-day' })).toBe('2026-05-04T17:00+07:00');
    expect(due('2026-01-09T15:05', { unit: 'same-day' })).toBe('2026-01-10T17:00+07:00');
    expect(due('2026-01-11T09:00', { unit: 'same-day' })).toBe('2026-01-12T17:00+07:00');
  });

  it('rejects a limit that is not positive', () => {
    expect(() => computeDueDate(at('2026-03-02T09:00'), days(0), calendar)).toThrow(ValidationError);
    expect(() =>
      computeDueDate(at('2026-03-02T09:00'), { unit: 'calendar-days', value: 1.5 }, calendar),
    ).toThrow(ValidationError);
  });
});

describe('computeDueDate properties', () => {
  // Receipts from 1 Jan to 10 Nov 2026, so that every due date stays inside the 2026 calendar.
  const receipt = fc.date({ min: at('2026-01-01T00:00'), max: at('2026-11-10T23:59'), noInvalidDate: true });
  const limit: fc.Arbitrary<TimeLimit> = fc.oneof(
    fc.integer({ min: 1, max: 20 }).map((value): TimeLimit => ({ unit: 'working-days', value })),
    fc.integer({ min: 1, max: 80 }).map((value): TimeLimit => ({ unit: 'working-hours', value })),
    fc.integer({ min: 1, max: 30 }).map((value): TimeLimit => ({ unit: 'calendar-days', value })),
    fc.constant<TimeLimit>({ unit: 'same-day' }),
  );

  it('never falls on a day off or outside the working windows, nor before the receipt', () => {
    fc.assert(
      fc.property(receipt, limit, (receivedAt, timeLimit) => {
        const dueAt = computeDueDate(receivedAt, timeLimit, calendar);
        expect(isWorkingInstant(calendar, dueAt)).toBe(true);
        expect(dueAt.getTime()).toBeGreaterThan(receivedAt.getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('never moves earlier as the receipt moves later', () => {
    const delay = fc.integer({ min: 0, max: 10 * 86_400_000 });
    fc.assert(
      fc.property(receipt, delay, limit, (receivedAt, later, timeLimit) => {
        const first = computeDueDate(receivedAt, timeLimit, calendar);
        const second = computeDueDate(new Date(receivedAt.getTime() + later), timeLimit, calendar);
        expect(second.getTime()).toBeGreaterThanOrEqual(first.getTime());
      }),
      { numRuns: 2000 },
    );
  });
});
