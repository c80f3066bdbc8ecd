import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevTokenError, issueDevToken } from '#infra/local/issue-dev-token.ts';
import { loadLocalAuth } from '#infra/local/local-auth.ts';
import { isAllowed, principalFromClaims } from '#shared/auth/authorize.ts';

const CONFIG = 'config/provinces/sample-province.yaml';
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'motcua-token-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('npm run token (issueDevToken)', () => {
  it('mints an auditor token, valid for the back office on the same data folder, for one hour by default', async () => {
    const token = await issueDevToken({ roles: ['auditor'], dataDir, configPath: CONFIG });
    const claims = await (await loadLocalAuth(join(dataDir, 'auth'))).verifyLocalToken(token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
    const principal = principalFromClaims(claims as Record<string, unknown>);
    expect([...principal.roles]).toEqual(['auditor']);
    expect(isAllowed(principal, 'document:read', '000.00.14.H99')).toBe(true);
    expect(isAllowed(principal, 'document:review', principal.agencyId)).toBe(false);
  });

  it('mints a token for any role and agency, with the lifetime asked for', async () => {
    const token = await issueDevToken({
      roles: ['processing-officer', 'agency-admin'],
      agencyId: '000.00.01.H99',
      user: 'lan',
      ttl: '30m',
      dataDir,
      configPath: CONFIG,
    });
    const claims = await (await loadLocalAuth(join(dataDir, 'auth'))).verifyLocalToken(token);
    expect(claims).toMatchObject({ sub: 'lan', 'custom:agency': '000.00.01.H99' });
    expect(claims['cognito:groups']).toEqual(['processing-officer', 'agency-admin']);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(1800);
  });

  it('refuses an unknown role, an unknown agency and a malformed lifetime, saying what is allowed', async () => {
    const request = { dataDir, configPath: CONFIG };
    await expect(issueDevToken({ ...request, roles: ['boss'] })).rejects.toThrow(
      /unknown role boss: choose from counter-officer, .*auditor/,
    );
    await expect(issueDevToken({ ...request, roles: [] })).rejects.toBeInstanceOf(DevTokenError);
    await expect(
      issueDevToken({ ...request, roles: ['auditor'], agencyId: '999.99.99.H00' }),
    ).rejects.toThrow(/unknown agency 999\.99\.99\.H00/);
    await expect(issueDevToken({ ...request, roles: ['auditor'], ttl: 'forever' })).rejects.toThrow(
      /invalid --ttl "forever"/,
    );
  });
});
