import type { PortalMessage } from '#shared/domain/dossiers/portal-messages.ts';
import type { PortalSender, PortalSendResult } from '#shared/ports/portal-outbox.ts';

/** Options of {@link createHttpPortalSender}. */
export interface HttpPortalSenderOptions {
  /** Base URL; each message is POSTed to `{endpoint}/{service}`. */
  endpoint: string;
  /** Abandon a request after this long (then: retry). @default 10_000 */
  timeoutMs?: number;
  /**
   * Non-zero `error_code` values that mean "try again later" (the province's integration
   * platform documents them: an expired session, a busy system). Any other non-zero code is a
   * rejection. Compared as trimmed strings, so `5` and `"5"` are one code. @default none
   */
  retryableErrorCodes?: readonly (string | number)[];
  /** Extra headers (an access token, the unit code), asked for before every request. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** The JSON to POST for a message. @default the message's body */
  toRequestBody?: (message: PortalMessage) => unknown;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

const RETRYABLE_HTTP = (status: number) => status >= 500 || status === 429 || status === 408;

/** `0`, `"0"` and `"00"` are all success; anything else is that code as a trimmed string. */
function normaliseCode(code: unknown): string | undefined {
  if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  if (typeof code === 'string' && code.trim() !== '') {
    const trimmed = code.trim();
    return /^-?\d+$/.test(trimmed) ? String(Number(trimmed)) : trimmed;
  }
  return undefined;
}

/**
 * Sends portal messages over HTTP. The outcome is decided from the HTTP status and the response's
 * `error_code` alone, never from its `message` text (which is only copied into the error):
 * - a network error, a timeout, HTTP 5xx, 429 or 408: retry;
 * - `error_code` 0 (`0`, `"0"`, `"00"`): delivered;
 * - an `error_code` listed in `retryableErrorCodes`: retry; any other: rejected;
 * - no readable `error_code`: retry on a 2xx answer (a proxy's page, a truncated body), rejected on
 *   any other status (a 4xx the portal explains no further).
 * Each request carries the message id in `x-message-id`, for receivers that deduplicate on it.
 */
export function createHttpPortalSender(options: HttpPortalSenderOptions): PortalSender {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryable = new Set((options.retryableErrorCodes ?? []).map((code) => normaliseCode(code)));
  const base = options.endpoint.replace(/\/+$/, '');
  const toBody = options.toRequestBody ?? ((message: PortalMessage) => message.body);

  return {
    async send(message): Promise<PortalSendResult> {
      const url = `${base}/${message.service}`;
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            accept: 'application/json',
            'x-message-id': message.messageId,
            ...(await options.headers?.()),
          },
          body: JSON.stringify(toBody(message)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (error) {
        const reason =
          error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
            ? `no answer within ${timeoutMs} ms`
            : error instanceof Error
              ? error.message
              : String(error);
        return { outcome: 'retry', error: `POST ${url}: ${reason}` };
      }
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        payload = undefined;
      }
      const fields = payload && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
      const code = normaliseCode(fields.error_code);
      const said = typeof fields.message === 'string' ? `: ${fields.message}` : '';
      if (RETRYABLE_HTTP(response.status)) {
        return {
          outcome: 'retry',
          error: `HTTP ${response.status}${code ? ` error_code ${code}` : ''}${said}`,
        };
      }
      if (code === undefined) {
        const error = `HTTP ${response.status} without an error_code`;
        return response.ok ? { outcome: 'retry', error } : { outcome: 'rejected', error };
      }
      if (code === '0') return { outcome: 'delivered' };
      const error = `error_code ${code}${said}`;
      return retryable.has(code) ? { outcome: 'retry', error } : { outcome: 'rejected', error };
    },
  };
}
