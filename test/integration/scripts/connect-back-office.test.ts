import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRunningBackOffice, tokenAgency } from '../../../scripts/lib/connect-back-office.ts';

const TOKEN = 'good-token';

describe('findRunningBackOffice', () => {
  let root: string;
  let server: Server;
  let apiUrl: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'motcua-connect-'));
    server = createServer((request, response) => {
      const ok = request.headers.authorization === `Bearer ${TOKEN}`;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(ok ? '{"documents":[]}' : '{"error":{"code":"UNAUTHORIZED","message":"no"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(root, { recursive: true, force: true });
  });

  async function dataDir(name: string, runtime: unknown, token = TOKEN): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'runtime.json'), JSON.stringify(runtime));
    await writeFile(join(dir, 'dev-token.txt'), `${token}\n`);
    return dir;
  }

  it('finds a live back office whose API accepts the dev token', async () => {
    // The parent process is alive and is not this one, as `npm start` would be.
    const dir = await dataDir('live', { apiUrl, pid: process.ppid });

    expect(await findRunningBackOffice(dir)).toEqual({ apiUrl, token: TOKEN, pid: process.ppid });
  });

  it('ignores a missing runtime file, a dead process and an API that refuses the token', async () => {
    const dead = await dataDir('dead', { apiUrl, pid: 2 ** 22 + 12_345 });
    const refused = await dataDir('refused', { apiUrl, pid: process.ppid }, 'stale-token');
    const closed = await dataDir('closed', { apiUrl: 'http://127.0.0.1:9', pid: process.ppid });

    expect(await findRunningBackOffice(join(root, 'nothing-here'))).toBeUndefined();
    expect(await findRunningBackOffice(dead)).toBeUndefined();
    expect(await findRunningBackOffice(refused)).toBeUndefined();
    expect(await findRunningBackOffice(closed)).toBeUndefined();
  });
});

describe('tokenAgency', () => {
  it("reads the agency claim of a JWT's payload", () => {
    const payload = Buffer.from(JSON.stringify({ 'custom:agency': '000.00.01.H99' })).toString('base64url');

    expect(tokenAgency(`h.${payload}.s`)).toBe('000.00.01.H99');
    expect(tokenAgency('not-a-jwt')).toBeUndefined();
  });
});
