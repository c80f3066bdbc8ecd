import { describe, expect, it } from 'vitest';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { makeDossier } from '#test/support/dossier-repository-contract.ts';
import { dossierTimeline } from '../../../scripts/lib/walk-demo-dossier.ts';

const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const context = {
  agencyName: (id: string) => `agency ${id}`,
  limit: { unit: 'working-days', value: 5 } as const,
  calendar: loadWorkingCalendar(config.calendar),
  supplementResume: 'pause' as const,
};

describe('dossierTimeline', () => {
  it('shows each step with its agency and statutory end, and judges the dossier by the clock', () => {
    const step = {
      stepId: '1',
      stage: 1,
      kind: 'processing' as const,
      name: 'Thẩm định',
      agencyId: '000.17.22.H99',
      role: 'processing-officer',
      share: 3,
      state: 'completed' as const,
      startedAt: '2026-11-23T02:00:00.000Z',
      dueAt: '2026-11-26T02:00:00.000Z',
      finishedAt: '2026-11-27T02:00:00.000Z',
    };
    const onTime = dossierTimeline(
      makeDossier('000.17.22.H99-261123-0001', {
        status: 10,
        steps: [step],
        finishedAt: '2026-11-27T02:00:00.000Z',
        returnedAt: '2026-11-27T03:00:00.000Z',
      }),
      context,
    );
    expect(onTime[0]).toBe(
      'Dossier 000.17.22.H99-261123-0001 (procedure 1.000894), received 23/11 09:00, due 30/11 09:00',
    );
    expect(onTime[1]).toBe(
      '  1    23/11 09:00 → 27/11 09:00 (by 26/11 09:00) LATE  Thẩm định — agency 000.17.22.H99',
    );
    expect(onTime.at(-1)).toContain(
      'status 10 (Đã trả kết quả), processed 27/11 09:00, returned 27/11 10:00: on time',
    );
    const late = dossierTimeline(
      makeDossier('000.17.22.H99-261123-0002', {
        status: 9,
        steps: [step],
        finishedAt: '2026-12-02T02:00:00.000Z',
      }),
      context,
    );
    expect(late.at(-1)).toContain(': late;');
  });
});
