import { describe, expect, it } from 'vitest';
import {
  evaluateKpiTarget,
  findKpiTarget,
  type KpiTargets,
  kpiTargetsSchema,
  type TargetQuery,
  targetLevelOf,
  targetValue,
} from '#shared/config/kpi-targets.ts';
import { loadKpiTargets, parseKpiTargets } from '#shared/config/load-kpi-targets.ts';
import { ProvinceConfigError } from '#shared/config/load-province-config.ts';
import { sampleConfig } from '#test/support/kpi-dossiers.ts';

const sample = loadKpiTargets('config/kpi-targets/sample-province.yaml', sampleConfig);
const value = (v: number | undefined, numerator = 0) => ({ numerator, value: v });
const targetOf = (targets: KpiTargets, query: TargetQuery, previousYearValue?: number) => {
  const rule = findKpiTarget(targets, query);
  return rule ? targetValue(rule, query.year, previousYearValue)?.target : undefined;
};

describe('the sample province targets', () => {
  it('load against the sample province configuration', () => {
    expect(sample.province).toBe('sample');
    expect(sample.unitAreas['000.17.22.H99']).toBe('rural');
  });

  it('digitise results 50/30/20 % by level in 2021, 20 points more a year, up to 100 %', () => {
    const byLevel = (year: number) =>
      (['province', 'district', 'commune'] as const).map((level) =>
        targetOf(sample, { kpi: 'results-digitised', year, level }),
      );
    expect(byLevel(2020)).toEqual([undefined, undefined, undefined]);
    expect(byLevel(2021)).toEqual([50, 30, 20]);
    expect(byLevel(2022)).toEqual([70, 50, 40]);
    expect(byLevel(2024)).toEqual([100, 90, 80]);
    expect(byLevel(2026)).toEqual([100, 100, 100]);
  });

  it('ask for no re-submission by 50 % in 2022 and 80 % from 2023, waiting at most 15 then 10 minutes', () => {
    const at = (kpi: TargetQuery['kpi'], year: number) => targetOf(sample, { kpi, year, level: 'commune' });
    expect([2021, 2022, 2023, 2025, 2026].map((year) => at('no-resubmission', year))).toEqual([
      undefined,
      50,
      80,
      80,
      80,
    ]);
    expect([2021, 2022, 2024, 2025].map((year) => at('waiting-time', year))).toEqual([undefined, 15, 15, 10]);
  });

  it('judge a figure met, not met, or without data', () => {
    const query: TargetQuery = { kpi: 'results-digitised', year: 2023, level: 'commune' };
    expect(evaluateKpiTarget(sample, query, value(61))).toMatchObject({
      status: 'met',
      target: 60,
      value: 61,
    });
    expect(evaluateKpiTarget(sample, query, value(59.9))).toMatchObject({ status: 'not-met', target: 60 });
    expect(evaluateKpiTarget(sample, query, value(undefined))).toMatchObject({ status: 'no-data' });
    const waiting: TargetQuery = { kpi: 'waiting-time', year: 2022, level: 'province' };
    expect(evaluateKpiTarget(sample, waiting, value(15))).toMatchObject({
      status: 'met',
      comparison: 'at-most',
    });
    expect(evaluateKpiTarget(sample, waiting, value(15.5))).toMatchObject({ status: 'not-met' });
    expect(evaluateKpiTarget(sample, { kpi: 'on-time', year: 2026, level: 'province' }, value(90))).toEqual({
      status: 'no-target',
    });
  });

  it('raise digitised + signed + archived over the year before, and say when that year is missing', () => {
    const query: TargetQuery = { kpi: 'digitised-signed-archived', year: 2026, level: 'commune' };
    expect(evaluateKpiTarget(sample, query, value(70))).toMatchObject({
      status: 'no-baseline',
      needs: 'previous-year',
    });
    expect(evaluateKpiTarget(sample, query, value(70), { previousYearValue: 55 })).toMatchObject({
      status: 'not-met',
      target: 75,
    });
    expect(evaluateKpiTarget(sample, query, value(100), { previousYearValue: 90 })).toMatchObject({
      status: 'met',
      target: 100,
    });
  });

  it('need a baseline to judge the cut in intake time', () => {
    const query: TargetQuery = { kpi: 'intake-time', year: 2025, level: 'province' };
    expect(evaluateKpiTarget(sample, query, value(12))).toMatchObject({
      status: 'no-baseline',
      needs: 'baseline',
    });
    const withBaseline = kpiTargetsSchema.parse({
      province: 'sample',
      targets: [{ kpi: 'intake-time', from: 2025, reduceBy: 30, baseline: 45, source: 'test' }],
    });
    expect(evaluateKpiTarget(withBaseline, query, value(15))).toMatchObject({ status: 'met', target: 15 });
    expect(evaluateKpiTarget(withBaseline, query, value(16))).toMatchObject({ status: 'not-met' });
  });

  it('set productivity by level and area, exempting a unit that received fewer dossiers than the target', () => {
    const centre: TargetQuery = {
      kpi: 'intake-productivity',
      year: 2026,
      level: targetLevelOf('department'),
    };
    expect(evaluateKpiTarget(sample, centre, value(3_100, 74_400))).toMatchObject({
      status: 'met',
      target: 3_000,
    });
    expect(evaluateKpiTarget(sample, centre, value(2_900, 69_600))).toMatchObject({ status: 'not-met' });
    expect(evaluateKpiTarget(sample, centre, value(1_250, 2_500))).toMatchObject({
      status: 'exempt',
      target: 3_000,
    });
    const area = (unitId: string) => sample.unitAreas[unitId];
    const rural: TargetQuery = {
      kpi: 'intake-productivity',
      year: 2026,
      level: 'commune',
      area: area('000.17.22.H99'),
    };
    expect(evaluateKpiTarget(sample, rural, value(1_300, 2_600))).toMatchObject({
      status: 'met',
      target: 1_200,
    });
    const urban: TargetQuery = {
      kpi: 'intake-productivity',
      year: 2026,
      level: 'commune',
      area: area('000.17.23.H99'),
    };
    expect(evaluateKpiTarget(sample, urban, value(1_300, 3_900))).toEqual({ status: 'no-target' });
  });
});

