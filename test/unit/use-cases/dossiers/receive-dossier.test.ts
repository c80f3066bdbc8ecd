import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { computeDueDate } from '#shared/domain/dossiers/compute-due-date.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import { createReadDossier } from '#shared/use-cases/dossiers/read-dossier.ts';
import { createReceiveDossier } from '#shared/use-cases/dossiers/receive-dossier.ts';
import { createRequestUpload } from '#shared/use-cases/request-upload.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const calendar = loadWorkingCalendar(config.calendar);
/** Monday 23 Nov 2026, 09:00 in Vietnam. */
const NOW = new Date('2026-11-23T02:00:00.000Z');
const COMMUNE = '000.17.22.H99';
const OTHER_COMMUNE = '000.17.23.H99';
const CITIZEN = '001195006789';
const PDF = { mediaType: 'application/pdf', size: 1000, sha256: 'a'.repeat(64) };

const officer = (agencyId: string, role: Role = 'counter-officer'): Principal => ({
  userId: `officer-${agencyId}`,
  roles: new Set([role]),
  agencyId,
});

function setUp(now: Date = NOW) {
  const repository = createInMemoryRepository();
  const dossiers = createInMemoryDossierRepository();
  let ids = 0;
  const routed: string[] = [];
  const clock = { now: () => now };
  const requestUpload = createRequestUpload({
    config,
    repository,
    objects: createInMemoryObjectStore(),
    clock,
    ids: { newId: () => `upload-${++ids}` },
    ingestBucket: 'ingest',
  });
  const receiveDossier = createReceiveDossier({
    config,
    calendar: () => calendar,
    dossiers,
    archive: repository,
    requestUpload,
    startRouting: async (code) => {
      routed.push(code);
    },
    clock,
  });
  return { repository, dossiers, routed, receiveDossier, readDossier: createReadDossier({ dossiers }) };
}

/** A marriage registration (1.000894: a form, and a reusable marital-status certificate). */
const marriage = (overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: 'intake-0001',
  procedureCode: '1.000894',
  channel: 1,
  receivingUnitId: COMMUNE,
  owner: { kind: 1, id: CITIZEN, name: 'Nguyễn Thị Hoa' },
  queueTicket: { issuedAt: '2026-11-23T01:40:00.000Z', calledAt: '2026-11-23T01:52:00.000Z' },
  files: { DDN: PDF },
  ...overrides,
});

