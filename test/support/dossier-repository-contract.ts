import { expect, it } from 'vitest';
import type { Dossier, DossierStatus, DossierStep } from '#shared/domain/dossiers/dossier.ts';
import { formatDossierCode } from '#shared/domain/dossiers/dossier.ts';
import type { AttentionItem } from '#shared/domain/dossiers/dossier-attention.ts';
import type { DossierSummary } from '#shared/domain/dossiers/dossier-summary.ts';
import { ConflictError, ValidationError } from '#shared/domain/errors.ts';
import type { DossierListQuery, DossierRepository } from '#shared/ports/dossier-repository.ts';

const UNIT = '000.17.22.H99';

export const makeDossier = (code: string, overrides: Partial<Dossier> = {}): Dossier => ({
  code,
  procedureCode: '1.000894',
  procedureVersion: '2016-01-01',
  receivingUnitId: UNIT,
  competentAgencyId: UNIT,
  channel: 1,
  owner: { kind: 1, id: '001195006789', name: 'Nguyễn Thị Hoa' },
  receivedAt: '2026-11-23T02:00:00.000Z',
  dueAt: '2026-11-30T02:00:00.000Z',
  status: 2,
  components: [
    {
      componentId: 'TTHN',
      name: 'Giấy xác nhận tình trạng hôn nhân',
      documentType: 'TTHN',
      mustDigitise: true,
      source: 'reused',
      digitisedCode: '001195006789.TTHN.01',
      documentId: 'doc-1',
    },
    {
      componentId: 'DDN',
      name: 'Tờ khai',
      documentType: 'DDN',
      mustDigitise: false,
      source: 'awaiting-upload',
    },
  ],
  queueTicket: { issuedAt: '2026-11-23T01:40:00.000Z', servedAt: '2026-11-23T01:55:00.000Z' },
  receivedBy: 'officer-1',
  steps: [],
  supplements: [],
  feeRequests: [],
  results: [],
  history: [{ version: 1, at: '2026-11-23T02:00:00.000Z', action: 'receive', by: 'officer-1', status: 2 }],
  version: 1,
  appliedCommands: {},
  ...overrides,
});

/**
 * The behaviour every DossierRepository must have, run against the in-memory fake and the
 * DynamoDB adapter alike.
 */
