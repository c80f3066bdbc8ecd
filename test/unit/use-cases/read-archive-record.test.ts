import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { AuditEntry } from '#shared/ports/audit-trail.ts';
import type { SignatureVerification } from '#shared/ports.ts';
import { createReadArchiveRecord } from '#shared/use-cases/archive/read-archive-record.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T03:00:00.000Z');
const CODE = '038319001234.KS.01';
const AGENCY = '000.00.01.H99';
const SIGNED = new TextEncoder().encode('%PDF-1.7 signed');
const FINGERPRINT = 'f'.repeat(64);
const who = (role: Role, agencyId?: string): Principal => ({
  userId: `${role}-1`,
  roles: new Set([role]),
  agencyId,
});

async function setUp(found: Partial<SignatureVerification> = {}) {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
  const retainUntil = new Date('2126-11-22T03:00:00.000Z');
  const prefix = `038319001234/${CODE}`;
  // The archive step writes the paper's identity into each archived copy's own metadata.
  const metadata = { code: CODE, 'document-id': 'd1', 'owner-id': '038319001234', 'doc-type': 'KS' };
  const signedVersion = (
    await objects.put('archive', `${prefix}/${CODE}.pdf`, SIGNED, { retainUntil, metadata })
  ).versionId;
  const signature = {
    signer: 'Trung tâm Phục vụ hành chính công tỉnh Mẫu',
    algorithm: 'ECDSA_SHA_256',
    signedAt: NOW.toISOString(),
    certificateFingerprint: FINGERPRINT,
    signedPdfSha256: createHash('sha256').update(SIGNED).digest('hex'),
  };
  const textVersion = (
    await objects.put('archive', `${prefix}/text.txt`, new TextEncoder().encode('GIẤY KHAI SINH'), {
      retainUntil,
    })
  ).versionId;
  await repository.create(
    makeDocumentRecord('d1', {
      status: 'ARCHIVED',
      agencyId: AGENCY,
      code: CODE,
      pageCount: 1,
      classification: {
        docType: 'KS',
        ownerId: '038319001234',
        confidence: 0.97,
        title: 'GIẤY KHAI SINH',
        decidedBy: 'classifier',
      },
      signature,
      archive: {
        bucket: 'archive',
        signedPdfKey: `${prefix}/${CODE}.pdf`,
        originalKey: `${prefix}/original.jpg`,
        textKey: `${prefix}/text.txt`,
        retainUntil: retainUntil.toISOString(),
        versions: { signedPdf: signedVersion, text: textVersion },
      },
    }),
  );
  const entry = {
    code: CODE,
    documentId: 'd1',
    ownerId: '038319001234',
    docType: 'KS',
    agencyId: AGENCY,
    archivedAt: NOW.toISOString(),
    signedPdfKey: `${prefix}/${CODE}.pdf`,
    signedPdfVersionId: signedVersion,
    retainUntil: retainUntil.toISOString(),
    signature,
  };
  await repository.putArchiveEntry(entry);
  const reads: AuditEntry[] = [];
  const trail = createInMemoryAuditTrail();
  const read = createReadArchiveRecord({
    config: loadProvinceConfig('config/provinces/sample-province.yaml'),
    repository,
    objects,
    clock: { now: () => NOW },
    audit: {
      ...trail,
      append: async (entry) => {
        const appended = await trail.append(entry);
        reads.push(appended);
        return appended;
      },
    },
    verifier: {
      verify: async () => [
        { valid: true, signer: 'x', message: 'Chữ ký hợp lệ', certificateFingerprint: FINGERPRINT, ...found },
      ],
    },
  });
  return { read, reads, objects, prefix, repository, entry };
}

