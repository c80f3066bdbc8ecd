import { describe, expect, it } from 'vitest';
import type { Principal, Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { ON_TIME_ENDED, PROVINCE_SCOPE, receivedCodeTerm } from '#shared/ports/kpi-rollup-store.ts';
import { createReadKpiFigures } from '#shared/use-cases/kpi/read-kpi-figures.ts';
import { createReadKpiScorecard } from '#shared/use-cases/kpi/read-kpi-scorecard.ts';
import { createReadKpiTrend, MAX_TREND_PERIODS } from '#shared/use-cases/kpi/read-kpi-trend.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { quarterFigures, rateFigure, UNITS } from '#test/support/kpi-report-figures.ts';

const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const as = (role: Role, agencyId?: string): Principal => ({
  userId: `u-${role}`,
  roles: new Set([role]),
  ...(agencyId ? { agencyId } : {}),
});

async function setUp() {
  const store = createInMemoryKpiRollupStore();
  await store.putFigures([
    ...quarterFigures('2026-Q4'),
    rateFigure('LEVEL#commune', '2026-Q4', 'on-time', 75, 100, { atLeast: 80 }),
  ]);
  return {
    figures: createReadKpiFigures({ config, store }),
    trend: createReadKpiTrend({ config, store }),
    scorecard: createReadKpiScorecard({ config, store }),
  };
}

describe('reading KPI figures', () => {
  it("lets a unit's staff read their unit and the province, province-wide roles any scope", async () => {
    const { figures } = await setUp();
    const officer = as('processing-officer', UNITS.hoaBinh);
    expect((await figures(officer, { period: '2026-Q4' })).figures).toHaveLength(2);
    expect((await figures(officer, { scope: UNITS.hoaBinh, period: '2026-Q4' })).rolledUp).toBe(true);
    for (const scope of [UNITS.dongThanh, 'LEVEL#commune']) {
      await expect(figures(officer, { scope, period: '2026-Q4' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    const level = await figures(as('auditor'), { scope: 'LEVEL#commune', period: '2026-Q4' });
    expect(level.scope).toEqual({ scope: 'LEVEL#commune', kind: 'level', name: 'Cấp xã', level: 'commune' });
    expect(level.figures[0]).toMatchObject({ value: 75, met: false, label: expect.stringMatching(/^Tỷ lệ/) });
  });

  it("reads a district's tree (the district with its units) for province-wide roles only", async () => {
    const district = { id: '000.00.20.H56', name: 'Huyện Thử Nghiệm', level: 'district' as const };
    const withDistrict = { ...config, agencies: [...config.agencies, district] } as typeof config;
    const store = createInMemoryKpiRollupStore();
    await store.putFigures([rateFigure(`TREE#${district.id}`, '2026-Q4', 'on-time', 9, 10, { atLeast: 80 })]);
    const figures = createReadKpiFigures({ config: withDistrict, store });
    const tree = await figures(as('auditor'), { scope: `TREE#${district.id}`, period: '2026-Q4' });
    expect(tree.scope).toEqual({
      scope: `TREE#${district.id}`,
      kind: 'tree',
      name: district.name,
      level: 'district',
    });
    expect(tree.figures[0]).toMatchObject({ value: 90, met: true });
    await expect(
      figures(as('agency-admin', district.id), { scope: `TREE#${district.id}`, period: '2026-Q4' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    for (const [scope, error] of [
      [`TREE#${UNITS.dongThanh}`, 'NOT_FOUND'],
      ['TREE#x', 'INVALID_SCOPE'],
    ]) {
      await expect(figures(as('auditor'), { scope, period: '2026-Q4' })).rejects.toMatchObject({
        code: error,
      });
    }
  });

  it("lists the rollup's internal terms as neither KPIs nor scorecard inputs", async () => {
    const store = createInMemoryKpiRollupStore();
    const onTime = rateFigure(PROVINCE_SCOPE, '2026-Q4', 'on-time', 75, 100, { atLeast: 80 });
    await store.putFigures([
      onTime,
      { ...onTime, kpiId: ON_TIME_ENDED, targetStatus: 'no-target' },
      { ...onTime, kpiId: receivedCodeTerm('1.004873'), targetStatus: 'no-target' },
    ]);
    const auditor = as('auditor');
    const listed = await createReadKpiFigures({ config, store })(auditor, { period: '2026-Q4' });
    expect(listed.figures.map((figure) => figure.kpiId)).toEqual(['on-time']);
    const card = await createReadKpiScorecard({ config, store })(auditor, { period: '2026-Q4' });
    expect(JSON.stringify(card)).not.toContain('internal:');
  });

  it('refuses a caller with no role that reads KPIs before reading the request', async () => {
    const { figures } = await setUp();
    const nobody: Principal = { userId: 'nobody', roles: new Set() };
    await expect(figures(nobody, { period: 'garbage' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('caps a trend at the maximum number of periods', async () => {
    const { trend } = await setUp();
    const answer = await trend(as('auditor'), { kpi: 'on-time', from: '2022-01', to: '2026-12' });
    expect(answer.points).toHaveLength(MAX_TREND_PERIODS);
    expect(answer.points.filter((point) => point.rolledUp)).toEqual([]);
    const quarters = await trend(as('auditor'), { kpi: 'on-time', from: '2026-Q3', to: '2026-Q4' });
    expect(quarters.points.map((point) => point.figure?.numerator)).toEqual([undefined, 265]);
  });

  it("scores a unit's 766 indicators from its own figures, the catalogue ones as no data", async () => {
    const { scorecard } = await setUp();
    const card = await scorecard(as('agency-admin', UNITS.dongThanh), {
      scope: UNITS.dongThanh,
      period: '2026-Q4',
    });
    const indicators = new Map(
      card.groups.flatMap((group) => group.indicators).map((indicator) => [indicator.id, indicator]),
    );
    // 60 % on time: 20 × 60 ÷ 100.
    expect(indicators.get('2.1')).toMatchObject({ status: 'scored', points: 12, figure: { value: 60 } });
    expect(indicators.get('3.1')).toMatchObject({ status: 'no-data' });
    expect(card.points).toBe(12);
    expect(card.notMeasured.map((indicator) => indicator.id)).toContain('4.4');
  });
});
