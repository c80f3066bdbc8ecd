import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import type { JWTPayload } from 'jose';
import type { LocalAuth } from '#infra/local/local-auth.ts';
import { closeServer, listenOnLoopback } from './listen-on-loopback.ts';

/** The API's Lambda handler, as functions/api/http-api.ts exports it. */
export type HttpApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
) => Promise<APIGatewayProxyResultV2>;

/** Options of {@link startLocalHttpApi}. */
export interface LocalHttpApiOptions {
  handler: HttpApiHandler;
  /** Verifies bearer tokens, as API Gateway's JWT authorizer does. */
  auth: Pick<LocalAuth, 'verifyLocalToken'>;
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** @default a line on stderr */
  log?: (message: string) => void;
}

/** A running local HTTP API. */
export interface LocalHttpApi {
  /** `http://127.0.0.1:{port}` */
  url: string;
  stop(): Promise<void>;
}

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/**
 * Serves the API handler the way an HTTP API (payload format 2.0, `$default` route, JWT
 * authorizer) invokes it: requests without a valid bearer token get 401 without reaching the
 * handler; the others become API Gateway v2 events with the token's claims formatted as API
 * Gateway formats them.
 */
export async function startLocalHttpApi(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const server = createServer((req, res) => {
    serve(req, res, options).catch((error: unknown) => {
      log(
        `[local-api] ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy();
    });
  });
  const url = await listenOnLoopback(server, options.port);
  return {
    url,
    stop: () => closeServer(server),
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, options: LocalHttpApiOptions): Promise<void> {
  const claims = await authenticate(req.headers.authorization, options.auth);
  if (!claims) {
    res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    sendJson(res, 401, {
      error: {
        code: 'UNAUTHENTICATED',
        message: 'A valid bearer token is required (Authorization: Bearer <JWT>)',
      },
    });
    return;
  }
  const body = await readBody(req);
  if (!body) {
    res.setHeader('connection', 'close');
    sendJson(res, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const event = toHttpApiEvent(req, body, claims);
  writeResult(res, await options.handler(event));
}

async function authenticate(
  authorization: string | undefined,
  auth: Pick<LocalAuth, 'verifyLocalToken'>,
): Promise<JWTPayload | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  try {
    return await auth.verifyLocalToken(match[1]);
  } catch {
    return undefined;
  }
}

/** Builds the API Gateway HTTP API (payload format 2.0) event of a request. */
export function toHttpApiEvent(
  req: IncomingMessage,
  body: Buffer,
  claims: JWTPayload,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(req.headersDistinct)) {
    if (!value) continue;
    if (name === 'cookie') cookies = value.flatMap((cookie) => cookie.split(/;\s*/)).filter(Boolean);
    else headers[name] = value.join(',');
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = name in query ? `${query[name]},${value}` : value;
  }
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const host = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    cookies,
    headers,
    queryStringParameters: Object.keys(query).length > 0 ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: formatClaims(claims), scopes: null },
      },
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !isText,
  };
}

/**
 * Formats JWT claims as API Gateway's JWT authorizer passes them: every value a string,
 * arrays as `[a b]`, objects as `map[k:v]`.
 */
export function formatClaims(claims: JWTPayload): Record<string, string> {
  return Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, formatClaimValue(value)]));
}

function formatClaimValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(formatClaimValue).join(' ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `map[${entries.map(([key, item]) => `${key}:${formatClaimValue(item)}`).join(' ')}]`;
  }
  return String(value);
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? result
      : { statusCode: 200, body: typeof result === 'string' ? result : JSON.stringify(result) };
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  headers['content-type'] ??= 'application/json';
  headers['apigw-requestid'] = randomUUID();
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
}

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The request body, or undefined when it exceeds API Gateway's limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** `12/Mar/2020:19:03:58 +0000`, as in requestContext.time. */
function formatRequestTime(date: Date): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day}/${month}/${year}:${time} +0000`;
}
