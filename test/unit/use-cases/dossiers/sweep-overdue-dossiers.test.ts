import { describe, expect, it } from 'vitest';
import { formatLocal } from '#shared/domain/calendar/vietnam-time.ts';
import type { AttentionItem } from '#shared/domain/dossiers/dossier-attention.ts';
import { createSweepOverdueDossiers } from '#shared/use-cases/dossiers/sweep-overdue-dossiers.ts';
import {
  CENTRE,
  COMMUNE,
  CONSTRUCTION,
  createDossierOffice,
  FIRE_POLICE,
  LAND,
  person,
  sampleCalendar,
  sampleConfig,
} from '#test/support/dossier-office.ts';
import { makeDossier } from '#test/support/dossier-repository-contract.ts';

const local = (instant: string) => new Date(`${instant}:00+07:00`);

function setUp() {
  const office = createDossierOffice();
  const sweep = createSweepOverdueDossiers({
    config: sampleConfig,
    calendar: () => sampleCalendar,
    dossiers: office.dossiers,
    clock: office.clock,
  });
  const listOf = async (unitId: string, day: string) => {
    const list = await office.dossiers.getAttentionList(unitId, day);
    return list?.items.map(
      (item: AttentionItem) => `${item.dossierCode.slice(-4)} ${item.stepId ?? 'dossier'} ${item.kind}`,
    );
  };
  return { office, sweep, listOf };
}

/** A permit whose first step is done and whose consultation (2.1 fire police, 2.2 land) is open. */
async function permitInConsultation(office: ReturnType<typeof createDossierOffice>): Promise<string> {
  const code = await office.receivePermit();
  await office.openStep(code, '1');
  await office.act(person(CONSTRUCTION, 'processing-officer'), code, 'complete', { stepId: '1' });
  await office.openStep(code, '2.1');
  await office.openStep(code, '2.2');
  return code;
}

