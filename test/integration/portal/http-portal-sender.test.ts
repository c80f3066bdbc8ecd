import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeNationalPortal, startFakeNationalPortal } from '#infra/local/fake-national-portal.ts';
import { closeServer, listenOnLoopback } from '#infra/local/listen-on-loopback.ts';
import { createHttpPortalSender } from '#shared/adapters/portal/http-portal-sender.ts';
import { makeMessage, UNIT } from '#test/support/portal-sync.ts';

const CODE = `${UNIT}-261123-0001`;
const sync = makeMessage(CODE, 1, 1, '2026-11-23T02:00:00.000Z');
const progress = makeMessage(CODE, 1, 2, '2026-11-23T02:00:00.000Z');

describe('HTTP portal sender against the fake national portal', () => {
  let portal: FakeNationalPortal;

  beforeAll(async () => {
    portal = await startFakeNationalPortal();
  });
  afterAll(async () => {
    await portal.stop();
  });

  it('POSTs each message to {endpoint}/{service} and is delivered on error_code 0', async () => {
    const sender = createHttpPortalSender({ endpoint: `${portal.url}/` });
    expect(await sender.send(sync)).toEqual({ outcome: 'delivered' });
    expect(await sender.send(progress)).toEqual({ outcome: 'delivered' });
    expect(await sender.send(sync)).toEqual({ outcome: 'delivered' });
    const received = portal.received().filter((record) => record.maHoSo === CODE);
    expect(received.map((record) => [record.service, record.messageId, record.version])).toEqual([
      ['DongBoHoSoMC', sync.messageId, 1],
      ['CapNhatTienDoHoSoMC', progress.messageId, 1],
    ]);
    expect(received[0]?.body).toEqual(sync.body);
  });

  it('does not count a non-zero error_code as delivered, whatever its message says', async () => {
    const sender = createHttpPortalSender({ endpoint: portal.url });
    const before = portal.received().length;
    portal.failNext(1, { errorCode: 1, message: 'Cập nhật thành công' });
    expect(await sender.send(makeMessage(CODE, 2, 1, '2026-11-23T03:00:00.000Z'))).toEqual({
      outcome: 'rejected',
      error: 'error_code 1: Cập nhật thành công',
    });
    portal.failNext(1, { errorCode: '-1', message: 'Thành công' });
    expect(await sender.send(makeMessage(CODE, 2, 1, '2026-11-23T03:00:00.000Z'))).toMatchObject({
      outcome: 'rejected',
    });
    expect(portal.received()).toHaveLength(before);
  });

  it('retries on HTTP 503 and on a code the province lists as transient', async () => {
    const sender = createHttpPortalSender({ endpoint: portal.url, retryableErrorCodes: [99] });
    portal.failNext(1, { status: 503 });
    expect(await sender.send(sync)).toEqual({
      outcome: 'retry',
      error: 'HTTP 503 error_code 503: Hệ thống đang bận',
    });
    portal.failNext(1, { errorCode: '99', message: 'Phiên làm việc hết hạn' });
    expect(await sender.send(sync)).toEqual({
      outcome: 'retry',
      error: 'error_code 99: Phiên làm việc hết hạn',
    });
    portal.failNext(1, { status: 429 });
    expect(await sender.send(sync)).toMatchObject({ outcome: 'retry' });
  });

  it('retries when the portal does not answer in time, or cannot be reached', async () => {
    const slow = createHttpPortalSender({ endpoint: portal.url, timeoutMs: 20 });
    portal.failNext(1, { delayMs: 80 });
    expect(await slow.send(sync)).toEqual({
      outcome: 'retry',
      error: `POST ${portal.url}/DongBoHoSoMC: no answer within 20 ms`,
    });
    const closed = createServer();
    const url = await listenOnLoopback(closed);
    await closeServer(closed);
    expect(await createHttpPortalSender({ endpoint: url }).send(sync)).toMatchObject({ outcome: 'retry' });
  });

  it('reads error_code as "00" or "0" too, and judges an answer without one by its HTTP status', async () => {
    const answers: { status: number; body: string }[] = [
      { status: 200, body: JSON.stringify({ error_code: '00', message: 'OK' }) },
      { status: 200, body: '<html>gateway</html>' },
      { status: 401, body: JSON.stringify({ message: 'Unauthorized' }) },
      { status: 400, body: JSON.stringify({ error_code: 0 }) },
    ];
    const seen: { url: string; headers: Record<string, string>; body: unknown }[] = [];
    const fetchStub: typeof fetch = async (input, init) => {
      const answer = answers.shift();
      seen.push({
        url: String(input),
        headers: init?.headers as Record<string, string>,
        body: JSON.parse(String(init?.body)),
      });
      return new Response(answer?.body, { status: answer?.status });
    };
    const sender = createHttpPortalSender({
      endpoint: 'https://lgsp.example.vn/api',
      fetch: fetchStub,
      headers: async () => ({ authorization: 'Bearer t' }),
      toRequestBody: (message) => ({ service: message.service, data: [message.body] }),
    });
    expect(await sender.send(sync)).toEqual({ outcome: 'delivered' });
    expect(await sender.send(sync)).toEqual({ outcome: 'retry', error: 'HTTP 200 without an error_code' });
    expect(await sender.send(sync)).toEqual({ outcome: 'rejected', error: 'HTTP 401 without an error_code' });
    expect(await sender.send(sync)).toEqual({ outcome: 'delivered' });
    expect(seen[0]).toMatchObject({
      url: 'https://lgsp.example.vn/api/DongBoHoSoMC',
      headers: { authorization: 'Bearer t', 'x-message-id': sync.messageId },
      body: { service: 'DongBoHoSoMC', data: [sync.body] },
    });
  });
});
