/**
 * Test support for the national-portal sync: a dossier to map (with steps, history, a supplement
 * and a result), an in-memory PortalOutbox with the DynamoDB one's semantics, and the contract
 * every PortalOutbox meets (run against both).
 */
import { expect, it } from 'vitest';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import {
  type PortalMessage,
  parsePortalMessageId,
  portalMessageId,
} from '#shared/domain/dossiers/portal-messages.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { OutboxMessage, PortalOutbox } from '#shared/ports/portal-outbox.ts';

export const UNIT = '000.17.22.H99';
export const AGENCY = '000.00.06.H99';

export const PROCEDURE = {
  name: 'Đăng ký kết hôn',
  field: { code: 'HT', name: 'Hộ tịch' },
} as const;

/**
 * A marriage registration received at the counter on Monday 23 Nov 2026 09:00 Vietnam time
 * (02:00 UTC), at version 4: received, intake step completed, processing accepted, completed.
 */
export const makePortalDossier = (overrides: Partial<Dossier> = {}): Dossier => ({
  code: `${UNIT}-261123-0001`,
  procedureCode: '1.000894',
  procedureVersion: '2016-01-01',
  receivingUnitId: UNIT,
  competentAgencyId: AGENCY,
  channel: 1,
  owner: { kind: 1, id: '001195006789', name: 'Nguyễn Thị Hoa' },
  receivedAt: '2026-11-23T02:00:00.000Z',
  dueAt: '2026-11-30T09:30:00.000Z',
  status: 4,
  components: [
    {
      componentId: 'TTHN',
      name: 'Giấy xác nhận tình trạng hôn nhân',
      documentType: 'TTHN',
      mustDigitise: true,
      source: 'reused',
      digitisedCode: '001195006789.TTHN.01',
      documentId: 'doc-reused',
    },
    {
      componentId: 'TK',
      name: 'Tờ khai đăng ký kết hôn',
      documentType: 'TK',
      mustDigitise: false,
      source: 'awaiting-upload',
      documentId: 'doc-upload',
    },
    {
      componentId: 'CCCD',
      name: 'Căn cước công dân',
      documentType: 'CCCD',
      mustDigitise: false,
      source: 'awaiting-upload',
    },
  ],
  receivedBy: 'officer-1',
  steps: [
    {
      stepId: '0',
      stage: 0,
      kind: 'intake',
      name: 'Tiếp nhận hồ sơ',
      agencyId: UNIT,
      role: 'counter-officer',
      share: 0.5,
      state: 'completed',
      startedAt: '2026-11-23T02:00:00.000Z',
      dueAt: '2026-11-23T06:00:00.000Z',
      finishedAt: '2026-11-23T02:05:00.000Z',
      finishedBy: 'officer-1',
    },
    {
      stepId: '1',
      stage: 1,
      kind: 'processing',
      name: 'Thẩm định hồ sơ',
      agencyId: AGENCY,
      role: 'processing-officer',
      share: 3,
      state: 'in-progress',
      startedAt: '2026-11-23T02:05:00.000Z',
      dueAt: '2026-11-26T02:05:00.000Z',
      acceptedAt: '2026-11-23T03:00:00.000Z',
      acceptedBy: 'officer-2',
    },
  ],
  supplements: [],
  feeRequests: [],
  results: [],
  history: [
    { version: 1, at: '2026-11-23T02:00:00.000Z', action: 'receive', by: 'officer-1', status: 2 },
    {
      version: 2,
      at: '2026-11-23T02:05:00.000Z',
      action: 'complete',
      by: 'officer-1',
      status: 2,
      stepId: '0',
    },
    {
      version: 3,
      at: '2026-11-23T03:00:00.000Z',
      action: 'accept',
      by: 'officer-2',
      status: 4,
      stepId: '1',
    },
    { version: 3, at: '2026-11-23T03:00:00.000Z', action: 'note', by: 'system', status: 4 },
  ],
  version: 3,
  appliedCommands: {},
  ...overrides,
});

