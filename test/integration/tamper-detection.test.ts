import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { renderPaperJpeg, samplePaper } from '#test/support/make-test-scans.ts';
import { startTestBackOffice, type TestBackOffice } from '#test/support/start-test-back-office.ts';
import { createApiClient } from '../../scripts/lib/api-client.ts';

/**
 * Someone with direct write access to the documents table edits the archive index, which the
 * searches answer from. Verifying the paper names each edited item and field against what the
 * archive itself says. The other tamperings are tested where their feature is: an archived copy's
 * bytes in pipeline-ownership.test.ts (the hash no longer matches, for that document), an audit
 * entry changed or deleted in audit-trail.test.ts (the API and `npm run audit:verify` name the
 * first broken or missing entry).
 */

let test: TestBackOffice;

beforeAll(async () => {
  test = await startTestBackOffice();
}, 120_000);

afterAll(async () => {
  await test?.stop();
});

describe('tampering with the archive index on the embedded runtime', () => {
  it('is named by verification: the edited item, the field, what it says and what the archive says', async () => {
    const paper = samplePaper('KS');
    const { document } = await test.uploadAndSettle(await renderPaperJpeg(paper), 'image/jpeg');
    const code = document.code ?? '';
    const auditor = createApiClient(
      test.backOffice.apiUrl,
      await test.backOffice.auth.issueLocalToken({ sub: 'auditor-8', groups: ['auditor'], agencyId: '' }),
    );
    const before = await auditor.readArchiveRecord(code, { verify: true });
    expect(before.verification?.index).toEqual({ matches: true, mismatches: [] });

    const [hit] = (await auditor.searchArchive({ ownerId: paper.ownerId })).documents;
    const recordedHash = document.signature?.signedPdfSha256;
    expect(hit).toMatchObject({ code, signature: { signedPdfSha256: recordedHash } });
    const order = `${hit?.archivedAt}#${code}`;
    const dynamodb = new DynamoDBClient(awsClientSettings(test.backOffice.runtimeConfig.aws, 'dynamodb'));
    const TableName = test.backOffice.runtimeConfig.documentsTable;
    const forgedHash = '0'.repeat(64);
    try {
      // The item by code now names another owner…
      await dynamodb.send(
        new UpdateItemCommand({
          TableName,
          Key: { pk: { S: `CODE#${code}` }, sk: { S: 'ARCHIVE' } },
          UpdateExpression: 'SET ownerId = :other',
          ExpressionAttributeValues: { ':other': { S: '001099000001' } },
        }),
      );
      // …the owner's hit carries another hash…
      await dynamodb.send(
        new UpdateItemCommand({
          TableName,
          Key: { pk: { S: `ARCHIVE#OWNER#${paper.ownerId}` }, sk: { S: order } },
          UpdateExpression: 'SET signature.signedPdfSha256 = :forged',
          ExpressionAttributeValues: { ':forged': { S: forgedHash } },
        }),
      );
      // …and the paper is gone from its agency's list.
      await dynamodb.send(
        new DeleteItemCommand({
          TableName,
          Key: { pk: { S: `ARCHIVE#AGENCY#${document.agencyId}` }, sk: { S: order } },
        }),
      );
    } finally {
      dynamodb.destroy();
    }
    // What a search hands out is the forged item, which is why verification reads every item.
    const forged = await auditor.searchArchive({ ownerId: paper.ownerId });
    expect(forged.documents[0]?.signature?.signedPdfSha256).toBe(forgedHash);

    const after = await auditor.readArchiveRecord(code, { verify: true });
    expect(after).toMatchObject({
      code,
      documentId: document.documentId,
      verification: { hashMatches: true, signatureValid: true },
    });
    const mismatches = after.verification?.index.mismatches ?? [];
    expect(after.verification?.index.matches).toBe(false);
    expect([...mismatches].sort((a, b) => (a.item < b.item ? -1 : 1))).toEqual([
      { item: `ARCHIVE#AGENCY#${document.agencyId} ${order}`, missing: true },
      {
        item: `ARCHIVE#OWNER#${paper.ownerId} ${order}`,
        field: 'signature.signedPdfSha256',
        indexed: forgedHash,
        archived: recordedHash,
      },
      { item: `CODE#${code} ARCHIVE`, field: 'ownerId', indexed: '001099000001', archived: paper.ownerId },
    ]);
  }, 120_000);
});
