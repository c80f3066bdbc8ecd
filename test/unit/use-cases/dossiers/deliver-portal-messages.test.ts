import { describe, expect, it } from 'vitest';
import type { PortalMessage } from '#shared/domain/dossiers/portal-messages.ts';
import type { PortalSender, PortalSendResult } from '#shared/ports/portal-outbox.ts';
import {
  createDeliverPortalMessages,
  createReplayPortalMessages,
  exponentialBackoff,
} from '#shared/use-cases/dossiers/deliver-portal-messages.ts';
import { createInMemoryPortalOutbox, makeMessage, UNIT } from '#test/support/portal-sync.ts';

const T0 = Date.parse('2026-11-23T02:00:00.000Z');
const codeOf = (n: number) => `${UNIT}-261123-${String(n).padStart(4, '0')}`;

function manualClock(start = T0) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

/** A sender that answers from a script per message id (delivered once the script runs out), recording every send. */
function scriptedSender(script: Record<string, PortalSendResult[]> = {}) {
  const sent: string[] = [];
  const sender: PortalSender & { sent: string[] } = {
    sent,
    async send(message: PortalMessage) {
      sent.push(message.messageId);
      return script[message.messageId]?.shift() ?? { outcome: 'delivered' };
    },
  };
  return sender;
}

const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

describe('exponentialBackoff', () => {
  it('doubles from the base up to the ceiling, jittered between half and all of it', () => {
    const low = exponentialBackoff({ baseMs: 1000, maxMs: 60_000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 1000, maxMs: 60_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 7, 12].map(low)).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
    expect([1, 2, 3, 4, 7, 12].map(high)).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000]);
  });
});

