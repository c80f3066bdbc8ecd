import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeNationalPortal, startFakeNationalPortal } from '#infra/local/fake-national-portal.ts';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbPortalOutbox } from '#shared/adapters/aws/dynamodb-portal-outbox.ts';
import { createHttpPortalSender } from '#shared/adapters/portal/http-portal-sender.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { portalMessagesFor } from '#shared/domain/dossiers/portal-messages.ts';
import type { PortalOutbox } from '#shared/ports/portal-outbox.ts';
import {
  createDeliverPortalMessages,
  createReplayPortalMessages,
  exponentialBackoff,
} from '#shared/use-cases/dossiers/deliver-portal-messages.ts';
import { createInMemoryPortalOutbox, makePortalDossier, PROCEDURE, UNIT } from '#test/support/portal-sync.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
const T0 = Date.parse('2026-11-23T02:00:00.000Z');

/** Three versions of two dossiers, as the commands that changed them would have left them. */
function versionsOf(code: string, minutes: number): Dossier[] {
  const base = makePortalDossier({ code });
  const at = (offset: number) => new Date(T0 + (minutes + offset) * 60_000).toISOString();
  return [1, 2, 3].map((version) => ({
    ...base,
    version,
    status: version === 1 ? 2 : 4,
    history: [
      { version: 1, at: at(0), action: 'receive', by: 'officer-1', status: 2 },
      { version: 2, at: at(5), action: 'complete', by: 'officer-1', status: 2, stepId: '0' },
      { version: 3, at: at(60), action: 'accept', by: 'officer-2', status: 4, stepId: '1' },
    ].filter((event) => event.version <= version) as Dossier['history'],
  }));
}

const outboxes: [string, () => Promise<PortalOutbox>][] = [
  ['in-memory outbox', async () => createInMemoryPortalOutbox()],
  [
    'DynamoDB outbox on dynalite',
    async () => {
      await ensureDocumentsTable(dynamo.client(), 'documents-replay');
      return createDynamoDbPortalOutbox(dynamo.client(), 'documents-replay');
    },
  ],
];

describe.each(outboxes)('national-portal delivery with the %s', (_, makeOutbox) => {
  let portal: FakeNationalPortal;
  beforeAll(async () => {
    portal = await startFakeNationalPortal();
  });
  afterAll(async () => {
    await portal.stop();
  });

  it('outbox replay after a sender failure delivers each message once', async () => {
    const outbox = await makeOutbox();
    let now = T0 + 2 * 3_600_000;
    const clock = { now: () => new Date(now) };
    const codes = [`${UNIT}-261123-0001`, `${UNIT}-261123-0002`];
    const dossiers = [...versionsOf(codes[0] ?? '', 0), ...versionsOf(codes[1] ?? '', 1)];
    // Each change appends its messages; appending them again (a retried command) adds nothing.
    for (const dossier of dossiers) await outbox.append(portalMessagesFor(dossier, PROCEDURE));
    for (const dossier of dossiers)
      expect(await outbox.append(portalMessagesFor(dossier, PROCEDURE))).toBe(0);
    const expected = dossiers.flatMap((dossier) => portalMessagesFor(dossier, PROCEDURE));
    expect(expected).toHaveLength(10);

    // The portal is down for the first five requests, then answers one with a transient code.
    portal.failNext(5, { status: 503 });
    portal.failNext(1, { errorCode: 99, message: 'Hệ thống bận, thử lại sau' });
    const deliver = createDeliverPortalMessages({
      outbox,
      sender: createHttpPortalSender({ endpoint: portal.url, retryableErrorCodes: [99], timeoutMs: 2000 }),
      clock,
      maxAttempts: 10,
      backoff: exponentialBackoff({ baseMs: 1000, maxMs: 60_000, random: () => 0.5 }),
    });
    let runs = 0;
    while ((await outbox.listDue(new Date(now + 3_600_000).toISOString(), 1)).length > 0) {
      runs += 1;
      expect(runs).toBeLessThan(50);
      await deliver();
      now += 5_000;
    }
    expect(runs).toBeGreaterThan(1);

    const received = () => portal.received().filter((record) => codes.includes(record.maHoSo));
    const keyOf = (record: { messageId?: string }) => record.messageId ?? '';
    expect(received().map(keyOf).sort()).toEqual(expected.map((message) => message.messageId).sort());
    // Each dossier's versions arrived in order, its sync before its progress.
    for (const code of codes) {
      const mine = received().filter((record) => record.maHoSo === code);
      expect(mine.map((record) => `${record.version}:${record.service}`)).toEqual([
        '1:DongBoHoSoMC',
        '2:DongBoHoSoMC',
        '2:CapNhatTienDoHoSoMC',
        '3:DongBoHoSoMC',
        '3:CapNhatTienDoHoSoMC',
      ]);
      expect(mine[0]?.body).toMatchObject({ isUpdating: false });
    }
    // No message was taken twice: the portal answered success exactly once per message.
    const acceptedBefore = portal.acceptedRequests();
    expect(acceptedBefore).toBe(expected.length);

    // Replay from the second dossier's version 3 change: those messages are sent again, once each.
    const replay = createReplayPortalMessages({ outbox, clock, pageSize: 2 });
    const from = new Date(T0 + 61 * 60_000).toISOString();
    expect(await replay({ from })).toEqual({ replayed: 2 });
    portal.failNext(1, { status: 503 });
    for (
      let run = 0;
      run < 10 && (await outbox.listDue(new Date(now + 3_600_000).toISOString(), 1)).length;
      run++
    ) {
      await deliver();
      now += 5_000;
    }
    expect(portal.acceptedRequests() - acceptedBefore).toBe(2);
    expect(received().map(keyOf).sort()).toEqual(expected.map((message) => message.messageId).sort());
    const perVersion = new Map<string, number>();
    for (const record of received()) {
      const key = `${record.maHoSo}#${record.version}#${record.service}`;
      perVersion.set(key, (perVersion.get(key) ?? 0) + 1);
    }
    expect([...perVersion.values()].every((count) => count === 1)).toBe(true);
    expect(await outbox.listFailed(10)).toEqual([]);
  });
});
