import middy from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { principalFromClaims } from '#shared/auth/authorize.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import type { AuditSource } from '#shared/ports/audit-trail.ts';
import { type Container, containerFromEnvironment } from '../container.ts';
import { lambdaEntry } from '../lambda-entry.ts';
import { observeInvocation } from '../observe-invocation.ts';
import { API_ROUTES, type ApiRouteName } from './api-routes.ts';
import { httpErrors, jsonResponse } from './http-errors.ts';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;

const principal = (event: Event) => principalFromClaims(event.requestContext.authorizer?.jwt?.claims);

/** Where the request came from, as API Gateway saw it: recorded in the audit trail. */
const sourceOf = (event: Event): AuditSource => ({
  ip: event.requestContext.http?.sourceIp,
  userAgent: event.requestContext.http?.userAgent,
});

function jsonBody(event: Event): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('INVALID_JSON', 'the request body is not valid JSON');
  }
}

const YES = ['1', 'true'];
const NO = ['', '0', 'false'];

/**
 * The yes/no query parameters of a route (`1`/`true` yes, `0`/`false` or absent no); any other
 * value, or a parameter the route does not take, is a 400 rather than silently ignored.
 */
function flags<Name extends string>(event: Event, names: readonly Name[]): Record<Name, boolean> {
  const query = event.queryStringParameters ?? {};
  const unknown = Object.keys(query).filter((name) => !(names as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ValidationError('UNKNOWN_PARAMETER', `unknown parameter ${unknown.join(', ')}`);
  }
  const read = (name: Name) => {
    const value = (query[name] ?? '').toLowerCase();
    if (YES.includes(value)) return true;
    if (NO.includes(value)) return false;
    throw new ValidationError(`INVALID_${name.toUpperCase()}`, `${name}: expected 1, true, 0 or false`);
  };
  return Object.fromEntries(names.map((name) => [name, read(name)])) as Record<Name, boolean>;
}

function pathParameter(event: Event, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError('MISSING_PARAMETER', `${name} is required`);
  return decodeURIComponent(value);
}

/** A dossier as the API shows it: without the workflow's callback tokens or the command keys. */
function publicDossier(dossier: Dossier) {
  const { appliedCommands: _keys, ...shown } = dossier;
  return { ...shown, steps: dossier.steps.map(({ taskToken: _token, ...step }) => step) };
}

const handlers: Record<ApiRouteName, (container: Container, event: Event) => Promise<Result>> = {
  requestUpload: async (container, event) =>
    jsonResponse(201, await container.requestUpload(principal(event), jsonBody(event))),
  listDocuments: async (container, event) => {
    const query = event.queryStringParameters ?? {};
    const page = await container.readDocuments.listDocuments(principal(event), {
      status: query.status,
      agencyId: query.agencyId,
      limit: query.limit ? Number(query.limit) : undefined,
      cursor: query.cursor,
    });
    return jsonResponse(200, page);
  },
  getDocument: async (container, event) => {
    const documentId = pathParameter(event, 'documentId');
    return jsonResponse(
      200,
      await container.readDocuments.getDocument(
        principal(event),
        documentId,
        flags(event, ['download', 'verify']),
        sourceOf(event),
      ),
    );
  },
  completeReview: async (container, event) => {
    const documentId = pathParameter(event, 'documentId');
    const document = await container.completeReview(principal(event), documentId, jsonBody(event));
    return jsonResponse(202, { document });
  },
  searchArchive: async (container, event) =>
    jsonResponse(
      200,
      await container.searchArchive(principal(event), event.queryStringParameters ?? {}, sourceOf(event)),
    ),
  readArchiveRecord: async (container, event) =>
    jsonResponse(
      200,
      await container.readArchiveRecord(
        principal(event),
        pathParameter(event, 'code'),
        flags(event, ['download', 'verify']),
        sourceOf(event),
      ),
    ),
  createArchiveExport: async (container, event) =>
    jsonResponse(201, {
      export: await container.exportArchive.createExport(principal(event), jsonBody(event), sourceOf(event)),
    }),
  readArchiveExport: async (container, event) =>
    jsonResponse(200, {
      export: await container.exportArchive.readExport(
        principal(event),
        pathParameter(event, 'exportId'),
        sourceOf(event),
      ),
    }),
  listAuditEntries: async (container, event) =>
    jsonResponse(
      200,
      await container.readAuditTrail.listEntries(principal(event), event.queryStringParameters ?? {}),
    ),
  verifyAuditChain: async (container, event) =>
    jsonResponse(
      200,
      await container.readAuditTrail.verify(principal(event), event.queryStringParameters ?? {}),
    ),
  receiveDossier: async (container, event) => {
    const { dossier, uploads, replayed } = await container.receiveDossier(principal(event), jsonBody(event));
    // A replayed idempotency key answers as the first request did, but says it created nothing.
    return jsonResponse(replayed ? 200 : 201, { dossier: publicDossier(dossier), uploads });
  },
  actOnDossier: async (container, event) => {
    const { dossier, replayed } = await container.actOnDossier(
      principal(event),
      pathParameter(event, 'code'),
      pathParameter(event, 'action'),
      jsonBody(event),
    );
    return jsonResponse(replayed ? 200 : 201, { dossier: publicDossier(dossier) });
  },
  replayPortalSync: async (container, event) =>
    jsonResponse(202, await container.replayPortalSync(principal(event), jsonBody(event))),
  listDossiers: async (container, event) =>
    jsonResponse(200, await container.listDossiers(principal(event), event.queryStringParameters ?? {})),
  readUnitAttention: async (container, event) =>
    jsonResponse(
      200,
      await container.readUnitAttention(
        principal(event),
        pathParameter(event, 'unitId'),
        event.queryStringParameters ?? {},
      ),
    ),
  readKpiFigures: async (container, event) =>
    jsonResponse(200, await container.readKpiFigures(principal(event), event.queryStringParameters ?? {})),
  readKpiTrend: async (container, event) =>
    jsonResponse(200, await container.readKpiTrend(principal(event), event.queryStringParameters ?? {})),
  readKpiScorecard: async (container, event) =>
    jsonResponse(200, await container.readKpiScorecard(principal(event), event.queryStringParameters ?? {})),
  produceKpiReport: async (container, event) =>
    jsonResponse(201, { report: await container.kpiReports.produce(principal(event), jsonBody(event)) }),
  listKpiReports: async (container, event) =>
    jsonResponse(200, {
      reports: await container.kpiReports.list(principal(event), event.queryStringParameters ?? {}),
    }),
  downloadKpiReport: async (container, event) =>
    jsonResponse(200, {
      report: await container.kpiReports.download(
        principal(event),
        pathParameter(event, 'period'),
        pathParameter(event, 'format'),
        sourceOf(event),
      ),
    }),
  getDossier: async (container, event) =>
    jsonResponse(200, {
      dossier: publicDossier(await container.readDossier(principal(event), pathParameter(event, 'code'))),
    }),
};

/**
 * The HTTP API over a container: one function behind API Gateway's JWT authorizer (or the local
 * API server). Its log lines carry the API's request id as their correlation id.
 */
export function createHttpApiHandler(container: Container) {
  const logger = container.observability.logger.createChild();
  const routes: Route<Event, Result>[] = (Object.keys(API_ROUTES) as ApiRouteName[]).map((name) => ({
    ...API_ROUTES[name],
    handler: (event: Event) => handlers[name](container, event),
  }));
  return middy<Event, Result>({ timeoutEarlyInMillis: 0 })
    .use(
      observeInvocation<Event>(container.observability, logger, {
        correlationId: (event) => event.requestContext.requestId,
      }),
    )
    .use(httpErrors(logger))
    .handler(httpRouterHandler<Event, Result>(routes) as unknown as (event: Event) => Promise<Result>);
}

/** The Lambda entry: its container comes from the function's environment, on the first request. */
export const handler = lambdaEntry(() => createHttpApiHandler(containerFromEnvironment('api')));