/** A message of a dossier and version, with a progress body (its content does not matter here). */
export function makeMessage(
  dossierCode: string,
  version: number,
  n: number,
  createdAt: string,
): PortalMessage {
  const base = { dossierCode, version, createdAt };
  if (n === 1) {
    return {
      ...base,
      messageId: portalMessageId(dossierCode, version, 'DongBoHoSoMC', 1),
      service: 'DongBoHoSoMC',
      body: {
        MaHoSo: dossierCode,
        MaTTHC: '1.000894',
        TenTTHC: PROCEDURE.name,
        MaLinhVuc: 'HT',
        TenLinhVuc: 'Hộ tịch',
        KenhThucHien: '1',
        ChuHoSo: 'Nguyễn Thị Hoa',
        LoaiDoiTuong: '1',
        SoGiayToChuHoSo: '001195006789',
        NgayNopHoSo: '20261123090000',
        NgayHenTra: '20261130163000',
        TrangThaiHoSo: '4',
        DonViXuLy: AGENCY,
        HoSoCoThanhPhanSoHoa: '0',
        TaiLieuNop: [],
        DanhSachHoSoBoSung: [],
        DanhSachGiayToKetQua: [],
        isUpdating: version > 1,
      },
    };
  }
  return {
    ...base,
    messageId: portalMessageId(dossierCode, version, 'CapNhatTienDoHoSoMC', n),
    service: 'CapNhatTienDoHoSoMC',
    body: {
      MaHoSo: dossierCode,
      NguoiXuLy: 'officer-2',
      ChucDanh: 'Chuyên viên xử lý',
      ThoiDiemXuLy: '20261123100000',
      PhongBanXuLy: AGENCY,
      NoiDungXuLy: `Bước ${n}`,
      TrangThai: '4',
    },
  };
}

const compareDelivery = (a: OutboxMessage, b: OutboxMessage) => {
  const x = parsePortalMessageId(a.messageId);
  const y = parsePortalMessageId(b.messageId);
  return (x?.version ?? 0) - (y?.version ?? 0) || (x?.n ?? 0) - (y?.n ?? 0);
};
const byKey = (key: (message: OutboxMessage) => string) => (a: OutboxMessage, b: OutboxMessage) =>
  key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
const iso = (instant: string) => new Date(instant).toISOString();

/** A PortalOutbox in memory with the same semantics as the DynamoDB one. */
export function createInMemoryPortalOutbox(): PortalOutbox {
  const messages = new Map<string, OutboxMessage>();
  const held = (messageId: string) => {
    const message = messages.get(messageId);
    if (!message) throw new NotFoundError(`no portal message ${messageId}`);
    return message;
  };
  const copy = (list: OutboxMessage[]) => list.map((message) => structuredClone(message));
  return {
    async append(list) {
      let added = 0;
      for (const message of list) {
        if (!parsePortalMessageId(message.messageId)) throw new NotFoundError(message.messageId);
        if (messages.has(message.messageId)) continue;
        const createdAt = iso(message.createdAt);
        messages.set(message.messageId, {
          ...structuredClone(message),
          createdAt,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: createdAt,
        });
        added += 1;
      }
      return added;
    },
    async listDue(now, limit) {
      const due = [...messages.values()].filter(
        (message) => message.status === 'pending' && message.nextAttemptAt <= iso(now),
      );
      return copy(due.sort(byKey((m) => `${m.nextAttemptAt}#${m.messageId}`)).slice(0, limit));
    },
    async listPending(dossierCode) {
      const pending = [...messages.values()].filter(
        (message) => message.dossierCode === dossierCode && message.status === 'pending',
      );
      return copy(pending.sort(compareDelivery));
    },
    async listFailed(limit) {
      const failed = [...messages.values()].filter((message) => message.status === 'failed');
      return copy(failed.sort(byKey((m) => `${m.failedAt}#${m.messageId}`)).slice(0, limit));
    },
    async listCreatedSince(from, page) {
      const key = (m: OutboxMessage) => `${m.createdAt}#${m.messageId}`;
      const after = page.cursor;
      const selected = [...messages.values()]
        .filter((message) => (after === undefined ? message.createdAt >= iso(from) : key(message) > after))
        .sort(byKey(key))
        .slice(0, page.limit);
      const last = selected.at(-1);
      return {
        messages: copy(selected),
        cursor: selected.length === page.limit && last ? key(last) : undefined,
      };
    },
    async listOfDossier(dossierCode, fromVersion = 1) {
      const list = [...messages.values()].filter(
        (message) => message.dossierCode === dossierCode && message.version >= fromVersion,
      );
      return copy(list.sort(compareDelivery));
    },
    async get(messageId) {
      const message = messages.get(messageId);
      return message && structuredClone(message);
    },
    async markDelivered(messageId, at) {
      const message = held(messageId);
      Object.assign(message, {
        status: 'delivered',
        deliveredAt: iso(at),
        lastAttemptAt: iso(at),
        attempts: message.attempts + 1,
      });
    },
    async recordFailedAttempt(messageId, failure) {
      const message = held(messageId);
      Object.assign(message, {
        lastError: failure.error,
        lastAttemptAt: iso(failure.at),
        nextAttemptAt: iso(failure.nextAttemptAt),
        attempts: message.attempts + 1,
      });
    },
    async markFailed(messageId, failure) {
      const message = held(messageId);
      Object.assign(message, {
        status: 'failed',
        lastError: failure.error,
        lastAttemptAt: iso(failure.at),
        failedAt: iso(failure.at),
        attempts: message.attempts + 1,
      });
    },
    async markPending(messageId, at) {
      const message = held(messageId);
      Object.assign(message, { status: 'pending', attempts: 0, nextAttemptAt: iso(at) });
      delete message.deliveredAt;
      delete message.failedAt;
    },
  };
}

