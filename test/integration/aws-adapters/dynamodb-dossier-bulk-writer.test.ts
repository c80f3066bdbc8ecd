import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import {
  createDynamoDbDossierBulkWriter,
  createDynamoDbDossierRepository,
} from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import { extendedCalendar, sampleConfig, sketchDossier } from '#test/support/kpi-dossiers.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
let tables = 0;

const fresh = async () => {
  const name = `documents-bulk-${++tables}`;
  await ensureDocumentsTable(dynamo.client(), name);
  return name;
};

/** Every item of a table, in key order, as DynamoDB stores it. */
async function tableItems(table: string) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const response = await dynamo
      .client()
      .send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey as never }));
    items.push(...((response.Items ?? []) as Record<string, unknown>[]));
    startKey = response.LastEvaluatedKey;
  } while (startKey);
  const key = (item: Record<string, unknown>) => JSON.stringify([item.pk, item.sk]);
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const dossiers = [
  ...simulateProvinceYear({
    seed: 'bulk',
    year: 2026,
    dossiers: 60,
    province: sampleConfig,
    calendar: extendedCalendar(),
  }),
];

describe('DynamoDB dossier bulk writer (against dynalite)', () => {
  it('writes exactly the items createDossier writes, and the same again on a second run', async () => {
    const created = await fresh();
    // Saved "before" the simulated year: a save reaching back into a past day also marks that day
    // for the nightly rollup (KPISTALE), which a bulk load leaves to the rollup command it is
    // followed by.
    const repository = createDynamoDbDossierRepository(dynamo.client(), created, {
      now: () => new Date('2020-01-01T00:00:00Z'),
    });
    for (const dossier of dossiers) await repository.createDossier(dossier);
    const bulk = await fresh();
    const writer = createDynamoDbDossierBulkWriter(dynamo.client(), bulk, 3);
    await writer.putDossiers(dossiers);

    const expected = await tableItems(created);
    // Dossiers, queue items (received and opened steps) and day buckets of every simulated one.
    expect(expected.length).toBeGreaterThan(dossiers.length * 4);
    expect(await tableItems(bulk)).toEqual(expected);
    await writer.putDossiers(dossiers);
    expect(await tableItems(bulk)).toEqual(expected);
    // What the repository reads back is what it would read after its own saves.
    const first = dossiers[0];
    if (!first) throw new Error('no dossier simulated');
    expect(await createDynamoDbDossierRepository(dynamo.client(), bulk).getDossier(first.code)).toEqual(
      first,
    );
  });

  it('finds stored dossiers by code, tells whether the table holds any, and only raises counters', async () => {
    const table = await fresh();
    const writer = createDynamoDbDossierBulkWriter(dynamo.client(), table);
    const repository = createDynamoDbDossierRepository(dynamo.client(), table);
    expect(await writer.holdsDossiers()).toBe(false);
    const real = sketchDossier({ received: '2026-03-02T09:00' });
    await repository.createDossier(real);
    expect(await writer.holdsDossiers()).toBe(true);
    expect(await writer.findDossiers([real.code, 'nothing-260302-0001'])).toEqual([
      { code: real.code, receivingUnitId: real.receivingUnitId, receivedBy: real.receivedBy },
    ]);

    await writer.raiseDossierNumber('000.17.22.H99', '260302', 7);
    expect(await repository.nextDossierNumber('000.17.22.H99', '260302')).toBe(8);
    await writer.raiseDossierNumber('000.17.22.H99', '260302', 3);
    expect(await repository.nextDossierNumber('000.17.22.H99', '260302')).toBe(9);
  });
});