describe('sweepOverdueDossiers', () => {
  it("puts each near or past item on the list of the unit that must act: a consulted agency's step, the competent agency's due date", async () => {
    const { office, sweep, listOf } = setUp();
    const code = await permitInConsultation(office);
    const dossier = await office.dossiers.getDossier(code);
    const fireDue = dossier?.steps.find((step) => step.stepId === '2.1')?.dueAt ?? '';
    const landDue = dossier?.steps.find((step) => step.stepId === '2.2')?.dueAt ?? '';
    // Both opened on Monday 23 Nov 09:00: land (7 days) falls due the working day before fire police (8 days).
    expect(formatLocal(new Date(landDue))).toBe('2026-12-02T09:00+07:00');
    expect(formatLocal(new Date(fireDue))).toBe('2026-12-03T09:00+07:00');

    const monday = await sweep({ at: local('2026-11-30T08:00') });
    expect(monday).toMatchObject({ day: '2026-11-30', dossiers: 0, near: 0, past: 0, skipped: [] });
    expect(await listOf(LAND, '2026-11-30')).toEqual([]);

    // Tuesday 1 Dec: land is due tomorrow (near), fire police on Thursday (not yet).
    const tuesday = await sweep({ at: local('2026-12-01T08:00') });
    expect(tuesday).toMatchObject({ day: '2026-12-01', dossiers: 1, near: 1, past: 0 });
    expect(await listOf(LAND, '2026-12-01')).toEqual(['0001 2.2 near']);
    expect(await listOf(FIRE_POLICE, '2026-12-01')).toEqual([]);

    // Thursday 3 Dec 10:00: both are past due; the construction department has nothing of its own yet.
    await sweep({ at: local('2026-12-03T10:00') });
    expect(await listOf(LAND, '2026-12-03')).toEqual(['0001 2.2 past']);
    expect(await listOf(FIRE_POLICE, '2026-12-03')).toEqual(['0001 2.1 past']);
    expect(await listOf(CONSTRUCTION, '2026-12-03')).toEqual([]);

    // The dossier is due on 21 Dec (20 working days): on Friday 18 Dec it is near for the competent agency.
    expect(formatLocal(new Date(dossier?.dueAt ?? ''))).toBe('2026-12-21T09:00+07:00');
    await sweep({ at: local('2026-12-18T10:00') });
    expect(await listOf(CONSTRUCTION, '2026-12-18')).toEqual(['0001 dossier near']);
    const [item] = (await office.dossiers.getAttentionList(CONSTRUCTION, '2026-12-18'))?.items ?? [];
    expect(item).toEqual({
      unitId: CONSTRUCTION,
      dossierCode: code,
      procedureCode: '1.009994',
      status: 4,
      dueAt: dossier?.dueAt,
      kind: 'near',
    });
    // Earlier days keep their own lists.
    expect(await listOf(LAND, '2026-12-01')).toEqual(['0001 2.2 near']);
  });

  it('groups per unit and writes every unit of the province a list, empty when it has nothing', async () => {
    const { office, sweep, listOf } = setUp();
    await permitInConsultation(office);
    await permitInConsultation(office);
    const commune = await office.receiveAtCommune();
    await office.openStep(commune, '1');
    const report = await sweep({ at: local('2026-12-04T10:00') });
    expect(report).toMatchObject({ dossiers: 3, units: sampleConfig.agencies.length, near: 0, past: 6 });
    expect(await listOf(LAND, '2026-12-04')).toEqual(['0001 2.2 past', '0002 2.2 past']);
    expect(await listOf(FIRE_POLICE, '2026-12-04')).toEqual(['0001 2.1 past', '0002 2.1 past']);
    // The commune's three-day dossier: its step and its own due date are both past.
    expect(await listOf(COMMUNE, '2026-12-04')).toEqual(['0001 1 past', '0001 dossier past']);
    expect(await listOf(CENTRE, '2026-12-04')).toEqual([]);
  });

  it('does not judge a dossier paused on a supplement while it waits, and judges the later due date once answered', async () => {
    const { office, sweep, listOf } = setUp();
    const code = await permitInConsultation(office);
    office.setNow(local('2026-12-01T09:00'));
    await office.act(person(FIRE_POLICE, 'processing-officer'), code, 'request-supplement', {
      stepId: '2.1',
      reason: 'Bổ sung bản vẽ thiết kế phòng cháy',
    });
    await sweep({ at: local('2026-12-22T10:00') });
    expect(await listOf(CONSTRUCTION, '2026-12-22')).toEqual([]);
    expect(await listOf(FIRE_POLICE, '2026-12-22')).toEqual([]);
    expect(await listOf(LAND, '2026-12-22')).toEqual([]);

    // Answered after two working days: the due date moves from 21 Dec to 23 Dec.
    office.setNow(local('2026-12-03T09:00'));
    const { dossier } = await office.act(person(CENTRE, 'counter-officer'), code, 'answer-supplement');
    expect(formatLocal(new Date(dossier.dueAt))).toBe('2026-12-23T09:00+07:00');
    await sweep({ at: local('2026-12-22T10:00') });
    expect(await listOf(CONSTRUCTION, '2026-12-22')).toEqual(['0001 dossier near']);
    // The consultation keeps the working time it had left at the request, and is past by then all the same.
    expect(await listOf(FIRE_POLICE, '2026-12-22')).toEqual(['0001 2.1 past']);
  });

  it('rewrites the same lists when the same day is swept again, dropping what was done since', async () => {
    const { office, sweep, listOf } = setUp();
    const code = await permitInConsultation(office);
    const at = local('2026-12-04T10:00');
    const first = await sweep({ at });
    const before = await office.dossiers.getAttentionList(LAND, '2026-12-04');
    const again = await sweep({ at });
    expect(again).toEqual(first);
    expect(await office.dossiers.getAttentionList(LAND, '2026-12-04')).toEqual(before);

    office.setNow(local('2026-12-04T11:00'));
    await office.act(person(LAND, 'processing-officer'), code, 'complete', { stepId: '2.2' });
    const later = await sweep({ at: local('2026-12-04T11:30') });
    expect(later).toMatchObject({ day: '2026-12-04', past: 1, sweptAt: '2026-12-04T04:30:00.000Z' });
    expect(await listOf(LAND, '2026-12-04')).toEqual([]);
    expect(await listOf(FIRE_POLICE, '2026-12-04')).toEqual(['0001 2.1 past']);
  });

  it('takes the near window from the province, or from the call', async () => {
    const { office, listOf } = setUp();
    await permitInConsultation(office);
    const wide = createSweepOverdueDossiers({
      config: { ...sampleConfig, dossiers: { ...sampleConfig.dossiers, nearDueWorkingDays: 2 } },
      calendar: () => sampleCalendar,
      dossiers: office.dossiers,
      clock: office.clock,
    });
    // Monday 30 Nov: land is due Wednesday, fire police Thursday; two working days see land only.
    await wide({ at: local('2026-11-30T08:00') });
    expect(await listOf(LAND, '2026-11-30')).toEqual(['0001 2.2 near']);
    expect(await listOf(FIRE_POLICE, '2026-11-30')).toEqual([]);
    await wide({ at: local('2026-11-30T08:00'), nearDueWorkingDays: 3 });
    expect(await listOf(FIRE_POLICE, '2026-11-30')).toEqual(['0001 2.1 near']);
  });

  it('skips a dossier it cannot judge and still writes every other list', async () => {
    const { office, sweep, listOf } = setUp();
    await permitInConsultation(office);
    await office.dossiers.createDossier(
      makeDossier(`${COMMUNE}-261101-0001`, {
        procedureCode: '9.999999',
        receivedAt: '2026-11-02T02:00:00.000Z',
        dueAt: '2026-11-05T02:00:00.000Z',
      }),
    );
    const report = await sweep({ at: local('2026-12-04T10:00') });
    expect(report.skipped).toEqual([
      expect.objectContaining({ dossierCode: `${COMMUNE}-261101-0001`, code: 'UNKNOWN_PROCEDURE' }),
    ]);
    expect(await listOf(LAND, '2026-12-04')).toEqual(['0001 2.2 past']);
  });

  it('uses the clock when no instant is given', async () => {
    const { office, sweep } = setUp();
    office.setNow(local('2026-12-02T08:00'));
    expect(await sweep()).toMatchObject({ day: '2026-12-02', nearUntil: '2026-12-03T17:00:00.000Z' });
  });
});
