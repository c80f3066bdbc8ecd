import { describe, expect, it, vi } from 'vitest';
import { principalFromClaims } from '#shared/auth/authorize.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { AuditTrail } from '#shared/ports/audit-trail.ts';
import { verifyAuditChain } from '#shared/use-cases/audit/verify-audit-chain.ts';
import { createReadDocuments } from '#shared/use-cases/read-documents.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T03:00:00.000Z');
const auditor = principalFromClaims({ sub: 'auditor-1', 'cognito:groups': '[auditor]' });
const commune = principalFromClaims({
  sub: 'c',
  'cognito:groups': '[counter-officer]',
  'custom:agency': '000.17.22.H99',
});

const archived: DocumentRecord = makeDocumentRecord('d1', {
  status: 'ARCHIVED',
  code: '038319001234.KS.01',
  archive: {
    bucket: 'archive',
    signedPdfKey: '038319001234/038319001234.KS.01/038319001234.KS.01.pdf',
    originalKey: 'o',
    textKey: 't',
    retainUntil: NOW.toISOString(),
  },
});

async function setUp(audit: AuditTrail) {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
  const presignGet = vi.spyOn(objects, 'presignGet');
  await repository.create(archived);
  await objects.put('archive', archived.archive?.signedPdfKey ?? '', new Uint8Array([1]));
  const verified: Uint8Array[] = [];
  const reads = createReadDocuments({
    repository,
    objects,
    audit,
    clock: { now: () => NOW },
    verifier: {
      verify: async (pdf) => {
        verified.push(pdf);
        return [{ valid: true, signer: 'Sở Tư pháp tỉnh Mẫu', message: 'Chữ ký hợp lệ' }];
      },
    },
  });
  return { reads, verified, presignGet };
}

const memoryAudit = createInMemoryAuditTrail;
const TODAY = { from: '2026-11-22', to: '2026-11-22' };
const entriesOf = async (audit: AuditTrail) =>
  (await audit.listEntries({ from: '2026-11-22T00:00:00.000Z', to: '2026-11-22T23:59:59.999Z', limit: 100 }))
    .items;

describe('reading archived documents', () => {
  it('records each archive read in the audit trail before answering: who, roles, what, when, from where', async () => {
    const audit = memoryAudit();
    const { reads } = await setUp(audit);
    const source = { ip: '203.0.113.7', userAgent: 'curl/8.5' };
    const plain = await reads.getDocument(auditor, 'd1', {}, source);
    expect(plain.downloadUrl).toBeUndefined();
    const full = await reads.getDocument(auditor, 'd1', { download: true, verify: true }, source);
    expect(full.downloadUrl).toMatch(/038319001234\.KS\.01\.pdf$/);
    expect(full.verification?.[0]?.valid).toBe(true);
    const recorded = {
      actor: 'auditor-1',
      roles: ['auditor'],
      target: { documentId: 'd1', code: '038319001234.KS.01' },
      at: NOW.toISOString(),
      source,
      outcome: 'allowed',
    };
    expect(await entriesOf(audit)).toEqual([
      expect.objectContaining({ ...recorded, action: 'read', seq: 1 }),
      expect.objectContaining({ ...recorded, action: 'download', seq: 2 }),
      expect.objectContaining({ ...recorded, action: 'verify', seq: 3 }),
    ]);
    expect(await verifyAuditChain(audit, TODAY)).toMatchObject({ valid: true });
  });

  it('hands out nothing when the read cannot be recorded: no URL is signed, no file is read', async () => {
    const failing: AuditTrail = {
      ...memoryAudit(),
      append: () => Promise.reject(new Error('audit store down')),
    };
    const { reads, verified, presignGet } = await setUp(failing);
    await expect(reads.getDocument(auditor, 'd1', { download: true })).rejects.toThrow('audit store down');
    await expect(reads.getDocument(auditor, 'd1', { verify: true })).rejects.toThrow('audit store down');
    await expect(reads.getDocument(auditor, 'd1')).rejects.toThrow('audit store down');
    expect(presignGet).not.toHaveBeenCalled();
    expect(verified).toEqual([]);
  });

  it("reports another agency's document as missing, and records the attempt as denied", async () => {
    const audit = memoryAudit();
    const { reads, presignGet } = await setUp(audit);
    await expect(reads.getDocument(commune, 'd1', { download: true })).rejects.toBeInstanceOf(NotFoundError);
    await expect(reads.getDocument(commune, 'nothing-here')).rejects.toBeInstanceOf(NotFoundError);
    expect(presignGet).not.toHaveBeenCalled();
    expect(await entriesOf(audit)).toEqual([
      expect.objectContaining({
        actor: 'c',
        roles: ['counter-officer'],
        agencyId: '000.17.22.H99',
        action: 'download',
        target: { documentId: 'd1', code: '038319001234.KS.01' },
        outcome: 'denied',
        reason: 'NOT_FOUND',
      }),
    ]);
  });
});