describe('choosing among rules', () => {
  const targets = kpiTargetsSchema.parse({
    province: 'sample',
    targets: [
      { kpi: 'online-share', from: 2022, atLeast: 30, source: 'any level' },
      { kpi: 'online-share', from: 2024, atLeast: 50, source: 'any level, later' },
      { kpi: 'online-share', level: 'commune', from: 2022, atLeast: 20, source: 'communes' },
      { kpi: 'online-share', area: 'urban', from: 2023, atLeast: 60, source: 'urban units' },
      {
        kpi: 'online-share',
        level: 'commune',
        area: 'remote',
        from: 2022,
        atLeast: 10,
        source: 'remote communes',
      },
    ],
  });

  it('takes the most specific rule, then the latest start', () => {
    const source = (query: Omit<TargetQuery, 'kpi'>) =>
      findKpiTarget(targets, { kpi: 'online-share', ...query })?.source;
    expect(source({ year: 2023, level: 'province' })).toBe('any level');
    expect(source({ year: 2025, level: 'province' })).toBe('any level, later');
    expect(source({ year: 2025, level: 'commune', area: 'rural' })).toBe('communes');
    expect(source({ year: 2025, level: 'commune', area: 'remote' })).toBe('remote communes');
    // A level is more specific than an area.
    expect(source({ year: 2025, level: 'commune', area: 'urban' })).toBe('communes');
    expect(source({ year: 2025, level: 'province', area: 'urban' })).toBe('urban units');
  });
});

describe('a targets file with mistakes', () => {
  const parse = (text: string) => () => parseKpiTargets(text, 'targets.yaml', sampleConfig);

  it('names the field and line of an unknown KPI or a rule with two bounds', () => {
    const text = [
      'province: sample',
      'targets:',
      '  - kpi: speed',
      '    from: 2025',
      '    atLeast: 10',
      '    source: x',
      '  - kpi: online-share',
      '    from: 2025',
      '    atLeast: 50',
      '    atMost: 60',
      '    source: x',
    ].join('\n');
    expect(parse(text)).toThrow(ProvinceConfigError);
    expect(parse(text)).toThrow(/targets\[0\]\.kpi \(line 3\): must be one of/);
    expect(parse(text)).toThrow(/targets\[1\] \(line 7\): give exactly one of atLeast, atMost/);
  });

  it('refuses another province, an unknown unit and two rules for the same start', () => {
    const text = [
      'province: other',
      'unitAreas:',
      '  000.99.99.H99: rural',
      'targets:',
      '  - { kpi: online-share, from: 2025, atLeast: 50, source: x }',
      '  - { kpi: online-share, from: 2025, atLeast: 60, source: y }',
    ].join('\n');
    expect(parse(text)).toThrow(/targets\[1\]\.from \(line 6\): targets\[0\] already sets online-share/);
    const fixed = text.replace(/ {2}- \{ kpi: online-share, from: 2025, atLeast: 60, source: y \}/, '');
    expect(parse(fixed)).toThrow(/province \(line 1\): must be sample/);
    expect(parse(fixed)).toThrow(/unitAreas\.000\.99\.99\.H99 \(line 3\): no agency 000\.99\.99\.H99/);
  });
});