const archived = {
  code: `${CITIZEN}.TTHN.01`,
  documentId: 'archived-tthn',
  ownerId: CITIZEN,
  docType: 'TTHN',
  agencyId: COMMUNE,
  archivedAt: '2026-10-01T03:00:00.000Z',
  signedPdfKey: 'archive/tthn.pdf',
};

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('receiveDossier', () => {
  it('attaches the owner archived paper as reused and hands out a ticket for the rest', async () => {
    const { repository, receiveDossier, routed } = setUp();
    await repository.putArchiveEntry(archived);
    const { dossier, uploads, replayed } = await receiveDossier(officer(COMMUNE), marriage());
    expect(replayed).toBe(false);
    expect(routed).toEqual([dossier.code]);
    // The receipt is the route's counter step; the last counter step is the return.
    expect(
      dossier.steps.map(({ stepId, kind, role, state, share }) => ({ stepId, kind, role, state, share })),
    ).toEqual([
      { stepId: '0', kind: 'intake', role: 'counter-officer', state: 'completed', share: 0.5 },
      { stepId: '1', kind: 'processing', role: 'processing-officer', state: 'pending', share: 3 },
      { stepId: '2', kind: 'processing', role: 'agency-admin', state: 'pending', share: 1 },
      { stepId: '3', kind: 'return', role: 'counter-officer', state: 'pending', share: 0.5 },
    ]);
    expect(dossier.history).toEqual([
      { version: 1, at: NOW.toISOString(), action: 'receive', by: `officer-${COMMUNE}`, status: 2 },
    ]);
    expect(dossier).toMatchObject({
      code: `${COMMUNE}-261123-0001`,
      procedureCode: '1.000894',
      procedureVersion: '2016-01-01',
      receivingUnitId: COMMUNE,
      competentAgencyId: COMMUNE,
      channel: 1,
      owner: { kind: 1, id: CITIZEN, name: 'Nguyễn Thị Hoa' },
      receivedAt: NOW.toISOString(),
      status: 2,
      queueTicket: { issuedAt: '2026-11-23T01:40:00.000Z', calledAt: '2026-11-23T01:52:00.000Z' },
      receivedBy: `officer-${COMMUNE}`,
    });
    expect(dossier.dueAt).toBe(
      computeDueDate(NOW, { unit: 'working-days', value: 5 }, calendar).toISOString(),
    );
    expect(dossier.components).toEqual([
      {
        componentId: 'DDN',
        name: 'Tờ khai đăng ký kết hôn',
        documentType: 'DDN',
        mustDigitise: false,
        source: 'awaiting-upload',
        documentId: 'upload-1',
      },
      {
        componentId: 'TTHN',
        name: 'Giấy xác nhận tình trạng hôn nhân',
        documentType: 'TTHN',
        mustDigitise: true,
        source: 'reused',
        digitisedCode: `${CITIZEN}.TTHN.01`,
        documentId: 'archived-tthn',
      },
    ]);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ componentId: 'DDN', documentId: 'upload-1', method: 'PUT' });
    expect(await repository.get('upload-1')).toMatchObject({
      status: 'AWAITING_UPLOAD',
      agencyId: COMMUNE,
      dossierId: dossier.code,
      componentId: 'DDN',
    });
  });

  it('asks for an upload of a reusable paper the archive does not hold for the owner', async () => {
    const { repository, receiveDossier } = setUp();
    await repository.putArchiveEntry({ ...archived, ownerId: '079190004321', code: '079190004321.TTHN.01' });
    const { dossier, uploads } = await receiveDossier(
      officer(COMMUNE),
      marriage({ files: { DDN: PDF, TTHN: { ...PDF, sha256: 'b'.repeat(64) } } }),
    );
    expect(uploads.map((ticket) => ticket.componentId)).toEqual(['DDN', 'TTHN']);
    expect(dossier.components.find((component) => component.componentId === 'TTHN')).toMatchObject({
      source: 'awaiting-upload',
      documentId: uploads[1]?.documentId,
    });
    expect(await repository.get(uploads[1]?.documentId ?? '')).toMatchObject({
      dossierId: dossier.code,
      componentId: 'TTHN',
    });
  });

  it('leaves a paper with no declared scan awaiting its upload, with no ticket yet', async () => {
    const { receiveDossier } = setUp();
    const { dossier, uploads } = await receiveDossier(officer(COMMUNE), marriage({ files: {} }));
    expect(uploads).toEqual([]);
    expect(dossier.components.map((component) => component.source)).toEqual([
      'awaiting-upload',
      'awaiting-upload',
    ]);
  });

  it('receives at another commune where the procedure allows receipt regardless of boundary', async () => {
    const { receiveDossier } = setUp();
    const { dossier } = await receiveDossier(
      officer(OTHER_COMMUNE),
      marriage({
        procedureCode: '2.000815',
        receivingUnitId: OTHER_COMMUNE,
        competentAgencyId: COMMUNE,
        files: {},
      }),
    );
    expect(dossier).toMatchObject({
      code: `${OTHER_COMMUNE}-261123-0001`,
      receivingUnitId: OTHER_COMMUNE,
      competentAgencyId: COMMUNE,
    });
  });

  it('refuses receipt outside the competent area where the procedure does not allow it', async () => {
    const { receiveDossier, dossiers } = setUp();
    const error = await rejection(
      receiveDossier(
        officer(OTHER_COMMUNE),
        marriage({ receivingUnitId: OTHER_COMMUNE, competentAgencyId: COMMUNE }),
      ),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'BOUNDARY_RECEIPT_NOT_ALLOWED' });
    // A provincial procedure at a commune counter is outside its area too; at the province centre it is not.
    const lltp = { procedureCode: '2.000488', files: {}, idempotencyKey: 'intake-lltp' };
    expect(await rejection(receiveDossier(officer(COMMUNE), marriage(lltp)))).toMatchObject({
      code: 'BOUNDARY_RECEIPT_NOT_ALLOWED',
    });
    const centre = '000.00.01.H99';
    const { dossier } = await receiveDossier(officer(centre), marriage({ ...lltp, receivingUnitId: centre }));
    expect(dossier.competentAgencyId).toBe('000.00.09.H99');
    expect(dossiers.counterCalls()).toBe(1);
  });

  it('refuses a procedure not in force on the day of receipt, and one not in the catalogue', async () => {
    const { receiveDossier } = setUp(new Date('2025-06-02T02:00:00.000Z'));
    expect(
      await rejection(receiveDossier(officer(COMMUNE), marriage({ procedureCode: '1.010008' }))),
    ).toMatchObject({
      code: 'PROCEDURE_NOT_IN_FORCE',
    });
    expect(
      await rejection(receiveDossier(officer(COMMUNE), marriage({ procedureCode: '9.999999' }))),
    ).toMatchObject({
      code: 'UNKNOWN_PROCEDURE',
    });
  });

  it('refuses an owner ID that is not valid for the owner kind, before writing anything', async () => {
    const { receiveDossier, dossiers } = setUp();
    for (const owner of [
      { kind: 1, id: '999195006789', name: 'A' },
      { kind: 1, id: '0314409058', name: 'A' },
      { kind: 2, id: '0314409059', name: 'Công ty B' },
    ]) {
      const error = await rejection(receiveDossier(officer(COMMUNE), marriage({ owner })));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'INVALID_OWNER_ID' });
    }
    expect(await rejection(receiveDossier(officer(COMMUNE), marriage({ channel: 4 })))).toMatchObject({
      code: 'INVALID_DOSSIER_REQUEST',
    });
    expect(dossiers.counterCalls()).toBe(0);
  });

  it('answers a retried command as the first time: one dossier, one number, one upload request', async () => {
    const { repository, dossiers, receiveDossier, routed } = setUp();
    const first = await receiveDossier(officer(COMMUNE), marriage());
    const again = await receiveDossier(officer(COMMUNE), marriage());
    expect(again.replayed).toBe(true);
    expect(again.dossier).toEqual(first.dossier);
    expect(again.uploads).toEqual(first.uploads);
    expect(dossiers.counterCalls()).toBe(1);
    // Starting the routing again is harmless (a name already used), and covers a first attempt that died before it.
    expect(routed).toEqual([first.dossier.code, first.dossier.code]);
    expect((await repository.listByStatus('AWAITING_UPLOAD')).items).toHaveLength(1);
    const next = await receiveDossier(officer(COMMUNE), marriage({ idempotencyKey: 'intake-0002' }));
    expect(next.dossier.code).toBe(`${COMMUNE}-261123-0002`);
  });

  it('refuses the same key with another body (409 IDEMPOTENCY_KEY_REUSED)', async () => {
    const { receiveDossier } = setUp();
    await receiveDossier(officer(COMMUNE), marriage());
    const error = await rejection(
      receiveDossier(officer(COMMUNE), marriage({ owner: { kind: 1, id: CITIZEN, name: 'Someone else' } })),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('makes one dossier of a double click: the second waits or replays', async () => {
    const { dossiers, receiveDossier } = setUp();
    const results = await Promise.allSettled([
      receiveDossier(officer(COMMUNE), marriage()),
      receiveDossier(officer(COMMUNE), marriage()),
    ]);
    const codes = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value.dossier.code] : [],
    );
    expect(new Set(codes)).toEqual(new Set([`${COMMUNE}-261123-0001`]));
    for (const result of results) {
      if (result.status === 'rejected')
        expect(result.reason).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    }
    expect(dossiers.counterCalls()).toBe(1);
  });

  it('lets only counter officers of the receiving unit and province admins receive', async () => {
    const { receiveDossier } = setUp();
    expect(await rejection(receiveDossier(officer(OTHER_COMMUNE), marriage()))).toBeInstanceOf(
      ForbiddenError,
    );
    expect(
      await rejection(receiveDossier(officer(COMMUNE, 'processing-officer'), marriage())),
    ).toBeInstanceOf(ForbiddenError);
    const { dossier } = await receiveDossier(
      { userId: 'admin', roles: new Set(['province-admin']) },
      marriage(),
    );
    expect(dossier.receivedBy).toBe('admin');
  });
});

describe('readDossier', () => {
  it('shows a dossier to its receiving and competent agencies and province roles; to others it does not exist', async () => {
    const { receiveDossier, readDossier } = setUp();
    const { dossier } = await receiveDossier(
      officer(OTHER_COMMUNE),
      marriage({
        procedureCode: '2.000815',
        receivingUnitId: OTHER_COMMUNE,
        competentAgencyId: COMMUNE,
        files: {},
      }),
    );
    expect(await readDossier(officer(OTHER_COMMUNE), dossier.code)).toEqual(dossier);
    expect(await readDossier(officer(COMMUNE, 'processing-officer'), dossier.code)).toEqual(dossier);
    expect(await readDossier({ userId: 'a', roles: new Set(['auditor']) }, dossier.code)).toEqual(dossier);
    expect(await rejection(readDossier(officer('000.00.06.H99'), dossier.code))).toBeInstanceOf(
      NotFoundError,
    );
    expect(await rejection(readDossier(officer(COMMUNE), `${COMMUNE}-261123-0999`))).toBeInstanceOf(
      NotFoundError,
    );
  });
});