const T0 = '2026-11-23T02:00:00.000Z';
const plus = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const codeOf = (n: number) => `${UNIT}-261123-${String(n).padStart(4, '0')}`;
const ids = (list: { messageId: string }[]) => list.map((message) => message.messageId);

/**
 * The behaviour every PortalOutbox must have, run against the in-memory fake and the DynamoDB
 * adapter alike. Each case gets a fresh outbox.
 */
export function portalOutboxContract(outbox: () => PortalOutbox | Promise<PortalOutbox>): void {
  it('appends a message once by its id, pending and due at its creation; a re-append changes nothing', async () => {
    const store = await outbox();
    const message = makeMessage(codeOf(1), 1, 1, '2026-11-23T09:00:00+07:00');
    expect(await store.append([message])).toBe(1);
    expect(await store.get(message.messageId)).toEqual({
      ...message,
      createdAt: T0,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
    });
    await store.markDelivered(message.messageId, plus(1));
    expect(await store.append([message, makeMessage(codeOf(1), 1, 2, T0)])).toBe(1);
    expect(await store.get(message.messageId)).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(await store.get(`${codeOf(1)}#9#DongBoHoSoMC#1`)).toBeUndefined();
    expect(await store.get('not-a-message-id')).toBeUndefined();
  });

  it('lists due messages earliest first across dossiers, up to the limit, leaving out those not due', async () => {
    const store = await outbox();
    // Twelve dossiers, created a second apart in reverse order of their codes.
    const messages = Array.from({ length: 12 }, (_, i) => makeMessage(codeOf(i + 1), 1, 1, plus(12 - i)));
    await store.append(messages);
    const due = await store.listDue(plus(12), 5);
    expect(ids(due)).toEqual(ids([...messages].reverse().slice(0, 5)));
    expect(await store.listDue(plus(3), 100)).toHaveLength(3);
    expect(await store.listDue(plus(0), 100)).toEqual([]);
    expect(await store.listDue(plus(100), 100)).toHaveLength(12);
  });

  it("lists a dossier's pending messages by version, the dossier sync before its progress", async () => {
    const store = await outbox();
    const code = codeOf(1);
    const later = [makeMessage(code, 10, 2, plus(20)), makeMessage(code, 10, 1, plus(20))];
    const earlier = [
      makeMessage(code, 2, 3, plus(2)),
      makeMessage(code, 2, 1, plus(2)),
      makeMessage(code, 2, 2, plus(2)),
    ];
    await store.append([...later, ...earlier, makeMessage(codeOf(2), 1, 1, plus(1))]);
    await store.markDelivered(`${code}#2#DongBoHoSoMC#1`, plus(30));
    expect(ids(await store.listPending(code))).toEqual([
      `${code}#2#CapNhatTienDoHoSoMC#2`,
      `${code}#2#CapNhatTienDoHoSoMC#3`,
      `${code}#10#DongBoHoSoMC#1`,
      `${code}#10#CapNhatTienDoHoSoMC#2`,
    ]);
    expect(ids(await store.listOfDossier(code, 3))).toEqual([
      `${code}#10#DongBoHoSoMC#1`,
      `${code}#10#CapNhatTienDoHoSoMC#2`,
    ]);
    expect(await store.listOfDossier(code)).toHaveLength(5);
  });

  it('counts a failed attempt and defers the message; dead-letters it with its error; delivery takes it out', async () => {
    const store = await outbox();
    const [a, b, c] = [1, 2, 3].map((n) => makeMessage(codeOf(n), 1, 1, plus(n))) as [
      PortalMessage,
      PortalMessage,
      PortalMessage,
    ];
    await store.append([a, b, c]);
    await store.recordFailedAttempt(a.messageId, {
      at: plus(10),
      error: 'HTTP 503',
      nextAttemptAt: plus(70),
    });
    expect(await store.get(a.messageId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 503',
      lastAttemptAt: plus(10),
      nextAttemptAt: plus(70),
    });
    expect(ids(await store.listDue(plus(60), 10))).toEqual([b.messageId, c.messageId]);
    expect(ids(await store.listDue(plus(70), 10))).toEqual([b.messageId, c.messageId, a.messageId]);
    await store.markFailed(b.messageId, { at: plus(11), error: 'error_code 7: Sai mã TTHC' });
    await store.markDelivered(c.messageId, plus(12));
    expect(ids(await store.listDue(plus(100), 10))).toEqual([a.messageId]);
    expect(await store.listFailed(10)).toEqual([
      expect.objectContaining({
        messageId: b.messageId,
        status: 'failed',
        attempts: 1,
        failedAt: plus(11),
        lastError: 'error_code 7: Sai mã TTHC',
      }),
    ]);
    expect(await store.get(c.messageId)).toMatchObject({ status: 'delivered', deliveredAt: plus(12) });
    expect(await store.listPending(codeOf(3))).toEqual([]);
  });

  it('lists messages created since an instant a page at a time, and makes any of them pending again', async () => {
    const store = await outbox();
    const messages = Array.from({ length: 7 }, (_, i) => makeMessage(codeOf(i + 1), 1, 1, plus(i)));
    await store.append(messages);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listCreatedSince(plus(2), { limit: 2, cursor });
      expect(page.messages.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.messages));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(ids(messages.slice(2)));

    const [delivered, failed] = messages as [PortalMessage, PortalMessage];
    await store.markDelivered(delivered.messageId, plus(10));
    await store.markFailed(failed.messageId, { at: plus(10), error: 'rejected' });
    await store.markPending(delivered.messageId, plus(20));
    await store.markPending(failed.messageId, plus(20));
    for (const id of [delivered.messageId, failed.messageId]) {
      const message = await store.get(id);
      expect(message).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: plus(20) });
      expect(message?.deliveredAt).toBeUndefined();
      expect(message?.failedAt).toBeUndefined();
    }
    expect(await store.listFailed(10)).toEqual([]);
    expect(ids(await store.listDue(plus(20), 10))).toContain(delivered.messageId);
  });

  it('refuses to change a message it does not hold', async () => {
    const store = await outbox();
    const missing = `${codeOf(1)}#1#DongBoHoSoMC#1`;
    await expect(store.markDelivered(missing, T0)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      store.recordFailedAttempt(missing, { at: T0, error: 'x', nextAttemptAt: T0 }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.markFailed(missing, { at: T0, error: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.markPending('garbage', T0)).rejects.toBeInstanceOf(NotFoundError);
  });
}
