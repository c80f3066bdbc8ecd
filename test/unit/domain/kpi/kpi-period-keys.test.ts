import { describe, expect, it } from 'vitest';
import {
  kpiPeriodLabel,
  kpiPeriodsBetween,
  parseKpiPeriod,
  readKpiPeriod,
} from '#shared/domain/kpi/kpi-period-keys.ts';

describe('KPI period keys', () => {
  it('reads days, months, quarters and years, and nothing else', () => {
    expect(readKpiPeriod('2026-02-28')).toMatchObject({ kind: 'day', year: 2026, index: 2, day: 28 });
    expect(readKpiPeriod('2026-11')).toMatchObject({ kind: 'month', index: 11 });
    expect(readKpiPeriod('2026-Q4')).toMatchObject({ kind: 'quarter', index: 4 });
    expect(readKpiPeriod('2026')).toMatchObject({ kind: 'year', year: 2026 });
    for (const bad of ['2026-02-30', '2026-13', '2026-Q5', '26', '1999', '2026-q4', '']) {
      expect(readKpiPeriod(bad), bad).toBeUndefined();
    }
    expect(() => parseKpiPeriod('2026-13')).toThrow(expect.objectContaining({ code: 'INVALID_PERIOD' }));
  });

  it('lists consecutive periods of one kind across year ends, within a maximum', () => {
    expect(kpiPeriodsBetween('2025-11', '2026-02', 60).map((period) => period.key)).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(kpiPeriodsBetween('2025-Q4', '2026-Q1', 60).map((period) => period.key)).toEqual([
      '2025-Q4',
      '2026-Q1',
    ]);
    expect(kpiPeriodsBetween('2024-02-28', '2024-03-01', 60).map((period) => period.key)).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect(kpiPeriodsBetween('2021-01', '2025-12', 60)).toHaveLength(60);
    expect(() => kpiPeriodsBetween('2021-01', '2026-01', 60)).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_PERIODS' }),
    );
    expect(() => kpiPeriodsBetween('2026', '2026-Q1', 60)).toThrow(
      expect.objectContaining({ code: 'PERIOD_KINDS_DIFFER' }),
    );
    expect(() => kpiPeriodsBetween('2026-Q2', '2026-Q1', 60)).toThrow(
      expect.objectContaining({ code: 'INVALID_PERIOD_RANGE' }),
    );
  });

  it('names periods as Vietnamese reports do', () => {
    expect(kpiPeriodLabel(parseKpiPeriod('2026-Q4'))).toBe('Quý IV năm 2026');
    expect(kpiPeriodLabel(parseKpiPeriod('2026'))).toBe('Năm 2026');
    expect(kpiPeriodLabel(parseKpiPeriod('2026-03'))).toBe('Tháng 3 năm 2026');
  });
});
