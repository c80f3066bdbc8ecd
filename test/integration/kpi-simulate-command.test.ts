import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { loadSimulatedKpis } from '#infra/local/load-simulated-kpis.ts';
import { ensureDocumentsTable } from '#infra/local/start-local-dynamodb.ts';
import { createDynamoDbDossierRepository } from '#shared/adapters/aws/dynamodb-dossier-repository.ts';
import { type DossierKpiId, kpiUnitsOf, measureKpis } from '#shared/domain/kpi/kpi-definitions.ts';
import { simulateProvinceYear } from '#shared/domain/kpi/simulate-province-year.ts';
import { PROVINCE_SCOPE, reportedFigures } from '#shared/ports/kpi-rollup-store.ts';
import { DAY_KPIS, daysBetween, rollUpKpiDays } from '#shared/use-cases/kpi/roll-up-kpi-day.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { extendedCalendar, sampleConfig, sketchDossier } from '#test/support/kpi-dossiers.ts';
import { useLocalDynamoDb } from '#test/support/use-local-dynamodb.ts';

const dynamo = useLocalDynamoDb();
/** A second runtime whose table holds a real dossier and no simulation. */
const used = useLocalDynamoDb();
const TABLE = 'motcua-sample-documents';
const calendar = extendedCalendar();
const asOf = new Date('2026-12-31T16:59:59.999Z');
const simulation = { dossiers: 300, year: 2026, seed: 'load-test', asOf, calendar };
const request = () => ({
  ...simulation,
  dataDir: '/nonexistent',
  endpoint: dynamo.endpoint(),
  configPath: 'config/provinces/sample-province.yaml',
  now: () => new Date('2027-01-05T00:00:00.000Z'),
});

/** Equal up to floating-point summation order. */
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

async function itemCount(): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const response = await dynamo
      .client()
      .send(new ScanCommand({ TableName: TABLE, Select: 'COUNT', ExclusiveStartKey: startKey as never }));
    count += response.Count ?? 0;
    startKey = response.LastEvaluatedKey;
  } while (startKey);
  return count;
}

