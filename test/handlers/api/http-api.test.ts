import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
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

function request(method: string, path: string, requestId: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
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
});
