import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  ensureAuditTable,
  ensureDocumentsTable,
  startLocalDynamoDb,
} from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbAuditTrail } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import {
  archiveIndexItems,
  createDynamoDbDocumentRepository,
} from '#shared/adapters/aws/dynamodb-document-repository.ts';
import type { Principal } from '#shared/auth/authorize.ts';
import type { ArchiveEntry } from '#shared/ports.ts';
import { createSearchArchive } from '#shared/use-cases/archive/search-archive.ts';
import { batchWriteItems } from '#test/support/batch-write-items.ts';
import { bulkLoadDynalite } from './bulk-load-dynalite.ts';

/** Options of {@link benchArchiveSearch}. */
export interface ArchiveBenchOptions {
  /** Archived papers in the index. */
  entries: number;
  /** Timed calls of each kind, after the warm-up. @default 300 */
  samples?: number;
  /** Untimed calls of each kind first. @default 30 */
  warmUp?: number;
  /** Hits per page, as an auditor's client would ask. @default 25 */
  pageSize?: number;
  print: (line?: string) => void;
}

/** p50 and p99 (ms) of each measured call, and the two ratios the report closes with. */
export interface ArchiveBenchResult {
  loadMs: number;
  items: number;
  lookup: Percentiles;
  search: Percentiles;
  bareQuery: Percentiles;
  lookupRatio: number;
  searchRatio: number;
}

interface Percentiles {
  p50: number;
  p99: number;
}

const AGENCIES = 300;
const DOC_TYPES = [
  'GPXD',
  'KS',
  'KH',
  'TTHN',
  'LLTP',
  'CT',
  'DKDN',
  'QSDD',
  'DDN',
  'HKD',
  'CCCD',
  'HK',
  'GCN',
  'GPKD',
  'HDLD',
  'BHXH',
  'GPLX',
  'XNCT',
  'TB',
  'QD',
  'BB',
  'HD',
  'GXN',
  'CV',
  'TT',
  'DXN',
  'GUQ',
  'BDHK',
  'HSDD',
  'GPMT',
  'XNHN',
  'GCNDT',
  'PCCC',
  'ATTP',
  'GPCT',
  'CNQSH',
  'BBNT',
  'HSKT',
  'TKTC',
  'DTM',
];
/** The type and the range the filtered search asks for: "building permits of agency X in Q3". */
const SEARCH_TYPE = 'GPXD';
const Q3 = { archivedFrom: '2025-07-01T00:00:00.000Z', archivedTo: '2025-09-30T23:59:59.999Z' };
const SPAN_START = Date.UTC(2024, 0, 1);
const SPAN_MS = 3 * 365 * 24 * 3600 * 1000;
const AUDITOR: Principal = { userId: 'bench-auditor', roles: new Set(['auditor']) };

/** A small seeded generator (mulberry32), so that every run loads the same archive. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const agencyId = (index: number) =>
  `000.${String(Math.floor(index / 100)).padStart(2, '0')}.${String(index % 100).padStart(2, '0')}.H99`;
const hex = (random: () => number) =>
  Array.from({ length: 8 }, () =>
    Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0'),
  ).join('');

/**
 * `count` archived papers as the archive step records them: owners with 1–5 papers, mostly at one
 * agency (a few agencies much busier than the rest), types skewed towards the common ones (a
 * building permit is one paper in ten), archived over three years, a third of them in a dossier.
 */
export function makeArchiveEntries(count: number, seed = 8): ArchiveEntry[] {
  const random = seededRandom(seed);
  // Squaring skews picks towards the low indexes: busy agencies and common types.
  const skewed = (size: number) => Math.min(size - 1, Math.floor(random() ** 2 * size));
  const entries: ArchiveEntry[] = [];
  for (let owner = 0; entries.length < count; owner++) {
    const ownerId = `0${String(38_000_000_000 + owner * 7).padStart(11, '0')}`;
    const home = agencyId(skewed(AGENCIES));
    const dossierId = random() < 0.35 ? `${home}-${String(owner).padStart(8, '0')}` : undefined;
    const papers = 1 + Math.floor(random() * 5);
    const sequences = new Map<string, number>();
    for (let paper = 0; paper < papers && entries.length < count; paper++) {
      const docType = random() < 0.1 ? SEARCH_TYPE : (DOC_TYPES[skewed(DOC_TYPES.length)] ?? 'KS');
      const sequence = (sequences.get(docType) ?? 0) + 1;
      sequences.set(docType, sequence);
      const code = `${ownerId}.${docType}.${String(sequence).padStart(2, '0')}`;
      const archivedAt = new Date(SPAN_START + Math.floor(random() * SPAN_MS));
      entries.push({
        code,
        documentId: `doc-${owner}-${paper}`,
        ownerId,
        docType,
        agencyId: random() < 0.85 ? home : agencyId(skewed(AGENCIES)),
        ...(dossierId && { dossierId }),
        archivedAt: archivedAt.toISOString(),
        signedPdfKey: `${ownerId}/${code}/${code}.pdf`,
        signedPdfVersionId: hex(random).slice(0, 32),
        retainUntil: new Date(archivedAt.getTime() + 20 * 365 * 24 * 3600 * 1000).toISOString(),
        signature: {
          signer: `Trung tâm Phục vụ hành chính công ${home}`,
          algorithm: 'ECDSA_SHA_256',
          signedAt: archivedAt.toISOString(),
          certificateFingerprint: hex(random),
          certificate: {
            subject: `C=VN, ST=Tỉnh Mẫu, O=Ủy ban nhân dân tỉnh Mẫu, CN=${home}`,
            issuer: 'C=VN, O=Ban Cơ yếu Chính phủ, CN=Cục Chứng thực số và Bảo mật thông tin',
            notBefore: '2023-06-01T00:00:00.000Z',
            notAfter: '2028-06-01T00:00:00.000Z',
          },
          signedPdfSha256: hex(random),
        },
      });
    }
  }
  return entries;
}

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

