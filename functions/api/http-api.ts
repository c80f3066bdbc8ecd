import middy from '@middy/core';
import httpRouterHandler, { type Route } from '@middy/http-router';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { principalFromClaims } from '#shared/auth/authorize.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { dependencies } from '../wire-dependencies.ts';
import { httpErrors, jsonResponse } from './http-errors.ts';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
type Result = APIGatewayProxyStructuredResultV2;

const principal = (event: Event) => principalFromClaims(event.requestContext.authorizer?.jwt?.claims);

function jsonBody(event: Event): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('INVALID_JSON', 'the request body is not valid JSON');
  }
}

function pathParameter(event: Event, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError('MISSING_PARAMETER', `${name} is required`);
  return decodeURIComponent(value);
}

const route = (
  method: Route<Event, Result>['method'],
  path: string,
  handler: (event: Event) => Promise<Result>,
) => ({
  method,
  path,
  handler,
});

const routes: Route<Event, Result>[] = [
  route('POST', '/uploads', async (event: Event) =>
    jsonResponse(201, await dependencies().requestUpload(principal(event), jsonBody(event))),
  ),
  route('GET', '/documents', async (event: Event) => {
    const query = event.queryStringParameters ?? {};
    const documents = await dependencies().readDocuments.listDocuments(principal(event), {
      status: query.status,
      agencyId: query.agencyId,
      limit: query.limit ? Number(query.limit) : undefined,
    });
    return jsonResponse(200, { documents });
  }),
  route('GET', '/documents/{documentId}', async (event: Event) => {
    const verify = ['1', 'true'].includes(event.queryStringParameters?.verify ?? '');
    const view = await dependencies().readDocuments.getDocument(
      principal(event),
      pathParameter(event, 'documentId'),
      {
        verify,
      },
    );
    return jsonResponse(200, view);
  }),
  route('POST', '/documents/{documentId}/review', async (event: Event) => {
    const document = await dependencies().completeReview(
      principal(event),
      pathParameter(event, 'documentId'),
      jsonBody(event),
    );
    return jsonResponse(202, { document });
  }),
];

/** The HTTP API: one function behind API Gateway's JWT authorizer (or the local API server). */
export const handler = middy<Event, Result>({ timeoutEarlyInMillis: 0 })
  .use(httpErrors())
  .handler(httpRouterHandler<Event, Result>(routes) as unknown as (event: Event) => Promise<Result>);
