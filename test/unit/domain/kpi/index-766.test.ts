import { describe, expect, it } from 'vitest';
import {
  DEFAULT_INDEX_766,
  type IndicatorInput,
  index766Inputs,
  index766TableSchema,
  indicatorPoints,
  score766,
  scoreIndicator,
} from '#shared/domain/kpi/index-766.ts';
import type { KpiId, KpiValue } from '#shared/domain/kpi/kpi-definitions.ts';

const rate = (value: number | undefined, numerator = 0, denominator = 0): KpiValue => ({
  numerator,
  denominator,
  value,
});
const indicator = (id: string) => {
  const found = DEFAULT_INDEX_766.groups
    .flatMap((group) => group.indicators)
    .find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no indicator ${id}`);
  return found;
};

const kpis = new Map<KpiId, KpiValue>([
  ['on-time', rate(95, 95, 100)],
  ['processing-time', rate(3.5, 35, 10)],
  ['online-share', rate(60, 60, 100)],
  ['catalogue-online-share', rate(100, 11, 11)],
  ['electronic-results', rate(50, 5, 10)],
  ['digitised-signed-archived', rate(40, 4, 10)],
  ['data-reuse', rate(4, 4, 100)],
]);

describe('the default 766 table', () => {
  it('holds 100 points in the groups the portal scores', () => {
    const score = score766(DEFAULT_INDEX_766, new Map());
    expect(score.maxPoints).toBe(100);
    expect(Object.fromEntries(score.groups.map((group) => [group.id, group.maxPoints]))).toEqual({
      transparency: 18,
      progress: 20,
      'online-services': 12,
      'online-payment': 10,
      digitisation: 22,
      satisfaction: 18,
    });
    expect(indicator('3.1').fullAt).toBe(80);
    expect(indicator('3.3').fullAt).toBe(50);
    expect(indicator('4.2').fullAt).toBe(80);
    expect(indicator('4.3').fullAt).toBe(80);
    expect(indicator('5.4').fullAt).toBe(90);
    expect(indicator('2.1').fullAt).toBe(100);
  });
});

describe('scoring an indicator', () => {
  it('gives full points at or above the threshold and rate × max ÷ threshold below it', () => {
    expect(indicatorPoints(50, 6, 50)).toBe(6);
    expect(indicatorPoints(73, 6, 50)).toBe(6);
    expect(indicatorPoints(40, 6, 50)).toBeCloseTo(4.8, 12);
    expect(indicatorPoints(95, 20, 100)).toBe(19);
    expect(indicatorPoints(0, 20, 100)).toBe(0);
    expect(indicatorPoints(-3, 6, 90)).toBe(0);
  });

  it('reports what the back office cannot observe as not measured, never 0 or full', () => {
    expect(scoreIndicator(indicator('1.1'), undefined)).toMatchObject({
      status: 'not-measured',
      maxPoints: 6,
    });
    expect(scoreIndicator(indicator('5.4'), undefined)).toMatchObject({
      status: 'not-measured',
      reason: expect.stringMatching(/complaints/),
    });
  });

  it('reports an observable indicator with nothing to measure as no data, not as a score', () => {
    expect(scoreIndicator(indicator('3.3'), rate(undefined))).toEqual({
      id: '3.3',
      status: 'no-data',
      maxPoints: 6,
    });
    expect(scoreIndicator(indicator('2.1'), undefined)).toEqual({
      id: '2.1',
      status: 'no-data',
      maxPoints: 20,
    });
  });

  it('reports 2.2 without points', () => {
    expect(scoreIndicator(indicator('2.2'), rate(3.5))).toEqual({
      id: '2.2',
      status: 'reported',
      value: 3.5,
      maxPoints: 0,
    });
  });
});

describe('scoring a province', () => {
  it('adds the scored indicators and says out of how many points', () => {
    const score = score766(DEFAULT_INDEX_766, index766Inputs(DEFAULT_INDEX_766, kpis));
    // 2.1: 19; 3.1: 6; 3.3: 6; 4.1: 3; 4.2: 4 × 40 / 80 = 2; 4.3: 2 × 4 / 80 = 0.1.
    expect(score.points).toBeCloseTo(36.1, 12);
    expect(score.scoredMaxPoints).toBe(44);
    expect(score.maxPoints).toBe(100);
    expect(score.notMeasured).toEqual([
      '1.1',
      '1.2',
      '1.3',
      '1.4',
      '3.5',
      '4.2-e-certification',
      '4.4',
      '4.5.1',
      '4.5.2',
      '5.2',
      '5.3',
      '5.4',
    ]);
    const progress = score.groups.find((group) => group.id === 'progress');
    expect(progress).toMatchObject({ points: 19, scoredMaxPoints: 20, maxPoints: 20 });
  });

  it('takes rates measured elsewhere (1.4 from the portal outbox) and the complaint rate for 5.4', () => {
    const external: Record<string, IndicatorInput> = { '1.4': { value: 98 } };
    const inputs = index766Inputs(DEFAULT_INDEX_766, kpis, { external, complaintRate: 2 });
    const score = score766(DEFAULT_INDEX_766, inputs);
    const of = (id: string) =>
      score.groups.flatMap((group) => group.indicators).find((item) => item.id === id);
    expect(of('1.4')).toMatchObject({ status: 'scored', points: 6 * 0.98 });
    // 100 − ((100 − 95) + 2) = 93 ≥ 90: full.
    expect(of('5.4')).toMatchObject({ status: 'scored', rate: 93, points: 6 });
    const later = index766Inputs(DEFAULT_INDEX_766, new Map([['on-time', rate(80)]]), { complaintRate: 2 });
    // 100 − (20 + 2) = 78: 6 × 78 / 90.
    expect(scoreIndicator(indicator('5.4'), later.get('5.4'))).toMatchObject({ points: (6 * 78) / 90 });
    expect(score.notMeasured).not.toContain('5.4');
  });

  it('scores a unit without catalogue figures with 3.1 as no data', () => {
    const unit = new Map(kpis);
    unit.delete('catalogue-online-share');
    const score = score766(DEFAULT_INDEX_766, index766Inputs(DEFAULT_INDEX_766, unit));
    const online = score.groups.find((group) => group.id === 'online-services');
    expect(online?.indicators[0]).toEqual({ id: '3.1', status: 'no-data', maxPoints: 6 });
    expect(online).toMatchObject({ points: 6, scoredMaxPoints: 6 });
  });
});

describe('a configured table', () => {
  it('scores with its own thresholds and points', () => {
    const table = index766TableSchema.parse({
      version: 'province-2026',
      groups: [
        {
          id: 'online',
          label: 'Trực tuyến',
          indicators: [
            {
              id: '3.3',
              label: 'Hồ sơ trực tuyến',
              maxPoints: 10,
              fullAt: 80,
              measure: { kpi: 'online-share' },
            },
          ],
        },
      ],
    });
    const score = score766(table, index766Inputs(table, kpis));
    expect(score).toMatchObject({ tableVersion: 'province-2026', maxPoints: 10, points: 7.5 });
  });

  it('refuses an indicator given twice, a threshold over 100 and an unknown KPI, naming the field', () => {
    const parsed = index766TableSchema.safeParse({
      version: 'x',
      groups: [
        {
          id: 'g',
          label: 'G',
          indicators: [
            { id: '2.1', label: 'a', maxPoints: 1, measure: { kpi: 'on-time' } },
            { id: '2.1', label: 'b', maxPoints: 1, fullAt: 120, measure: { kpi: 'speed' } },
          ],
        },
      ],
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths).toContain('groups.0.indicators.1.fullAt');
    expect(paths.some((path) => path.startsWith('groups.0.indicators.1.measure'))).toBe(true);
    const twice = index766TableSchema.safeParse({
      version: 'x',
      groups: [
        {
          id: 'a',
          label: 'A',
          indicators: [{ id: '2.1', label: 'a', maxPoints: 1, measure: { kpi: 'on-time' } }],
        },
        {
          id: 'b',
          label: 'B',
          indicators: [{ id: '2.1', label: 'b', maxPoints: 1, measure: { kpi: 'on-time' } }],
        },
      ],
    });
    expect(twice.error?.issues).toEqual([
      expect.objectContaining({
        path: ['groups', 1, 'indicators', 0, 'id'],
        message: 'indicator 2.1 appears twice',
      }),
    ]);
  });
});
