import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  daysToRollUp,
  formatKpiDay,
  formatLocalKpiRollup,
  rollUpLocalKpiPeriods,
  rollUpLocalKpis,
} from '#infra/local/roll-up-kpis.ts';
import { ensureDocumentsTable, startLocalDynamoDb } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';
import { COMMUNE, sketchDossier } from '#test/support/kpi-dossiers.ts';

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

  it('rolls up the days of a period and then the period, printing its province figures with the catalogue', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'motcua-kpi-'));
    folders.push(dataDir);
    const table = 'motcua-sample-documents';
    const server = await startLocalDynamoDb({ dataDir });
    const dynamodb = client(server.endpoint);
    await ensureDocumentsTable(dynamodb, table);
    const dossiers = createDynamoDbDossierRepository(dynamodb, table);
    // Open at the end of November: an online one and a counter one of the 30th (due 3 December),
    // and one of 2 November long past due; the counter one finished on 1 December.
    await dossiers.createDossier(sketchDossier({ received: '2026-11-30T09:00', channel: 2 }));
    await dossiers.createDossier(
      sketchDossier({ received: '2026-11-30T10:00', finished: '2026-12-01T15:00' }),
    );
    await dossiers.createDossier(sketchDossier({ received: '2026-11-02T09:00' }));
    dynamodb.destroy();
    await server.stop();

    const today = '2026-12-02';
    expect(daysToRollUp({ period: '2026-11' }, today)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(daysToRollUp({ period: '2026-Q4' }, today)).toEqual({ from: '2026-10-01', to: today });
    expect(daysToRollUp({ date: '2026-11-30', period: '2026-Q4' }, today)).toEqual({
      from: '2026-11-30',
      to: '2026-11-30',
    });
    expect(() => daysToRollUp({ date: '2026-11-30', period: '2026-Q3' }, today)).toThrow(/does not contain/);
    expect(() => daysToRollUp({ period: '2027-Q1' }, today)).toThrow(/not started/);
    expect(() => daysToRollUp({ period: '2026-11-30' }, today)).toThrow(/--date for a day/);
    expect(() => daysToRollUp({ period: '2026-13' }, today)).toThrow(/not a period key/);
    expect(() => daysToRollUp({}, today)).toThrow(/--date or --period is required/);

    // The last three days of November, printed with the month they belong to.
    const rollup = await rollUpLocalKpiPeriods({
      ...daysToRollUp({ date: '2026-11-28', to: '2026-11-30', period: '2026-11' }, today),
      dataDir,
      configPath: 'config/provinces/sample-province.yaml',
      now: () => new Date('2026-12-01T18:00:00.000Z'),
    });
    expect(rollup.days).toHaveLength(3);
    expect(rollup.periods.periods.map((period) => period.period)).toEqual(['2026-11', '2026-Q4', '2026']);
    expect(rollup.periods.dossiers).toBe(3);
    const printed = formatLocalKpiRollup(rollup, '2026-11');
    expect(printed).toMatch(/^2026-11-30 {2}province {2}2 dossiers touched the day/m);
    expect(printed).toMatch(/^2026-11 {2}province {2}\d+ items written/m);
    // At the month's end all three are open, the one of 2 November overdue: on-time and backlog are
    // judged from the dossiers themselves, the receipt-day KPIs summed from the days rolled up.
    expect(printed).toMatch(/^backlog\s+1\s+dossiers\s+1\/3/m);
    expect(printed).toMatch(/^on-time\s+66\.67\s+percent\s+2\/3/m);
    expect(printed).toMatch(/^online-share\s+50\s+percent\s+1\/2/m);
    expect(printed).toMatch(/^catalogue-with-dossiers\s+1\s+procedures\s+1\//m);
    // The quarter when asked for, judged at 31 December.
    expect(formatLocalKpiRollup(rollup, '2026-Q4')).toMatch(/^2026-Q4 {2}province/m);
    expect(() => formatLocalKpiRollup(rollup, '2026-Q3')).toThrow(/does not contain/);
    const onTimeOf = (periods: typeof rollup.periods.periods) =>
      periods
        .find((period) => period.period === '2026-Q4')
        ?.figures.find((figure) => figure.scope === COMMUNE && figure.kpiId === 'on-time');
    // 1 December is not rolled up yet: the dossier that ended then counts once it is, as its
    // processing time does; until then the quarter judges the other two, open at its end.
    expect(onTimeOf(rollup.periods.periods)).toMatchObject({ numerator: 0, denominator: 2 });
    const december = await rollUpLocalKpiPeriods({
      from: '2026-12-01',
      to: '2026-12-01',
      dataDir,
      configPath: 'config/provinces/sample-province.yaml',
      now: () => new Date('2026-12-01T18:00:00.000Z'),
    });
    expect(onTimeOf(december.periods.periods)).toMatchObject({ numerator: 1, denominator: 3 });
  }, 60_000);
});
