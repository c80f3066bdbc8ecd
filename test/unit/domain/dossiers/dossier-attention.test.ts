import { describe, expect, it } from 'vitest';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { provinceCalendarSchema } from '#shared/config/working-calendar-config.ts';
import { formatLocal } from '#shared/domain/calendar/vietnam-time.ts';
import { computeDueDate, type TimeLimit } from '#shared/domain/dossiers/compute-due-date.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import {
  compareAttention,
  dossierAttention,
  nearDueHorizon,
  stepAttentionDue,
} from '#shared/domain/dossiers/dossier-attention.ts';
import { makeDossier, makeStep } from '#test/support/dossier-repository-contract.ts';

const calendar = loadWorkingCalendar(provinceCalendarSchema.parse(undefined));
const at = (local: string) => new Date(`${local}:00+07:00`);
const fiveDays: TimeLimit = { unit: 'working-days', value: 5 };
const COMPETENT = '000.00.08.H99';
const CONSULTED = '000.09.01.H99';
const CENTRE = '000.00.01.H99';

/** Received Monday 23 Nov 2026 09:00 under five working days: due Monday 30 Nov 09:00. */
const received = at('2026-11-23T09:00');
const due = computeDueDate(received, fiveDays, calendar).toISOString();

const dossier = (overrides: Partial<Dossier> = {}): Dossier =>
  makeDossier(`${CENTRE}-261123-0001`, {
    receivingUnitId: CENTRE,
    competentAgencyId: COMPETENT,
    receivedAt: received.toISOString(),
    dueAt: due,
    status: 4,
    steps: [
      makeStep('1', COMPETENT, { state: 'completed', startedAt: received.toISOString() }),
      makeStep('2.1', CONSULTED, {
        state: 'in-progress',
        startedAt: at('2026-11-24T09:00').toISOString(),
        dueAt: at('2026-11-26T09:00').toISOString(),
      }),
      makeStep('3', CENTRE, { kind: 'return', role: 'counter-officer' }),
    ],
    ...overrides,
  });

const judge = (d: Dossier, local: string, workingDays = 1) =>
  dossierAttention(d, fiveDays, calendar, {
    at: at(local),
    horizon: nearDueHorizon(calendar, at(local), workingDays),
  }).map((item) => `${item.unitId} ${item.stepId ?? 'dossier'} ${item.kind}`);

describe('nearDueHorizon', () => {
  it('ends with the next working day by default, which a make-up Saturday or a holiday moves', () => {
    const horizon = (local: string, days?: number) => formatLocal(nearDueHorizon(calendar, at(local), days));
    expect(horizon('2026-11-23T09:00')).toBe('2026-11-25T00:00+07:00');
    // Friday: Saturday and Sunday are not worked, so the window runs to the end of Monday.
    expect(horizon('2026-11-27T16:00')).toBe('2026-12-01T00:00+07:00');
    // Friday 21 Aug: Saturday 22 Aug 2026 is a make-up working day.
    expect(horizon('2026-08-21T09:00')).toBe('2026-08-23T00:00+07:00');
    // Friday 28 Aug: 29 Aug to 2 Sep are off, the next working day is Thursday 3 Sep.
    expect(horizon('2026-08-28T09:00')).toBe('2026-09-04T00:00+07:00');
    expect(horizon('2026-11-23T09:00', 0)).toBe('2026-11-24T00:00+07:00');
    expect(horizon('2026-11-23T09:00', 3)).toBe('2026-11-27T00:00+07:00');
    expect(() => nearDueHorizon(calendar, at('2026-11-23T09:00'), -1)).toThrow(/near window/);
  });
});

