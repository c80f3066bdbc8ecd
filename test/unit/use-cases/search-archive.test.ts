import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { ForbiddenError, ValidationError } from '#shared/domain/errors.ts';
import { createSearchArchive } from '#shared/use-cases/archive/search-archive.ts';
import { CONTRACT_ENTRIES } from '#test/support/archive-search-contract.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const who = (role: Role, agencyId?: string): Principal => ({
  userId: role,
  roles: new Set([role]),
  agencyId,
});

async function setUp() {
  const repository = createInMemoryRepository();
  for (const entry of CONTRACT_ENTRIES) await repository.putArchiveEntry(entry);
  return createSearchArchive({
    repository,
    audit: createInMemoryAuditTrail(),
    clock: { now: () => new Date('2026-11-22T03:00:00.000Z') },
  });
}

describe('searchArchive', () => {
  it('lets an auditor search the whole province, hits carrying code, type, owner, agency, dossier and dates', async () => {
    const search = await setUp();
    const page = await search(who('auditor'), { ownerId: '0101234567', docType: 'LLTP' });
    expect(page.documents).toEqual([
      {
        code: 'A.LLTP.01',
        docType: 'LLTP',
        ownerId: '0101234567',
        agencyId: 'agency-y',
        dossierId: 'agency-x-260820-0001',
        documentId: 'doc-A.LLTP.01',
        archivedAt: '2026-05-02T00:00:00.000Z',
        retainUntil: undefined,
        signature: undefined,
      },
    ]);
  });

  it('answers a range in Vietnam time and pages by cursor', async () => {
    const search = await setUp();
    const q3 = {
      agencyId: 'agency-x',
      docType: 'GPXD',
      archivedFrom: '2026-07-01T00:00:00+07:00',
      archivedTo: '2026-09-30T23:59:59.999+07:00',
    };
    const first = await search(who('province-admin'), { ...q3, limit: '2' });
    expect(first.documents.map((hit) => hit.code)).toEqual(['B.GPXD.01', 'A.GPXD.02']);
    const second = await search(who('province-admin'), { ...q3, limit: '2', cursor: first.nextCursor });
    expect(second.documents.map((hit) => hit.code)).toEqual(['A.GPXD.01']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('keeps an agency admin to its own agency', async () => {
    const search = await setUp();
    const own = await search(who('agency-admin', 'agency-y'), { docType: 'GPXD' });
    expect(own.documents.map((hit) => hit.code)).toEqual(['C.GPXD.01']);
    await expect(search(who('agency-admin', 'agency-y'), { agencyId: 'agency-x' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(search(who('counter-officer', 'agency-x'), { agencyId: 'agency-x' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('refuses a search without a criterion, a bad range, a bad limit and unknown parameters', async () => {
    const search = await setUp();
    const auditor = who('auditor');
    await expect(search(auditor, {})).rejects.toMatchObject({ code: 'MISSING_CRITERION' });
    await expect(
      search(auditor, {
        docType: 'KS',
        archivedFrom: '2026-10-01T00:00:00Z',
        archivedTo: '2026-09-01T00:00:00Z',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARCHIVED_FROM' });
    await expect(search(auditor, { docType: 'KS', archivedFrom: 'yesterday' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(search(auditor, { docType: 'KS', limit: '500' })).rejects.toMatchObject({
      code: 'INVALID_LIMIT',
    });
    await expect(search(auditor, { docType: 'KS', sort: 'asc' })).rejects.toMatchObject({
      code: 'UNKNOWN_PARAMETER',
    });
  });
});
