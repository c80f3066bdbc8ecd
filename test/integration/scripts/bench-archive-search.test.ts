import { describe, expect, it } from 'vitest';
import { archiveIndexItems } from '#shared/adapters/aws/dynamodb-document-repository.ts';
import { benchArchiveSearch, makeArchiveEntries } from '../../../scripts/lib/bench-archive-search.ts';

describe('the archive search bench', () => {
  it('spreads its papers as the report says: owners with 1–5 papers, 300 agencies, 40 types, some dossiers', () => {
    const entries = makeArchiveEntries(20_000);
    const perOwner = new Map<string, number>();
    for (const entry of entries) perOwner.set(entry.ownerId, (perOwner.get(entry.ownerId) ?? 0) + 1);
    expect(Math.max(...perOwner.values())).toBe(5);
    expect(Math.min(...[...perOwner.values()].slice(0, -1))).toBe(1);
    expect(new Set(entries.map((entry) => entry.agencyId)).size).toBeGreaterThan(250);
    expect(new Set(entries.map((entry) => entry.agencyId)).size).toBeLessThanOrEqual(300);
    expect(new Set(entries.map((entry) => entry.docType)).size).toBe(40);
    expect(new Set(entries.map((entry) => entry.code)).size).toBe(entries.length);
    const inDossier = entries.filter((entry) => entry.dossierId).length / entries.length;
    expect(inDossier).toBeGreaterThan(0.2);
    expect(inDossier).toBeLessThan(0.5);
    const years = new Set(entries.map((entry) => entry.archivedAt.slice(0, 4)));
    expect([...years].sort()).toEqual(['2024', '2025', '2026']);
  });

  it('loads every index item (through the API, then straight into the store) and prints both ratios', async () => {
    const lines: string[] = [];
    const entries = 2500;
    const result = await benchArchiveSearch({
      entries,
      samples: 5,
      warmUp: 1,
      print: (line = '') => lines.push(line),
    });
    expect(result.items).toBe(makeArchiveEntries(entries).flatMap(archiveIndexItems).length);
    const report = lines.join('\n');
    expect(report).toMatch(/^ratio archive-lookup-p99\/bare-query: \d+\.\d\d$/m);
    expect(report).toMatch(/^ratio archive-search-p99\/bare-query: \d+\.\d\d$/m);
    expect(report).toContain(`Loaded ${entries.toLocaleString('en')} archive entries`);
  }, 120_000);
});
