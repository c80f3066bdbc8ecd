import { describe, expect, it } from 'vitest';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiStaleDays } from '#shared/adapters/aws/dynamodb-kpi-stale-days.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import {
  dossierListContract,
  dossierRepositoryContract,
  makeDossier,
  makeStep,
} from '#test/support/dossier-repository-contract.ts';
import { kpiStaleDaysContract } from '#test/support/kpi-stale-days-contract.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let tables = 0;

describe('DynamoDB dossier repository (against dynalite)', () => {
  // Each case gets a fresh table, as each gets a fresh fake.
  const fresh = async () => {
    const name = `documents-${++tables}`;
    await ensureDocumentsTable(dynamo.client(), name);
    return createDynamoDbDossierRepository(dynamo.client(), name);
  };
  dossierRepositoryContract(fresh);
  dossierListContract(fresh);
  kpiStaleDaysContract(async (now) => {
    const name = `documents-${++tables}`;
    await ensureDocumentsTable(dynamo.client(), name);
    return {
      dossiers: createDynamoDbDossierRepository(dynamo.client(), name, { now }),
      stale: createDynamoDbKpiStaleDays(dynamo.client(), name),
    };
  });

  it("never lets an older version's queue items, written late, undo a newer version's", async () => {
    const repo = await fresh();
    const consulted = '000.09.01.H99';
    const v1: Dossier = makeDossier('000.00.01.H99-261201-0001', {
      status: 4,
      steps: [
        makeStep('2.1', consulted, {
          state: 'waiting',
          startedAt: '2026-12-01T02:00:00.000Z',
          dueAt: '2026-12-03T02:00:00.000Z',
        }),
      ],
    });
    const v2 = {
      ...v1,
      version: 2,
      steps: v1.steps.map((step) => ({ ...step, state: 'in-progress' as const })),
    };
    const v3 = {
      ...v2,
      version: 3,
      steps: v2.steps.map((step) => ({ ...step, state: 'completed' as const })),
    };
    await repo.createDossier(v1);
    // Version 2's queue items are held back until version 3 is saved with its own.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held: () => void = () => {};
    const reached = new Promise<void>((resolve) => {
      held = resolve;
    });
    dynamo.client().middlewareStack.add(
      (next) => async (args) => {
        const item = (args.input as { Item?: { sk?: { S?: string }; version?: { N?: string } } }).Item;
        if (item?.sk?.S?.startsWith('QUEUE#STEP#') && item.version?.N === '2') {
          held();
          await gate;
        }
        return next(args);
      },
      { step: 'build', name: 'holdVersion2' },
    );
    try {
      const slow = repo.saveDossier(v2);
      await reached;
      await repo.saveDossier(v3);
      release();
      await slow;
    } finally {
      dynamo.client().middlewareStack.remove('holdVersion2');
    }
    const page = await repo.listDossiers({
      queues: [{ kind: 'open-steps', unitId: consulted }],
      statuses: [4],
      limit: 10,
    });
    expect(page.items).toEqual([]);
    expect(await repo.listOpenStepsDueBefore('2027-01-01T00:00:00.000Z', { limit: 10 })).toEqual({
      items: [],
    });
  });
});
