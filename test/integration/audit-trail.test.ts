import { join } from 'node:path';
import { DeleteItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLocalAuditChain } from '#infra/local/verify-audit-chain.ts';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import {
  startTestBackOffice,
  TEST_AGENCY,
  type TestBackOffice,
} from '#test/support/start-test-back-office.ts';
import { createApiClient } from '../../scripts/lib/api-client.ts';

let test: TestBackOffice;

beforeAll(async () => {
  test = await startTestBackOffice();
}, 120_000);

afterAll(async () => {
  await test?.stop();
});

describe('the audit trail on the embedded runtime', () => {
  it('records searches and refusals with their origin, serves them to an auditor, and names tampering', async () => {
    const { backOffice } = test;
    const token = (sub: string, groups: string[], agencyId = '') =>
      backOffice.auth.issueLocalToken({ sub, groups: groups as never, agencyId });
    const auditor = createApiClient(backOffice.apiUrl, await token('auditor-7', ['auditor']));
    const officer = createApiClient(
      backOffice.apiUrl,
      await token('officer-3', ['counter-officer'], TEST_AGENCY),
    );

    await auditor.searchArchive({ ownerId: '0101234567' });
    await expect(officer.searchArchive({ ownerId: '0101234567' })).rejects.toMatchObject({ status: 403 });
    await expect(officer.listAuditEntries({})).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    await expect(auditor.listAuditEntries({ action: 'delete' })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_ACTION',
    });

    const { entries } = await auditor.listAuditEntries({ action: 'search' });
    expect(entries).toEqual([
      expect.objectContaining({
        actor: 'auditor-7',
        roles: ['auditor'],
        target: { query: { ownerId: '0101234567' }, hits: 0 },
        outcome: 'allowed',
        source: { ip: '127.0.0.1', userAgent: expect.any(String) },
      }),
      expect.objectContaining({
        actor: 'officer-3',
        agencyId: TEST_AGENCY,
        outcome: 'denied',
        reason: 'FORBIDDEN',
      }),
    ]);
    const byActor = await auditor.listAuditEntries({ actor: 'officer-3', outcome: 'denied' });
    expect(byActor.entries.map((entry) => entry.entryId)).toEqual([entries[1]?.entryId]);
    const day = entries[0]?.chain ?? '';
    expect(await auditor.verifyAuditChain({ from: day, to: day })).toMatchObject({
      valid: true,
      chains: [{ chain: day, entries: 2 }],
    });

    // Someone with direct access to the table rewrites the denied attempt as allowed…
    const dynamodb = new DynamoDBClient(awsClientSettings(backOffice.runtimeConfig.aws, 'dynamodb'));
    const TableName = backOffice.runtimeConfig.auditTable ?? '';
    const key = (seq: number) => ({
      pk: { S: `CHAIN#${day}` },
      sk: { S: `SEQ#${String(seq).padStart(12, '0')}` },
    });
    const setOutcome = (outcome: string) =>
      dynamodb.send(
        new UpdateItemCommand({
          TableName,
          Key: key(2),
          UpdateExpression: 'SET outcome = :outcome',
          ExpressionAttributeValues: { ':outcome': { S: outcome } },
        }),
      );
    await setOutcome('allowed');
    expect(await auditor.verifyAuditChain({ from: day, to: day })).toMatchObject({
      valid: false,
      firstProblem: { entryId: `${day}/2`, kind: 'changed', fields: ['outcome'] },
    });
    await setOutcome('denied');
    expect((await auditor.verifyAuditChain({ from: day, to: day })).valid).toBe(true);

    // …or deletes the first entry.
    await dynamodb.send(new DeleteItemCommand({ TableName, Key: key(1) }));
    dynamodb.destroy();
    const report = await auditor.verifyAuditChain({ from: day, to: day });
    expect(report.firstProblem).toMatchObject({ entryId: `${day}/1`, kind: 'missing' });
    expect(report.firstProblem?.message).toContain(`${day}/2`);

    // The command finds the same on the stopped runtime's data folder.
    await backOffice.stop();
    const offline = await verifyLocalAuditChain({
      dataDir: join(test.dataDir, 'data'),
      from: day,
      to: day,
      configPath: join(test.dataDir, 'province.yaml'),
    });
    expect(offline).toMatchObject({ valid: false, firstProblem: { entryId: `${day}/1`, kind: 'missing' } });
  }, 60_000);
});
