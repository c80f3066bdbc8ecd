import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createZipWriter } from '#shared/adapters/packaging/write-zip.ts';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { ManifestSigner } from '#shared/ports/archive-export.ts';
import type { AuditEntry } from '#shared/ports/audit-trail.ts';
import {
  createExportArchive,
  type ExportArchiveDependencies,
  type ExportManifest,
  exportKeys,
  MANIFEST_FORMAT,
} from '#shared/use-cases/archive/export-archive.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryAuditTrail } from '#test/support/in-memory-audit-trail.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T03:00:00.000Z');
const AGENCY = '000.00.01.H99';
const EXPORT_ID = '5f0c2b1e-8a44-4d7e-9c1a-0b2d3e4f5a6b';
const who = (role: Role, userId = `${role}-1`, agencyId?: string): Principal => ({
  userId,
  roles: new Set([role]),
  agencyId,
});
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A stand-in for the province key: an HMAC "signature", enough to see what was signed. */
const signer: ManifestSigner = {
  identity: async () => ({
    subject: 'CN=Trung tâm Phục vụ hành chính công tỉnh Mẫu',
    certificateFingerprint: 'c'.repeat(64),
    algorithm: 'ECDSA_SHA_256',
  }),
  async sign(content) {
    return {
      signature: new Uint8Array(createHash('sha256').update('key').update(content).digest()),
      signer: await this.identity(),
    };
  },
};

/** `brokenKey`: an archived file whose read fails after its first bytes (a connection reset). */
async function setUp(overrides: Partial<ExportArchiveDependencies> = {}, brokenKey?: string) {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
  const events: string[] = [];
  const trail = createInMemoryAuditTrail();
  const recorded: AuditEntry[] = [];
  const papers = [
    { code: '038319001234.KS.01', docType: 'KS', ownerId: '038319001234', at: '2026-11-20T01:00:00.000Z' },
    { code: '038319001234.KS.02', docType: 'KS', ownerId: '038319001234', at: '2026-11-21T01:00:00.000Z' },
    { code: '0314409058.DKDN.01', docType: 'DKDN', ownerId: '0314409058', at: '2026-11-21T02:00:00.000Z' },
  ];
  for (const [index, paper] of papers.entries()) {
    const prefix = `${paper.ownerId}/${paper.code}`;
    const pdf = new TextEncoder().encode(`%PDF-1.7 signed copy of ${paper.code}`);
    const signedPdf = (await objects.put('archive', `${prefix}/${paper.code}.pdf`, pdf)).versionId;
    // A later write under the same key must not reach the package: it reads the archived version.
    await objects.put('archive', `${prefix}/${paper.code}.pdf`, new TextEncoder().encode('overwritten'));
    const text = (
      await objects.put('archive', `${prefix}/text.txt`, new TextEncoder().encode(`GIẤY ${index}`))
    ).versionId;
    await repository.create(
      makeDocumentRecord(`d${index}`, {
        status: 'ARCHIVED',
        agencyId: AGENCY,
        code: paper.code,
        classification: {
          docType: paper.docType,
          ownerId: paper.ownerId,
          confidence: 1,
          decidedBy: 'classifier',
          title: 'GIẤY KHAI SINH',
        },
        signature: {
          signer: 'Trung tâm Phục vụ hành chính công tỉnh Mẫu',
          algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
          signedAt: paper.at,
          certificateFingerprint: 'f'.repeat(64),
          signedPdfSha256: sha256(pdf),
        },
        archive: {
          bucket: 'archive',
          signedPdfKey: `${prefix}/${paper.code}.pdf`,
          originalKey: `${prefix}/original.png`,
          textKey: `${prefix}/text.txt`,
          retainUntil: '2036-11-20T00:00:00.000Z',
          versions: { signedPdf, text },
        },
      }),
    );
    await repository.putArchiveEntry({
      code: paper.code,
      documentId: `d${index}`,
      ownerId: paper.ownerId,
      docType: paper.docType,
      agencyId: AGENCY,
      archivedAt: paper.at,
      signedPdfKey: `${prefix}/${paper.code}.pdf`,
      retainUntil: '2036-11-20T00:00:00.000Z',
    });
  }
  const exporter = createExportArchive({
    config: loadProvinceConfig('config/provinces/sample-province.yaml'),
    repository,
    objects: {
      ...objects,
      async getStream(bucket, key, options) {
        events.push(`read ${key}`);
        if (brokenKey && key.endsWith(brokenKey)) {
          const broken = (async function* () {
            yield new TextEncoder().encode('GIẤY');
            throw new Error('connection reset');
          })();
          return { size: 100, cancel: () => undefined, [Symbol.asyncIterator]: () => broken };
        }
        return objects.getStream(bucket, key, options);
      },
      async putStream(bucket, key, chunks, options) {
        events.push(`write ${key}`);
        return objects.putStream(bucket, key, chunks, options);
      },
    },
    audit: {
      ...trail,
      async append(record) {
        events.push(`audit ${record.action} ${record.outcome}`);
        const entry = await trail.append(record);
        recorded.push(entry);
        return entry;
      },
    },
    clock: { now: () => NOW },
    ids: { newId: () => EXPORT_ID },
    zip: createZipWriter(),
    signer,
    exportsBucket: 'exports',
    ...overrides,
  });
  const packageOf = () => {
    const stored = objects.writes.get(`exports/${exportKeys(EXPORT_ID).package}`);
    if (!stored) throw new Error('no package written');
    return { bytes: stored.body, files: unzipSync(stored.body) };
  };
  return { exporter, objects, events, recorded, packageOf };
}

