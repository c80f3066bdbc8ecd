import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '#shared/auth/authorize.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { ArchiveAuditLog, ArchiveRead } from '#shared/ports.ts';
import { createReadDocuments } from '#shared/use-cases/read-documents.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
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

async function setUp(audit: ArchiveAuditLog) {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
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
  return { reads, verified };
}

function memoryAudit(): ArchiveAuditLog & { reads: ArchiveRead[] } {
  const reads: ArchiveRead[] = [];
  return { reads, recordRead: async (read) => void reads.push(read), listReads: async () => reads };
}

describe('reading archived documents', () => {
  it('shows status without touching the archive, and records each archive read', async () => {
    const audit = memoryAudit();
    const { reads } = await setUp(audit);
    const plain = await reads.getDocument(auditor, 'd1');
    expect(plain.downloadUrl).toBeUndefined();
    expect(audit.reads).toEqual([]);

    const full = await reads.getDocument(auditor, 'd1', { download: true, verify: true });
    expect(full.downloadUrl).toMatch(/038319001234\.KS\.01\.pdf$/);
    expect(full.verification?.[0]?.valid).toBe(true);
    expect(audit.reads).toEqual([
      {
        documentId: 'd1',
        code: '038319001234.KS.01',
        actor: 'auditor-1',
        roles: ['auditor'],
        agencyId: undefined,
        action: 'download',
        at: NOW.toISOString(),
      },
      {
        documentId: 'd1',
        code: '038319001234.KS.01',
        actor: 'auditor-1',
        roles: ['auditor'],
        agencyId: undefined,
        action: 'verify',
        at: NOW.toISOString(),
      },
    ]);
  });

  it('hands out nothing when the read cannot be recorded', async () => {
    const failing: ArchiveAuditLog = {
      recordRead: () => Promise.reject(new Error('audit store down')),
      listReads: async () => [],
    };
    const { reads, verified } = await setUp(failing);
    await expect(reads.getDocument(auditor, 'd1', { download: true, verify: true })).rejects.toThrow(
      'audit store down',
    );
    expect(verified).toEqual([]);
  });

  it("reports another agency's document as missing", async () => {
    const { reads } = await setUp(memoryAudit());
    await expect(reads.getDocument(commune, 'd1', { download: true })).rejects.toBeInstanceOf(NotFoundError);
  });
});
