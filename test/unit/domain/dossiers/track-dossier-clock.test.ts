import { describe, expect, it } from 'vitest';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { provinceCalendarSchema } from '#shared/config/working-calendar-config.ts';
import { formatLocal } from '#shared/domain/calendar/vietnam-time.ts';
import type { TimeLimit } from '#shared/domain/dossiers/compute-due-date.ts';
import {
  DossierClockError,
  type DossierClockEvent,
  trackDossierClock,
} from '#shared/domain/dossiers/track-dossier-clock.ts';

const calendar = loadWorkingCalendar(provinceCalendarSchema.parse(undefined));
const at = (local: string) => new Date(`${local}:00+07:00`);
const fiveDays: TimeLimit = { unit: 'working-days', value: 5 };

// Received Monday 24 Aug 09:00 with 5 working days: due Thursday 3 Sep 09:00 (29 Aug–2 Sep off).
// A supplement asked on Wednesday 26 Aug 09:00 leaves 24 working hours; it is answered on 3 Sep 09:00.
const acrossNationalDay: DossierClockEvent[] = [
  { type: 'received', at: at('2026-08-24T09:00') },
  { type: 'supplement-requested', at: at('2026-08-26T09:00') },
  { type: 'supplement-answered', at: at('2026-09-03T09:00') },
  { type: 'finished', at: at('2026-09-09T10:00') },
];

describe('trackDossierClock', () => {
  it('pauses across the National Day holiday and resumes the remaining time (pause)', () => {
    const clock = trackDossierClock(acrossNationalDay, fiveDays, calendar, { at: at('2026-12-01T00:00') });
    expect(formatLocal(clock.initialDueAt)).toBe('2026-09-03T09:00+07:00');
    expect(formatLocal(clock.dueAt)).toBe('2026-09-08T09:00+07:00');
    expect(clock).toMatchObject({ state: 'finished', supplementRequests: 1, onTime: false, overdue: false });
  });

  it('restarts the full limit once the supplement is complete (restart)', () => {
    const clock = trackDossierClock(acrossNationalDay, fiveDays, calendar, {
      at: at('2026-12-01T00:00'),
      supplementResume: 'restart',
    });
    expect(formatLocal(clock.dueAt)).toBe('2026-09-10T09:00+07:00');
    expect(clock).toMatchObject({ state: 'finished', onTime: true });
  });

  it('counts more than one supplement request as late, however early the dossier finishes', () => {
    const events: DossierClockEvent[] = [
      { type: 'received', at: at('2026-03-02T09:00') },
      { type: 'supplement-requested', at: at('2026-03-02T10:00') },
      { type: 'supplement-answered', at: at('2026-03-03T09:00') },
      { type: 'supplement-requested', at: at('2026-03-03T10:00') },
      { type: 'supplement-answered', at: at('2026-03-04T09:00') },
      { type: 'finished', at: at('2026-03-04T10:00') },
    ];
    const clock = trackDossierClock(events, fiveDays, calendar, { at: at('2026-03-31T00:00') });
    expect(clock).toMatchObject({ state: 'finished', supplementRequests: 2, onTime: false });
    const once = trackDossierClock(events.slice(0, 3).concat(events.slice(5)), fiveDays, calendar, {
      at: at('2026-03-31T00:00'),
    });
    expect(once).toMatchObject({ supplementRequests: 1, onTime: true });
  });

  it('judges a dossier waiting on its one supplement at the request, and an open one at the instant', () => {
    const waiting = trackDossierClock(acrossNationalDay.slice(0, 2), fiveDays, calendar, {
      at: at('2026-12-01T00:00'),
    });
    expect(waiting).toMatchObject({ state: 'awaiting-supplement', onTime: true, overdue: false });
    expect(formatLocal(waiting.dueAt)).toBe('2026-09-03T09:00+07:00');

    const received = acrossNationalDay.slice(0, 1);
    expect(trackDossierClock(received, fiveDays, calendar, { at: at('2026-09-03T09:00') })).toMatchObject({
      state: 'running',
      onTime: true,
      overdue: false,
    });
    expect(trackDossierClock(received, fiveDays, calendar, { at: at('2026-09-03T09:01') })).toMatchObject({
      state: 'running',
      onTime: false,
      overdue: true,
    });
  });

  it('ignores events after the instant it judges at', () => {
    const clock = trackDossierClock(acrossNationalDay, fiveDays, calendar, { at: at('2026-08-27T09:00') });
    expect(clock).toMatchObject({ state: 'awaiting-supplement', supplementRequests: 1 });
  });

  it('stops for a financial obligation until paid and resumes the remaining time even in restart mode', () => {
    const events: DossierClockEvent[] = [
      { type: 'received', at: at('2026-08-24T09:00') },
      { type: 'fee-requested', at: at('2026-08-26T09:00') },
      { type: 'fee-paid', at: at('2026-09-03T09:00') },
    ];
    const clock = trackDossierClock(events, fiveDays, calendar, {
      at: at('2026-09-03T10:00'),
      supplementResume: 'restart',
    });
    expect(formatLocal(clock.dueAt)).toBe('2026-09-08T09:00+07:00');
    expect(clock).toMatchObject({ state: 'running', supplementRequests: 0, onTime: true });
  });

  it('adds the paused calendar days to a calendar-day limit', () => {
    const events: DossierClockEvent[] = [
      { type: 'received', at: at('2026-03-02T09:00') },
      { type: 'supplement-requested', at: at('2026-03-03T09:00') },
      { type: 'supplement-answered', at: at('2026-03-06T09:00') },
    ];
    const clock = trackDossierClock(events, { unit: 'calendar-days', value: 3 }, calendar, {
      at: at('2026-03-06T10:00'),
    });
    expect(formatLocal(clock.initialDueAt)).toBe('2026-03-05T17:00+07:00');
    expect(formatLocal(clock.dueAt)).toBe('2026-03-09T17:00+07:00'); // 8 Mar is a Sunday
  });

  it('refuses events that tell no possible story', () => {
    const received: DossierClockEvent = { type: 'received', at: at('2026-03-02T09:00') };
    const options = { at: at('2026-03-31T00:00') };
    expect(() => trackDossierClock([], fiveDays, calendar, options)).toThrow(DossierClockError);
    expect(() =>
      trackDossierClock(
        [received, { type: 'supplement-answered', at: at('2026-03-03T09:00') }],
        fiveDays,
        calendar,
        options,
      ),
    ).toThrow(DossierClockError);
    expect(() =>
      trackDossierClock(
        [
          received,
          { type: 'fee-requested', at: at('2026-03-03T09:00') },
          { type: 'supplement-answered', at: at('2026-03-04T09:00') },
        ],
        fiveDays,
        calendar,
        options,
      ),
    ).toThrow(DossierClockError);
  });
});
