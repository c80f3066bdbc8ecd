import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { HOUR_MS } from '#shared/domain/calendar/vietnam-time.ts';
import { addWorkingTime, workingTimeBetween } from '#shared/domain/calendar/working-time.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { ConflictError, DOSSIER_ENDED_ERROR, ForbiddenError, NotFoundError } from '#shared/domain/errors.ts';
import { verifyStatementSignature } from '#shared/domain/signed-statement.ts';
import type { TaskCallbacks } from '#shared/ports/task-callbacks.ts';
import { createDossierOffice } from '#test/support/dossier-office.ts';

const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const calendar = loadWorkingCalendar(config.calendar);
const CENTRE = '000.00.01.H99';
const CONSTRUCTION = '000.00.08.H99';
const FIRE_POLICE = '000.09.01.H99';
const LAND = '000.00.10.H99';
const COMMUNE = '000.17.22.H99';
const ENTERPRISE = '0314409058';

const person = (agencyId: string, role: Role, name = role): Principal => ({
  userId: `${name}@${agencyId}`,
  roles: new Set([role]),
  agencyId,
});

function setUp() {
  const sent: { token: string; kind: 'succeed' | 'fail'; payload: unknown }[] = [];
  const callbacks: TaskCallbacks = {
    succeed: async (token, output) => {
      sent.push({ token, kind: 'succeed', payload: output });
      return 'delivered';
    },
    fail: async (token, error, cause) => {
      sent.push({ token, kind: 'fail', payload: { error, cause } });
      return 'delivered';
    },
  };
  const office = createDossierOffice(config, { callbacks });
  return {
    repository: office.repository,
    dossiers: office.dossiers,
    sent,
    receive: office.receive,
    routing: office.routing,
    act: office.actOnDossier,
    advance: office.advance,
    key: office.key,
    clock: office.clock,
  };
}

async function receivePermit(env: ReturnType<typeof setUp>) {
  const { dossier } = await env.receive(person(CENTRE, 'counter-officer'), {
    idempotencyKey: 'intake-permit-0001',
    procedureCode: '1.009994',
    channel: 1,
    receivingUnitId: CENTRE,
    owner: { kind: 2, id: ENTERPRISE, name: 'Công ty TNHH Xây dựng Minh Phát' },
  });
  return dossier;
}

