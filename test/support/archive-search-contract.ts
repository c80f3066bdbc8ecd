import { expect, it } from 'vitest';
import type { ArchiveEntry, DocumentRepository } from '#shared/ports.ts';

const entry = (code: string, overrides: Partial<ArchiveEntry>): ArchiveEntry => ({
  code,
  documentId: `doc-${code}`,
  ownerId: '038319001234',
  docType: 'KS',
  agencyId: '000.00.01.H99',
  archivedAt: '2026-07-01T01:00:00.000Z',
  signedPdfKey: `x/${code}/${code}.pdf`,
  ...overrides,
});

/** Seven archived papers of two agencies, three types and three owners across two quarters. */
export const CONTRACT_ENTRIES: ArchiveEntry[] = [
  entry('A.GPXD.01', {
    ownerId: '0101234567',
    docType: 'GPXD',
    agencyId: 'agency-x',
    archivedAt: '2026-07-03T02:00:00.000Z',
  }),
  entry('A.GPXD.02', {
    ownerId: '0101234567',
    docType: 'GPXD',
    agencyId: 'agency-x',
    archivedAt: '2026-08-15T02:00:00.000Z',
  }),
  entry('B.GPXD.01', {
    ownerId: '0109876543',
    docType: 'GPXD',
    agencyId: 'agency-x',
    archivedAt: '2026-09-30T16:59:59.999Z',
  }),
  entry('B.GPXD.02', {
    ownerId: '0109876543',
    docType: 'GPXD',
    agencyId: 'agency-x',
    archivedAt: '2026-10-01T00:00:00.000Z',
  }),
  entry('C.GPXD.01', {
    ownerId: '0105555555',
    docType: 'GPXD',
    agencyId: 'agency-y',
    archivedAt: '2026-08-01T00:00:00.000Z',
  }),
  entry('A.KS.01', {
    ownerId: '0101234567',
    docType: 'KS',
    agencyId: 'agency-x',
    archivedAt: '2026-08-20T00:00:00.000Z',
    dossierId: 'agency-x-260820-0001',
  }),
  entry('A.LLTP.01', {
    ownerId: '0101234567',
    docType: 'LLTP',
    agencyId: 'agency-y',
    archivedAt: '2026-05-02T00:00:00.000Z',
    dossierId: 'agency-x-260820-0001',
  }),
];

const codes = (page: { items: ArchiveEntry[] }) => page.items.map((item) => item.code);

/**
 * The behaviour every DocumentRepository's archive search must have, run against the in-memory
 * fake and the DynamoDB adapter alike.
 */
export function archiveSearchContract(repository: () => DocumentRepository): void {
  it('finds a paper by its code, and by owner, dossier, agency or type, newest first', async () => {
    const repo = repository();
    for (const item of CONTRACT_ENTRIES) await repo.putArchiveEntry(item);
    expect(codes(await repo.searchArchive({ code: 'A.KS.01', limit: 10 }))).toEqual(['A.KS.01']);
    expect(codes(await repo.searchArchive({ ownerId: '0101234567', limit: 10 }))).toEqual([
      'A.KS.01',
      'A.GPXD.02',
      'A.GPXD.01',
      'A.LLTP.01',
    ]);
    expect(codes(await repo.searchArchive({ dossierId: 'agency-x-260820-0001', limit: 10 }))).toEqual([
      'A.KS.01',
      'A.LLTP.01',
    ]);
    expect(codes(await repo.searchArchive({ docType: 'LLTP', limit: 10 }))).toEqual(['A.LLTP.01']);
  });

  it('answers "all building permits of agency X in Q3" (Vietnam time) and nothing outside it', async () => {
    const repo = repository();
    for (const item of CONTRACT_ENTRIES) await repo.putArchiveEntry(item);
    const q3 = { archivedFrom: '2026-06-30T17:00:00.000Z', archivedTo: '2026-09-30T16:59:59.999Z' };
    expect(
      codes(await repo.searchArchive({ agencyId: 'agency-x', docType: 'GPXD', ...q3, limit: 10 })),
    ).toEqual(['B.GPXD.01', 'A.GPXD.02', 'A.GPXD.01']);
  });

  it('combines criteria that no single index holds, and a code with a criterion it fails', async () => {
    const repo = repository();
    for (const item of CONTRACT_ENTRIES) await repo.putArchiveEntry(item);
    expect(
      codes(await repo.searchArchive({ ownerId: '0101234567', agencyId: 'agency-y', limit: 10 })),
    ).toEqual(['A.LLTP.01']);
    expect(codes(await repo.searchArchive({ code: 'A.KS.01', agencyId: 'agency-y', limit: 10 }))).toEqual([]);
  });

  it('pages with a cursor in a stable order, every hit once', async () => {
    const repo = repository();
    for (const item of CONTRACT_ENTRIES) await repo.putArchiveEntry(item);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.searchArchive({ docType: 'GPXD', limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...codes(page));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(['B.GPXD.02', 'B.GPXD.01', 'A.GPXD.02', 'C.GPXD.01', 'A.GPXD.01']);
  });

  it('keeps one hit per paper when its entry is written again (a resumed archive step)', async () => {
    const repo = repository();
    const [first] = CONTRACT_ENTRIES;
    if (!first) throw new Error('no entries');
    await repo.putArchiveEntry(first);
    await repo.putArchiveEntry(first);
    expect(codes(await repo.searchArchive({ ownerId: first.ownerId, limit: 10 }))).toEqual([first.code]);
  });
}
