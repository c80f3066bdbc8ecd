import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBackOffice, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDynamoDbAuditTrail } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import { createS3ObjectStore } from '#shared/adapters/aws/s3-object-store.ts';
import { extractPdfText } from '#shared/adapters/documents/extract-pdf-text.ts';
import {
  makeBadInputs,
  makePaddedPdf,
  makeScannedPdf,
  makeTextLayerPdf,
  NOISY_SCAN,
  renderPaperJpeg,
  renderPaperPng,
  samplePaper,
  type TestPaper,
} from '#test/support/make-test-scans.ts';
import { type ApiClient, ApiError, createApiClient } from '../../scripts/lib/api-client.ts';

const AGENCY = '000.00.01.H99';
const MAX_BYTES = 8 * 1024 * 1024;

let dataDir: string;
let backOffice: EmbeddedBackOffice;
let api: ApiClient;

async function uploadAndSettle(
  bytes: Uint8Array,
  mediaType: string,
  extra: { declaredSize?: number; sha256?: string } = {},
) {
  const ticket = await api.upload(bytes, { agencyId: AGENCY, mediaType, ...extra });
  return api.waitUntilSettled(ticket.documentId);
}

async function downloadSigned(documentId: string): Promise<Uint8Array> {
  const { downloadUrl } = await api.getDocument(documentId, { download: true });
  if (!downloadUrl) throw new Error(`document ${documentId} has no download URL`);
  return new Uint8Array(await (await fetch(downloadUrl)).arrayBuffer());
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'motcua-e2e-'));
  // The sample province with a small size limit, so the oversize case stays light.
  const sample = await readFile('config/provinces/sample-province.yaml', 'utf8');
  const configPath = join(dataDir, 'province.yaml');
  await writeFile(configPath, sample.replace(/maxBytes: \d+.*/, `maxBytes: ${MAX_BYTES}`));
  backOffice = await startEmbeddedBackOffice({
    dataDir: join(dataDir, 'data'),
    apiPort: 0,
    provinceConfigPath: configPath,
    ocrWorkers: 2,
    quiet: true,
  });
  api = createApiClient(backOffice.apiUrl, backOffice.devToken);
});