describe('dossierAttention', () => {
  it('names the consulted agency for its step and the competent agency for the due date, near then past', () => {
    expect(judge(dossier(), '2026-11-23T10:00')).toEqual([]);
    // Wednesday: the consultation is due Thursday 09:00, within the next working day.
    expect(judge(dossier(), '2026-11-25T10:00')).toEqual([`${CONSULTED} 2.1 near`]);
    expect(judge(dossier(), '2026-11-26T09:01')).toEqual([`${CONSULTED} 2.1 past`]);
    // Friday: the dossier is due Monday 09:00, the next working day.
    expect(judge(dossier(), '2026-11-27T16:00')).toEqual([
      `${COMPETENT} dossier near`,
      `${CONSULTED} 2.1 past`,
    ]);
    expect(judge(dossier(), '2026-11-30T09:01')).toEqual([
      `${COMPETENT} dossier past`,
      `${CONSULTED} 2.1 past`,
    ]);
    // A wider window sees the dossier on Wednesday already.
    expect(judge(dossier(), '2026-11-25T10:00', 3)).toEqual([
      `${COMPETENT} dossier near`,
      `${CONSULTED} 2.1 near`,
    ]);
  });

  it('judges nothing while the dossier waits on a supplement or a fee, and the later due date once answered', () => {
    const supplement = {
      requestedAt: at('2026-11-25T09:00').toISOString(),
      requestedBy: 'fire',
      stepId: '2.1',
      reason: 'Bổ sung bản vẽ',
      dueBefore: due,
    };
    const waiting = dossier({ status: 5, supplements: [supplement] });
    expect(judge(waiting, '2026-12-10T09:00')).toEqual([]);
    const fee = {
      requestedAt: supplement.requestedAt,
      requestedBy: 'x',
      stepId: '2.1',
      amount: 1,
      reason: 'Lệ phí',
    };
    expect(judge(dossier({ status: 6, feeRequests: [fee] }), '2026-12-10T09:00')).toEqual([]);
    // Answered on Friday 27 Nov 09:00 after two working days: due two working days after 30 Nov.
    const answered = dossier({
      supplements: [{ ...supplement, answeredAt: at('2026-11-27T09:00').toISOString() }],
    });
    const [item] = dossierAttention(answered, fiveDays, calendar, {
      at: at('2026-12-01T16:00'),
      horizon: nearDueHorizon(calendar, at('2026-12-01T16:00')),
    });
    expect(item).toMatchObject({ unitId: COMPETENT, kind: 'near' });
    expect(formatLocal(new Date(item?.dueAt ?? ''))).toBe('2026-12-02T09:00+07:00');
  });

  it('leaves a processed dossier its return step only, due no earlier than the appointment date', () => {
    const processed = dossier({
      status: 9,
      finishedAt: at('2026-11-25T10:00').toISOString(),
      steps: [
        makeStep('1', COMPETENT, { state: 'completed', startedAt: received.toISOString() }),
        makeStep('3', CENTRE, {
          kind: 'return',
          role: 'counter-officer',
          state: 'waiting',
          startedAt: at('2026-11-25T10:00').toISOString(),
          dueAt: at('2026-11-25T10:00').toISOString(),
        }),
      ],
    });
    expect(judge(processed, '2026-11-25T11:00')).toEqual([]);
    expect(judge(processed, '2026-11-27T11:00')).toEqual([`${CENTRE} 3 near`]);
    expect(judge(processed, '2026-11-30T10:00')).toEqual([`${CENTRE} 3 past`]);
    expect(stepAttentionDue(processed, processed.steps[1] ?? makeStep('x', CENTRE))).toBe(due);
    expect(judge(dossier({ status: 10 }), '2026-12-30T10:00')).toEqual([]);
  });

  it('orders past before near, then by due date, dossier and step', () => {
    const item = (kind: 'near' | 'past', dueAt: string, stepId?: string) => ({
      unitId: COMPETENT,
      dossierCode: 'X',
      procedureCode: '1.009994',
      status: 4 as const,
      dueAt,
      kind,
      ...(stepId ? { stepId } : {}),
    });
    const sorted = [
      item('near', '2026-11-24T00:00:00.000Z'),
      item('past', '2026-11-22T00:00:00.000Z', '2'),
      item('past', '2026-11-22T00:00:00.000Z'),
      item('past', '2026-11-21T00:00:00.000Z'),
    ].sort(compareAttention);
    expect(sorted.map((entry) => `${entry.kind} ${entry.dueAt.slice(8, 10)} ${entry.stepId ?? '-'}`)).toEqual(
      ['past 21 -', 'past 22 -', 'past 22 2', 'near 24 -'],
    );
  });
});
