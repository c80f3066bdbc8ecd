import { describe, expect, it } from 'vitest';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import { at, sketchDossier } from '#test/support/kpi-dossiers.ts';

describe('kpiDaysOf', () => {
  it('takes the local day of every event instant, nested ones too, each day once and in order', () => {
    const dossier = sketchDossier({
      received: '2026-03-02T23:30',
      finished: '2026-03-05T08:00',
      queueTicket: { issuedAt: at('2026-03-02T23:10') },
      rating: { score: 5, at: at('2026-03-09T00:10') },
      supplements: [{ requestedAt: at('2026-03-03T06:59') } as never],
    });
    // 23:30 local on the 2nd is 16:30 UTC: still the 2nd in Vietnam.
    expect(kpiDaysOf(dossier)).toEqual(['2026-03-02', '2026-03-03', '2026-03-05', '2026-03-09']);
  });

  it('leaves out deadlines: a due date is not an event', () => {
    const dossier = sketchDossier({ received: '2026-03-02T09:00', dueAt: at('2026-03-20T17:00') });
    expect(kpiDaysOf(dossier)).toEqual(['2026-03-02']);
  });
});