describe('npm run kpi:simulate', () => {
  const generated = [
    ...simulateProvinceYear({ ...simulation, province: sampleConfig, calendar: extendedCalendar() }),
  ];

  it("loads a simulated year whose every day rolls up to measureKpis' figures over the generator's dossiers, idempotently", async () => {
    const load = await loadSimulatedKpis(request());
    expect(load).toMatchObject({ table: TABLE, simulated: 300, written: 300, keptReal: [] });
    const items = await itemCount();
    const again = await loadSimulatedKpis(request());
    expect(again.written).toBe(300);
    expect(await itemCount()).toBe(items);

    const context = {
      procedures: sampleConfig.procedures,
      calendar,
      units: kpiUnitsOf(sampleConfig),
      supplementResume: sampleConfig.dossiers.supplementResume,
    };
    const rollups = await rollUpKpiDays(
      {
        dossiers: createDynamoDbDossierRepository(dynamo.client(), TABLE),
        store: createInMemoryKpiRollupStore(),
        context,
        now: () => new Date(),
      },
      '2026-01-01',
      '2026-12-31',
    );
    expect(rollups).toHaveLength(daysBetween('2026-01-01', '2026-12-31').length);
    let compared = 0;
    for (const rollup of rollups) {
      const expected = measureKpis(generated, { ...context, period: { from: rollup.day, to: rollup.day } });
      // The KPIs; the internal terms the day stores besides are checked by the period rollup's tests.
      for (const figure of reportedFigures(rollup.figures)) {
        const value =
          figure.scope === PROVINCE_SCOPE
            ? expected.total.get(figure.kpiId as DossierKpiId)
            : expected.byUnit.get(figure.scope)?.get(figure.kpiId as DossierKpiId);
        const what = `${rollup.day} ${figure.scope} ${figure.kpiId}`;
        expect(value, what).toBeDefined();
        expect(close(figure.numerator, value?.numerator ?? Number.NaN), what).toBe(true);
        expect(close(figure.denominator, value?.denominator ?? Number.NaN), what).toBe(true);
        if (figure.denominator > 0) compared += 1;
      }
      expect(reportedFigures(rollup.figures).length).toBe((expected.byUnit.size + 1) * DAY_KPIS.length);
    }
    // The year's dossiers all counted somewhere: e.g. every received one in its day's online share.
    const onlineShare = rollups
      .flatMap((rollup) => rollup.figures)
      .filter((figure) => figure.scope === PROVINCE_SCOPE && figure.kpiId === 'online-share')
      .reduce((sum, figure) => sum + figure.denominator, 0);
    expect(onlineShare).toBeGreaterThan(250);
    expect(compared).toBeGreaterThan(1_000);

    // Intake after the load numbers its dossiers after the simulated ones of the day.
    const last = generated.at(-1);
    if (!last) throw new Error('nothing simulated');
    const [, day, number] = /-(\d{6})-(\d{4})$/.exec(last.code) ?? [];
    const repository = createDynamoDbDossierRepository(dynamo.client(), TABLE);
    expect(await repository.nextDossierNumber(last.receivingUnitId, day ?? '')).toBe(Number(number) + 1);
  }, 180_000);

  it('refuses another simulation of the year and real dossiers unless forced, and never overwrites a real one', async () => {
    await expect(loadSimulatedKpis({ ...request(), seed: 'other' })).rejects.toThrow(
      /another simulation of 2026 \(seed load-test, 300 dossiers\)/,
    );

    const real = await (async () => {
      const table = 'motcua-sample-documents';
      await ensureDocumentsTable(dynamo.client(), table);
      const repository = createDynamoDbDossierRepository(dynamo.client(), table);
      const first = generated[0];
      if (!first) throw new Error('nothing simulated');
      // A real dossier (received by a signed-in officer) with the code the simulation gives first.
      const dossier = sketchDossier({
        received: '2026-01-05T09:00',
        code: first.code,
        receivingUnitId: first.receivingUnitId,
        receivedBy: 'officer-nguyen',
      });
      await repository.saveDossier({ ...dossier, version: first.version + 1 });
      return { repository, dossier: { ...dossier, version: first.version + 1 } };
    })();
    await expect(loadSimulatedKpis(request())).rejects.toThrow(/holds 1 real dossiers with codes/);
    const forced = await loadSimulatedKpis({ ...request(), force: true });
    expect(forced).toMatchObject({ simulated: 300, written: 299, keptReal: [real.dossier.code] });
    expect(await real.repository.getDossier(real.dossier.code)).toEqual(real.dossier);
  }, 180_000);

  it('refuses a table with dossiers but no simulation unless forced, and a year without its national calendar', async () => {
    await ensureDocumentsTable(used.client(), TABLE);
    const real = sketchDossier({ received: '2026-03-02T09:00', receivedBy: 'officer-nguyen' });
    await createDynamoDbDossierRepository(used.client(), TABLE).createDossier(real);
    const onUsed = { ...request(), endpoint: used.endpoint(), dossiers: 20 };
    await expect(loadSimulatedKpis(onUsed)).rejects.toThrow(
      /holds dossiers that no simulation of 2026 wrote/,
    );
    expect(await loadSimulatedKpis({ ...onUsed, force: true })).toMatchObject({ written: 20 });
    await expect(
      loadSimulatedKpis({ ...request(), year: 2025, calendar: undefined as never }),
    ).rejects.toThrow(/no national calendar for 2025/);
    await expect(
      loadSimulatedKpis({ ...request(), asOf: new Date('2025-12-31T16:59:59.999Z') }),
    ).rejects.toThrow(/2026 has not begun as of 2025-12-31T16:59:59.999Z/);
  }, 60_000);
});
