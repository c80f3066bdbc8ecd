import { expect, it } from 'vitest';
import { genesisHash } from '#shared/domain/audit-chain.ts';
import type { AuditEntry, AuditRecord, AuditTrail } from '#shared/ports/audit-trail.ts';
import { verifyAuditChain } from '#shared/use-cases/audit/verify-audit-chain.ts';

/** A record of an auditor's download of one paper; override what a case needs. */
export const auditRecord = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  actor: 'auditor-1',
  roles: ['auditor'],
  action: 'download',
  target: { documentId: 'd1', code: '038319001234.KS.01' },
  at: '2026-11-22T02:00:00.000Z',
  source: { ip: '203.0.113.7', userAgent: 'curl/8.5' },
  outcome: 'allowed',
  ...overrides,
});

async function everyPage(
  trail: AuditTrail,
  query: Parameters<AuditTrail['listEntries']>[0],
): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await trail.listEntries({ ...query, cursor });
    expect(page.items.length).toBeLessThanOrEqual(query.limit);
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

const DAY = { from: '2026-11-22T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z' };

/** The behaviour every AuditTrail keeps; `trail` gives an empty one per test. */
export function auditTrailContract(trail: () => AuditTrail): void {
  it('appends entries numbered from 1 in a chain per UTC day, each carrying the previous hash', async () => {
    const audit = trail();
    const first = await audit.append(auditRecord());
    const second = await audit.append(auditRecord({ action: 'verify', at: '2026-11-22T02:00:01.000Z' }));
    const nextDay = await audit.append(auditRecord({ at: '2026-11-23T00:00:00.000Z' }));
    expect(first).toMatchObject({ entryId: '2026-11-22/1', chain: '2026-11-22', seq: 1 });
    expect(first.prevHash).toBe(genesisHash('2026-11-22'));
    expect(second).toMatchObject({ entryId: '2026-11-22/2', seq: 2, prevHash: first.hash });
    expect(nextDay).toMatchObject({ entryId: '2026-11-23/1', prevHash: genesisHash('2026-11-23') });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([first.hash, second.hash, nextDay.hash]).size).toBe(3);
  });

  it('stores each entry exactly as sealed: who, roles, agency, action, target, when, from where, outcome', async () => {
    const audit = trail();
    const denied = await audit.append(
      auditRecord({
        actor: 'officer-9',
        roles: ['counter-officer'],
        agencyId: '000.17.22.H99',
        action: 'search',
        target: { query: { ownerId: '0101234567', limit: '10' }, hits: 0 },
        outcome: 'denied',
        reason: 'FORBIDDEN',
      }),
    );
    const plain = await audit.append(auditRecord({ source: undefined, at: '2026-11-22T03:00:00.000Z' }));
    expect(await audit.readChain('2026-11-22', { afterSeq: 0, limit: 10 })).toEqual([denied, plain]);
    expect(denied).toMatchObject({
      actor: 'officer-9',
      agencyId: '000.17.22.H99',
      target: { query: { ownerId: '0101234567', limit: '10' }, hits: 0 },
      outcome: 'denied',
      reason: 'FORBIDDEN',
    });
    expect(await audit.readChain('2026-11-22', { afterSeq: 1, limit: 10 })).toEqual([plain]);
    expect(await audit.readChain('2026-11-21', { afterSeq: 0, limit: 10 })).toEqual([]);
    expect(await verifyAuditChain(audit, DAY)).toMatchObject({ valid: true });
  });

  it('gives 20 concurrent writers a gapless chain that verifies', async () => {
    const audit = trail();
    const entries = await Promise.all(
      Array.from({ length: 20 }, (_, writer) =>
        audit.append(
          auditRecord({
            actor: `writer-${writer}`,
            at: `2026-11-22T05:00:${String(writer).padStart(2, '0')}.000Z`,
          }),
        ),
      ),
    );
    expect(entries.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 1),
    );
    const report = await verifyAuditChain(audit, DAY);
    expect(report).toMatchObject({ valid: true, chains: [{ chain: '2026-11-22', entries: 20 }] });
    const chain = await audit.readChain('2026-11-22', { afterSeq: 0, limit: 100 });
    expect(new Set(chain.map((entry) => entry.actor)).size).toBe(20);
  });

  it('finds entries by actor, document, action, outcome and time, oldest first, each once across pages', async () => {
    const audit = trail();
    const at = (minute: number, day = 22) => `2026-11-${day}T04:${String(minute).padStart(2, '0')}:00.000Z`;
    for (let minute = 0; minute < 12; minute++) {
      await audit.append(
        auditRecord({
          actor: minute % 2 ? 'auditor-1' : 'admin-1',
          action: minute % 3 ? 'download' : 'search',
          target: minute % 3 ? { documentId: `d${minute % 4}` } : { query: { docType: 'KS' }, hits: 1 },
          outcome: minute === 7 ? 'denied' : 'allowed',
          ...(minute === 7 && { reason: 'NOT_FOUND' }),
          at: at(minute, minute < 9 ? 22 : 23),
        }),
      );
    }
    const range = { from: '2026-11-22T00:00:00.000Z', to: '2026-11-23T23:59:59.999Z' };
    const byActor = await everyPage(audit, { ...range, actor: 'auditor-1', limit: 2 });
    expect(byActor.map((entry) => entry.at)).toEqual(
      [1, 3, 5, 7].map((m) => at(m)).concat([at(9, 23), at(11, 23)]),
    );
    const byDocument = await everyPage(audit, { ...range, documentId: 'd1', limit: 1 });
    expect(byDocument.map((entry) => entry.at)).toEqual([at(1), at(5)]);
    const searches = await everyPage(audit, { ...range, action: 'search', limit: 3 });
    expect(searches.map((entry) => entry.at)).toEqual([at(0), at(3), at(6), at(9, 23)]);
    const denied = await everyPage(audit, { ...range, outcome: 'denied', limit: 5 });
    expect(denied.map((entry) => entry.reason)).toEqual(['NOT_FOUND']);
    const window = await everyPage(audit, { from: at(4), to: at(10, 23), limit: 4 });
    expect(window.map((entry) => entry.at)).toEqual(
      [4, 5, 6, 7, 8].map((m) => at(m)).concat([at(9, 23), at(10, 23)]),
    );
    const both = await everyPage(audit, {
      ...range,
      actor: 'auditor-1',
      documentId: 'd1',
      action: 'download',
      limit: 10,
    });
    expect(both.map((entry) => entry.at)).toEqual([at(1), at(5)]);
  });

  it('refuses a cursor of another query', async () => {
    const audit = trail();
    for (let second = 0; second < 3; second++) {
      await audit.append(auditRecord({ at: `2026-11-22T06:00:0${second}.000Z` }));
    }
    const page = await audit.listEntries({ ...DAY, actor: 'auditor-1', limit: 1 });
    expect(page.cursor).toBeDefined();
    await expect(
      audit.listEntries({ ...DAY, actor: 'someone-else', limit: 1, cursor: page.cursor }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
}
