import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApiHandler } from '#functions/api/http-api.ts';
import { createContainer } from '#functions/container.ts';
import {
  type CapturedOutput,
  captureOutput,
  handlerRuntimeConfig,
  LAMBDA_CONTEXT,
} from '../handler-fixtures.ts';

const dynamodb = mockClient(DynamoDBDocumentClient);
const handler = createHttpApiHandler(createContainer(handlerRuntimeConfig()));
let output: CapturedOutput;

function request(
  method: string,
  path: string,
  requestId: string,
  query?: Record<string, string>,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    ...(query ? { queryStringParameters: query } : {}),
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      authorizer: {
        jwt: {
          claims: { sub: 'officer', 'cognito:groups': '[auditor]', 'custom:agency': '000.00.01.H99' },
          scopes: [],
        },
      },
    },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

beforeEach(() => {
  dynamodb.reset();
  output = captureOutput();
});

afterEach(() => output.restore());

describe('HTTP API handler', () => {
  it('answers an unexpected failure with a bare 500 and logs it under the request id', async () => {
    dynamodb.on(GetCommand).rejects(new Error('table unavailable'));

    const response = await handler(request('GET', '/documents/d-1', 'api-request-7'), LAMBDA_CONTEXT);

    expect(response).toMatchObject({ statusCode: 500 });
    expect(JSON.parse(String((response as { body: string }).body))).toEqual({
      error: { code: 'INTERNAL', message: 'internal error' },
    });
    expect(output.logs('ERROR')).toEqual([
      expect.objectContaining({
        message: 'request failed',
        correlation_id: 'api-request-7',
        function_request_id: 'request-1',
        service: 'motcua',
        error: expect.objectContaining({ message: 'table unavailable' }),
      }),
    ]);
  });

  it('answers an unknown route with a 404 without logging it as a failure', async () => {
    const response = await handler(request('GET', '/nowhere', 'api-request-8'), LAMBDA_CONTEXT);

    expect(response).toMatchObject({ statusCode: 404 });
    expect(JSON.parse(String((response as { body: string }).body))).toMatchObject({
      error: { code: 'NO_SUCH_ROUTE' },
    });
    expect(output.logs('ERROR')).toEqual([]);
  });

  it('keeps no correlation id from one request to the next', async () => {
    dynamodb.on(GetCommand).rejects(new Error('boom'));
    await handler(request('GET', '/documents/d-3', 'first'), LAMBDA_CONTEXT);
    await handler(request('GET', '/documents/d-3', 'second'), LAMBDA_CONTEXT);
    expect(output.logs('ERROR').map((line) => line.correlation_id)).toEqual(['first', 'second']);
  });

  it('answers a bad dossier filter with a 400 in the one error format, before reading anything', async () => {
    const response = await handler(
      request('GET', '/dossiers', 'api-request-9', { status: '2,12' }),
      LAMBDA_CONTEXT,
    );

    expect(response).toMatchObject({ statusCode: 400 });
    expect(JSON.parse(String((response as { body: string }).body))).toEqual({
      error: { code: 'INVALID_STATUS', message: expect.stringContaining('status') },
    });
    expect(dynamodb.calls()).toHaveLength(0);
    expect(output.logs('ERROR')).toEqual([]);
  });

  it("serves a dossier page and a unit's attention list from the table's indexes and items", async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [] });

    const page = await handler(
      request('GET', '/dossiers', 'api-request-10', { status: '4' }),
      LAMBDA_CONTEXT,
    );
    expect(page).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(String((page as { body: string }).body))).toEqual({ dossiers: [] });
    // An auditor's page of status 4 is read from the province-wide status index, one partition.
    const [query] = dynamodb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(query).toMatchObject({
      IndexName: 'gsi1',
      ExpressionAttributeValues: expect.objectContaining({ ':pk': 'DOSSIER#STATUS#4' }),
    });

    const attention = await handler(
      request('GET', '/units/000.00.08.H99/attention', 'api-request-11', { day: '2026-12-03' }),
      LAMBDA_CONTEXT,
    );
    expect(attention).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(String((attention as { body: string }).body))).toEqual({
      unitId: '000.00.08.H99',
      day: '2026-12-03',
      items: [],
    });
  });
});
