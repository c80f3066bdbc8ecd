import { DeleteItemCommand, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureAuditTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbAuditTrail } from '#shared/adapters/aws/dynamodb-audit-trail.ts';
import type { AuditTrail } from '#shared/ports/audit-trail.ts';
import { verifyAuditChain } from '#shared/use-cases/audit/verify-audit-chain.ts';
import { auditRecord, auditTrailContract } from '#test/support/audit-trail-contract.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let client: DynamoDBClient;
let table = 0;
let current: { trail: AuditTrail; name: string } | undefined;

beforeAll(() => {
  client = dynamo.client();
});

beforeEach(async () => {
  const name = `audit-${++table}`;
  expect(await ensureAuditTable(client, name)).toBe(true);
  expect(await ensureAuditTable(client, name)).toBe(false);
  current = { trail: createDynamoDbAuditTrail(client, name), name };
});

function trail(): AuditTrail {
  if (!current) throw new Error('no table');
  return current.trail;
}

describe('DynamoDB audit trail (against dynalite)', () => {
  auditTrailContract(trail);

  it("chains after another writer's entries although it remembers the tail it wrote itself", async () => {
    const name = current?.name ?? '';
    const other = createDynamoDbAuditTrail(client, name);
    const at = (second: number) => `2026-11-22T08:00:0${second}.000Z`;
    const first = await trail().append(auditRecord({ at: at(0) }));
    const theirs = await other.append(auditRecord({ actor: 'auditor-2', at: at(1) }));
    const next = await trail().append(auditRecord({ at: at(2) }));
    expect([first.seq, theirs.seq, next.seq]).toEqual([1, 2, 3]);
    expect(next.prevHash).toBe(theirs.hash);
    expect(await verifyAuditChain(trail(), { from: '2026-11-22', to: '2026-11-22' })).toMatchObject({
      valid: true,
    });
  });

  it('names the changed field and the deleted entry of a tampered chain', async () => {
    const name = current?.name ?? '';
    for (let second = 0; second < 4; second++) {
      await trail().append(auditRecord({ at: `2026-11-22T07:00:0${second}.000Z` }));
    }
    const day = { from: '2026-11-22', to: '2026-11-22' };
    expect(await verifyAuditChain(trail(), day)).toMatchObject({ valid: true });
    const key = (seq: number) => ({
      pk: { S: 'CHAIN#2026-11-22' },
      sk: { S: `SEQ#${String(seq).padStart(12, '0')}` },
    });
    await client.send(
      new UpdateItemCommand({
        TableName: name,
        Key: key(3),
        UpdateExpression: 'SET actor = :someone',
        ExpressionAttributeValues: { ':someone': { S: 'someone-else' } },
      }),
    );
    expect(await verifyAuditChain(trail(), day)).toMatchObject({
      valid: false,
      firstProblem: { entryId: '2026-11-22/3', kind: 'changed', fields: ['actor'] },
    });
    await client.send(new DeleteItemCommand({ TableName: name, Key: key(2) }));
    expect(await verifyAuditChain(trail(), day)).toMatchObject({
      valid: false,
      firstProblem: { entryId: '2026-11-22/2', seq: 2, kind: 'missing' },
    });
  });
});
