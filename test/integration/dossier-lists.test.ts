import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBackOffice, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import type { Role } from '#shared/auth/authorize.ts';
import { vietnamDate } from '#shared/config/procedure-catalogue.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { type ApiClient, ApiError, createApiClient } from '../../scripts/lib/api-client.ts';

const CENTRE = '000.00.01.H99';
const CONSTRUCTION = '000.00.08.H99';
const FIRE_POLICE = '000.09.01.H99';
const COMMUNE = '000.17.22.H99';
const MINUTE_MS = 60_000;

describe('dossier lists and attention lists on the embedded runtime', () => {
  let root: string;
  let office: EmbeddedBackOffice;
  let as: Record<'centre' | 'commune' | 'construction' | 'fire' | 'admin' | 'auditor', ApiClient>;
  let permit: Dossier;
  let commune: Dossier;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'motcua-lists-'));
    office = await startEmbeddedBackOffice({
      dataDir: join(root, 'data'),
      apiPort: 0,
      ocrWorkers: 1,
      quiet: true,
      sweepEveryMs: 0,
    });
    const client = async (agencyId: string, role: Role) =>
      createApiClient(
        office.apiUrl,
        await office.auth.issueLocalToken({ sub: `${role}@${agencyId}`, groups: [role], agencyId }),
      );
    as = {
      centre: await client(CENTRE, 'counter-officer'),
      commune: await client(COMMUNE, 'counter-officer'),
      construction: await client(CONSTRUCTION, 'processing-officer'),
      fire: await client(FIRE_POLICE, 'processing-officer'),
      admin: await client(CENTRE, 'province-admin'),
      auditor: await client(CENTRE, 'auditor'),
    };
    // Two dossiers received now; nothing is advanced after intake: routing opens each first step.
    ({ dossier: permit } = await as.centre.receiveDossier({
      idempotencyKey: 'lists-e2e-permit',
      procedureCode: '1.009994',
      channel: 1,
      receivingUnitId: CENTRE,
      owner: { kind: 2, id: '0314409058', name: 'Công ty TNHH Xây dựng Minh Phát' },
    }));
    ({ dossier: commune } = await as.commune.receiveDossier({
      idempotencyKey: 'lists-e2e-commune',
      procedureCode: '1.004873',
      channel: 1,
      receivingUnitId: COMMUNE,
      owner: { kind: 1, id: '001195006789', name: 'Nguyễn Thị Hoa' },
    }));
    await office.whenIdle();
  });

  afterAll(async () => {
    await office?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const codes = (page: { dossiers: { code: string }[] }) => page.dossiers.map((dossier) => dossier.code);

  it("lists what each caller may see, filtered, in due-date order, paged with the API's cursor", async () => {
    expect(codes(await as.centre.listDossiers())).toEqual([permit.code]);
    expect(codes(await as.commune.listDossiers())).toEqual([commune.code]);
    const queue = await as.construction.listDossiers({ status: 2 });
    expect(codes(queue)).toEqual([permit.code]);
    expect(queue.dossiers[0]?.openSteps).toEqual([
      expect.objectContaining({
        stepId: '1',
        agencyId: CONSTRUCTION,
        state: 'waiting',
        dueAt: expect.any(String),
      }),
    ]);
    expect(queue.dossiers[0]).not.toHaveProperty('history');
    expect(codes(await as.construction.listDossiers({ status: [4, 5] }))).toEqual([]);
    // The fire police are consulted only once the department's first step is done.
    expect(codes(await as.fire.listDossiers())).toEqual([]);

    // The commune's three working days fall due before the permit's twenty.
    expect(codes(await as.admin.listDossiers())).toEqual([commune.code, permit.code]);
    expect(codes(await as.auditor.listDossiers({ unit: CONSTRUCTION }))).toEqual([permit.code]);
    expect(codes(await as.admin.listDossiers({ procedure: '1.004873' }))).toEqual([commune.code]);
    expect(codes(await as.admin.listDossiers({ dueBefore: commune.dueAt }))).toEqual([commune.code]);
    expect(codes(await as.admin.listDossiers({ dueAfter: permit.dueAt, status: [2, 4] }))).toEqual([
      permit.code,
    ]);
    // A repeated parameter arrives comma-joined, as API Gateway sends it.
    expect(codes(await as.admin.call('GET', '/dossiers?status=1&status=2'))).toEqual([
      commune.code,
      permit.code,
    ]);

    const first = await as.admin.listDossiers({ limit: 1 });
    expect(codes(first)).toEqual([commune.code]);
    const second = await as.admin.listDossiers({ limit: 1, cursor: first.nextCursor });
    expect(codes(second)).toEqual([permit.code]);
    expect(second.nextCursor).toBeUndefined();
  });

  it("refuses a bad filter with a 400 in the API's error format, and another unit's list with a 403", async () => {
    const bad = await as.admin.listDossiers({ status: 11 }).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(ApiError);
    expect(bad).toMatchObject({ status: 400, code: 'INVALID_STATUS' });
    await expect(as.admin.listDossiers({ dueAfter: 'soon' })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_DUE_AFTER',
    });
    await expect(as.admin.call('GET', '/dossiers?cursor=forged')).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    });
    await expect(as.fire.listDossiers({ unit: CONSTRUCTION })).rejects.toMatchObject({ status: 403 });
  });

  it('records each unit its near and past items when the sweep runs as of a later instant', async () => {
    const stepDue = (dossier: Dossier) =>
      Date.parse(dossier.steps.find((step) => step.stepId === '1')?.dueAt ?? '');
    const [routedPermit, routedCommune] = [
      await as.construction.getDossier(permit.code),
      await as.commune.getDossier(commune.code),
    ];
    // Just before the department's first step falls due: near, on the construction department's list.
    const before = new Date(stepDue(routedPermit) - MINUTE_MS);
    await office.sweepOverdueDossiers(before);
    const near = await as.construction.unitAttention(CONSTRUCTION, vietnamDate(before));
    expect(near).toMatchObject({
      unitId: CONSTRUCTION,
      day: vietnamDate(before),
      sweptAt: before.toISOString(),
    });
    expect(near.items).toEqual([
      {
        unitId: CONSTRUCTION,
        dossierCode: permit.code,
        procedureCode: '1.009994',
        status: 2,
        stepId: '1',
        stepName: expect.any(String),
        role: 'processing-officer',
        dueAt: routedPermit.steps.find((step) => step.stepId === '1')?.dueAt,
        kind: 'near',
      },
    ]);

    // Past the commune dossier's due date: its step and the dossier itself are past, at the commune.
    const after = new Date(Math.max(Date.parse(routedCommune.dueAt), stepDue(routedPermit)) + MINUTE_MS);
    const report = await office.sweepOverdueDossiers(after);
    expect(report).toMatchObject({ day: vietnamDate(after), dossiers: 2, past: 3, near: 0 });
    const past = await as.commune.unitAttention(COMMUNE, vietnamDate(after));
    expect(past.items.map((item) => `${item.stepId ?? 'dossier'} ${item.kind}`)).toEqual([
      '1 past',
      'dossier past',
    ]);
    expect((await as.auditor.unitAttention(CONSTRUCTION, vietnamDate(after))).items).toEqual([
      expect.objectContaining({ dossierCode: permit.code, stepId: '1', kind: 'past' }),
    ]);
    expect((await as.admin.unitAttention(FIRE_POLICE, vietnamDate(after))).items).toEqual([]);
    // Another unit's staff may not read the list.
    await expect(as.fire.unitAttention(CONSTRUCTION, vietnamDate(after))).rejects.toMatchObject({
      status: 403,
    });
    await expect(as.admin.unitAttention(CONSTRUCTION, 'today')).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_DAY',
    });
    // Sweeping is not acting: the lists are as they were.
    expect(codes(await as.admin.listDossiers())).toEqual([commune.code, permit.code]);
  });
});
