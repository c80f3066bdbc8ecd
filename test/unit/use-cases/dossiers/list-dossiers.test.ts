import { describe, expect, it } from 'vitest';
import type { Principal } from '#shared/auth/authorize.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import { createListDossiers, type DossierPage } from '#shared/use-cases/dossiers/list-dossiers.ts';
import { createReadUnitAttention } from '#shared/use-cases/dossiers/read-unit-attention.ts';
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

/**
 * Three permits received at the centre for the construction department (0001 in consultation with
 * fire police and land, 0002 and 0003 waiting on the department's first step) and one commune
 * dossier received and processed at the commune.
 */
async function setUp() {
  const office = createDossierOffice();
  const permit = await office.receivePermit();
  await office.openStep(permit, '1');
  await office.act(person(CONSTRUCTION, 'processing-officer'), permit, 'complete', { stepId: '1' });
  await office.openStep(permit, '2.1');
  await office.openStep(permit, '2.2');
  for (let n = 0; n < 2; n++) {
    office.advance(1);
    await office.openStep(await office.receivePermit(), '1');
  }
  office.advance(1);
  const commune = await office.receiveAtCommune();
  await office.openStep(commune, '1');
  const list = createListDossiers({ dossiers: office.dossiers });
  const codes = async (principal: Principal, query: Record<string, string> = {}) =>
    (await list(principal, query)).dossiers.map((dossier) => dossier.code.replace(/\.H99-261123-/, '/'));
  return { office, list, codes };
}

const P1 = '000.00.01/0001';
const P2 = '000.00.01/0002';
const P3 = '000.00.01/0003';
const C1 = '000.17.22/0001';

