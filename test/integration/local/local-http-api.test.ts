import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAuth, loadLocalAuth } from '#infra/local/local-auth.ts';
import { type LocalHttpApi, startLocalHttpApi } from '#infra/local/local-http-api.ts';

describe('startLocalHttpApi', () => {
  let dataDir: string;
  let auth: LocalAuth;
  let api: LocalHttpApi;
  const received: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-api-'));
    auth = await loadLocalAuth(join(dataDir, 'auth'));
    api = await startLocalHttpApi({
      auth,
      port: 0,
      handler: async (event) => {
        received.push(event);
        return {
          statusCode: 201,
          headers: { 'Content-Type': 'application/json', 'X-Request-Path': event.rawPath },
          body: JSON.stringify({ ok: true }),
        };
      },
    });
  });

  afterAll(async () => {
    await api.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('rejects a request without a token with 401 and never calls the handler', async () => {
    received.length = 0;

    const response = await fetch(`${api.url}/uploads`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(received).toHaveLength(0);
  });

  it('rejects a token signed with another key, and an expired one, with 401', async () => {
    received.length = 0;
    const otherAuth = await loadLocalAuth(join(dataDir, 'other-auth'));
    const forged = await otherAuth.issueLocalToken({
      sub: 'u1',
      groups: ['province-admin'],
      agencyId: '000.00.00.H56',
    });
    const expired = await auth.issueLocalToken({
      sub: 'u1',
      groups: [],
      agencyId: '000.00.00.H56',
      ttl: -60,
    });
    const unsigned = await new SignJWT({ sub: 'u1' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));

    const statuses = await Promise.all(
      [forged, expired, unsigned].map(async (token) => {
        const response = await fetch(`${api.url}/documents`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return response.status;
      }),
    );

    expect(statuses).toEqual([401, 401, 401]);
    expect(received).toHaveLength(0);
  });

  it('passes an authenticated request to the handler as an HTTP API v2 event with API Gateway claims', async () => {
    received.length = 0;
    const token = await auth.issueLocalToken({
      sub: 'officer-1',
      groups: ['counter-officer', 'processing-officer'],
      agencyId: '000.17.22.H56',
      ttl: '1h',
    });

    const response = await fetch(`${api.url}/dossiers/D-1/components?status=open&tag=a&tag=b`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', cookie: 'a=1; b=2' },
      body: JSON.stringify({ title: 'Đơn đề nghị' }),
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-path')).toBe('/dossiers/D-1/components');
    expect(await response.json()).toEqual({ ok: true });
    const event = received[0];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/dossiers/D-1/components',
      rawQueryString: 'status=open&tag=a&tag=b',
      queryStringParameters: { status: 'open', tag: 'a,b' },
      cookies: ['a=1', 'b=2'],
      body: '{"title":"Đơn đề nghị"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/dossiers/D-1/components' }, stage: '$default' },
    });
    expect(event?.headers['content-type']).toBe('application/json');
    const claims = event?.requestContext.authorizer.jwt.claims ?? {};
    expect(claims).toMatchObject({
      sub: 'officer-1',
      'cognito:groups': '[counter-officer processing-officer]',
      'custom:agency': '000.17.22.H56',
      'cognito:username': 'officer-1',
      email: 'officer-1@motcua.local',
      email_verified: 'true',
      iss: 'motcua-local',
      aud: 'motcua',
    });
    expect(Object.values(claims).every((value) => typeof value === 'string')).toBe(true);
    expect(claims.exp).toMatch(/^\d+$/);
  });

  it('base64-encodes a binary body', async () => {
    received.length = 0;
    const token = await auth.issueLocalToken({
      sub: 'u2',
      groups: ['counter-officer'],
      agencyId: '000.17.22.H56',
    });
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0xff, 0x00, 0xfe]);

    await fetch(`${api.url}/scans`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: bytes,
    });

    expect(received[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(received[0]?.body ?? '', 'base64')).toEqual(Buffer.from(bytes));
  });

  it('keeps accepting tokens issued before a restart on the same data folder', async () => {
    const token = await auth.issueLocalToken({ sub: 'u3', groups: [], agencyId: '000.17.22.H56' });

    const reloaded = await loadLocalAuth(join(dataDir, 'auth'));

    await expect(reloaded.verifyLocalToken(token)).resolves.toMatchObject({ sub: 'u3' });
  });
});