describe('reading the archived version', () => {
  it('hands out a URL of, and verifies, the version recorded at archiving, not what the key holds now', async () => {
    const repository = createInMemoryRepository();
    const objects = createInMemoryObjectStore();
    const key = archived.archive?.signedPdfKey ?? '';
    const { versionId } = await objects.put('archive', key, new Uint8Array([1, 1, 1]));
    // A later write under the same key (a bucket without object lock, an operator's mistake).
    await objects.put('archive', key, new Uint8Array([6, 6, 6]));
    const record = makeDocumentRecord('versioned', {
      ...archived,
      documentId: 'versioned',
      archive: {
        ...(archived.archive as NonNullable<DocumentRecord['archive']>),
        versions: { signedPdf: versionId },
      },
    });
    await repository.create(record);
    const verified: Uint8Array[] = [];
    const get = vi.spyOn(objects, 'get');
    const presignGet = vi.spyOn(objects, 'presignGet');
    const reads = createReadDocuments({
      repository,
      objects,
      audit: memoryAudit(),
      clock: { now: () => NOW },
      verifier: {
        verify: async (pdf) => {
          verified.push(pdf);
          return [];
        },
      },
    });

    const view = await reads.getDocument(auditor, 'versioned', { download: true, verify: true });

    expect(versionId).toBe('v1');
    expect(presignGet).toHaveBeenCalledWith('archive', key, 300, { versionId: 'v1' });
    expect(get).toHaveBeenCalledWith('archive', key, { versionId: 'v1' });
    expect(view.downloadUrl).toBe(`memory://archive/${key}?versionId=v1`);
    expect(verified).toEqual([new Uint8Array([1, 1, 1])]);
  });
});

const H99 = '000.00.01.H99';
const WARD = '000.17.22.H99';
const officer = (agencyId: string) =>
  principalFromClaims({
    sub: `po-${agencyId}`,
    'cognito:groups': '[processing-officer]',
    'custom:agency': agencyId,
  });
const provinceAdmin = principalFromClaims({ sub: 'pa', 'cognito:groups': '[province-admin]' });

/** `count` documents of an agency in review, the n-th changed at minute `start + n`. */
function inReview(agencyId: string, count: number, start: number): DocumentRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const minute = String(start + index).padStart(2, '0');
    return makeDocumentRecord(`${agencyId}-${minute}`, {
      agencyId,
      status: 'NEEDS_REVIEW',
      updatedAt: `2026-11-22T03:${minute}:00.000Z`,
    });
  });
}

async function queue(records: DocumentRecord[]) {
  const repository = createInMemoryRepository();
  for (const record of records) await repository.create(record);
  const reads = createReadDocuments({
    repository,
    objects: createInMemoryObjectStore(),
    audit: memoryAudit(),
    clock: { now: () => NOW },
    verifier: { verify: async () => [] },
  });
  return { repository, reads };
}

describe('listing documents', () => {
  it("fills an agency's page with its own documents even when other agencies' are newer", async () => {
    // The ward's three are older than the service centre's ten: a filter after the limit found none.
    const { reads } = await queue([...inReview(WARD, 3, 0), ...inReview(H99, 10, 20)]);
    const first = await reads.listDocuments(officer(WARD), { limit: 2 });
    expect(first.documents.map((item) => item.documentId)).toEqual([`${WARD}-02`, `${WARD}-01`]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await reads.listDocuments(officer(WARD), { limit: 2, cursor: first.nextCursor });
    expect(second.documents.map((item) => item.documentId)).toEqual([`${WARD}-00`]);
    expect(second.nextCursor).toBeUndefined();
  });

  it('lists the whole province for a province-wide caller, or one agency when it names one', async () => {
    const { repository, reads } = await queue([...inReview(WARD, 2, 0), ...inReview(H99, 2, 10)]);
    const byStatus = vi.spyOn(repository, 'listByStatus');
    const byAgency = vi.spyOn(repository, 'listByAgencyAndStatus');

    const province = await reads.listDocuments(provinceAdmin, {});
    expect(province.documents.map((item) => item.agencyId)).toEqual([H99, H99, WARD, WARD]);
    expect(byStatus).toHaveBeenCalledWith('NEEDS_REVIEW', { limit: 50, cursor: undefined });

    const ward = await reads.listDocuments(auditor, { agencyId: WARD });
    expect(ward.documents.map((item) => item.documentId)).toEqual([`${WARD}-01`, `${WARD}-00`]);
    expect(byAgency).toHaveBeenCalledWith(WARD, 'NEEDS_REVIEW', { limit: 50, cursor: undefined });
  });

  it("keeps agency staff to their agency: their own by default, another agency's queue is refused", async () => {
    const { reads } = await queue([...inReview(WARD, 1, 0), ...inReview(H99, 1, 10)]);
    const own = await reads.listDocuments(officer(H99), {});
    expect(own.documents.map((item) => item.agencyId)).toEqual([H99]);
    await expect(reads.listDocuments(officer(H99), { agencyId: WARD })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const unassigned = principalFromClaims({ sub: 'x', 'cognito:groups': '[processing-officer]' });
    await expect(reads.listDocuments(unassigned, {})).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('accepts a limit of 1 to 200 and refuses any other with INVALID_LIMIT', async () => {
    const { reads } = await queue(inReview(H99, 3, 0));
    expect((await reads.listDocuments(officer(H99), { limit: 1 })).documents).toHaveLength(1);
    expect((await reads.listDocuments(officer(H99), { limit: 200 })).documents).toHaveLength(3);
    for (const limit of [0, 201, 1.5, Number.NaN, -1]) {
      const refused = reads.listDocuments(officer(H99), { limit });
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_LIMIT' });
    }
  });

  it("refuses a forged cursor, or one of another agency's list, with INVALID_CURSOR", async () => {
    const { reads } = await queue([...inReview(WARD, 3, 0), ...inReview(H99, 3, 10)]);
    const wardPage = await reads.listDocuments(officer(WARD), { limit: 1 });
    for (const cursor of ['not-a-cursor', wardPage.nextCursor]) {
      await expect(reads.listDocuments(officer(H99), { limit: 1, cursor })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
    }
  });

  it('refuses an unknown status with INVALID_STATUS', async () => {
    const { reads } = await queue([]);
    await expect(reads.listDocuments(provinceAdmin, { status: 'LOST' })).rejects.toMatchObject({
      code: 'INVALID_STATUS',
    });
  });
});