describe('deliverPortalMessages', () => {
  it("sends each dossier's messages in version order, the sync before its progress", async () => {
    const outbox = createInMemoryPortalOutbox();
    const a = codeOf(1);
    const b = codeOf(2);
    await outbox.append([
      makeMessage(a, 2, 1, at(5)),
      makeMessage(b, 1, 1, at(1)),
      makeMessage(a, 1, 2, at(0)),
      makeMessage(a, 1, 1, at(0)),
    ]);
    const sender = scriptedSender();
    const clock = manualClock(T0 + 10_000);
    const deliver = createDeliverPortalMessages({ outbox, sender, clock, backoff: () => 1000 });
    expect(await deliver()).toEqual({ attempted: 4, delivered: 4, retrying: 0, failed: 0, deferred: 0 });
    expect(sender.sent).toEqual([
      `${a}#1#DongBoHoSoMC#1`,
      `${a}#1#CapNhatTienDoHoSoMC#2`,
      `${a}#2#DongBoHoSoMC#1`,
      `${b}#1#DongBoHoSoMC#1`,
    ]);
    expect(await outbox.listDue(at(1000), 10)).toEqual([]);
  });

  it("holds a dossier's later version while an earlier one waits for its retry, without holding other dossiers", async () => {
    const outbox = createInMemoryPortalOutbox();
    const a = codeOf(1);
    const b = codeOf(2);
    const first = makeMessage(a, 1, 1, at(0));
    await outbox.append([first, makeMessage(a, 2, 1, at(1)), makeMessage(b, 1, 1, at(2))]);
    const sender = scriptedSender({ [first.messageId]: [{ outcome: 'retry', error: 'HTTP 503' }] });
    const clock = manualClock(T0 + 10_000);
    const delays: number[] = [];
    const deliver = createDeliverPortalMessages({
      outbox,
      sender,
      clock,
      backoff: (attempt) => {
        delays.push(attempt);
        return 30_000;
      },
    });

    expect(await deliver()).toEqual({ attempted: 2, delivered: 1, retrying: 1, failed: 0, deferred: 1 });
    expect(sender.sent).toEqual([first.messageId, `${b}#1#DongBoHoSoMC#1`]);
    expect(await outbox.get(first.messageId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 503',
      nextAttemptAt: at(40),
    });
    expect(delays).toEqual([1]);

    clock.advance(29_000);
    // Version 2 is due, but version 1 is not yet: it waits.
    expect(await deliver()).toEqual({ attempted: 0, delivered: 0, retrying: 0, failed: 0, deferred: 1 });
    expect(sender.sent).toHaveLength(2);

    clock.advance(1000);
    expect(await deliver()).toMatchObject({ attempted: 2, delivered: 2 });
    expect(sender.sent.slice(2)).toEqual([first.messageId, `${a}#2#DongBoHoSoMC#1`]);
  });

  it('dead-letters a rejected message with its error, and goes on with the rest', async () => {
    const outbox = createInMemoryPortalOutbox();
    const a = codeOf(1);
    const rejected = makeMessage(a, 1, 1, at(0));
    await outbox.append([rejected, makeMessage(a, 2, 1, at(1)), makeMessage(codeOf(2), 1, 1, at(2))]);
    const sender = scriptedSender({
      [rejected.messageId]: [{ outcome: 'rejected', error: 'error_code 7: Mã TTHC không tồn tại' }],
    });
    const deliver = createDeliverPortalMessages({
      outbox,
      sender,
      clock: manualClock(T0 + 5000),
      backoff: () => 0,
    });
    expect(await deliver()).toEqual({ attempted: 3, delivered: 2, retrying: 0, failed: 1, deferred: 0 });
    expect(await outbox.listFailed(10)).toEqual([
      expect.objectContaining({
        messageId: rejected.messageId,
        status: 'failed',
        attempts: 1,
        lastError: 'error_code 7: Mã TTHC không tồn tại',
      }),
    ]);
  });

  it('dead-letters a message that still asks for a retry after maxAttempts, and a sender that throws is retried', async () => {
    const outbox = createInMemoryPortalOutbox();
    const message = makeMessage(codeOf(1), 1, 1, at(0));
    await outbox.append([message]);
    let sends = 0;
    const sender: PortalSender = {
      async send() {
        sends += 1;
        if (sends === 1) throw new Error('socket hang up');
        return { outcome: 'retry', error: 'HTTP 429' };
      },
    };
    const clock = manualClock();
    const deliver = createDeliverPortalMessages({ outbox, sender, clock, maxAttempts: 3, backoff: () => 10 });
    expect(await deliver()).toMatchObject({ retrying: 1 });
    expect(await outbox.get(message.messageId)).toMatchObject({ lastError: 'socket hang up', attempts: 1 });
    clock.advance(10);
    expect(await deliver()).toMatchObject({ retrying: 1 });
    clock.advance(10);
    expect(await deliver()).toMatchObject({ attempted: 1, failed: 1 });
    expect(await outbox.get(message.messageId)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'HTTP 429 (gave up after 3 attempts)',
    });
    clock.advance(1000);
    expect(await deliver()).toMatchObject({ attempted: 0 });
  });

  it('sends at most `limit` messages a run', async () => {
    const outbox = createInMemoryPortalOutbox();
    await outbox.append(Array.from({ length: 5 }, (_, i) => makeMessage(codeOf(1), i + 1, 1, at(i))));
    const sender = scriptedSender();
    const deliver = createDeliverPortalMessages({
      outbox,
      sender,
      clock: manualClock(T0 + 60_000),
      backoff: () => 0,
    });
    expect(await deliver({ limit: 2 })).toEqual({
      attempted: 2,
      delivered: 2,
      retrying: 0,
      failed: 0,
      deferred: 3,
    });
    expect(await deliver({ limit: 10 })).toMatchObject({ delivered: 3 });
    expect(sender.sent.map((id) => id.split('#')[1])).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('replayPortalMessages', () => {
  it("makes delivered and dead-lettered messages pending again: all from an instant on, or a dossier's from a version on", async () => {
    const outbox = createInMemoryPortalOutbox();
    const a = codeOf(1);
    const b = codeOf(2);
    await outbox.append([
      makeMessage(a, 1, 1, at(0)),
      makeMessage(a, 2, 1, at(10)),
      makeMessage(b, 1, 1, at(20)),
      makeMessage(b, 2, 1, at(30)),
    ]);
    const clock = manualClock(T0 + 60_000);
    const sender = scriptedSender({ [`${b}#2#DongBoHoSoMC#1`]: [{ outcome: 'rejected', error: 'no' }] });
    const deliver = createDeliverPortalMessages({ outbox, sender, clock, backoff: () => 0 });
    await deliver();
    expect(sender.sent).toHaveLength(4);

    const replay = createReplayPortalMessages({ outbox, clock, pageSize: 1 });
    expect(await replay({ from: at(10) })).toEqual({ replayed: 3 });
    expect(await outbox.listFailed(10)).toEqual([]);
    expect(await deliver()).toMatchObject({ delivered: 3, failed: 0 });
    expect(sender.sent.slice(4)).toEqual([
      `${a}#2#DongBoHoSoMC#1`,
      `${b}#1#DongBoHoSoMC#1`,
      `${b}#2#DongBoHoSoMC#1`,
    ]);

    expect(await replay({ dossierCode: a, fromVersion: 2 })).toEqual({ replayed: 1 });
    expect(await replay({ dossierCode: b })).toEqual({ replayed: 2 });
    expect(await deliver()).toMatchObject({ delivered: 3 });
  });
});
