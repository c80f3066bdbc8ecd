import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSweepContainer } from '#functions/dossiers/sweep-container.ts';
import { createSweepOverdueHandler } from '#functions/dossiers/sweep-overdue.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import {
  type CapturedOutput,
  captureOutput,
  handlerRuntimeConfig,
  LAMBDA_CONTEXT,
} from '../handler-fixtures.ts';

const dynamodb = mockClient(DynamoDBDocumentClient);
const config = handlerRuntimeConfig({
  stateMachineArn: undefined,
  buckets: { ingest: 'ingest' },
  observability: { logLevel: 'INFO', tracing: false, metrics: false },
});
const handler = createSweepOverdueHandler(createSweepContainer(config));
let output: CapturedOutput;

beforeEach(() => {
  dynamodb.reset();
  output = captureOutput();
});

afterEach(() => output.restore());

describe('sweep-overdue handler', () => {
  it("sweeps as of the event's instant and writes every unit's list of that Vietnam day, with only the documents table", async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [] });
    dynamodb.on(PutCommand).resolves({});

    const report = await handler({ at: '2026-12-03T18:30:00.000Z' }, LAMBDA_CONTEXT);

    expect(report).toMatchObject({ day: '2026-12-04', dossiers: 0, near: 0, past: 0, skipped: [] });
    const puts = dynamodb.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(puts).toHaveLength(config.provinceConfig.agencies.length);
    expect(puts[0]).toMatchObject({
      pk: expect.stringMatching(/^ATTENTION#/),
      sk: 'DAY#2026-12-04#PART#0000',
      items: [],
    });
    // Candidates come from the status index (open statuses) and the open-steps partition only.
    const partitions = dynamodb
      .commandCalls(QueryCommand)
      .map(
        (call) => `${call.args[0].input.IndexName} ${call.args[0].input.ExpressionAttributeValues?.[':pk']}`,
      );
    expect(partitions.sort()).toEqual([
      'gsi1 DOSSIER#OPENSTEPS',
      'gsi1 DOSSIER#STATUS#2',
      'gsi1 DOSSIER#STATUS#4',
      'gsi1 DOSSIER#STATUS#5',
      'gsi1 DOSSIER#STATUS#6',
      'gsi1 DOSSIER#STATUS#9',
    ]);
    expect(output.logs('INFO')).toContainEqual(
      expect.objectContaining({ message: 'swept overdue dossiers', units: puts.length }),
    );
  });

  it('refuses an event whose instant is not one, and logs the failure', async () => {
    await expect(handler({ at: 'yesterday' }, LAMBDA_CONTEXT)).rejects.toBeInstanceOf(ValidationError);
    expect(dynamodb.calls()).toHaveLength(0);
    expect(output.logs('ERROR')).toEqual([expect.objectContaining({ message: 'invocation failed' })]);
  });
});
