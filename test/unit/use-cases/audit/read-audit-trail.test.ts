import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { sealEntry } from '#shared/domain/audit-chain.ts';
import { ForbiddenError } from '#shared/domain/errors.ts';
import { createReadAuditTrail } from '#shared/use-cases/audit/read-audit-trail.ts';
import { verifyAuditChain } from '#shared/use-cases/audit/verify-audit-chain.ts';
import { auditRecord } from '#test/support/audit-trail-contract.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';

const who = (role: Role, agencyId?: string): Principal => ({
  userId: `${role}-1`,
  roles: new Set([role]),
  agencyId,
});
const NOW = new Date('2026-11-22T09:00:00.000Z');

async function setUp() {
  const audit = createInMemoryAuditTrail();
  for (let minute = 0; minute < 5; minute++) {
    await audit.append(
      auditRecord({ at: `2026-11-22T08:0${minute}:00.000Z`, actor: minute % 2 ? 'a' : 'b' }),
    );
  }
  return { audit, read: createReadAuditTrail({ audit, clock: { now: () => NOW } }) };
}

describe('the auditors’ view of the audit trail', () => {
  it('serves auditors and province admins, pages by cursor, and refuses every other role', async () => {
    const { read } = await setUp();
    const first = await read.listEntries(who('auditor'), { actor: 'b', limit: '2' });
    expect(first.entries.map((entry) => entry.seq)).toEqual([1, 3]);
    const second = await read.listEntries(who('province-admin'), {
      actor: 'b',
      limit: '2',
      cursor: first.nextCursor,
    });
    expect(second.entries.map((entry) => entry.seq)).toEqual([5]);
    expect(second.nextCursor).toBeUndefined();
    for (const role of ['counter-officer', 'processing-officer', 'agency-admin'] as const) {
      await expect(read.listEntries(who(role, '000.00.01.H99'), {})).rejects.toBeInstanceOf(ForbiddenError);
      await expect(read.verify(who(role, '000.00.01.H99'), {})).rejects.toBeInstanceOf(ForbiddenError);
    }
  });

  it('takes days or instants, defaults to the last 7 days, and names a bad parameter', async () => {
    const { read } = await setUp();
    expect((await read.listEntries(who('auditor'), {})).entries).toHaveLength(5);
    expect(
      (await read.listEntries(who('auditor'), { from: '2026-11-22', to: '2026-11-22' })).entries,
    ).toHaveLength(5);
    expect(
      (await read.listEntries(who('auditor'), { from: '2026-11-22T15:02:00+07:00' })).entries.map(
        (entry) => entry.seq,
      ),
    ).toEqual([3, 4, 5]);
    await expect(read.listEntries(who('auditor'), { action: 'delete' })).rejects.toMatchObject({
      code: 'INVALID_ACTION',
    });
    await expect(read.listEntries(who('auditor'), { limit: '500' })).rejects.toMatchObject({
      code: 'INVALID_LIMIT',
    });
    await expect(read.listEntries(who('auditor'), { sort: 'desc' })).rejects.toMatchObject({
      code: 'UNKNOWN_PARAMETER',
    });
    await expect(
      read.listEntries(who('auditor'), { from: '2026-11-23', to: '2026-11-22' }),
    ).rejects.toMatchObject({
      code: 'INVALID_FROM',
    });
    await expect(read.verify(who('auditor'), { from: '2026-01-01', to: '2026-11-22' })).rejects.toMatchObject(
      {
        code: 'RANGE_TOO_LONG',
      },
    );
    expect(await read.verify(who('auditor'), {})).toMatchObject({
      valid: true,
      chains: [{ chain: '2026-11-22', entries: 5 }],
    });
  });
});

describe('verifyAuditChain', () => {
  it('names a recomputed digest, and an entry rewritten with a recomputed hash by its successor’s link', async () => {
    const { audit } = await setUp();
    const chain = audit.chains.get('2026-11-22');
    const third = chain?.get(3);
    if (!chain || !third) throw new Error('no chain');
    // The digest recomputed with the field: the entry's own hash gives it away.
    const forged = sealEntry({ ...third, actor: 'nobody' }, third.chain, third.seq, third.prevHash);
    chain.set(3, { ...forged, hash: third.hash });
    expect(
      (await verifyAuditChain(audit, { from: '2026-11-22', to: '2026-11-22' })).firstProblem,
    ).toMatchObject({
      entryId: '2026-11-22/3',
      kind: 'changed',
      fields: ['hash'],
    });
    // The hash recomputed too: the next entry no longer links to it.
    chain.set(3, forged);
    expect(
      (await verifyAuditChain(audit, { from: '2026-11-22', to: '2026-11-22' })).firstProblem,
    ).toMatchObject({
      entryId: '2026-11-22/3',
      kind: 'changed',
      fields: ['hash'],
    });
    chain.set(3, third);
    chain.delete(5);
    // A cut-off tail is invisible to the chain alone (the head must be anchored elsewhere).
    expect((await verifyAuditChain(audit, { from: '2026-11-22', to: '2026-11-22' })).valid).toBe(true);
  });
});