describe('listDossiers', () => {
  it("shows each role what it may see: the counter its unit's intake, an agency its queue and consultations, the province everything", async () => {
    const { codes } = await setUp();
    expect(await codes(person(CENTRE, 'counter-officer'))).toEqual([P1, P2, P3]);
    expect(await codes(person(COMMUNE, 'counter-officer'))).toEqual([C1]);
    expect(await codes(person(CONSTRUCTION, 'processing-officer'))).toEqual([P1, P2, P3]);
    expect(await codes(person(CONSTRUCTION, 'agency-admin'))).toEqual([P1, P2, P3]);
    // A consulted agency sees the dossier its step waits on, and only that one.
    expect(await codes(person(FIRE_POLICE, 'processing-officer'))).toEqual([P1]);
    expect(await codes(person(LAND, 'agency-admin'))).toEqual([P1]);
    // The centre's processing staff have no dossier of their own, nor a step waiting on them.
    expect(await codes(person(CENTRE, 'processing-officer'))).toEqual([]);
    expect(await codes(person(undefined, 'province-admin'))).toEqual([C1, P1, P2, P3]);
    expect(await codes(person(undefined, 'auditor'))).toEqual([C1, P1, P2, P3]);
    // Several roles see the union of their lists; a province-wide role sees everything.
    expect(await codes(person(COMMUNE, 'counter-officer', 'processing-officer'))).toEqual([C1]);
    expect(await codes(person(CENTRE, 'counter-officer', 'province-admin'))).toEqual([C1, P1, P2, P3]);
  });

  it('narrows to a unit: the competent unit for province-wide roles, only their own unit for agency staff', async () => {
    const { codes, list } = await setUp();
    expect(await codes(person(undefined, 'province-admin'), { unit: CONSTRUCTION })).toEqual([P1, P2, P3]);
    expect(await codes(person(undefined, 'auditor'), { unit: FIRE_POLICE })).toEqual([]);
    expect(await codes(person(FIRE_POLICE, 'processing-officer'), { unit: FIRE_POLICE })).toEqual([P1]);
    expect(await codes(person(CENTRE, 'counter-officer'), { unit: CENTRE })).toEqual([P1, P2, P3]);
    await expect(
      list(person(FIRE_POLICE, 'processing-officer'), { unit: CONSTRUCTION }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(list(person(CENTRE, 'counter-officer'), { unit: COMMUNE })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(list(person(undefined, 'counter-officer'), {})).rejects.toBeInstanceOf(ForbiddenError);
    await expect(list({ userId: 'nobody', roles: new Set(), agencyId: CENTRE }, {})).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('filters by status, procedure and due window, dates read as Vietnam days', async () => {
    const { codes, office } = await setUp();
    const admin = person(undefined, 'province-admin');
    expect(await codes(admin, { status: '4' })).toEqual([P1]);
    expect(await codes(admin, { status: '2,4' })).toEqual([C1, P1, P2, P3]);
    expect(await codes(admin, { status: '2' })).toEqual([C1, P2, P3]);
    expect(await codes(admin, { procedure: '1.004873' })).toEqual([C1]);
    const due = (await office.dossiers.getDossier(`${CENTRE}-261123-0001`))?.dueAt;
    expect(due).toBe('2026-12-21T02:00:00.000Z');
    // The permits are due on 21 Dec (09:00, 10:00 and 11:00), the commune dossier on 26 Nov.
    expect(await codes(admin, { dueAfter: '2026-12-21', dueBefore: '2026-12-21' })).toEqual([P1, P2, P3]);
    expect(await codes(admin, { dueAfter: '2026-12-21T10:00:00+07:00' })).toEqual([P2, P3]);
    expect(await codes(admin, { dueBefore: '2026-12-21T03:00:00Z' })).toEqual([C1, P1, P2]);
    expect(await codes(admin, { dueBefore: '2026-12-20' })).toEqual([C1]);
    expect(await codes(person(FIRE_POLICE, 'processing-officer'), { status: '2' })).toEqual([]);
  });

  it('pages with the cursor it hands out, across the merged lists of an agency', async () => {
    const { list } = await setUp();
    const officer = person(CONSTRUCTION, 'processing-officer');
    const first = await list(officer, { limit: '2' });
    expect(first.dossiers).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second: DossierPage = await list(officer, { limit: '2', cursor: first.nextCursor ?? '' });
    expect(second.dossiers.map((dossier) => dossier.code.slice(-4))).toEqual(['0003']);
    expect(second.nextCursor).toBeUndefined();
    // Another caller's list does not take this one's cursor.
    await expect(
      list(person(FIRE_POLICE, 'processing-officer'), { cursor: first.nextCursor ?? '' }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it.each([
    [{ status: '11' }, 'INVALID_STATUS'],
    [{ status: '2,x' }, 'INVALID_STATUS'],
    [{ status: '' }, 'INVALID_STATUS'],
    [{ unit: 'centre' }, 'INVALID_UNIT'],
    [{ procedure: '1009994' }, 'INVALID_PROCEDURE'],
    [{ dueAfter: 'tomorrow' }, 'INVALID_DUE_AFTER'],
    [{ dueBefore: '2026-13-01' }, 'INVALID_DUE_BEFORE'],
    [{ dueAfter: '2026-12-02', dueBefore: '2026-12-01' }, 'INVALID_DUE_WINDOW'],
    [{ limit: '0' }, 'INVALID_LIMIT'],
    [{ limit: '201' }, 'INVALID_LIMIT'],
    [{ limit: 'ten' }, 'INVALID_LIMIT'],
    [{ cursor: 'forged' }, 'INVALID_CURSOR'],
    [{ agency: CENTRE }, 'UNKNOWN_PARAMETER'],
  ])('refuses %o with %s', async (query, code) => {
    const { list } = await setUp();
    const error = await list(person(undefined, 'province-admin'), query).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code });
  });
});

describe('readUnitAttention', () => {
  async function swept() {
    const { office } = await setUp();
    const sweep = createSweepOverdueDossiers({
      config: sampleConfig,
      calendar: () => sampleCalendar,
      dossiers: office.dossiers,
      clock: office.clock,
    });
    await sweep({ at: new Date('2026-12-03T03:00:00.000Z') });
    office.setNow(new Date('2026-12-03T05:00:00.000Z'));
    return {
      office,
      read: createReadUnitAttention({ config: sampleConfig, dossiers: office.dossiers, clock: office.clock }),
    };
  }

  it("answers a unit's list of today, or of the day asked for, to the unit's staff and province-wide roles", async () => {
    const { read } = await swept();
    const fire = await read(person(FIRE_POLICE, 'processing-officer'), FIRE_POLICE, {});
    expect(fire).toMatchObject({
      unitId: FIRE_POLICE,
      day: '2026-12-03',
      sweptAt: '2026-12-03T03:00:00.000Z',
    });
    expect(fire.items.map((item) => `${item.stepId} ${item.kind}`)).toEqual(['2.1 past']);
    expect((await read(person(undefined, 'auditor'), LAND, {})).items).toHaveLength(1);
    expect((await read(person(CENTRE, 'counter-officer'), CENTRE, {})).items).toEqual([]);
    // A day no sweep has seen: nothing, and no sweep time.
    expect(await read(person(undefined, 'province-admin'), FIRE_POLICE, { day: '2026-12-02' })).toEqual({
      unitId: FIRE_POLICE,
      day: '2026-12-02',
      items: [],
    });
  });

  it("refuses another unit's staff, an unknown unit and a malformed day", async () => {
    const { read } = await swept();
    await expect(read(person(LAND, 'agency-admin'), FIRE_POLICE, {})).rejects.toBeInstanceOf(ForbiddenError);
    await expect(read(person(undefined, 'province-admin'), '000.99.99.H99', {})).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(read(person(undefined, 'province-admin'), 'fire', {})).rejects.toMatchObject({
      code: 'INVALID_UNIT',
    });
    await expect(read(person(undefined, 'province-admin'), LAND, { day: '3 Dec' })).rejects.toMatchObject({
      code: 'INVALID_DAY',
    });
    await expect(
      read(person(undefined, 'province-admin'), LAND, { from: '2026-12-01' }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_PARAMETER',
    });
  });
});