/** How many entries go through BatchWriteItem (timed, for the report) before the bulk load. */
const THROUGH_API = 2000;

/**
 * Archive search at scale on the embedded DynamoDB (dynalite on disk, in a fresh temporary
 * folder): `entries` archived papers' index items, in the adapter's own layout, then, interleaved
 * call by call so that a slow spell of the shared machine hits all three alike: an owner lookup
 * and a filtered search (type + agency + archived-at range) through the search use case as the API
 * runs it (its audit entry included), and a bare Query of the partition and page size the owner
 * lookup reads.
 *
 * Loading: the first entries go through BatchWriteItem, timed; dynalite stores a few thousand
 * items a second that way (every put reads the table description and the old item), so the rest is
 * written straight into its store, exactly as it stored the first (checked), and the loaded
 * index is checked through the API before anything is timed.
 */
export async function benchArchiveSearch(options: ArchiveBenchOptions): Promise<ArchiveBenchResult> {
  const { print, entries: count } = options;
  const samples = options.samples ?? 300;
  const warmUp = options.warmUp ?? 30;
  const pageSize = options.pageSize ?? 25;
  const dataDir = await mkdtemp(join(tmpdir(), 'motcua-archive-bench-'));
  const clientOf = (endpoint: string) =>
    new DynamoDBClient({
      endpoint,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  let dynamo = await startLocalDynamoDb({ dataDir });
  let client = clientOf(dynamo.endpoint);
  try {
    await ensureDocumentsTable(client, 'documents');
    await ensureAuditTable(client, 'audit');
    const entries = makeArchiveEntries(count);
    const throughApi = entries.slice(0, THROUGH_API).flatMap(archiveIndexItems);
    function* rest() {
      for (let start = THROUGH_API; start < entries.length; start += 1000) {
        yield entries.slice(start, start + 1000).flatMap(archiveIndexItems);
      }
    }
    let started = performance.now();
    await batchWriteItems(client, 'documents', throughApi, 8);
    const apiMs = performance.now() - started;
    client.destroy();
    await dynamo.stop();
    started = performance.now();
    const probe = throughApi.filter((_, index) => index % 97 === 0);
    const bulkItems = await bulkLoadDynalite(dataDir, 'documents', rest(), probe);
    const bulkMs = performance.now() - started;
    const items = throughApi.length + bulkItems;
    dynamo = await startLocalDynamoDb({ dataDir });
    client = clientOf(dynamo.endpoint);
    const loadMs = apiMs + bulkMs;
    const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en');
    print(
      `Loaded ${count.toLocaleString('en')} archive entries (${items.toLocaleString('en')} index items, ${Math.round((items / count) * 10) / 10} a paper) in ${(loadMs / 1000).toFixed(1)} s: ${rate(count, loadMs)} entries/s`,
    );
    print(
      `  BatchWriteItem through dynalite's API ${rate(throughApi.length, apiMs)} items/s (first ${Math.min(count, THROUGH_API).toLocaleString('en')} entries), straight into its store ${rate(bulkItems, bulkMs)} items/s (the rest)`,
    );

    const repository = createDynamoDbDocumentRepository(client, 'documents');
    const audit = createDynamoDbAuditTrail(client, 'audit');
    const searchArchive = createSearchArchive({ repository, audit, clock: { now: () => new Date() } });
    const random = seededRandom(99);
    const owners = [...new Set(entries.map((entry) => entry.ownerId))];
    const byAgency = new Map<string, number>();
    for (const entry of entries) byAgency.set(entry.agencyId, (byAgency.get(entry.agencyId) ?? 0) + 1);
    // Busy agencies, where a quarter's building permits fill more than a page.
    const agencies = [...byAgency]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([id]) => id);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
    const expectedHits = (match: (entry: ArchiveEntry) => boolean) =>
      Math.min(pageSize, entries.filter(match).length);
    const inSearch = (agency: string) => (entry: ArchiveEntry) =>
      entry.agencyId === agency &&
      entry.docType === SEARCH_TYPE &&
      entry.archivedAt >= Q3.archivedFrom &&
      entry.archivedAt <= Q3.archivedTo;

    const limit = String(pageSize);
    const lookup = async (ownerId: string) =>
      (await searchArchive(AUDITOR, { ownerId, limit })).documents.length;
    const search = async (agency: string) =>
      (await searchArchive(AUDITOR, { docType: SEARCH_TYPE, agencyId: agency, ...Q3, limit })).documents
        .length;
    const bareQuery = async (ownerId: string) =>
      (
        await client.send(
          new QueryCommand({
            TableName: 'documents',
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: `ARCHIVE#OWNER#${ownerId}` } },
            ScanIndexForward: false,
            Limit: pageSize,
          }),
        )
      ).Items?.length ?? 0;

    const adapterQuery = async (ownerId: string) =>
      (await repository.searchArchive({ ownerId, limit: pageSize })).items.length;
    const auditAppend = async (ownerId: string) => {
      const query = { ownerId, limit };
      const at = new Date().toISOString();
      await audit.append({
        actor: AUDITOR.userId,
        roles: ['auditor'],
        action: 'search',
        target: { query, hits: 1 },
        at,
        outcome: 'allowed',
      });
      return 1;
    };

    // What was loaded is what the searches find (an owner's papers, an agency's quarter).
    for (let check = 0; check < 20; check++) {
      const ownerId = pick(owners);
      const agency = pick(agencies);
      const want = [expectedHits((entry) => entry.ownerId === ownerId), expectedHits(inSearch(agency))];
      const got = [await bareQuery(ownerId), await search(agency)];
      if (got.join() !== want.join()) {
        throw new Error(
          `owner ${ownerId} / agency ${agency}: expected ${want.join(' / ')} hits, found ${got.join(' / ')}`,
        );
      }
    }

    const timings = {
      lookup: [] as number[],
      search: [] as number[],
      bareQuery: [] as number[],
      adapterQuery: [] as number[],
      auditAppend: [] as number[],
    };
    const timed = async (kind: keyof typeof timings, call: () => Promise<number>, keep: boolean) => {
      const begun = performance.now();
      await call();
      if (keep) timings[kind].push(performance.now() - begun);
    };
    started = performance.now();
    for (let round = 0; round < warmUp + samples; round++) {
      const ownerId = pick(owners);
      const agency = pick(agencies);
      const calls = [
        () => timed('lookup', () => lookup(ownerId), round >= warmUp),
        () => timed('bareQuery', () => bareQuery(ownerId), round >= warmUp),
        () => timed('search', () => search(agency), round >= warmUp),
        () => timed('adapterQuery', () => adapterQuery(ownerId), round >= warmUp),
        () => timed('auditAppend', () => auditAppend(ownerId), round >= warmUp),
      ];
      // Rotate the order, so that none always runs first (or right after another's garbage).
      for (let call = 0; call < calls.length; call++) await calls[(round + call) % calls.length]?.();
    }
    const result: ArchiveBenchResult = {
      loadMs,
      items,
      lookup: percentiles(timings.lookup),
      search: percentiles(timings.search),
      bareQuery: percentiles(timings.bareQuery),
      lookupRatio: 0,
      searchRatio: 0,
    };
    result.lookupRatio = result.lookup.p99 / result.bareQuery.p99;
    result.searchRatio = result.search.p99 / result.bareQuery.p99;
    const line = (what: string, value: Percentiles) =>
      print(
        `  ${what.padEnd(44)} p50 ${value.p50.toFixed(2).padStart(6)} ms   p99 ${value.p99.toFixed(2).padStart(6)} ms`,
      );
    print(
      `${samples} samples of each after ${warmUp} warm-up rounds, interleaved (${((performance.now() - started) / 1000).toFixed(1)} s, load average ${loadavg()[0]?.toFixed(1)}), pages of ${pageSize}:`,
    );
    line('owner lookup (search use case, by ownerId)', result.lookup);
    line(`filtered search (${SEARCH_TYPE} + agency + Q3 2025)`, result.search);
    line('bare Query (same partition and page size)', result.bareQuery);
    print(
      '  of which (the use case is the adapter query, then its audit entry, which is recorded before the hits are handed out):',
    );
    line('  adapter query alone (same owner lookup)', percentiles(timings.adapterQuery));
    line('  audit entry append alone', percentiles(timings.auditAppend));
    print(`ratio archive-lookup-p99/bare-query: ${result.lookupRatio.toFixed(2)}`);
    print(`ratio archive-search-p99/bare-query: ${result.searchRatio.toFixed(2)}`);
    return result;
  } finally {
    client.destroy();
    await dynamo.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