afterAll(async () => {
  await backOffice?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('document pipeline on the embedded runtime', () => {
  it('archives a clean birth-certificate scan with its code, type, owner and a signature that verifies', async () => {
    const { document } = await uploadAndSettle(await renderPaperPng(samplePaper('KS')), 'image/png');
    expect(document.status).toBe('ARCHIVED');
    expect(document.code).toBe('038319001234.KS.01');
    expect(document.classification).toMatchObject({
      docType: 'KS',
      ownerId: '038319001234',
      decidedBy: 'classifier',
    });

    const { verification } = await api.getDocument(document.documentId, { verify: true });
    expect(verification).toHaveLength(1);
    expect(verification?.[0]).toMatchObject({
      valid: true,
      signer: 'Trung tâm Phục vụ hành chính công tỉnh Mẫu',
      // Timestamped by the embedded runtime's local TSA (PAdES B-T).
      timestamp: {
        authority: 'Dịch vụ cấp dấu thời gian cục bộ motcua',
        imprintMatches: true,
        signatureValid: true,
        valid: true,
      },
    });
    expect(document.signature?.timestamp?.genTime).toBe(verification?.[0]?.timestamp?.genTime);

    const signed = await downloadSigned(document.documentId);
    const { items: reads } = await createDynamoDbAuditTrail(
      new DynamoDBClient(awsClientSettings(backOffice.runtimeConfig.aws, 'dynamodb')),
      backOffice.runtimeConfig.auditTable ?? '',
    ).listEntries({
      documentId: document.documentId,
      from: '2000-01-01T00:00:00.000Z',
      to: '2999-12-31T23:59:59.999Z',
      limit: 100,
    });
    expect(reads.map((read) => read.action).filter((action) => action !== 'read')).toEqual([
      'verify',
      'download',
    ]);
    expect(
      reads.every((read) => read.actor === 'dev-admin' && read.target.code === '038319001234.KS.01'),
    ).toBe(true);
    const pdfPath = join(dataDir, 'ks.pdf');
    await writeFile(pdfPath, signed);
    const { stdout } = await promisify(execFile)('pdfsig', [pdfPath]);
    expect(stdout).toContain('Signature is Valid.');
    const text = await extractPdfText(signed);
    expect(text.hasTextLayer).toBe(true);
    expect(text.pages[0]).toContain('038319001234');
  });

  it('reads the title of a noisy, skewed scan with its diacritics', async () => {
    // Straightened before OCR, the noisy GPXD and DKDN titles read exactly (skewed they did not),
    // and the noisy TTHN one loses a capital's diacritic (NHÂN for NHẬN).
    const paper = samplePaper('GPXD');
    const { document } = await uploadAndSettle(await renderPaperJpeg(paper, NOISY_SCAN), 'image/jpeg');
    expect(document.status).toBe('ARCHIVED');
    expect(document.classification?.title).toBe('GIẤY PHÉP XÂY DỰNG');
    expect(document.code).toBe(`${paper.ownerId}.GPXD.01`);
  });

  it('archives a two-page scanned PDF under the enterprise tax code', async () => {
    const pdf = await makeScannedPdf([samplePaper('DKDN'), samplePaper('GPXD')]);
    const { document } = await uploadAndSettle(pdf, 'application/pdf');
    expect(document).toMatchObject({
      status: 'ARCHIVED',
      pageCount: 2,
      textSource: 'ocr',
      code: '0314409058.DKDN.01',
    });
    const text = await extractPdfText(await downloadSigned(document.documentId));
    expect(text.pages).toHaveLength(2);
  });

  it('reads a born-digital PDF from its rendered pages, never from its text layer', async () => {
    const paper = samplePaper('LLTP');
    const { document } = await uploadAndSettle(await makeTextLayerPdf(paper), 'application/pdf');
    expect(document).toMatchObject({
      status: 'ARCHIVED',
      textSource: 'ocr',
      code: `${paper.ownerId}.LLTP.01`,
    });
  });

  it('gives the next suffix to a second paper of the same owner and type', async () => {
    const { document } = await uploadAndSettle(await renderPaperJpeg(samplePaper('KS')), 'image/jpeg');
    expect(document.code).toBe('038319001234.KS.02');
  });

  it('quarantines each bad upload with its reason, and loses none of them', async () => {
    const bad = await makeBadInputs({ oversizeBytes: MAX_BYTES + 1 });
    const valid = await renderPaperPng(samplePaper('GPXD'));
    const cases: {
      name: string;
      bytes: Uint8Array;
      mediaType: string;
      declaredSize?: number;
      sha256?: string;
      reason: string;
    }[] = [
      // Declared non-empty (the API refuses size 0), but nothing arrives.
      {
        name: 'empty',
        bytes: bad.empty.bytes,
        mediaType: 'application/pdf',
        declaredSize: 1,
        reason: 'EMPTY_FILE',
      },
      { name: 'truncated PDF', ...bad.truncatedPdf },
      { name: 'wrong magic bytes', ...bad.wrongMagic },
      { name: 'PNG declared as PDF', ...bad.mismatchedType },
      // Declared within the limit; what arrives is over it.
      { name: 'oversize', ...bad.oversize, declaredSize: 1000 },
      { name: 'decompression bomb', ...bad.decompressionBomb },
      {
        name: 'checksum mismatch',
        bytes: valid,
        mediaType: 'image/png',
        sha256: createHash('sha256').update('something else').digest('hex'),
        reason: 'CHECKSUM_MISMATCH',
      },
    ];
    const settled = await Promise.all(
      cases.map(async (item) => ({
        item,
        view: await uploadAndSettle(item.bytes, item.mediaType, {
          declaredSize: item.declaredSize,
          sha256: item.sha256,
        }),
      })),
    );
    for (const { item, view } of settled) {
      expect({
        name: item.name,
        status: view.document.status,
        reason: view.document.quarantine?.reason,
      }).toEqual({
        name: item.name,
        status: 'QUARANTINED',
        reason: item.reason,
      });
      expect(view.document.quarantine?.message.length).toBeGreaterThan(10);
    }
  });

  it('quarantines an object nobody asked to upload, and shows it through the API', async () => {
    const documentId = randomUUID();
    const s3 = new S3Client(awsClientSettings(backOffice.runtimeConfig.aws, 's3'));
    await createS3ObjectStore(s3).put(
      backOffice.runtimeConfig.buckets.ingest,
      `incoming/${AGENCY}/_/_/${documentId}`,
      await renderPaperJpeg(samplePaper('KS')),
    );
    const { document } = await api.waitUntilSettled(documentId);
    expect(document).toMatchObject({
      status: 'QUARANTINED',
      mediaType: 'unknown',
      quarantine: { reason: 'UNKNOWN_UPLOAD' },
    });
  });

  it('sends a paper without an owner ID to review, and archives it once an officer decides', async () => {
    const form: TestPaper = {
      name: 'application-without-id',
      docType: 'DDN',
      ownerId: '',
      title: 'ĐƠN ĐỀ NGHỊ',
      lines: [
        'Kính gửi: Ủy ban nhân dân phường Đông Thành',
        'Tôi tên là: TRẦN VĂN BÌNH',
        'Đề nghị cấp bản sao trích lục.',
      ],
    };
    const { document } = await uploadAndSettle(await renderPaperPng(form), 'image/png');
    expect(document.status).toBe('NEEDS_REVIEW');
    expect(document.classification).toMatchObject({ docType: 'DDN', reviewReason: 'NO_OWNER_ID' });
    expect(document.code).toBeUndefined();

    const queue = await api.listDocuments('NEEDS_REVIEW');
    expect(queue.documents.map((item) => item.documentId)).toContain(document.documentId);

    await expect(
      api.completeReview(document.documentId, { docType: 'DDN', ownerId: '123' }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_OWNER_ID',
    });
    await api.completeReview(document.documentId, { docType: 'DDN', ownerId: '040088007777' });
    const reviewed = await api.waitUntilSettled(document.documentId);
    expect(reviewed.document).toMatchObject({ status: 'ARCHIVED', code: '040088007777.DDN.01' });
    expect(reviewed.document.classification?.decidedBy).toBe('officer');
  });

  it("pages an agency's list by cursor, and answers another agency's document with 404 on every route", async () => {
    const ids: string[] = [];
    for (const index of [1, 2, 3]) {
      const sha256 = createHash('sha256').update(`queue-${index}`).digest('hex');
      ids.push(
        (await api.requestUpload({ agencyId: AGENCY, mediaType: 'application/pdf', size: 100, sha256 }))
          .documentId,
      );
    }
    const token = (sub: string, agencyId: string) =>
      backOffice.auth.issueLocalToken({ sub, groups: ['processing-officer', 'agency-admin'], agencyId });
    const centre = createApiClient(backOffice.apiUrl, await token('centre-officer', AGENCY));
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await centre.listDocuments('AWAITING_UPLOAD', { limit: 2, cursor });
      for (const document of page.documents) expect(document.agencyId).toBe(AGENCY);
      if (page.nextCursor) expect(page.documents).toHaveLength(2);
      pages.push(page.documents.map((document) => document.documentId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.flat()).toEqual(expect.arrayContaining(ids));
    expect(new Set(pages.flat()).size).toBe(pages.flat().length);
    await expect(centre.listDocuments('AWAITING_UPLOAD', { limit: 201 })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_LIMIT',
    });
    await expect(centre.listDocuments('AWAITING_UPLOAD', { cursor: 'forged' })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    });

    const ward = createApiClient(backOffice.apiUrl, await token('ward-officer', '000.17.22.H99'));
    const [id = ''] = ids;
    const notFound = { status: 404, code: 'NOT_FOUND' };
    await expect(ward.getDocument(id)).rejects.toMatchObject(notFound);
    await expect(ward.getDocument(id, { download: true, verify: true })).rejects.toMatchObject(notFound);
    await expect(ward.completeReview(id, { docType: 'KS', ownerId: '038319001234' })).rejects.toMatchObject(
      notFound,
    );
    const wardList = await ward.listDocuments('AWAITING_UPLOAD', { limit: 200 });
    expect(wardList.documents.map((document) => document.documentId)).not.toContain(id);
  });

  it('refuses bad upload requests with a 4xx in the API format', async () => {
    const request = { agencyId: AGENCY, mediaType: 'application/pdf', size: 100, sha256: 'a'.repeat(64) };
    await expect(api.requestUpload({ ...request, size: MAX_BYTES + 1 })).rejects.toMatchObject({
      status: 400,
      code: 'FILE_TOO_LARGE',
    });
    await expect(api.requestUpload({ ...request, mediaType: 'text/plain' })).rejects.toMatchObject({
      status: 400,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    const anonymous = await fetch(new URL('/uploads', backOffice.apiUrl), { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });

    const communeToken = await backOffice.auth.issueLocalToken({
      sub: 'commune-officer',
      groups: ['counter-officer'],
      agencyId: '000.17.22.H99',
    });
    const commune = createApiClient(backOffice.apiUrl, communeToken);
    await expect(commune.requestUpload(request)).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(commune.getDocument('no-such-document')).rejects.toBeInstanceOf(ApiError);
    expect(makePaddedPdf(10).length).toBe(10);
  });
});
