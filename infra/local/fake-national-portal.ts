import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { PORTAL_SERVICES, parsePortalMessageId } from '#shared/domain/dossiers/portal-messages.ts';
import { closeServer, listenOnLoopback } from './listen-on-loopback.ts';

/** Options of {@link startFakeNationalPortal}. */
export interface FakeNationalPortalOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
}

/** How the next requests fail: an HTTP status, a non-zero `error_code` (HTTP 200), or a slow answer. */
export type FakePortalFailure =
  | { status: number }
  | { errorCode: string | number; message?: string }
  /** Answers normally, but only after this long (for timeouts: the message is still recorded). */
  | { delayMs: number };

/** A message the fake portal took, once per message id (or per dossier, service and body without one). */
export interface FakePortalRecord {
  service: string;
  /** The `x-message-id` header, when the sender gave one. */
  messageId?: string;
  maHoSo: string;
  /** The dossier version, read from the message id. */
  version?: number;
  body: Record<string, unknown>;
}

/** A running fake portal. */
export interface FakeNationalPortal {
  /** `http://127.0.0.1:{port}`: POST `{url}/DongBoHoSoMC` and `{url}/CapNhatTienDoHoSoMC`. */
  url: string;
  /** Each distinct message taken, in arrival order. */
  received(): FakePortalRecord[];
  /** How many requests were answered with `error_code` 0 (duplicates included). */
  acceptedRequests(): number;
  /** How many requests arrived, whatever the answer. */
  requests(): number;
  /** The next `count` requests fail as `failure` says (and record nothing, except `delayMs`). */
  failNext(count: number, failure: FakePortalFailure): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A local HTTP server standing in for the national public-service portal: it accepts the dossier
 * sync and progress services, answers `{ error_code: 0, message: 'Thành công' }`, and keeps one
 * record per message however often it is sent, as the real portal keeps one per dossier and
 * version. Tests make it fail on purpose with {@link FakeNationalPortal.failNext}.
 */
export async function startFakeNationalPortal(
  options: FakeNationalPortalOptions = {},
): Promise<FakeNationalPortal> {
  const records = new Map<string, FakePortalRecord>();
  const failures: FakePortalFailure[] = [];
  let requests = 0;
  let accepted = 0;

  function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  function take(service: string, messageId: string | undefined, body: Record<string, unknown>): void {
    const maHoSo = String(body.MaHoSo);
    const key =
      messageId ?? `${service}#${maHoSo}#${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
    accepted += 1;
    if (records.has(key)) return;
    const record: FakePortalRecord = { service, maHoSo, body };
    if (messageId !== undefined) {
      record.messageId = messageId;
      const version = parsePortalMessageId(messageId)?.version;
      if (version !== undefined) record.version = version;
    }
    records.set(key, record);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests += 1;
    const service = (req.url ?? '').split('?')[0]?.replace(/^\/+/, '') ?? '';
    if (req.method !== 'POST' || !(PORTAL_SERVICES as readonly string[]).includes(service)) {
      answer(res, 404, { error_code: -1, message: `Không có dịch vụ ${req.method} ${req.url}` });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        answer(res, 413, { error_code: 413, message: 'Dữ liệu quá lớn' });
        return;
      }
      chunks.push(chunk as Buffer);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      answer(res, 400, { error_code: 1, message: 'Dữ liệu không hợp lệ' });
      return;
    }
    if (!body || typeof body !== 'object' || typeof (body as { MaHoSo?: unknown }).MaHoSo !== 'string') {
      answer(res, 400, { error_code: 2, message: 'Thiếu MaHoSo' });
      return;
    }
    const header = req.headers['x-message-id'];
    const messageId = typeof header === 'string' && header !== '' ? header : undefined;
    const failure = failures.shift();
    if (failure && 'status' in failure) {
      answer(res, failure.status, { error_code: failure.status, message: 'Hệ thống đang bận' });
      return;
    }
    if (failure && 'errorCode' in failure) {
      // The text says success on purpose: a receiver must decide from error_code alone.
      answer(res, 200, { error_code: failure.errorCode, message: failure.message ?? 'Thành công' });
      return;
    }
    if (failure && 'delayMs' in failure) {
      await new Promise((resolve) => setTimeout(resolve, failure.delayMs).unref());
    }
    take(service, messageId, body as Record<string, unknown>);
    answer(res, 200, { error_code: 0, message: 'Thành công' });
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, { error_code: 500, message: 'Lỗi hệ thống' });
      else res.destroy();
    });
  });
  const url = await listenOnLoopback(server, options.port);
  return {
    url,
    received: () => [...records.values()].map((record) => structuredClone(record)),
    acceptedRequests: () => accepted,
    requests: () => requests,
    failNext(count, failure) {
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    stop: () => closeServer(server),
  };
}
