import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFilePortalSender } from '#shared/adapters/portal/file-portal-sender.ts';
import { makeMessage, UNIT } from '#test/support/portal-sync.ts';

const CODE = `${UNIT}-261123-0001`;
const lines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { messageId: string });

describe('file portal sender', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'motcua-portal-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each message once as a JSON line, across concurrent sends and a new sender on the same file', async () => {
    const path = join(dir, 'nested', 'portal.jsonl');
    const first = makeMessage(CODE, 1, 1, '2026-11-23T02:00:00.000Z');
    const messages = [first, ...[2, 3].map((n) => makeMessage(CODE, 1, n, '2026-11-23T02:00:00.000Z'))];
    const sender = createFilePortalSender({ path });
    const results = await Promise.all([...messages, ...messages].map((message) => sender.send(message)));
    expect(results.every((result) => result.outcome === 'delivered')).toBe(true);
    const again = createFilePortalSender({ path });
    await again.send(first);
    await again.send(makeMessage(CODE, 2, 1, '2026-11-23T03:00:00.000Z'));
    const written = await lines(path);
    expect(written.map((line) => line.messageId)).toEqual([
      ...messages.map((message) => message.messageId),
      `${CODE}#2#DongBoHoSoMC#1`,
    ]);
    expect(written[0]).toEqual({
      messageId: first.messageId,
      dossierCode: CODE,
      version: 1,
      service: 'DongBoHoSoMC',
      createdAt: '2026-11-23T02:00:00.000Z',
      body: first.body,
    });
  });

  it('writes again a message whose line a crash cut short, on a line of its own', async () => {
    const path = join(dir, 'cut.jsonl');
    const message = makeMessage(CODE, 1, 1, '2026-11-23T02:00:00.000Z');
    await writeFile(path, JSON.stringify({ messageId: message.messageId }).slice(0, 20));
    expect(await createFilePortalSender({ path }).send(message)).toEqual({ outcome: 'delivered' });
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(JSON.parse(text.split('\n')[1] ?? '')).toMatchObject({ messageId: message.messageId });
  });

  it('asks for a retry when it cannot write', async () => {
    const sender = createFilePortalSender({ path: dir });
    expect(await sender.send(makeMessage(CODE, 1, 1, '2026-11-23T02:00:00.000Z'))).toMatchObject({
      outcome: 'retry',
    });
  });
});
