import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { formatKpiDay, rollUpLocalKpis } from '#infra/local/roll-up-kpis.ts';
import { ensureDocumentsTable, startLocalDynamoDb } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';
import { sketchDossier } from '#test/support/kpi-dossiers.ts';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

const client = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('npm run kpi:rollup', () => {
  it("rolls up a range on a stopped runtime's data folder, or through a running DynamoDB, and prints the province's table", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'motcua-kpi-'));
    folders.push(dataDir);
    const table = 'motcua-sample-documents';
    let server = await startLocalDynamoDb({ dataDir });
    let dynamodb = client(server.endpoint);
    await ensureDocumentsTable(dynamodb, table);
    const dossiers = createDynamoDbDossierRepository(dynamodb, table);
    await dossiers.createDossier(sketchDossier({ received: '2026-11-30T09:00', channel: 2 }));
    await dossiers.createDossier(
      sketchDossier({ received: '2026-11-30T10:00', finished: '2026-12-01T15:00' }),
    );
    dynamodb.destroy();
    await server.stop();

    const request = {
      from: '2026-11-30',
      to: '2026-12-01',
      dataDir,
      configPath: 'config/provinces/sample-province.yaml',
      now: () => new Date('2026-12-02T18:00:00.000Z'),
    };
    const rollups = await rollUpLocalKpis(request);
    expect(rollups.map((rollup) => [rollup.day, rollup.dossiers])).toEqual([
      ['2026-11-30', 2],
      ['2026-12-01', 1],
    ]);
    const table30 = formatKpiDay(rollups[0] as (typeof rollups)[number]);
    expect(table30).toMatch(/^2026-11-30 {2}province {2}2 dossiers/);
    expect(table30).toMatch(/online-share\s+50\s+percent\s+1\/2/);

    // Through a running server: the same figures, nothing written again.
    server = await startLocalDynamoDb({ dataDir });
    try {
      const again = await rollUpLocalKpis({ ...request, endpoint: server.endpoint });
      expect(again.map((rollup) => rollup.written)).toEqual([0, 0]);
      dynamodb = client(server.endpoint);
      const stored = await createDynamoDbKpiRollupStore(dynamodb, table).listFigures(
        PROVINCE_SCOPE,
        '2026-12-01',
      );
      expect(stored.find((figure) => figure.kpiId === 'processing-time')).toMatchObject({
        denominator: 1,
        computedAt: '2026-12-02T18:00:00.000Z',
      });
      dynamodb.destroy();
    } finally {
      await server.stop();
    }
  }, 60_000);
});
