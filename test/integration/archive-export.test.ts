import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { ContentInfo, SignedData } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provinceSigningAgencyId } from '#shared/config/province-config.ts';
import type { ExportManifest } from '#shared/use-cases/archive/export-archive.ts';
import { renderPaperPng, samplePaper } from '#test/support/make-test-scans.ts';
import {
  startTestBackOffice,
  TEST_AGENCY,
  type TestBackOffice,
} from '#test/support/start-test-back-office.ts';
import { type ApiError, createApiClient } from '../../scripts/lib/api-client.ts';

const execFileAsync = promisify(execFile);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let office: TestBackOffice;
let workDir: string;

beforeAll(async () => {
  office = await startTestBackOffice();
  workDir = await mkdtemp(join(tmpdir(), 'motcua-export-'));
}, 120_000);

afterAll(async () => {
  await office?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** `openssl cms -verify` of a detached signature over `content` (signer certificate inside, not chained). */
async function opensslVerifies(content: Uint8Array, signature: Uint8Array, name: string): Promise<boolean> {
  const contentPath = join(workDir, `${name}.json`);
  const signaturePath = join(workDir, `${name}.p7s`);
  await writeFile(contentPath, content);
  await writeFile(signaturePath, signature);
  try {
    await execFileAsync('openssl', [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      signaturePath,
      '-content',
      contentPath,
      '-noverify',
      '-out',
      '/dev/null',
    ]);
    return true;
  } catch {
    return false;
  }
}

describe('archive export on the embedded runtime', () => {
  it('packs two archived papers into a ZIP whose manifest hashes and signature verify offline', async () => {
    const papers = [samplePaper('KS'), samplePaper('DKDN')];
    const archived = await Promise.all(
      papers.map(
        async (paper) => (await office.uploadAndSettle(await renderPaperPng(paper), 'image/png')).document,
      ),
    );
    expect(archived.map((document) => document.status)).toEqual(['ARCHIVED', 'ARCHIVED']);

    const auditor = createApiClient(
      office.backOffice.apiUrl,
      await office.backOffice.auth.issueLocalToken({ sub: 'auditor-5', groups: ['auditor'], agencyId: '' }),
    );
    const made = await auditor.createArchiveExport({ agencyId: TEST_AGENCY });
    expect(made).toMatchObject({ papers: 2, requestedBy: 'auditor-5', downloadUrl: expect.any(String) });
    expect([...made.codes].sort()).toEqual(archived.map((document) => document.code).sort());

    const zip = await auditor.download(made.downloadUrl ?? '');
    expect(sha256(zip)).toBe(made.package.sha256);
    const files = unzipSync(zip);
    const manifestBytes = files['manifest.json'] ?? new Uint8Array();
    const signature = files['manifest.json.p7s'] ?? new Uint8Array();
    expect(sha256(manifestBytes)).toBe(made.manifestSha256);
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as ExportManifest;
    expect(manifest.papers.map((paper) => paper.code).sort()).toEqual([...made.codes].sort());

    for (const paper of manifest.papers) {
      const document = archived.find((candidate) => candidate.code === paper.code);
      expect(paper).toMatchObject({
        documentId: document?.documentId,
        agencyId: TEST_AGENCY,
        ownerId: document?.classification?.ownerId,
        docType: document?.classification?.docType,
        signature: { certificateFingerprint: document?.signature?.certificateFingerprint },
      });
      for (const file of paper.files) {
        const packed = files[file.path];
        expect(packed, file.path).toBeDefined();
        expect(sha256(packed ?? new Uint8Array())).toBe(file.sha256);
        expect(packed?.byteLength).toBe(file.size);
      }
      // The signed PDF is the archived copy, byte for byte, as the archive record hands it out.
      const [signedPdf] = paper.files;
      expect(signedPdf).toMatchObject({ kind: 'signed-pdf', matchesRecordedSha256: true });
      const { downloadUrl } = await auditor.readArchiveRecord(paper.code, { download: true });
      expect(sha256(await auditor.download(downloadUrl ?? ''))).toBe(signedPdf?.sha256);
    }

    // The manifest's signature: made with the certificate it names, checked by openssl offline,
    // and broken by a one-byte change.
    const signedData = new SignedData({ schema: ContentInfo.fromBER(signature).content });
    const certificate = signedData.certificates?.[0];
    const certificateDer = new Uint8Array(
      (certificate as { toSchema(): { toBER(): ArrayBuffer } }).toSchema().toBER(),
    );
    expect(sha256(certificateDer)).toBe(manifest.signature.signer.certificateFingerprint);
    const province = office.backOffice.config.agencies.find(
      (agency) => agency.id === provinceSigningAgencyId(office.backOffice.config),
    );
    expect(manifest.signature.signer.subject).toContain(`CN=${province?.name}`);
    expect(await opensslVerifies(manifestBytes, signature, 'manifest')).toBe(true);
    const tampered = manifestBytes.slice();
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    expect(await opensslVerifies(tampered, signature, 'tampered')).toBe(false);
    expect(new TextDecoder().decode(files['README.txt'])).toContain('openssl cms -verify');

    // Recorded before it was handed out, with what it packed; fetched again, recorded as a download.
    const again = await auditor.readArchiveExport(made.exportId);
    expect(again).toMatchObject({ exportId: made.exportId, package: made.package });
    const { entries } = await auditor.listAuditEntries({ actor: 'auditor-5' });
    expect(entries.map((entry) => [entry.action, entry.outcome])).toEqual([
      ['export', 'allowed'],
      ['read', 'allowed'],
      ['download', 'allowed'],
      ['read', 'allowed'],
      ['download', 'allowed'],
      ['download', 'allowed'],
    ]);
    expect(entries[0]?.target).toMatchObject({
      exportId: made.exportId,
      hits: 2,
      codes: made.codes,
      query: { agencyId: TEST_AGENCY },
    });
    expect(entries[5]?.target).toEqual({ exportId: made.exportId });

    // Someone else's export is as absent as none.
    const otherAuditor = createApiClient(
      office.backOffice.apiUrl,
      await office.backOffice.auth.issueLocalToken({ sub: 'auditor-6', groups: ['auditor'], agencyId: '' }),
    );
    await expect(otherAuditor.readArchiveExport(made.exportId)).rejects.toEqual(
      expect.objectContaining<Partial<ApiError>>({ status: 404, code: 'NOT_FOUND' }),
    );
  }, 120_000);
});