describe('readArchiveRecord', () => {
  it('shows metadata, the recorded signature, retention from storage and the OCR text, recording the read first', async () => {
    const { read, reads } = await setUp();
    const view = await read(who('auditor'), CODE);
    expect(view.metadata).toMatchObject({
      title: 'GIẤY KHAI SINH',
      docType: 'KS',
      typeName: 'Giấy khai sinh',
      ownerId: '038319001234',
      agencyId: AGENCY,
      accessLevel: 'restricted',
      retention: { years: 'permanent', until: '2126-11-22T03:00:00.000Z' },
      pageCount: 1,
    });
    expect(view.retention).toEqual({
      recordedUntil: '2126-11-22T03:00:00.000Z',
      storage: { mode: 'COMPLIANCE', retainUntil: '2126-11-22T03:00:00.000Z', legalHold: false },
      locked: true,
    });
    expect(view.text).toBe('GIẤY KHAI SINH');
    expect(view.downloadUrl).toBeUndefined();
    expect(reads.map((entry) => [entry.action, entry.actor, entry.target.code])).toEqual([
      ['read', 'auditor-1', CODE],
    ]);
  });

  it('verifies the hash and the signature against the certificate recorded at signing', async () => {
    const { read, reads } = await setUp();
    const view = await read(who('auditor'), CODE, { verify: true, download: true });
    expect(view.verification).toMatchObject({
      hashMatches: true,
      signatureValid: true,
      certificateMatchesRecorded: true,
      index: { matches: true, mismatches: [] },
    });
    expect(view.downloadUrl).toContain(`${CODE}.pdf`);
    expect(reads.map((entry) => entry.action)).toEqual(['read', 'download', 'verify']);
  });

  it('does not accept a valid signature made with another certificate than the one recorded', async () => {
    const { read } = await setUp({ certificateFingerprint: 'e'.repeat(64) });
    const { verification } = await read(who('auditor'), CODE, { verify: true });
    expect(verification).toMatchObject({
      hashMatches: true,
      signatureValid: false,
      certificateMatchesRecorded: false,
    });
  });

  it('reads the archived version, not a later write to the key, and reports a changed archived copy', async () => {
    const { read, objects, prefix } = await setUp();
    const key = `archive/${prefix}/${CODE}.pdf`;
    await objects.put('archive', `${prefix}/${CODE}.pdf`, new TextEncoder().encode('%PDF-1.7 written later'));
    expect((await read(who('auditor'), CODE, { verify: true })).verification?.hashMatches).toBe(true);
    // Bytes of the archived version itself changed (what Object Lock forbids in AWS).
    const archived = [...objects.versions.entries()].find(([name]) => name.startsWith(`${key}#`))?.[1];
    if (!archived) throw new Error('no archived version');
    archived.body = new TextEncoder().encode('%PDF-1.7 forged');
    expect((await read(who('auditor'), CODE, { verify: true })).verification?.hashMatches).toBe(false);
  });

  it('names each field of an index entry that no longer says what the archived copy and the record do', async () => {
    const { read, repository, entry } = await setUp();
    await repository.putArchiveEntry({
      ...entry,
      ownerId: '001099000001',
      retainUntil: '2027-01-01T00:00:00.000Z',
      signature: { ...entry.signature, certificateFingerprint: 'e'.repeat(64) },
    });
    const { verification } = await read(who('auditor'), CODE, { verify: true });
    expect(verification).toMatchObject({ hashMatches: true, signatureValid: true });
    expect(verification?.index).toEqual({
      matches: false,
      mismatches: [
        { item: `CODE#${CODE}`, field: 'ownerId', indexed: '001099000001', archived: '038319001234' },
        {
          item: `CODE#${CODE}`,
          field: 'retainUntil',
          indexed: '2027-01-01T00:00:00.000Z',
          archived: '2126-11-22T03:00:00.000Z',
        },
        {
          item: `CODE#${CODE}`,
          field: 'signature.certificateFingerprint',
          indexed: 'e'.repeat(64),
          archived: FINGERPRINT,
        },
      ],
    });
  });

  it('answers an unknown code, and another agency’s paper, as not found, recording the refused read as denied', async () => {
    const { read, reads } = await setUp();
    await expect(read(who('auditor'), '038319001234.KS.99')).rejects.toBeInstanceOf(NotFoundError);
    await expect(read(who('processing-officer', '000.17.22.H99'), CODE)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(reads.map((entry) => [entry.action, entry.outcome, entry.reason, entry.target.code])).toEqual([
      ['read', 'denied', 'NOT_FOUND', CODE],
    ]);
    expect((await read(who('processing-officer', AGENCY), CODE)).code).toBe(CODE);
  });
});
