import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_S3_CREDENTIALS } from '#infra/local/start-local-s3.ts';
import { verifyPdfSignatures } from '#shared/adapters/signing/verify-pdf-signatures.ts';
import {
  renderPaperJpeg,
  renderPaperPng,
  samplePaper,
  type TestPaper,
} from '#test/support/make-test-scans.ts';
import {
  startTestBackOffice,
  TEST_AGENCY,
  type TestBackOffice,
} from '#test/support/start-test-back-office.ts';
import { createApiClient } from '../../scripts/lib/api-client.ts';

let test: TestBackOffice;
let s3: S3Client;
let sfn: SFNClient;
let buckets: { ingest: string; archive: string };

beforeAll(async () => {
  test = await startTestBackOffice();
  const slug = test.backOffice.config.province.slug;
  buckets = { ingest: `motcua-${slug}-ingest`, archive: `motcua-${slug}-archive` };
  const local = { region: 'ap-southeast-1', credentials: LOCAL_S3_CREDENTIALS };
  s3 = new S3Client({ ...local, endpoint: test.backOffice.s3Endpoint, forcePathStyle: true });
  sfn = new SFNClient({ ...local, endpoint: test.backOffice.env.AWS_ENDPOINT_URL_SFN });
});

afterAll(async () => {
  s3?.destroy();
  sfn?.destroy();
  await test?.stop();
});

async function keysUnder(bucket: string, prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((item) => item.Key ?? '').sort();
}

describe('one run per document', () => {
  it('lets exactly one of several racing executions process a document: one code, one archive copy', async () => {
    const paper = samplePaper('GPXD');
    const bytes = await renderPaperJpeg(paper);
    const ticket = await test.api.upload(bytes, { agencyId: TEST_AGENCY, mediaType: 'image/jpeg' });
    // Beside the run the upload event started, two more as a retried event or a second reconciler would.
    const stateMachineArn = test.backOffice.env.STATE_MACHINE_ARN;
    const key = new URL(ticket.url).pathname.split('/').slice(2).join('/');
    const extra = await Promise.all(
      ['race-a', 'race-b'].map(async (suffix) => {
        const name = `${ticket.documentId}-${suffix}`;
        const input = {
          bucket: buckets.ingest,
          key: decodeURIComponent(key),
          documentId: ticket.documentId,
          runId: name,
        };
        const started = await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return started.executionArn ?? '';
      }),
    );
    const { document } = await test.api.waitUntilSettled(ticket.documentId);
    await test.backOffice.whenIdle();

    expect(document).toMatchObject({ status: 'ARCHIVED', code: `${paper.ownerId}.GPXD.01` });
    expect(await keysUnder(buckets.archive, `${paper.ownerId}/`)).toEqual([
      `${paper.ownerId}/${paper.ownerId}.GPXD.01/${paper.ownerId}.GPXD.01.pdf`,
      `${paper.ownerId}/${paper.ownerId}.GPXD.01/original.jpg`,
      `${paper.ownerId}/${paper.ownerId}.GPXD.01/text.txt`,
    ]);
    // The runs that lost the claim ended quietly, not in failure and not in quarantine.
    for (const executionArn of extra) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).toBe('SUCCEEDED');
    }
    // No code was spent by the losers: the next paper of this owner and type is .02.
    const next = await test.uploadAndSettle(bytes, 'image/jpeg');
    expect(next.document.code).toBe(`${paper.ownerId}.GPXD.02`);
  });

  it('processes a paper PUT twice to its URL once', async () => {
    const paper = samplePaper('TTHN');
    const bytes = await renderPaperJpeg(paper);
    const ticket = await test.api.requestUpload({
      agencyId: TEST_AGENCY,
      mediaType: 'image/jpeg',
      size: bytes.byteLength,
      sha256: (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'),
    });
    for (let put = 0; put < 2; put++) {
      const response = await fetch(ticket.url, {
        method: ticket.method,
        headers: ticket.headers,
        body: bytes,
      });
      expect(response.ok).toBe(true);
    }
    const { document } = await test.api.waitUntilSettled(ticket.documentId);
    await test.backOffice.whenIdle();
    expect(document).toMatchObject({ status: 'ARCHIVED', code: `${paper.ownerId}.TTHN.01` });
    expect(await keysUnder(buckets.archive, `${paper.ownerId}/${paper.ownerId}.TTHN.`)).toHaveLength(3);
  });
});

