import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AlgorithmIdentifier, MessageImprint, PKIStatusInfo, TimeStampReq } from 'pkijs';
import { CMS_OID } from '#shared/adapters/signing/cms-oids.ts';
import { berChildren } from '#shared/adapters/signing/encode-der.ts';
import {
  InvalidTimestampTokenError,
  readTimestampToken,
} from '#shared/adapters/signing/read-timestamp-token.ts';
import type { TimestampAuthority } from '#shared/ports/timestamp-authority.ts';

/** Why a timestamp could not be had. */
export type TimestampFailure =
  /** The authority could not be reached, timed out or answered HTTP 5xx, on every attempt. */
  | 'TSA_UNAVAILABLE'
  /** The authority answered with an HTTP status other than 200, or no timestamp reply. */
  | 'TSA_BAD_RESPONSE'
  /** The authority refused the request (PKIStatus rejection, waiting, revocation…). */
  | 'TSA_REJECTED'
  /** The token is over another digest than the one sent. */
  | 'TSA_IMPRINT_MISMATCH'
  /** The token does not carry the request's nonce (a replayed or foreign answer). */
  | 'TSA_NONCE_MISMATCH'
  /** The token's signature does not verify, or its certificate is not one for time-stamping. */
  | 'TSA_BAD_SIGNATURE'
  /** The token follows another policy than the one asked for. */
  | 'TSA_POLICY_MISMATCH';