describe('routing a dossier', () => {
  it('walks an inter-agency dossier through its stages, a parallel consultation and a supplement, to its rating', async () => {
    const env = setUp();
    const { routing, act, sent, advance, key } = env;
    const received = await receivePermit(env);
    const code = received.code;

    const plan = await routing.startRouting({ dossierCode: code });
    expect(plan.stages).toEqual([
      { stage: 1, stepIds: ['1'] },
      { stage: 2, stepIds: ['2.1', '2.2'] },
      { stage: 3, stepIds: ['3'] },
      { stage: 4, stepIds: ['4'] },
      { stage: 5, stepIds: ['5'] },
    ]);
    await routing.startRouting({ dossierCode: code });
    const afterTransfer = await env.dossiers.getDossier(code);
    expect(afterTransfer?.history.filter((event) => event.action === 'transfer')).toHaveLength(1);
    // The transfer is signed by the receiving unit over what it handed over.
    const transfer = afterTransfer?.transfer;
    expect(transfer).toMatchObject({ from: CENTRE, to: CONSTRUCTION, algorithm: 'ECDSA_SHA_256' });
    expect(JSON.parse(transfer?.statement ?? '{}')).toMatchObject({
      dossierCode: code,
      from: CENTRE,
      to: CONSTRUCTION,
    });
    expect(
      verifyStatementSignature(
        transfer?.statement ?? '',
        transfer?.signature ?? '',
        transfer?.certificate ?? '',
      ),
    ).toBe(true);
    expect(
      verifyStatementSignature(
        (transfer?.statement ?? '').replace(CONSTRUCTION, LAND),
        transfer?.signature ?? '',
        transfer?.certificate ?? '',
      ),
    ).toBe(false);
    expect(afterTransfer?.steps.find((s) => s.stepId === '2.1')).toMatchObject({ agencyId: FIRE_POLICE });
    expect(afterTransfer?.steps.find((s) => s.stepId === '5')).toMatchObject({
      kind: 'return',
      agencyId: CENTRE,
    });

    await routing.openStep({ dossierCode: code, stepId: '1', taskToken: 't-1' });
    const opened = (await env.dossiers.getDossier(code))?.steps.find((s) => s.stepId === '1');
    expect(opened).toMatchObject({
      state: 'waiting',
      taskToken: 't-1',
      startedAt: '2026-11-23T02:00:00.000Z',
    });
    // 1.5 working days from Monday 09:00.
    expect(opened?.dueAt).toBe(
      addWorkingTime(calendar, new Date('2026-11-23T02:00:00.000Z'), 12 * HOUR_MS).toISOString(),
    );

    // A counter officer cannot act on the construction department's step; a step not open yet is refused.
    await expect(
      act(person(CENTRE, 'counter-officer'), code, 'complete', { idempotencyKey: key(), stepId: '1' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      act(person(FIRE_POLICE, 'processing-officer'), code, 'accept', {
        idempotencyKey: key(),
        stepId: '2.1',
      }),
    ).rejects.toMatchObject({ code: 'TRANSITION_NOT_ALLOWED' });

    const officer = person(CONSTRUCTION, 'processing-officer');
    advance(1);
    const accepted = await act(officer, code, 'accept', { idempotencyKey: key(), stepId: '1' });
    expect(accepted.dossier.status).toBe(4);
    const completeKey = key();
    advance(2);
    const done = await act(officer, code, 'complete', {
      idempotencyKey: completeKey,
      stepId: '1',
      note: 'Đủ hồ sơ',
    });
    expect(sent).toEqual([
      {
        token: 't-1',
        kind: 'succeed',
        payload: expect.objectContaining({ stepId: '1', state: 'completed' }),
      },
    ]);
    // A double click answers as the first did and changes nothing.
    const again = await act(officer, code, 'complete', {
      idempotencyKey: completeKey,
      stepId: '1',
      note: 'Đủ hồ sơ',
    });
    expect(again.replayed).toBe(true);
    expect(again.dossier.version).toBe(done.dossier.version);
    expect(sent).toHaveLength(1);

    await routing.openStep({ dossierCode: code, stepId: '2.1', taskToken: 't-2.1' });
    await routing.openStep({ dossierCode: code, stepId: '2.2', taskToken: 't-2.2' });
    const fire = person(FIRE_POLICE, 'processing-officer');
    const land = person(LAND, 'processing-officer');
    await act(fire, code, 'accept', { idempotencyKey: key(), stepId: '2.1' });
    const dueBefore = (await env.dossiers.getDossier(code))?.dueAt;
    const asked = await act(fire, code, 'request-supplement', {
      idempotencyKey: key(),
      stepId: '2.1',
      reason: 'Bổ sung bản vẽ thiết kế phòng cháy',
    });
    expect(asked.dossier.status).toBe(5);
    // While the supplement is awaited, the other agency cannot finish: the 409 names what is allowed.
    const refused = await act(land, code, 'complete', { idempotencyKey: key(), stepId: '2.2' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
      allowed: ['answer-supplement', 'stop', 'withdraw'],
    });
    advance(24 * 3); // answered three days later (Thursday)
    const answered = await act(person(CENTRE, 'counter-officer'), code, 'answer-supplement', {
      idempotencyKey: key(),
    });
    expect(answered.dossier.status).toBe(4);
    expect(Date.parse(answered.dossier.dueAt)).toBeGreaterThan(Date.parse(dueBefore ?? ''));
    expect(answered.dossier.supplements).toEqual([
      expect.objectContaining({ stepId: '2.1', dueBefore, dueAfter: answered.dossier.dueAt }),
    ]);
    // The consulted agencies keep the working time they had left when the supplement was asked.
    const stepDue = (dossier: typeof asked.dossier, id: string) =>
      new Date(dossier.steps.find((s) => s.stepId === id)?.dueAt ?? '');
    const asked2 = asked.dossier;
    for (const id of ['2.1', '2.2']) {
      expect(
        workingTimeBetween(
          calendar,
          new Date(answered.dossier.history.at(-1)?.at ?? ''),
          stepDue(answered.dossier, id),
        ),
      ).toBe(workingTimeBetween(calendar, new Date(asked2.history.at(-1)?.at ?? ''), stepDue(asked2, id)));
    }

    await act(land, code, 'complete', { idempotencyKey: key(), stepId: '2.2' });
    await act(fire, code, 'complete', { idempotencyKey: key(), stepId: '2.1' });
    await routing.openStep({ dossierCode: code, stepId: '3', taskToken: 't-3' });
    await act(officer, code, 'complete', { idempotencyKey: key(), stepId: '3' });
    await routing.openStep({ dossierCode: code, stepId: '4', taskToken: 't-4' });

    // The director signs the permit: the signed result is an archived paper of the result type.
    await env.repository.create(archivedPermit('permit-1', `${ENTERPRISE}.GPXD.01`));
    await expect(
      act(officer, code, 'complete', { idempotencyKey: key(), stepId: '4' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      act(person(CONSTRUCTION, 'agency-admin'), code, 'complete', {
        idempotencyKey: key(),
        stepId: '4',
        documentIds: ['upload-404'],
      }),
    ).rejects.toMatchObject({ code: 'RESULT_NOT_ARCHIVED' });
    const processed = await act(person(CONSTRUCTION, 'agency-admin'), code, 'complete', {
      idempotencyKey: key(),
      stepId: '4',
      documentIds: ['permit-1'],
    });
    expect(processed.dossier.status).toBe(9);
    expect(processed.dossier.finishedAt).toBeDefined();
    expect(processed.dossier.results).toEqual([
      {
        documentId: 'permit-1',
        digitisedCode: `${ENTERPRISE}.GPXD.01`,
        name: expect.any(String),
        stepId: '4',
      },
    ]);

    await routing.openStep({ dossierCode: code, stepId: '5', taskToken: 't-5' });
    const returned = await act(person(CENTRE, 'counter-officer'), code, 'complete', {
      idempotencyKey: key(),
      stepId: '5',
    });
    expect(returned.dossier.status).toBe(10);
    expect(returned.dossier.returnedAt).toBeDefined();
    const rated = await act(person(CENTRE, 'counter-officer'), code, 'rate', {
      idempotencyKey: key(),
      score: 5,
    });
    expect(rated.dossier.rating?.score).toBe(5);
    await expect(
      act(person(CENTRE, 'counter-officer'), code, 'rate', { idempotencyKey: key(), score: 1 }),
    ).rejects.toMatchObject({ code: 'TRANSITION_NOT_ALLOWED' });
    expect(sent.map((callback) => callback.token)).toEqual(['t-1', 't-2.2', 't-2.1', 't-3', 't-4', 't-5']);
    expect(rated.dossier.history.map((event) => event.action)).toEqual([
      'receive',
      'transfer',
      'open-step',
      'accept',
      'complete',
      'open-step',
      'open-step',
      'accept',
      'request-supplement',
      'answer-supplement',
      'complete',
      'complete',
      'open-step',
      'complete',
      'open-step',
      'complete',
      'open-step',
      'complete',
      'rate',
    ]);
  });

  it('answers a reopened step that is already finished at once, and an ended dossier with Dossier.Ended', async () => {
    const env = setUp();
    const code = (await receivePermit(env)).code;
    await env.routing.startRouting({ dossierCode: code });
    await env.routing.openStep({ dossierCode: code, stepId: '1', taskToken: 'before-restart' });
    await env.act(person(CONSTRUCTION, 'processing-officer'), code, 'complete', {
      idempotencyKey: env.key(),
      stepId: '1',
    });
    // A replayed execution opens the same step again with a token of its own.
    await env.routing.openStep({ dossierCode: code, stepId: '1', taskToken: 'after-restart' });
    expect(env.sent.at(-1)).toMatchObject({
      token: 'after-restart',
      kind: 'succeed',
      payload: { stepId: '1', state: 'completed' },
    });

    await env.routing.openStep({ dossierCode: code, stepId: '2.1', taskToken: 'w-2.1' });
    await env.routing.openStep({ dossierCode: code, stepId: '2.2', taskToken: 'w-2.2' });
    const withdrawn = await env.act(person(CENTRE, 'counter-officer'), code, 'withdraw', {
      idempotencyKey: env.key(),
      reason: 'Doanh nghiệp xin rút hồ sơ',
    });
    expect(withdrawn.dossier.status).toBe(7);
    expect(withdrawn.dossier.steps.filter((s) => s.state === 'cancelled').map((s) => s.stepId)).toEqual([
      '2.1',
      '2.2',
      '3',
      '4',
      '5',
    ]);
    expect(env.sent.slice(-2)).toEqual([
      {
        token: 'w-2.1',
        kind: 'fail',
        payload: { error: DOSSIER_ENDED_ERROR, cause: 'Doanh nghiệp xin rút hồ sơ' },
      },
      {
        token: 'w-2.2',
        kind: 'fail',
        payload: { error: DOSSIER_ENDED_ERROR, cause: 'Doanh nghiệp xin rút hồ sơ' },
      },
    ]);
    await env.routing.openStep({ dossierCode: code, stepId: '3', taskToken: 'late' });
    expect(env.sent.at(-1)).toMatchObject({
      token: 'late',
      kind: 'fail',
      payload: { error: DOSSIER_ENDED_ERROR },
    });
    const stop = await env
      .act(person(CONSTRUCTION, 'agency-admin'), code, 'stop', {
        idempotencyKey: env.key(),
        reason: 'Không đủ điều kiện',
      })
      .catch((error: unknown) => error);
    expect(stop).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', allowed: [] });
  });

  it('registers an online submission until the counter receives it, and counts the due date from the receipt', async () => {
    const env = setUp();
    const { dossier } = await env.receive(person(CENTRE, 'counter-officer'), {
      idempotencyKey: 'intake-online-0001',
      procedureCode: '1.009994',
      channel: 2,
      receivingUnitId: CENTRE,
      owner: { kind: 2, id: ENTERPRISE, name: 'Công ty TNHH Xây dựng Minh Phát' },
    });
    expect(dossier.status).toBe(1);
    expect(dossier.steps[0]).toMatchObject({ kind: 'intake', state: 'waiting' });
    expect(dossier.history.map((event) => event.action)).toEqual(['register']);
    await env.routing.startRouting({ dossierCode: dossier.code });
    await env.routing.openStep({ dossierCode: dossier.code, stepId: '1', taskToken: 'online-1' });
    const early = await env
      .act(person(CONSTRUCTION, 'processing-officer'), dossier.code, 'accept', {
        idempotencyKey: env.key(),
        stepId: '1',
      })
      .catch((error: unknown) => error);
    expect(early).toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
      allowed: ['receive', 'refuse', 'withdraw'],
    });
    env.advance(26); // checked the next morning (Tuesday 11:00)
    const received = await env.act(person(CENTRE, 'counter-officer'), dossier.code, 'receive', {
      idempotencyKey: env.key(),
    });
    expect(received.dossier).toMatchObject({ status: 2, receivedAt: '2026-11-24T04:00:00.000Z' });
    expect(received.dossier.steps[0]).toMatchObject({
      state: 'completed',
      finishedAt: '2026-11-24T04:00:00.000Z',
    });
    // 20 working days from Tuesday 24 Nov 11:00.
    expect(received.dossier.dueAt).toBe(
      addWorkingTime(calendar, new Date('2026-11-24T04:00:00.000Z'), 20 * 8 * HOUR_MS).toISOString(),
    );
    await env.act(person(CONSTRUCTION, 'processing-officer'), dossier.code, 'accept', {
      idempotencyKey: env.key(),
      stepId: '1',
    });
  });

  it('refuses every action the lifecycle forbids, naming what the status allows', async () => {
    const env = setUp();
    const code = (await receivePermit(env)).code;
    const counter = person(CENTRE, 'counter-officer');
    const admin = person(CONSTRUCTION, 'agency-admin');
    const attempts: [Principal, string, Record<string, unknown>, string[]][] = [
      [counter, 'answer-supplement', {}, ['accept', 'complete', 'refuse', 'withdraw']],
      [counter, 'pay-fee', {}, ['accept', 'complete', 'refuse', 'withdraw']],
      [counter, 'rate', { score: 4 }, ['accept', 'complete', 'refuse', 'withdraw']],
      [counter, 'receive', {}, ['accept', 'complete', 'refuse', 'withdraw']],
      [admin, 'stop', { reason: 'Không đủ điều kiện' }, ['accept', 'complete', 'refuse', 'withdraw']],
    ];
    for (const [who, action, body, allowed] of attempts) {
      const error = await env
        .act(who, code, action, { idempotencyKey: env.key(), ...body })
        .catch((e: unknown) => e);
      expect(error, action).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', allowed });
    }
    await expect(env.act(counter, code, 'fly', { idempotencyKey: env.key() })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      env.act(person(COMMUNE, 'counter-officer'), code, 'withdraw', {
        idempotencyKey: env.key(),
        reason: 'xin rút',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(env.act(counter, code, 'withdraw', { idempotencyKey: env.key() })).rejects.toMatchObject({
      code: 'INVALID_DOSSIER_ACTION',
    });
    const refused = await env.act(counter, code, 'refuse', {
      idempotencyKey: env.key(),
      reason: 'Thiếu đơn đề nghị',
    });
    expect(refused.dossier).toMatchObject({ status: 3, endReason: 'Thiếu đơn đề nghị' });
  });
});

function archivedPermit(documentId: string, code: string): DocumentRecord {
  return {
    documentId,
    agencyId: CONSTRUCTION,
    uploadedBy: 'admin',
    mediaType: 'application/pdf',
    declaredSize: 1000,
    declaredSha256: 'x',
    bucket: 'ingest',
    key: `incoming/${documentId}`,
    status: 'ARCHIVED',
    createdAt: '2026-11-23T02:00:00.000Z',
    updatedAt: '2026-11-23T02:00:00.000Z',
    classification: { docType: 'GPXD', ownerId: ENTERPRISE, confidence: 0.9, decidedBy: 'classifier' },
    code,
  };
}