describe('a late review', () => {
  it('still archives after the work files have expired, reading the upload again', async () => {
    const form: TestPaper = {
      name: 'late-review',
      docType: 'DDN',
      ownerId: '',
      title: 'ĐƠN ĐỀ NGHỊ',
      lines: [
        'Kính gửi: Ủy ban nhân dân phường Đông Thành',
        'Tôi tên là: LÊ THỊ HOA',
        'Đề nghị cấp bản sao.',
      ],
    };
    const { document } = await test.uploadAndSettle(await renderPaperPng(form), 'image/png');
    expect(document.status).toBe('NEEDS_REVIEW');
    const work = await keysUnder(buckets.ingest, `work/${document.documentId}/`);
    expect(work.length).toBeGreaterThan(0);
    // What the bucket's 7-day lifecycle rule does to a review that waits too long.
    for (const key of work) await s3.send(new DeleteObjectCommand({ Bucket: buckets.ingest, Key: key }));

    await test.api.completeReview(document.documentId, { docType: 'DDN', ownerId: '052199004455' });
    const reviewed = await test.api.waitUntilSettled(document.documentId);

    expect(reviewed.document).toMatchObject({
      status: 'ARCHIVED',
      code: '052199004455.DDN.01',
      classification: { docType: 'DDN', ownerId: '052199004455', decidedBy: 'officer' },
    });
    const [signature] = await verifyPdfSignatures(await test.downloadSigned(document.documentId));
    expect(signature?.valid).toBe(true);
  });

  it('refuses a second click on the same review with a 409, starting no second run', async () => {
    const form: TestPaper = {
      name: 'double-click',
      docType: 'DDN',
      ownerId: '',
      title: 'ĐƠN ĐỀ NGHỊ',
      lines: ['Kính gửi: Ủy ban nhân dân phường Đông Thành', 'Tôi tên là: PHẠM VĂN AN', 'Đề nghị xác nhận.'],
    };
    const { document } = await test.uploadAndSettle(await renderPaperPng(form), 'image/png');
    const decision = { docType: 'DDN', ownerId: '052199006677' };
    const clicks = await Promise.allSettled([
      test.api.completeReview(document.documentId, decision),
      test.api.completeReview(document.documentId, decision),
    ]);
    expect(clicks.filter((click) => click.status === 'fulfilled')).toHaveLength(1);
    expect(clicks.find((click) => click.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
    const reviewed = await test.api.waitUntilSettled(document.documentId);
    expect(reviewed.document.code).toBe('052199006677.DDN.01');
  });
});

describe('archive search through the API', () => {
  it('finds what was archived for an auditor, with retention and signature, and refuses a search without criteria', async () => {
    const paper = samplePaper('LLTP');
    const { document } = await test.uploadAndSettle(await renderPaperJpeg(paper), 'image/jpeg');
    const token = await test.backOffice.auth.issueLocalToken({
      sub: 'auditor-1',
      groups: ['auditor'],
      agencyId: '',
    });
    const auditor = createApiClient(test.backOffice.apiUrl, token);
    const page = await auditor.searchArchive({ ownerId: paper.ownerId, docType: 'LLTP' });
    expect(page.documents).toMatchObject([
      {
        code: document.code,
        documentId: document.documentId,
        agencyId: TEST_AGENCY,
        retainUntil: document.archive?.retainUntil,
        signature: { signer: document.signature?.signer },
      },
    ]);
    await expect(auditor.searchArchive({})).rejects.toMatchObject({ status: 400, code: 'MISSING_CRITERION' });
    const officer = createApiClient(
      test.backOffice.apiUrl,
      await test.backOffice.auth.issueLocalToken({
        sub: 'officer-1',
        groups: ['counter-officer'],
        agencyId: TEST_AGENCY,
      }),
    );
    await expect(officer.searchArchive({ ownerId: paper.ownerId })).rejects.toMatchObject({ status: 403 });
  });
});

describe('an archive record through the API', () => {
  it('shows the record, verifies the archived copy against the recorded certificate, and names a copy changed in storage', async () => {
    const paper = samplePaper('KS');
    const { document } = await test.uploadAndSettle(await renderPaperJpeg(paper), 'image/jpeg');
    const code = document.code ?? '';
    const token = await test.backOffice.auth.issueLocalToken({
      sub: 'auditor-2',
      groups: ['auditor'],
      agencyId: '',
    });
    const auditor = createApiClient(test.backOffice.apiUrl, token);

    const record = await auditor.readArchiveRecord(code, { verify: true, download: true });
    expect(record.metadata).toMatchObject({
      docType: 'KS',
      ownerId: paper.ownerId,
      accessLevel: 'restricted',
    });
    expect(record.signature?.certificate?.subject).toContain('CN=');
    expect(record.text).toContain(paper.ownerId);
    // The local S3 server keeps no Object Lock state: reported as such, never as unlocked.
    expect(record.retention.recordedUntil).toBe(document.archive?.retainUntil);
    expect(record.retention.storage).toBeUndefined();
    expect(record.verification).toMatchObject({
      hashMatches: true,
      signatureValid: true,
      certificateMatchesRecorded: true,
    });
    expect(record.downloadUrl).toContain(encodeURIComponent(`${code}.pdf`).replace(/%2F/g, '/'));

    // Rewrite the archived copy in storage, as only a local server without Object Lock allows.
    const signedKey = document.archive?.signedPdfKey ?? '';
    const original = await s3.send(new GetObjectCommand({ Bucket: buckets.archive, Key: signedKey }));
    const bytes = Buffer.from((await original.Body?.transformToByteArray()) ?? []);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    await s3.send(new PutObjectCommand({ Bucket: buckets.archive, Key: signedKey, Body: bytes }));
    const tampered = await auditor.readArchiveRecord(code, { verify: true });
    // Named for that paper; its index still says what the archive does.
    expect(tampered).toMatchObject({
      code,
      documentId: document.documentId,
      verification: { hashMatches: false, signatureValid: false, index: { matches: true } },
    });

    await expect(auditor.readArchiveRecord(`${paper.ownerId}.KS.99`)).rejects.toMatchObject({ status: 404 });
  });
});