/** A timestamp request failed; `code` says how. */
export class TimestampAuthorityError extends Error {
  override readonly name = 'TimestampAuthorityError';
  constructor(
    readonly code: TimestampFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link createHttpTimestampAuthority}. */
export interface HttpTimestampAuthorityOptions {
  /** Where requests are POSTed (application/timestamp-query). */
  url: string;
  /** Abandon one attempt after this long. @default 10000 */
  timeoutMs?: number;
  /** Attempts in all, when the authority cannot be reached or answers 5xx. @default 3 */
  attempts?: number;
  /** Wait before the second attempt, doubled before each next one. @default 500 */
  retryDelayMs?: number;
  /** The policy OID to ask for (reqPolicy); the token must follow it. @default the authority's */
  policy?: string;
  /** Extra headers, e.g. an authorization the province's TSA requires. */
  headers?: Record<string, string>;
}

/** PKIStatus values (RFC 3161 §2.4.2). */
const STATUS_NAMES = [
  'granted',
  'grantedWithMods',
  'rejection',
  'waiting',
  'revocationWarning',
  'revocationNotification',
];
/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
const FAILURE_BITS: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

const failureNames = (failInfo: asn1js.BitString | undefined): string[] => {
  if (!failInfo) return [];
  const bytes = failInfo.valueBlock.valueHexView;
  return Object.entries(FAILURE_BITS)
    .filter(([bit]) => ((bytes[Math.floor(Number(bit) / 8)] ?? 0) >> (7 - (Number(bit) % 8))) & 1)
    .map(([, name]) => name);
};

/** A positive 64-bit nonce, minimally encoded. */
const newNonce = (): Buffer => {
  const bytes = randomBytes(8);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An RFC 3161 client over HTTP: POSTs a TimeStampReq (SHA-256 imprint, a fresh nonce, certReq
 * true), retries with backoff when the authority is unreachable, times out or answers 5xx, and
 * accepts a token only when its status is granted, it is over the digest sent, it echoes the
 * nonce, and it is signed by a time-stamping certificate it carries. Trust in that certificate
 * (its chain to a CA) is not judged here.
 */
export function createHttpTimestampAuthority(options: HttpTimestampAuthorityOptions): TimestampAuthority {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? 500;

  const post = async (body: Uint8Array): Promise<Uint8Array> => {
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(retryDelayMs * 2 ** (attempt - 2));
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/timestamp-query', ...options.headers },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const cause = error as Error;
        lastProblem =
          cause.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : ((cause.cause as Error | undefined)?.message ?? cause.message);
        continue;
      }
      const reply = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        continue;
      }
      if (response.status !== 200)
        throw new TimestampAuthorityError(
          'TSA_BAD_RESPONSE',
          `time-stamping authority ${options.url} answered HTTP ${response.status}`,
        );
      return reply;
    }
    throw new TimestampAuthorityError(
      'TSA_UNAVAILABLE',
      `time-stamping authority ${options.url} unavailable after ${attempts} attempt(s): ${lastProblem}`,
    );
  };

  return {
    async timestamp(sha256Digest) {
      if (sha256Digest.length !== 32)
        throw new RangeError(`expected a 32-byte SHA-256 digest, got ${sha256Digest.length} bytes`);
      const nonce = newNonce();
      const request = new TimeStampReq({
        version: 1,
        messageImprint: new MessageImprint({
          hashAlgorithm: new AlgorithmIdentifier({ algorithmId: CMS_OID.sha256 }),
          hashedMessage: new asn1js.OctetString({ valueHex: sha256Digest }),
        }),
        ...(options.policy ? { reqPolicy: options.policy } : {}),
        nonce: new asn1js.Integer({ valueHex: nonce }),
        certReq: true,
      });
      const reply = await post(new Uint8Array(request.toSchema().toBER()));
      const from = `time-stamping authority ${options.url}`;
      let statusInfo: PKIStatusInfo;
      let token: Uint8Array | undefined;
      try {
        // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }
        if (reply[0] !== 0x30) throw new Error('not a SEQUENCE');
        const [status, tokenDer, ...extra] = berChildren(reply);
        if (!status || extra.length) throw new Error('not a TimeStampResp');
        statusInfo = PKIStatusInfo.fromBER(status);
        // The token as the authority encoded it; parsed only by readTimestampToken.
        token = tokenDer && Uint8Array.from(tokenDer);
      } catch {
        throw new TimestampAuthorityError(
          'TSA_BAD_RESPONSE',
          `${from} answered something that is no timestamp reply`,
        );
      }
      const status = statusInfo.status as number;
      if (status !== 0 && status !== 1) {
        const text = (statusInfo.statusStrings ?? []).map((s) => s.valueBlock.value).join('; ');
        const failures = failureNames(statusInfo.failInfo);
        throw new TimestampAuthorityError(
          'TSA_REJECTED',
          `${from} refused the request: ${STATUS_NAMES[status] ?? `status ${status}`}${failures.length ? ` (${failures.join(', ')})` : ''}${text ? `: ${text}` : ''}`,
        );
      }
      if (!token)
        throw new TimestampAuthorityError(
          'TSA_BAD_RESPONSE',
          `${from} granted the request but sent no token`,
        );
      let details: ReturnType<typeof readTimestampToken>;
      try {
        details = readTimestampToken(token);
      } catch (error) {
        if (!(error instanceof InvalidTimestampTokenError)) throw error;
        throw new TimestampAuthorityError('TSA_BAD_RESPONSE', `${from} sent ${error.message}`);
      }
      if (details.imprintAlgorithm !== 'sha256' || !details.imprint.equals(sha256Digest))
        throw new TimestampAuthorityError(
          'TSA_IMPRINT_MISMATCH',
          `${from} timestamped another digest than the one sent`,
        );
      if (details.nonce !== nonce.toString('hex'))
        throw new TimestampAuthorityError(
          'TSA_NONCE_MISMATCH',
          `${from} answered without the request's nonce`,
        );
      if (!details.signatureValid)
        throw new TimestampAuthorityError(
          'TSA_BAD_SIGNATURE',
          `${from} sent a token whose signature does not verify`,
        );
      if (!details.timeStampingCertificate)
        throw new TimestampAuthorityError(
          'TSA_BAD_SIGNATURE',
          `${from} signed with a certificate that is not for time-stamping (extendedKeyUsage id-kp-timeStamping, critical)`,
        );
      if (options.policy && details.policy !== options.policy)
        throw new TimestampAuthorityError(
          'TSA_POLICY_MISMATCH',
          `${from} used policy ${details.policy}, not ${options.policy}`,
        );
      return {
        token,
        genTime: details.genTime.toISOString(),
        authority: details.authority,
        serialNumber: details.serialNumber,
        ...(details.certificate ? { certificateFingerprint: details.certificate.fingerprint } : {}),
      };
    },
  };
}
