import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KPI_ROLLUP_RECORD,
  type KpiRollupRecord,
  nextKpiRollupAt,
} from '#infra/local/schedule-kpi-rollup.ts';
import { type EmbeddedBackOffice, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import { awsClientSettings } from '#shared/adapters/aws/aws-client-settings.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { createDynamoDbKpiRollupStore } from '#shared/adapters/aws/dynamodb-kpi-rollup-store.ts';
import { createDynamoDbKpiStaleDays } from '#shared/adapters/aws/dynamodb-kpi-stale-days.ts';
import { DOSSIER_STATUS } from '#shared/domain/dossiers/dossier.ts';
import { PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';
import { at, COMMUNE, sketchDossier } from '#test/support/kpi-dossiers.ts';

interface RollupOutput {
  plan: { days: string[]; stale: { day: string }[] };
  days: { day: string; dossiers: number; written: number; unchanged: number }[];
  periods: { periods: { period: string; written: number; unchanged: number }[] };
  cleared: { cleared: number; kept: number };
}

const start = (dataDir: string, kpiRollupEveryMs?: number) =>
  startEmbeddedBackOffice({
    dataDir,
    apiPort: 0,
    ocrWorkers: 1,
    quiet: true,
    sweepEveryMs: 0,
    reconcileEveryMs: 0,
    auditAnchorEveryMs: 0,
    portalDeliveryEveryMs: 0,
    ...(kpiRollupEveryMs === undefined ? {} : { kpiRollupEveryMs }),
  });

/** Waits until `check` answers something (the runtime works in the background). */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

describe("the embedded runtime's KPI rollup timer", () => {
  it('fires at the next 01:00 in Vietnam time', () => {
    // 00:59 local (17:59 UTC the day before): the same night; 01:00 local and later: the next night.
    expect(nextKpiRollupAt(new Date('2026-11-29T17:59:00.000Z')).toISOString()).toBe(
      '2026-11-29T18:00:00.000Z',
    );
    expect(nextKpiRollupAt(new Date('2026-11-29T18:00:00.000Z')).toISOString()).toBe(
      '2026-11-30T18:00:00.000Z',
    );
    expect(nextKpiRollupAt(new Date('2026-11-30T07:00:00.000Z')).toISOString()).toBe(
      '2026-11-30T18:00:00.000Z',
    );
  });
});

describe('the KPI rollup state machine on the embedded runtime', () => {
  let root: string;
  let office: EmbeddedBackOffice;
  let dynamodb: DynamoDBClient;
  const table = 'motcua-sample-documents';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'motcua-kpi-sfn-'));
    office = await start(join(root, 'data'), 0);
    dynamodb = new DynamoDBClient(awsClientSettings(office.runtimeConfig.aws, 'dynamodb'));
  }, 120_000);

  afterAll(async () => {
    dynamodb?.destroy();
    await office?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('rolls up a range: day, month, quarter and year figures stored; a late event then recomputes only what it touched', async () => {
    const dossiers = createDynamoDbDossierRepository(dynamodb, table);
    const store = createDynamoDbKpiRollupStore(dynamodb, table);
    const A = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T10:00' });
    const D = sketchDossier({ received: '2026-03-20T09:00', status: DOSSIER_STATUS.processing });
    for (const dossier of [A, D]) await dossiers.createDossier(dossier);

    const first = (await office.runKpiRollup({ from: '2026-03-01', to: '2026-03-31' })) as RollupOutput;
    expect(first.days).toHaveLength(31);
    expect(first.days.find((day) => day.day === '2026-03-02')).toMatchObject({ dossiers: 1 });
    expect(first.periods.periods.map((period) => period.period)).toEqual(['2026-03', '2026-Q1', '2026']);
    // The new dossiers marked their days; the run cleared exactly those.
    expect(first.plan.stale.map(({ day }) => day)).toEqual(['2026-03-02', '2026-03-04', '2026-03-20']);
    expect(first.cleared).toEqual({ cleared: 3, kept: 0 });
    const received = async (period: string) =>
      (await store.listFigures(PROVINCE_SCOPE, period)).find((figure) => figure.kpiId === 'online-share');
    expect(await received('2026-03-02')).toMatchObject({ denominator: 1 });
    for (const period of ['2026-03', '2026-Q1', '2026']) {
      expect(await received(period), period).toMatchObject({ denominator: 2 });
    }
    const backlog = async (period: string) =>
      (await store.listFigures(COMMUNE, period)).find((figure) => figure.kpiId === 'backlog');
    expect(await backlog('2026-03')).toMatchObject({ numerator: 1, denominator: 1 });

    // Entered today: D was processed on 25 March.
    const finishedAt = at('2026-03-25T16:00');
    await dossiers.saveDossier({
      ...D,
      version: D.version + 1,
      status: DOSSIER_STATUS.processed,
      finishedAt,
      history: [
        ...D.history,
        { version: D.version + 1, at: finishedAt, action: 'complete', by: 'o', status: 9 },
      ],
    });
    const second = (await office.runKpiRollup({ from: '2026-03-31' })) as RollupOutput;
    expect(second.plan.days).toEqual(['2026-03-20', '2026-03-25', '2026-03-31']);
    expect(Object.fromEntries(second.days.map((day) => [day.day, day.written > 0]))).toEqual({
      // D's receipt day: recomputed, unchanged (received and accepted either way); nothing on the 31st.
      '2026-03-20': false,
      '2026-03-25': true,
      '2026-03-31': false,
    });
    expect(second.periods.periods.every((period) => period.written > 0)).toBe(true);
    expect(await backlog('2026-03')).toMatchObject({ numerator: 0, denominator: 0 });
    expect(await createDynamoDbKpiStaleDays(dynamodb, table).listStaleDays(10)).toEqual([]);

    const third = (await office.runKpiRollup({ from: '2026-03-31' })) as RollupOutput;
    expect(third.plan.days).toEqual(['2026-03-31']);
    expect([...third.days, ...third.periods.periods].every((row) => row.written === 0)).toBe(true);
    // A malformed range fails the run at its plan, without retries.
    await expect(office.runKpiRollup({ from: '2026-3-1' })).rejects.toThrow(/KpiRollup\.Failed/);
  }, 120_000);

  it('catches up at start when the last run is more than a period old, then runs on its timer', async () => {
    const dataDir = join(root, 'data');
    await office.stop();
    const recordPath = join(dataDir, KPI_ROLLUP_RECORD);
    const readRecord = async () => JSON.parse(await readFile(recordPath, 'utf8')) as KpiRollupRecord;
    // The first start (timer off) wrote no record; a folder last rolled up two days ago:
    const old = new Date(Date.now() - 2 * 86_400_000).toISOString();
    await writeFile(recordPath, JSON.stringify({ lastRunAt: old }));
    office = await start(dataDir, 3_600_000);
    const caughtUp = await eventually(async () => {
      const record = await readRecord();
      return record.executionArn ? record : undefined;
    });
    expect(Date.parse(caughtUp.lastRunAt)).toBeGreaterThan(Date.parse(old));
    await office.whenIdle();
    const sfn = new SFNClient(awsClientSettings(office.runtimeConfig.aws, 'sfn'));
    try {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: caughtUp.executionArn }));
      expect(execution.status).toBe('SUCCEEDED');
      expect(JSON.parse(execution.input ?? '')).toEqual({});
    } finally {
      sfn.destroy();
    }
    // A restart within the period starts nothing; a short period runs on the timer.
    await office.stop();
    office = await start(dataDir, 500);
    const next = await eventually(async () => {
      const record = await readRecord();
      return record.executionArn !== caughtUp.executionArn ? record : undefined;
    });
    expect(next.executionArn).toMatch(/:execution:kpi-rollup:kpi-rollup-/);
    dynamodb.destroy();
    dynamodb = new DynamoDBClient(awsClientSettings(office.runtimeConfig.aws, 'dynamodb'));
  }, 120_000);
});
