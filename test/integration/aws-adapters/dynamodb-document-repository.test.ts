import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDocumentRepository } from '#shared/adapters/aws/dynamodb-document-repository.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { ConflictError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { DocumentRepository } from '#shared/ports.ts';
import { archiveSearchContract, CONTRACT_ENTRIES } from '#test/support/archive-search-contract.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let repository: DocumentRepository;
let client: DynamoDBClient;

const record = (documentId: string, overrides: Partial<DocumentRecord> = {}) =>
  makeDocumentRecord(documentId, { mediaType: 'image/png', declaredSize: 10, ...overrides });

beforeAll(async () => {
  client = dynamo.client();
  await ensureDocumentsTable(client, 'documents');
  repository = createDynamoDbDocumentRepository(client, 'documents');
});

describe('DynamoDB document repository (against dynalite)', () => {
  it('creates a record once and reads it back without key attributes', async () => {
    await repository.create(record('d1'));
    await expect(repository.create(record('d1'))).rejects.toBeInstanceOf(ConflictError);
    const stored = await repository.get('d1');
    expect(stored).toEqual(record('d1'));
    expect(await repository.get('missing')).toBeUndefined();
  });

  it('updates only from an expected status and moves the record between status lists', async () => {
    await repository.create(record('d2'));
    const updated = await repository.update(
      'd2',
      { status: 'PROCESSING', pageCount: 2 },
      { status: ['AWAITING_UPLOAD'] },
    );
    expect(updated).toMatchObject({ status: 'PROCESSING', pageCount: 2 });
    await expect(
      repository.update('d2', { status: 'ARCHIVED' }, { status: ['AWAITING_UPLOAD'] }),
    ).rejects.toThrow(/is PROCESSING; expected AWAITING_UPLOAD/);
    await expect(repository.update('nope', { pageCount: 1 })).rejects.toBeInstanceOf(NotFoundError);
    const processing = await repository.listByStatus('PROCESSING');
    expect(processing.items.map((item) => item.documentId)).toContain('d2');
    expect(
      (await repository.listByStatus('AWAITING_UPLOAD')).items.map((item) => item.documentId),
    ).not.toContain('d2');
  });

  it('lets one run claim a document; a second run is refused, the owner may claim again', async () => {
    await repository.create(record('d6', { expiresAt: 1_900_000_000 }));
    const claims = await Promise.allSettled([
      repository.claim('d6', 'run-a', '2026-11-22T03:00:00.000Z'),
      repository.claim('d6', 'run-b', '2026-11-22T03:00:00.000Z'),
    ]);
    const won = claims.filter((claim) => claim.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const lost = claims.find((claim) => claim.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(ConflictError);
    const owner = (await repository.get('d6'))?.runId;
    expect(owner === 'run-a' || owner === 'run-b').toBe(true);
    const again = await repository.claim('d6', owner ?? '', '2026-11-22T03:01:00.000Z');
    // The upload request's expiry goes once processing starts.
    expect(again).toMatchObject({ status: 'PROCESSING', runId: owner });
    expect(again.expiresAt).toBeUndefined();
    expect((await repository.listByStatus('PROCESSING')).items.map((item) => item.documentId)).toContain(
      'd6',
    );
  });

  it('applies a run-conditioned update only for the run that owns the document', async () => {
    await repository.create(record('d7', { status: 'PROCESSING', runId: 'run-a' }));
    await expect(
      repository.update('d7', { pageCount: 1 }, { status: ['PROCESSING'], runId: 'run-b' }),
    ).rejects.toMatchObject({ code: 'NOT_OWNER' });
    expect((await repository.update('d7', { pageCount: 2 }, { runId: 'run-a' })).pageCount).toBe(2);
  });

  it('pages a status list with a cursor, oldest first when asked', async () => {
    for (const minute of ['05', '01', '03']) {
      await repository.create(
        record(`paged-${minute}`, { status: 'QUARANTINED', updatedAt: `2026-11-20T00:${minute}:00.000Z` }),
      );
    }
    const first = await repository.listByStatus('QUARANTINED', { limit: 2, oldestFirst: true });
    expect(first.items.map((item) => item.documentId)).toEqual(['paged-01', 'paged-03']);
    const second = await repository.listByStatus('QUARANTINED', {
      limit: 2,
      oldestFirst: true,
      cursor: first.cursor,
    });
    expect(second.items.map((item) => item.documentId)).toEqual(['paged-05']);
    await expect(repository.listByStatus('QUARANTINED', { cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });

  it("pages one agency's documents in a status from its own index, unaffected by other agencies' newer ones", async () => {
    const ward = '000.17.22.H98';
    for (const minute of ['01', '02', '03']) {
      await repository.create(
        record(`ward-${minute}`, {
          agencyId: ward,
          status: 'NEEDS_REVIEW',
          updatedAt: `2026-11-21T00:${minute}:00.000Z`,
        }),
      );
    }
    for (let index = 0; index < 5; index += 1) {
      await repository.create(
        record(`centre-${index}`, {
          agencyId: '000.00.01.H98',
          status: 'NEEDS_REVIEW',
          updatedAt: `2026-11-21T01:0${index}:00.000Z`,
        }),
      );
    }
    const first = await repository.listByAgencyAndStatus(ward, 'NEEDS_REVIEW', { limit: 2 });
    expect(first.items.map((item) => item.documentId)).toEqual(['ward-03', 'ward-02']);
    expect(first.items[0]).toEqual(
      record('ward-03', { agencyId: ward, status: 'NEEDS_REVIEW', updatedAt: '2026-11-21T00:03:00.000Z' }),
    );
    const second = await repository.listByAgencyAndStatus(ward, 'NEEDS_REVIEW', {
      limit: 2,
      cursor: first.cursor,
    });
    expect(second.items.map((item) => item.documentId)).toEqual(['ward-01']);
    const oldest = await repository.listByAgencyAndStatus(ward, 'NEEDS_REVIEW', {
      limit: 1,
      oldestFirst: true,
    });
    expect(oldest.items.map((item) => item.documentId)).toEqual(['ward-01']);
    expect(await repository.listByAgencyAndStatus('000.00.00.H98', 'NEEDS_REVIEW')).toEqual({ items: [] });
  });

  it("moves a document between its agency's lists on every status change, also from a repository that never read it", async () => {
    const agency = '000.17.23.H98';
    const list = async (status: DocumentRecord['status']) =>
      (await repository.listByAgencyAndStatus(agency, status)).items.map((item) => item.documentId);
    await repository.create(record('moves', { agencyId: agency, updatedAt: '2026-11-21T02:00:00.000Z' }));
    await repository.create(record('stays', { agencyId: agency, updatedAt: '2026-11-21T02:01:00.000Z' }));
    expect(await list('AWAITING_UPLOAD')).toEqual(['stays', 'moves']);

    // A fresh repository (another Lambda) knows no agency yet: it must look it up, not skip the index.
    const claimed = await createDynamoDbDocumentRepository(client, 'documents').claim(
      'moves',
      'run-1',
      '2026-11-21T02:02:00.000Z',
    );
    expect(claimed.status).toBe('PROCESSING');
    expect(await list('AWAITING_UPLOAD')).toEqual(['stays']);
    expect(await list('PROCESSING')).toEqual(['moves']);

    await createDynamoDbDocumentRepository(client, 'documents').update(
      'moves',
      { status: 'NEEDS_REVIEW', updatedAt: '2026-11-21T02:03:00.000Z' },
      { status: ['PROCESSING'], runId: 'run-1' },
    );
    expect(await list('PROCESSING')).toEqual([]);
    expect(await list('NEEDS_REVIEW')).toEqual(['moves']);

    // A change without a new status re-orders the record within its list.
    await repository.update('stays', { pageCount: 1, updatedAt: '2026-11-21T01:59:00.000Z' });
    await repository.create(record('newer', { agencyId: agency, updatedAt: '2026-11-21T01:59:30.000Z' }));
    expect(await list('AWAITING_UPLOAD')).toEqual(['newer', 'stays']);

    await expect(
      createDynamoDbDocumentRepository(client, 'documents').update('ghost', { status: 'ARCHIVED' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a cursor of another list, agency or status, and a forged one, with INVALID_CURSOR', async () => {
    const agency = '000.00.06.H98';
    for (const minute of ['01', '02']) {
      await repository.create(
        record(`cursor-${minute}`, {
          agencyId: agency,
          status: 'QUARANTINED',
          updatedAt: `2026-11-19T00:${minute}:00.000Z`,
        }),
      );
    }
    const page = await repository.listByAgencyAndStatus(agency, 'QUARANTINED', { limit: 1 });
    const byStatus = await repository.listByStatus('QUARANTINED', { limit: 1 });
    expect(page.cursor).toEqual(expect.any(String));
    const forged = Buffer.from(
      JSON.stringify({
        pk: 'DOC#x',
        sk: 'DOC',
        gsi2pk: 'AGENCY#000.00.06.H98#STATUS#QUARANTINED',
        gsi2sk: 1,
      }),
    ).toString('base64url');
    const attempts = [
      repository.listByAgencyAndStatus('000.00.07.H98', 'QUARANTINED', { cursor: page.cursor }),
      repository.listByAgencyAndStatus(agency, 'ARCHIVED', { cursor: page.cursor }),
      repository.listByAgencyAndStatus(agency, 'QUARANTINED', { cursor: byStatus.cursor }),
      repository.listByStatus('QUARANTINED', { cursor: page.cursor }),
      repository.listByAgencyAndStatus(agency, 'QUARANTINED', { cursor: forged }),
    ];
    for (const attempt of attempts) {
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    }
  });

  it('creates the table with both indexes, and refuses a table made before the agency index', async () => {
    const table = await client.send(new DescribeTableCommand({ TableName: 'documents' }));
    expect(table.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'gsi1',
      'gsi2',
    ]);
    await client.send(
      new CreateTableCommand({
        TableName: 'before-agency-index',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await expect(ensureDocumentsTable(client, 'before-agency-index')).rejects.toThrow(
      'table before-agency-index has no index gsi2',
    );
    expect(await ensureDocumentsTable(client, 'documents')).toBe(false);
  });

  it('removes attributes patched to undefined', async () => {
    await repository.create(record('d3', { pageCount: 3 }));
    const updated = await repository.update('d3', { pageCount: undefined });
    expect(updated.pageCount).toBeUndefined();
  });

  it('hands out sequences atomically under concurrency', async () => {
    const sequences = await Promise.all(
      Array.from({ length: 20 }, () => repository.nextSequence('038319001234', 'KS')),
    );
    expect([...sequences].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('lets one document claim a code, idempotently', async () => {
    expect(await repository.claimCode('038319001234.KS.01', 'd1')).toBe(true);
    expect(await repository.claimCode('038319001234.KS.01', 'd1')).toBe(true);
    expect(await repository.claimCode('038319001234.KS.01', 'd2')).toBe(false);
  });

  it('finds an archive entry by its code', async () => {
    const entry = {
      code: '038319001234.KS.01',
      documentId: 'd1',
      ownerId: '038319001234',
      docType: 'KS',
      agencyId: '000.00.01.H99',
      dossierId: '000.00.01.H99-261122-0001',
      archivedAt: '2026-11-22T01:00:00.000Z',
      signedPdfKey: '038319001234/038319001234.KS.01/038319001234.KS.01.pdf',
    };
    await repository.putArchiveEntry(entry);
    expect(await repository.findArchiveByCode(entry.code)).toEqual(entry);
    expect(await repository.findArchiveByCode('001085012345.KS.01')).toBeUndefined();
  });
});

describe('archive search (against dynalite)', () => {
  let table = 0;
  const fresh: DocumentRepository[] = [];
  beforeEach(async () => {
    const name = `archive-${++table}`;
    await ensureDocumentsTable(client, name);
    fresh.unshift(createDynamoDbDocumentRepository(client, name));
  });
  archiveSearchContract(() => {
    const [repository] = fresh;
    if (!repository) throw new Error('no table');
    return repository;
  });

  it('refuses a search without a criterion and a cursor of another search', async () => {
    const [repository] = fresh;
    if (!repository) throw new Error('no table');
    await expect(repository.searchArchive({ limit: 10 })).rejects.toMatchObject({
      code: 'MISSING_CRITERION',
    });
    for (const item of CONTRACT_ENTRIES) await repository.putArchiveEntry(item);
    const page = await repository.searchArchive({ docType: 'GPXD', limit: 1 });
    await expect(
      repository.searchArchive({ docType: 'KS', limit: 1, cursor: page.cursor }),
    ).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});