export function dossierRepositoryContract(
  repository: () => DossierRepository | Promise<DossierRepository>,
): void {
  it('gives 50 concurrent intakes at one unit 50 distinct, consecutive numbers, per unit and day', async () => {
    const repo = await repository();
    const numbers = await Promise.all(
      Array.from({ length: 50 }, () => repo.nextDossierNumber(UNIT, '261123')),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const codes = new Set(numbers.map((n) => formatDossierCode(UNIT, '261123', n)));
    expect(codes.size).toBe(50);
    expect(await repo.nextDossierNumber(UNIT, '261124')).toBe(1);
    expect(await repo.nextDossierNumber('000.17.23.H99', '261123')).toBe(1);
  });

  it('stores a dossier once under its code and reads it back as written', async () => {
    const repo = await repository();
    const dossier = makeDossier(`${UNIT}-261123-0001`);
    await repo.createDossier(dossier);
    await expect(
      repo.createDossier(makeDossier(dossier.code, { receivedBy: 'other' })),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await repo.getDossier(dossier.code)).toEqual(dossier);
    expect(await repo.getDossier(`${UNIT}-261123-9999`)).toBeUndefined();
  });

  it('saves a dossier only over the version it was read at', async () => {
    const repo = await repository();
    const dossier = makeDossier(`${UNIT}-261123-0002`);
    await repo.createDossier(dossier);
    const next = { ...dossier, status: 4 as const, version: 2 };
    await repo.saveDossier(next);
    await expect(repo.saveDossier({ ...dossier, status: 8 as const, version: 2 })).rejects.toMatchObject({
      code: 'DOSSIER_CHANGED',
    });
    await expect(repo.saveDossier({ ...next, version: 5 })).rejects.toBeInstanceOf(ConflictError);
    expect(await repo.getDossier(dossier.code)).toEqual(next);
    await expect(repo.saveDossier(makeDossier(`${UNIT}-261123-0404`, { version: 2 }))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('claims an idempotency key once; later claims see the first record, its code and its answer', async () => {
    const repo = await repository();
    const first = { key: 'key-a', requestHash: 'h1', startedAt: '2026-11-23T02:00:00.000Z' };
    const claims = await Promise.all([
      repo.claimIdempotencyKey(first),
      repo.claimIdempotencyKey({ ...first, requestHash: 'h2' }),
    ]);
    expect(claims.filter((claim) => claim === undefined)).toHaveLength(1);
    const winner = claims.find((claim) => claim !== undefined);
    expect(winner?.key).toBe('key-a');
    expect(await repo.assignDossierCode('key-a', 'code-1')).toBe('code-1');
    expect(await repo.assignDossierCode('key-a', 'code-2')).toBe('code-1');
    const ticket = {
      componentId: 'DDN',
      documentId: 'doc-2',
      key: 'incoming/x/y/DDN/doc-2',
      method: 'PUT' as const,
      url: 'https://example.test/put',
      headers: { 'content-type': 'application/pdf' },
      expiresAt: '2026-11-23T02:15:00.000Z',
    };
    await repo.completeIdempotencyKey('key-a', [ticket]);
    const again = await repo.claimIdempotencyKey({ ...first, requestHash: 'h3' });
    expect(again).toMatchObject({ key: 'key-a', dossierCode: 'code-1', uploads: [ticket] });
    expect(['h1', 'h2']).toContain(again?.requestHash);
  });
}

const COMPETENT = '000.00.08.H99';
const OTHER = '000.00.07.H99';
const CENTRE = '000.00.01.H99';
const CONSULTED = '000.09.01.H99';
const ALL_STATUSES: DossierStatus[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** A processing step of a routed dossier. */
export const makeStep = (
  stepId: string,
  agencyId: string,
  overrides: Partial<DossierStep> = {},
): DossierStep => ({
  stepId,
  stage: Number(stepId.split('.')[0]),
  kind: 'processing',
  name: `Bước ${stepId}`,
  agencyId,
  role: 'processing-officer',
  share: 1,
  state: 'pending',
  ...overrides,
});

const open = (startedAt: string, dueAt: string, state: DossierStep['state'] = 'waiting') => ({
  state,
  startedAt,
  dueAt,
});

/** A dossier due `day` days after 2026-12-01 (09:00 Vietnam time), with its code's number `n`. */
const listed = (n: number, day: number, overrides: Partial<Dossier> = {}): Dossier =>
  makeDossier(formatDossierCode(CENTRE, '261201', n), {
    receivingUnitId: CENTRE,
    competentAgencyId: COMPETENT,
    procedureCode: '1.009994',
    status: 4,
    dueAt: new Date(Date.UTC(2026, 11, 1 + day, 2)).toISOString(),
    ...overrides,
  });

const codes = (page: { items: DossierSummary[] }) => page.items.map((item) => item.code.slice(-4));

/** Every page of a list, following the cursors. */
async function allPages(repo: DossierRepository, query: DossierListQuery): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await repo.listDossiers({ ...query, cursor });
    pages.push(codes(page));
    cursor = page.cursor;
  } while (cursor !== undefined && pages.length < 50);
  return pages;
}

/** Lists, open steps and attention lists, run against the in-memory fake and the DynamoDB adapter alike. */
export function dossierListContract(repository: () => DossierRepository | Promise<DossierRepository>): void {
  /**
   * 0001 competent here, received at the centre, its step 1 here and consultation 2.1 open elsewhere;
   * 0002 another agency's, received at the centre; 0003 here, received elsewhere, paused;
   * 0004 another agency's, with a consultation open here; 0005 here, returned long ago.
   */
  async function fiveDossiers(repo: DossierRepository) {
    const dossiers = [
      listed(1, 3, {
        steps: [
          makeStep('1', COMPETENT, {
            ...open('2026-12-01T02:00:00.000Z', '2026-12-02T02:00:00.000Z', 'in-progress'),
          }),
          makeStep('2.1', CONSULTED, open('2026-12-01T03:00:00.000Z', '2026-12-03T03:00:00.000Z')),
          makeStep('2.2', OTHER),
        ],
      }),
      listed(2, 1, { competentAgencyId: OTHER, status: 2, procedureCode: '2.002000' }),
      listed(3, 5, { receivingUnitId: OTHER, status: 5 }),
      listed(4, 2, {
        competentAgencyId: OTHER,
        receivingUnitId: OTHER,
        steps: [makeStep('1', COMPETENT, open('2026-12-01T02:00:00.000Z', '2026-12-04T02:00:00.000Z'))],
      }),
      listed(5, -20, {
        status: 10,
        steps: [makeStep('1', COMPETENT, { state: 'completed', startedAt: '2026-11-01T02:00:00.000Z' })],
      }),
    ];
    for (const dossier of dossiers) await repo.createDossier(dossier);
    return dossiers;
  }

  it('lists each queue from its own index, in due-date order, each dossier once even when two queues hold it', async () => {
    const repo = await repository();
    await fiveDossiers(repo);
    const list = (queues: DossierListQuery['queues'], extra: Partial<DossierListQuery> = {}) =>
      repo.listDossiers({ queues, statuses: ALL_STATUSES, limit: 50, ...extra }).then(codes);
    expect(await list([{ kind: 'province' }])).toEqual(['0005', '0002', '0004', '0001', '0003']);
    expect(await list([{ kind: 'competent', unitId: COMPETENT }])).toEqual(['0005', '0001', '0003']);
    expect(await list([{ kind: 'received', unitId: CENTRE }])).toEqual(['0005', '0002', '0001']);
    // A consulted agency sees the dossiers with a step waiting on it, and nothing else.
    expect(await list([{ kind: 'open-steps', unitId: CONSULTED }])).toEqual(['0001']);
    expect(await list([{ kind: 'open-steps', unitId: COMPETENT }])).toEqual(['0004', '0001']);
    expect(
      await list([
        { kind: 'competent', unitId: COMPETENT },
        { kind: 'open-steps', unitId: COMPETENT },
      ]),
    ).toEqual(['0005', '0004', '0001', '0003']);
    expect(await list([{ kind: 'received', unitId: '000.17.22.H99' }])).toEqual([]);
  });

  it('filters by status, procedure and due window within the queues asked for', async () => {
    const repo = await repository();
    await fiveDossiers(repo);
    const list = (extra: Partial<DossierListQuery>) =>
      repo
        .listDossiers({ queues: [{ kind: 'province' }], statuses: ALL_STATUSES, limit: 50, ...extra })
        .then(codes);
    expect(await list({ statuses: [4] })).toEqual(['0004', '0001']);
    expect(await list({ statuses: [2, 5, 10] })).toEqual(['0005', '0002', '0003']);
    expect(await list({ procedureCode: '2.002000' })).toEqual(['0002']);
    expect(await list({ procedureCode: '1.000894' })).toEqual([]);
    // Both ends of the window are inclusive.
    expect(await list({ dueFrom: '2026-12-03T02:00:00.000Z', dueTo: '2026-12-04T02:00:00.000Z' })).toEqual([
      '0004',
      '0001',
    ]);
    expect(await list({ dueFrom: '2026-12-03T02:00:00.001Z', dueTo: '2026-12-04T01:59:59.999Z' })).toEqual(
      [],
    );
    expect(await list({ dueFrom: '2026-12-02T02:00:00.000Z' })).toEqual(['0002', '0004', '0001', '0003']);
    expect(await list({ dueTo: '2026-12-02T01:59:59.999Z' })).toEqual(['0005']);
    const consulted = await repo.listDossiers({
      queues: [{ kind: 'open-steps', unitId: CONSULTED }],
      statuses: [4],
      procedureCode: '1.009994',
      limit: 10,
    });
    expect(consulted.items).toHaveLength(1);
  });

  it('shows a summary: the open steps and dates, no papers, history, owner id or workflow token', async () => {
    const repo = await repository();
    const [first] = await fiveDossiers(repo);
    const page = await repo.listDossiers({
      queues: [{ kind: 'open-steps', unitId: CONSULTED }],
      statuses: [4],
      limit: 1,
    });
    expect(page.items).toEqual([
      {
        code: first?.code,
        procedureCode: '1.009994',
        procedureVersion: '2016-01-01',
        channel: 1,
        owner: { kind: 1, name: 'Nguyễn Thị Hoa' },
        receivingUnitId: CENTRE,
        competentAgencyId: COMPETENT,
        receivedAt: '2026-11-23T02:00:00.000Z',
        dueAt: '2026-12-04T02:00:00.000Z',
        status: 4,
        openSteps: [
          {
            stepId: '1',
            kind: 'processing',
            name: 'Bước 1',
            agencyId: COMPETENT,
            role: 'processing-officer',
            state: 'in-progress',
            startedAt: '2026-12-01T02:00:00.000Z',
            dueAt: '2026-12-02T02:00:00.000Z',
          },
          {
            stepId: '2.1',
            kind: 'processing',
            name: 'Bước 2.1',
            agencyId: CONSULTED,
            role: 'processing-officer',
            state: 'waiting',
            startedAt: '2026-12-01T03:00:00.000Z',
            dueAt: '2026-12-03T03:00:00.000Z',
          },
        ],
        version: 1,
      },
    ]);
    expect(page.cursor).toBeUndefined();
  });

  it('pages a merged list with an opaque cursor: nothing twice, nothing skipped, no cursor after the last page', async () => {
    const repo = await repository();
    // 23 dossiers over three statuses, some due at the same instant, a third also consulting here.
    const statuses: DossierStatus[] = [2, 4, 9];
    for (let n = 1; n <= 23; n++) {
      await repo.createDossier(
        listed(n, Math.floor(n / 2), {
          status: statuses[n % 3] as DossierStatus,
          competentAgencyId: n % 4 === 0 ? OTHER : COMPETENT,
          steps:
            n % 3 === 0
              ? [makeStep('2', COMPETENT, open('2026-12-01T02:00:00.000Z', '2026-12-05T02:00:00.000Z'))]
              : [],
        }),
      );
    }
    const query: DossierListQuery = {
      queues: [
        { kind: 'competent', unitId: COMPETENT },
        { kind: 'open-steps', unitId: COMPETENT },
      ],
      statuses,
      limit: 4,
    };
    const whole = await repo.listDossiers({ ...query, limit: 100 });
    const expected = Array.from({ length: 23 }, (_, i) => i + 1)
      .filter((n) => n % 4 !== 0 || n % 3 === 0)
      .map((n) => String(n).padStart(4, '0'));
    expect(codes(whole)).toEqual(expected);
    expect(whole.cursor).toBeUndefined();
    const pages = await allPages(repo, query);
    expect(pages.flat()).toEqual(expected);
    expect(pages.slice(0, -1).every((page) => page.length === 4)).toBe(true);
    // Exactly a page's worth left: the last full page says so.
    const exact = await allPages(repo, { ...query, limit: expected.length });
    expect(exact).toEqual([expected]);
  });

  it("refuses another query's cursor and a forged one as a validation error", async () => {
    const repo = await repository();
    for (let n = 1; n <= 3; n++) await repo.createDossier(listed(n, n));
    const query: DossierListQuery = { queues: [{ kind: 'province' }], statuses: [4], limit: 1 };
    const { cursor } = await repo.listDossiers(query);
    expect(cursor).toBeDefined();
    await expect(repo.listDossiers({ ...query, statuses: [2], cursor })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    await expect(
      repo.listDossiers({ ...query, queues: [{ kind: 'received', unitId: CENTRE }], cursor }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(repo.listDossiers({ ...query, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    // The same query with another page size continues where it was.
    expect(codes(await repo.listDossiers({ ...query, limit: 5, cursor }))).toEqual(['0002', '0003']);
  });

  it("follows a dossier's changes: a finished step leaves its agency's queue, a new status moves the dossier", async () => {
    const repo = await repository();
    const [first] = await fiveDossiers(repo);
    if (!first) throw new Error('no dossier');
    const consulted = () =>
      repo.listDossiers({
        queues: [{ kind: 'open-steps', unitId: CONSULTED }],
        statuses: ALL_STATUSES,
        limit: 10,
      });
    expect(codes(await consulted())).toEqual(['0001']);
    const next: Dossier = {
      ...first,
      status: 9,
      version: 2,
      dueAt: '2026-12-10T02:00:00.000Z',
      steps: first.steps.map((step) => ({
        ...step,
        state: step.state === 'pending' ? 'pending' : 'completed',
      })),
    };
    await repo.saveDossier(next);
    expect(codes(await consulted())).toEqual([]);
    const byStatus = (status: DossierStatus, queue: DossierListQuery['queues'][number]) =>
      repo.listDossiers({ queues: [queue], statuses: [status], limit: 10 }).then(codes);
    expect(await byStatus(4, { kind: 'received', unitId: CENTRE })).toEqual([]);
    expect(await byStatus(9, { kind: 'received', unitId: CENTRE })).toEqual(['0001']);
    expect(await byStatus(9, { kind: 'province' })).toEqual(['0001']);
    const [moved] = (
      await repo.listDossiers({ queues: [{ kind: 'received', unitId: CENTRE }], statuses: [9], limit: 1 })
    ).items;
    expect(moved).toMatchObject({ dueAt: '2026-12-10T02:00:00.000Z', version: 2, openSteps: [] });
  });

  it("keeps an online registration in its unit's open steps while its intake waits, and out once received", async () => {
    const repo = await repository();
    const registered = listed(7, 4, {
      channel: 2,
      status: 1,
      steps: [
        makeStep('0', CENTRE, {
          stage: 0,
          kind: 'intake',
          role: 'counter-officer',
          state: 'waiting',
          startedAt: '2026-12-01T02:00:00.000Z',
        }),
        makeStep('1', COMPETENT),
      ],
    });
    await repo.createDossier(registered);
    const atCentre = () =>
      repo
        .listDossiers({ queues: [{ kind: 'open-steps', unitId: CENTRE }], statuses: ALL_STATUSES, limit: 10 })
        .then(codes);
    expect(await atCentre()).toEqual(['0007']);
    // An intake has no statutory end of its own: nothing for the overdue sweep.
    expect((await repo.listOpenStepsDueBefore('2027-01-01T00:00:00.000Z', { limit: 10 })).items).toEqual([]);
    await repo.saveDossier({
      ...registered,
      status: 2,
      version: 2,
      steps: registered.steps.map((step) =>
        step.kind === 'intake' ? { ...step, state: 'completed' } : step,
      ),
    });
    expect(await atCentre()).toEqual([]);
  });

  it('finds the open steps due before an instant, earliest first, a return step no earlier than its dossier', async () => {
    const repo = await repository();
    await fiveDossiers(repo);
    await repo.createDossier(
      listed(6, 8, {
        status: 9,
        steps: [
          makeStep('1', COMPETENT, { state: 'completed', startedAt: '2026-12-01T01:00:00.000Z' }),
          makeStep('2', CENTRE, {
            kind: 'return',
            role: 'counter-officer',
            ...open('2026-12-02T02:00:00.000Z', '2026-12-02T02:00:00.000Z'),
          }),
        ],
      }),
    );
    const before = async (instant: string, limit = 10) => {
      const refs: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await repo.listOpenStepsDueBefore(instant, { limit, cursor });
        refs.push(...page.items.map((ref) => `${ref.dossierCode.slice(-4)}/${ref.stepId}@${ref.agencyId}`));
        cursor = page.cursor;
      } while (cursor);
      return refs;
    };
    expect(await before('2026-12-02T02:00:00.000Z')).toEqual([]);
    expect(await before('2026-12-02T02:00:00.001Z')).toEqual([`0001/1@${COMPETENT}`]);
    expect(await before('2026-12-05T00:00:00.000Z', 1)).toEqual([
      `0001/1@${COMPETENT}`,
      `0001/2.1@${CONSULTED}`,
      `0004/1@${COMPETENT}`,
    ]);
    // The return step opened on 2 December but the result is due back on the 9th.
    expect(await before('2026-12-10T00:00:00.000Z')).toEqual([
      `0001/1@${COMPETENT}`,
      `0001/2.1@${CONSULTED}`,
      `0004/1@${COMPETENT}`,
      `0006/2@${CENTRE}`,
    ]);
    const [ref] = (await repo.listOpenStepsDueBefore('2026-12-10T00:00:00.000Z', { limit: 10 })).items.slice(
      -1,
    );
    expect(ref).toEqual({
      dossierCode: formatDossierCode(CENTRE, '261201', 6),
      stepId: '2',
      agencyId: CENTRE,
      dueAt: '2026-12-09T02:00:00.000Z',
    });
  });

  it('keeps one attention list per unit and day: a new sweep of the day replaces it, whatever its size', async () => {
    const repo = await repository();
    const item = (n: number): AttentionItem => ({
      unitId: COMPETENT,
      dossierCode: formatDossierCode(CENTRE, '261201', n),
      procedureCode: '1.009994',
      status: 4,
      ...(n % 2 === 0 ? { stepId: '1', stepName: 'Thẩm định', role: 'processing-officer' } : {}),
      dueAt: '2026-12-01T02:00:00.000Z',
      kind: n % 3 === 0 ? 'near' : 'past',
    });
    expect(await repo.getAttentionList(COMPETENT, '2026-12-01')).toBeUndefined();
    const big = {
      unitId: COMPETENT,
      day: '2026-12-01',
      sweptAt: '2026-12-01T00:00:00.000Z',
      items: Array.from({ length: 1203 }, (_, i) => item(i + 1)),
    };
    await repo.saveAttentionList(big);
    expect(await repo.getAttentionList(COMPETENT, '2026-12-01')).toEqual(big);
    const later = { ...big, sweptAt: '2026-12-01T03:00:00.000Z', items: big.items.slice(0, 3) };
    await repo.saveAttentionList(later);
    expect(await repo.getAttentionList(COMPETENT, '2026-12-01')).toEqual(later);
    const empty = { ...big, sweptAt: '2026-12-01T04:00:00.000Z', items: [] };
    await repo.saveAttentionList(empty);
    expect(await repo.getAttentionList(COMPETENT, '2026-12-01')).toEqual(empty);
    const nextDay = { ...later, day: '2026-12-02', sweptAt: '2026-12-02T00:00:00.000Z' };
    await repo.saveAttentionList(nextDay);
    expect(await repo.getAttentionList(COMPETENT, '2026-12-01')).toEqual(empty);
    expect(await repo.getAttentionList(COMPETENT, '2026-12-02')).toEqual(nextDay);
    expect(await repo.getAttentionList(OTHER, '2026-12-02')).toBeUndefined();
  });
}
