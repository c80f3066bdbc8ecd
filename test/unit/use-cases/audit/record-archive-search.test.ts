import { describe, expect, it, vi } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { ForbiddenError } from '#shared/domain/errors.ts';
import type { AuditTrail } from '#shared/ports/audit-trail.ts';
import { createSearchArchive } from '#shared/use-cases/archive/search-archive.ts';
import { CONTRACT_ENTRIES } from '#test/support/archive-search-contract.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const who = (role: Role, agencyId?: string): Principal => ({
  userId: `${role}-1`,
  roles: new Set([role]),
  agencyId,
});
const NOW = new Date('2026-11-22T03:00:00.000Z');
const DAY = { from: '2026-11-22T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z', limit: 50 };

async function setUp(audit: AuditTrail = createInMemoryAuditTrail()) {
  const repository = createInMemoryRepository();
  for (const entry of CONTRACT_ENTRIES) await repository.putArchiveEntry(entry);
  return { audit, repository, search: createSearchArchive({ repository, audit, clock: { now: () => NOW } }) };
}

describe('archive searches in the audit trail', () => {
  it('records each search with its criteria, hit count and origin', async () => {
    const { audit, search } = await setUp();
    const page = await search(
      who('auditor'),
      { docType: 'GPXD', agencyId: 'agency-x', limit: '3', cursor: undefined },
      {
        ip: '198.51.100.4',
      },
    );
    expect(page.documents).toHaveLength(3);
    expect((await audit.listEntries(DAY)).items).toEqual([
      expect.objectContaining({
        actor: 'auditor-1',
        roles: ['auditor'],
        action: 'search',
        target: { query: { docType: 'GPXD', agencyId: 'agency-x', limit: '3' }, hits: 3 },
        source: { ip: '198.51.100.4' },
        outcome: 'allowed',
        at: NOW.toISOString(),
      }),
    ]);
  });

  it("records a refused search (another agency's papers, a role without search) as denied", async () => {
    const { audit, repository, search } = await setUp();
    const searched = vi.spyOn(repository, 'searchArchive');
    await expect(search(who('agency-admin', 'agency-y'), { agencyId: 'agency-x' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      search(who('counter-officer', 'agency-x'), { ownerId: '0101234567' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(searched).not.toHaveBeenCalled();
    expect((await audit.listEntries({ ...DAY, outcome: 'denied' })).items).toEqual([
      expect.objectContaining({
        actor: 'agency-admin-1',
        agencyId: 'agency-y',
        target: { query: { agencyId: 'agency-x' } },
        reason: 'FORBIDDEN',
      }),
      expect.objectContaining({
        actor: 'counter-officer-1',
        target: { query: { ownerId: '0101234567' } },
        reason: 'FORBIDDEN',
      }),
    ]);
  });

  it('hands out no hits when the search cannot be recorded', async () => {
    const { search } = await setUp({
      ...createInMemoryAuditTrail(),
      append: () => Promise.reject(new Error('audit store down')),
    });
    await expect(search(who('auditor'), { docType: 'GPXD' })).rejects.toThrow('audit store down');
  });
});
