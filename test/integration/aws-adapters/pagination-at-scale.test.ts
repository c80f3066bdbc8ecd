import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpApiHandler } from '#functions/api/http-api.ts';
import { createContainer } from '#functions/container.ts';
import { ensureAuditTable, ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { auditEntryItem } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import { archiveIndexItems } from '#shared/adapters/aws/dynamodb-document-repository.ts';
import { genesisHash, sealEntry } from '#shared/domain/audit-chain.ts';
import type { AuditEntry } from '#shared/ports/audit-trail.ts';
import type { ArchiveEntry } from '#shared/ports.ts';
import type { ArchiveHit } from '#shared/use-cases/archive/search-archive.ts';
import { batchWriteItems } from '#test/support/batch-write-items.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';
import { handlerRuntimeConfig, LAMBDA_CONTEXT } from '../../handlers/handler-fixtures.ts';

/**
 * Paging at scale through the API's own handler and cursors, against dynalite: 10,000 archive
 * index entries and 10,000 audit entries, each seen exactly once, in order, in bounded pages; a
 * tampered cursor is a 400. The items are bulk-loaded with the adapters' own layout functions
 * (appending 10,000 chained audit entries one by one, as the adapter must, took about 50 s here,
 * and writing every facet item of 10,000 archive entries about 23 s; BatchWriteItem of the items
 * read keeps this file near 20 s).
 */

const N = 10_000;
const DAYS = 5;
const AGENCY = '000.00.01.H99';
const dynamo = useLocalDynamoDb();
let api: (path: string, query: Record<string, string>) => Promise<{ status: number; body: unknown }>;
const timings: Record<string, number> = {};

const archiveEntry = (index: number): ArchiveEntry => {
  const serial = String(index).padStart(5, '0');
  return {
    code: `0383190${serial}.KS.01`,
    documentId: `doc-${serial}`,
    ownerId: `0383190${serial}`,
    docType: 'KS',
    agencyId: AGENCY,
    // A second apart, and every tenth paper at the same instant as the one before (ties by code).
    archivedAt: new Date(Date.UTC(2026, 6, 1) + (index - (index % 10 === 9 ? 1 : 0)) * 1000).toISOString(),
    signedPdfKey: `archive/${AGENCY}/${serial}.pdf`,
    retainUntil: '2036-07-01T00:00:00.000Z',
  };
};

/** Day `d`'s chain of N / DAYS entries, sealed as the adapter seals them. */
function auditChain(day: number): AuditEntry[] {
  const chain = `2026-11-0${day + 1}`;
  const entries: AuditEntry[] = [];
  let prevHash = genesisHash(chain);
  for (let seq = 1; seq <= N / DAYS; seq++) {
    const entry = sealEntry(
      {
        actor: `auditor-${seq % 4}`,
        roles: ['auditor'],
        action: seq % 5 === 0 ? 'download' : 'read',
        target: { documentId: `doc-${seq % 50}` },
        // Several entries share an instant: the index orders them by sequence.
        at: new Date(Date.parse(`${chain}T01:00:00.000Z`) + Math.floor(seq / 3) * 1000).toISOString(),
        outcome: 'allowed',
      },
      chain,
      seq,
      prevHash,
    );
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

beforeAll(async () => {
  const client = dynamo.client();
  await ensureDocumentsTable(client, 'documents');
  await ensureAuditTable(client, 'audit');
  const started = Date.now();
  await batchWriteItems(
    client,
    'documents',
    // Only the items a search by type reads (the by-type facet), of the adapter's own layout.
    [
      ...Array.from({ length: N }, (_, index) => archiveEntry(index)),
      // A few building permits, whose search gives a cursor of another query.
      ...Array.from({ length: 30 }, (_, index) => ({ ...archiveEntry(N + index), docType: 'GPXD' })),
    ]
      .flatMap(archiveIndexItems)
      .filter((item) => String(item.pk).startsWith('ARCHIVE#TYPE#')),
  );
  timings.loadArchive = Date.now() - started;
  const audited = Date.now();
  await batchWriteItems(
    client,
    'audit',
    Array.from({ length: DAYS }, (_, day) => auditChain(day).map(auditEntryItem)).flat(),
  );
  timings.loadAudit = Date.now() - audited;

  const config = handlerRuntimeConfig({
    documentsTable: 'documents',
    auditTable: 'audit',
    // No archive bucket, so no anchors to check the bulk-loaded days against: this is about paging.
    buckets: { ingest: 'ingest' },
    aws: {
      region: 'ap-southeast-1',
      endpoints: { dynamodb: dynamo.endpoint() },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    },
    observability: { logLevel: 'ERROR', tracing: false, metrics: false },
  });
  const handler = createHttpApiHandler(createContainer(config));
  api = async (path, query) => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: new URLSearchParams(query).toString(),
      queryStringParameters: query,
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        requestId: `page-${Date.now()}`,
        http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        authorizer: { jwt: { claims: { sub: 'auditor-9', 'cognito:groups': '[auditor]' }, scopes: [] } },
      },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
    const response = (await handler(event, LAMBDA_CONTEXT)) as APIGatewayProxyStructuredResultV2;
    return { status: response.statusCode ?? 0, body: JSON.parse(String(response.body)) };
  };
}, 120_000);

/** Pages a route to its end; every page must come back 200 and hold at most `limit` items. */
async function everyPage<T>(path: string, query: Record<string, string>, items: (body: unknown) => T[]) {
  const limit = Number(query.limit);
  const seen: T[] = [];
  const sizes: number[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await api(path, { ...query, ...(cursor && { cursor }) });
    expect(status, JSON.stringify(body)).toBe(200);
    const page = items(body);
    expect(page.length).toBeLessThanOrEqual(limit);
    sizes.push(page.length);
    seen.push(...page);
    cursor = (body as { nextCursor?: string }).nextCursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  // Every page but the last is full: a page is never thinned out by filtering.
  expect(sizes.slice(0, -1).every((size) => size === limit)).toBe(true);
  return { seen, cursors };
}

/** Ways a client might alter a cursor it was given. */
function tamperings(cursor: string, otherQueryCursor: string): Record<string, string> {
  const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const rewriteKeys = (change: (key: Record<string, unknown>) => Record<string, unknown>) => {
    // An archive cursor is the start key itself; an audit cursor carries it as `k`.
    if ('k' in decoded) return encode({ ...decoded, k: change(decoded.k as Record<string, unknown>) });
    return encode(change(decoded));
  };
  return {
    truncated: cursor.slice(0, Math.floor(cursor.length / 2)),
    'not base64 JSON': 'bm90IGpzb24',
    'another query': otherQueryCursor,
    'another partition': rewriteKeys((key) => ({ ...key, pk: `${String(key.pk)}X` })),
    'an extra key': rewriteKeys((key) => ({ ...key, evil: 'x' })),
    'a key that is not a string': rewriteKeys((key) => ({ ...key, sk: 7 })),
  };
}

describe(`paging at ${N.toLocaleString('en')} items (API handler over dynalite)`, () => {
  it('returns every archive hit exactly once, newest first, in pages of at most 100', async () => {
    const started = Date.now();
    const { seen, cursors } = await everyPage('/archive/documents', { docType: 'KS', limit: '100' }, (body) =>
      (body as { documents: ArchiveHit[] }).documents.map((hit) => `${hit.archivedAt}#${hit.code}`),
    );
    timings.pageArchive = Date.now() - started;
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);
    const expected = Array.from({ length: N }, (_, index) => {
      const entry = archiveEntry(index);
      return `${entry.archivedAt}#${entry.code}`;
    }).sort((a, b) => (a < b ? 1 : -1));
    expect(seen).toEqual(expected);

    const other = await api('/archive/documents', { docType: 'GPXD', limit: '10' });
    const otherCursor = (other.body as { nextCursor: string }).nextCursor;
    for (const [how, tampered] of Object.entries(tamperings(cursors[3] ?? '', otherCursor))) {
      const { status, body } = await api('/archive/documents', {
        docType: 'KS',
        limit: '100',
        cursor: tampered,
      });
      expect({ how, status, body }).toMatchObject({
        how,
        status: 400,
        body: { error: { code: 'INVALID_CURSOR', message: expect.any(String) } },
      });
    }
  }, 60_000);

  it('returns every audit entry exactly once, oldest first, in pages of at most 200', async () => {
    const range = { from: '2026-11-01', to: `2026-11-0${DAYS}` };
    const started = Date.now();
    const { seen, cursors } = await everyPage('/audit/entries', { ...range, limit: '200' }, (body) =>
      (body as { entries: AuditEntry[] }).entries.map((entry) => entry.entryId),
    );
    timings.pageAudit = Date.now() - started;
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);
    // Oldest first: day by day, and within a day by instant, then sequence (the order appends made).
    const expected = Array.from({ length: DAYS }, (_, day) =>
      Array.from({ length: N / DAYS }, (_, index) => `2026-11-0${day + 1}/${index + 1}`),
    ).flat();
    expect(seen).toEqual(expected);

    // One actor's entries across the five days come from its own index, also each once.
    const { seen: byActor } = await everyPage(
      '/audit/entries',
      { ...range, actor: 'auditor-1', limit: '200' },
      (body) => (body as { entries: AuditEntry[] }).entries.map((entry) => entry.entryId),
    );
    expect(byActor).toEqual(expected.filter((id) => Number(id.split('/')[1]) % 4 === 1));

    const other = await api('/audit/entries', { ...range, action: 'download', limit: '10' });
    const otherCursor = (other.body as { nextCursor: string }).nextCursor;
    const decoded = JSON.parse(Buffer.from(cursors[7] ?? '', 'base64url').toString('utf8'));
    const cases = {
      ...tamperings(cursors[7] ?? '', otherCursor),
      'a partition past the last': Buffer.from(JSON.stringify({ ...decoded, p: DAYS })).toString('base64url'),
    };
    for (const [how, tampered] of Object.entries(cases)) {
      const { status, body } = await api('/audit/entries', { ...range, limit: '200', cursor: tampered });
      expect({ how, status, body }).toMatchObject({
        how,
        status: 400,
        body: { error: { code: 'INVALID_CURSOR', message: expect.any(String) } },
      });
    }

    // The bulk-loaded days are whole chains: verification walks all 10,000 entries.
    const verified = await api('/audit/verify', range);
    expect(verified).toMatchObject({ status: 200, body: { valid: true } });
    expect((verified.body as { chains: { entries: number }[] }).chains.map((chain) => chain.entries)).toEqual(
      Array(DAYS).fill(N / DAYS),
    );
    process.stdout.write(`[pagination-at-scale] ms: ${JSON.stringify(timings)}\n`);
  }, 60_000);
});