describe('exporting archived papers', () => {
  it("packs each matching paper's archived signed copy and text with a manifest of their hashes, signed", async () => {
    const { exporter, events, recorded, packageOf } = await setUp();
    const view = await exporter.createExport(who('auditor'), { docType: 'KS', agencyId: AGENCY });

    expect(view).toMatchObject({
      exportId: EXPORT_ID,
      papers: 2,
      codes: ['038319001234.KS.02', '038319001234.KS.01'],
      criteria: { docType: 'KS', agencyId: AGENCY },
      expiresAt: '2026-11-29T03:00:00.000Z',
      downloadUrl: expect.stringContaining(exportKeys(EXPORT_ID).package),
    });
    const { bytes, files } = packageOf();
    expect(view.package).toMatchObject({ size: bytes.byteLength, sha256: sha256(bytes) });
    expect(Object.keys(files).sort()).toEqual([
      'README.txt',
      'manifest.json',
      'manifest.json.p7s',
      'papers/038319001234.KS.01/038319001234.KS.01.pdf',
      'papers/038319001234.KS.01/038319001234.KS.01.txt',
      'papers/038319001234.KS.02/038319001234.KS.02.pdf',
      'papers/038319001234.KS.02/038319001234.KS.02.txt',
    ]);
    const manifestBytes = files['manifest.json'] ?? new Uint8Array();
    expect(sha256(manifestBytes)).toBe(view.manifestSha256);
    expect(
      Buffer.from(files['manifest.json.p7s'] ?? []).equals(
        Buffer.from((await signer.sign(manifestBytes)).signature),
      ),
    ).toBe(true);
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as ExportManifest;
    expect(manifest).toMatchObject({
      format: MANIFEST_FORMAT,
      exportId: EXPORT_ID,
      createdAt: NOW.toISOString(),
      requestedBy: { userId: 'auditor-1', roles: ['auditor'] },
      signature: { file: 'manifest.json.p7s', signer: { certificateFingerprint: 'c'.repeat(64) } },
    });
    expect(manifest.papers[1]).toMatchObject({
      code: '038319001234.KS.01',
      docType: 'KS',
      typeName: expect.any(String),
      ownerId: '038319001234',
      agencyId: AGENCY,
      archivedAt: '2026-11-20T01:00:00.000Z',
      retention: { until: '2036-11-20T00:00:00.000Z' },
      signature: { certificateFingerprint: 'f'.repeat(64) },
    });
    for (const paper of manifest.papers) {
      for (const file of paper.files) {
        const packed = files[file.path] ?? new Uint8Array();
        expect({ path: file.path, sha256: sha256(packed), size: packed.byteLength }).toEqual({
          path: file.path,
          sha256: file.sha256,
          size: file.size,
        });
      }
      // The archived version, not what was written under the key later.
      expect(paper.files[0]).toMatchObject({ kind: 'signed-pdf', matchesRecordedSha256: true });
      expect(new TextDecoder().decode(files[paper.files[0]?.path ?? ''])).toContain('signed copy of');
    }

    // Recorded, with what was packed, before a single paper was read.
    expect(events[0]).toBe('audit export allowed');
    expect(events.filter((event) => event.startsWith('read'))).toHaveLength(4);
    expect(recorded[0]).toMatchObject({
      action: 'export',
      target: { exportId: EXPORT_ID, hits: 2, codes: view.codes, query: { docType: 'KS', agencyId: AGENCY } },
    });
  });

  it('hands the package again to the user who made it only, each time recorded as a download', async () => {
    const { exporter, recorded } = await setUp();
    await exporter.createExport(who('province-admin', 'admin-1'), { ownerId: '0314409058' });
    const again = await exporter.readExport(who('province-admin', 'admin-1'), EXPORT_ID);
    expect(again).toMatchObject({ exportId: EXPORT_ID, papers: 1, downloadUrl: expect.any(String) });
    await expect(exporter.readExport(who('auditor', 'auditor-2'), EXPORT_ID)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      exporter.readExport(who('auditor'), '0b9d9d9d-0000-4000-8000-000000000000'),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(exporter.readExport(who('auditor'), '../../archive')).rejects.toMatchObject({
      code: 'INVALID_EXPORT_ID',
    });
    await expect(exporter.readExport(who('agency-admin', 'x', AGENCY), EXPORT_ID)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(recorded.map((entry) => [entry.action, entry.outcome, entry.actor, entry.reason])).toEqual([
      ['export', 'allowed', 'admin-1', undefined],
      ['download', 'allowed', 'admin-1', undefined],
      ['download', 'denied', 'auditor-2', 'NOT_FOUND'],
      ['download', 'denied', 'x', 'FORBIDDEN'],
    ]);
  });

  it('refuses roles that may not export (recorded), malformed criteria, nothing to pack and too much', async () => {
    const { exporter, recorded, objects } = await setUp();
    await expect(
      exporter.createExport(who('agency-admin', 'x', AGENCY), { docType: 'KS' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(recorded).toEqual([
      expect.objectContaining({
        action: 'export',
        outcome: 'denied',
        reason: 'FORBIDDEN',
        target: { query: { docType: 'KS' } },
      }),
    ]);
    for (const [input, code] of [
      [{}, 'MISSING_CRITERION'],
      [{ docType: 'KS', limit: '5' }, 'UNKNOWN_PARAMETER'],
      [{ docType: 'ks' }, 'INVALID_DOC_TYPE'],
      [['KS'], 'INVALID_EXPORT_REQUEST'],
      [{ docType: 'GPXD' }, 'NOTHING_TO_EXPORT'],
    ] as const) {
      await expect(exporter.createExport(who('auditor'), input)).rejects.toMatchObject({ code });
    }
    const few = (await setUp({ limits: { maxPapers: 1 } })).exporter;
    await expect(few.createExport(who('auditor'), { docType: 'KS' })).rejects.toMatchObject({
      code: 'EXPORT_TOO_LARGE',
      message: expect.stringContaining('more than 1 papers'),
    });
    const small = (await setUp({ limits: { maxBytes: 40 } })).exporter;
    await expect(small.createExport(who('auditor'), { docType: 'KS' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect([...objects.writes.keys()].filter((key) => key.startsWith('exports/'))).toEqual([]);
  });

  it('fails, leaving no package, when an archived file cannot be read half-way through the ZIP', async () => {
    const { exporter, objects } = await setUp({}, '038319001234.KS.02/text.txt');
    await expect(exporter.createExport(who('auditor'), { docType: 'KS' })).rejects.toThrow(
      'connection reset',
    );
    expect([...objects.writes.keys()].filter((key) => key.startsWith('exports/'))).toEqual([]);
  });

  it('hands out nothing when the audit trail cannot record the export', async () => {
    const { exporter, events } = await setUp({
      audit: {
        append: () => Promise.reject(new Error('audit table unavailable')),
        listEntries: () => Promise.reject(new Error('unused')),
        readChain: () => Promise.reject(new Error('unused')),
      },
    });
    await expect(exporter.createExport(who('auditor'), { docType: 'KS' })).rejects.toThrow(
      'audit table unavailable',
    );
    expect(events).toEqual([]);
  });
});
