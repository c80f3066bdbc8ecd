import { describe, expect, it } from 'vitest';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { provinceCalendarSchema } from '#shared/config/working-calendar-config.ts';
import { type ApologySlipRequest, issueApologySlip } from '#shared/domain/dossiers/issue-apology-slip.ts';
import { trackDossierClock } from '#shared/domain/dossiers/track-dossier-clock.ts';

const calendar = loadWorkingCalendar(provinceCalendarSchema.parse(undefined));
const at = (local: string) => new Date(`${local}:00+07:00`);

// Due Monday 4 May 10:00: the working day before it is Wednesday 29 Apr (30 Apr, 1 May, weekend).
const slip = (changes: Partial<ApologySlipRequest> = {}): ApologySlipRequest => ({
  promisedAt: at('2026-05-04T10:00'),
  issuedAt: at('2026-04-29T16:00'),
  newPromisedAt: at('2026-05-07T10:00'),
  slipsIssued: 0,
  ...changes,
});
const codeOf = (request: ApologySlipRequest, maxApologySlips?: number) => {
  const result = issueApologySlip(
    request,
    calendar,
    maxApologySlips === undefined ? {} : { maxApologySlips },
  );
  return result.ok ? 'ok' : result.error.code;
};

describe('issueApologySlip', () => {
  it('returns the new, later promised date when issued by the working day before the old one', () => {
    expect(issueApologySlip(slip(), calendar)).toEqual({ ok: true, promisedAt: at('2026-05-07T10:00') });
  });

  it('refuses a slip issued later than the working day before the promised date', () => {
    expect(codeOf(slip({ issuedAt: at('2026-04-30T09:00') }))).toBe('APOLOGY_SLIP_TOO_LATE');
    expect(codeOf(slip({ issuedAt: at('2026-05-04T08:00') }))).toBe('APOLOGY_SLIP_TOO_LATE');
    const error = issueApologySlip(slip({ issuedAt: at('2026-05-04T08:00') }), calendar);
    expect(error.ok ? '' : error.error.message).toContain('must be issued by 2026-04-29');
  });

  it('counts a make-up Saturday as the working day before', () => {
    const beforeMonday = slip({ promisedAt: at('2026-01-12T10:00'), newPromisedAt: at('2026-01-14T10:00') });
    expect(codeOf({ ...beforeMonday, issuedAt: at('2026-01-10T11:00') })).toBe('ok');
    expect(codeOf({ ...beforeMonday, issuedAt: at('2026-01-11T11:00') })).toBe('APOLOGY_SLIP_TOO_LATE');
  });

  it('refuses a new date that is not later, or not inside working hours', () => {
    expect(codeOf(slip({ newPromisedAt: at('2026-05-04T10:00') }))).toBe('APOLOGY_SLIP_NOT_LATER');
    expect(codeOf(slip({ newPromisedAt: at('2026-05-04T09:00') }))).toBe('APOLOGY_SLIP_NOT_LATER');
    expect(codeOf(slip({ newPromisedAt: at('2026-05-09T10:00') }))).toBe(
      'APOLOGY_SLIP_OUTSIDE_WORKING_HOURS',
    );
    expect(codeOf(slip({ newPromisedAt: at('2026-05-07T12:00') }))).toBe(
      'APOLOGY_SLIP_OUTSIDE_WORKING_HOURS',
    );
  });

  it('allows one slip per dossier unless the province allows more', () => {
    expect(codeOf(slip({ slipsIssued: 1 }))).toBe('APOLOGY_SLIP_LIMIT_REACHED');
    expect(codeOf(slip({ slipsIssued: 1 }), 2)).toBe('ok');
    expect(codeOf(slip(), 0)).toBe('APOLOGY_SLIP_LIMIT_REACHED');
  });

  it('does not move the due date that on-time figures judge against', () => {
    // Received Wednesday 29 Apr 10:00 with 1 working day: due Monday 4 May 10:00 +07:00 (slip() above).
    const result = issueApologySlip(slip(), calendar);
    expect(result.ok).toBe(true);
    const clock = trackDossierClock(
      [
        { type: 'received', at: at('2026-04-29T10:00') },
        { type: 'finished', at: at('2026-05-06T10:00') }, // before the slip's date, after the due date
      ],
      { unit: 'working-days', value: 1 },
      calendar,
      { at: at('2026-05-31T00:00') },
    );
    expect(clock.dueAt).toEqual(at('2026-05-04T10:00'));
    expect(clock.onTime).toBe(false);
  });
});
