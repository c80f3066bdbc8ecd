import { describe, expect, it } from 'vitest';
import { scheduledReportPeriod } from '#functions/kpi/produce-kpi-reports.ts';

describe('the scheduled KPI reports', () => {
  it('report the quarter or the year of the local day the schedule runs on', () => {
    // 16 December, 06:00 in Vietnam (23:00 UTC the day before).
    const december = new Date('2026-12-15T23:00:00.000Z');
    expect(scheduledReportPeriod('quarter', december)).toBe('2026-Q4');
    expect(scheduledReportPeriod('year', december)).toBe('2026');
    expect(scheduledReportPeriod('quarter', new Date('2026-03-15T23:00:00.000Z'))).toBe('2026-Q1');
    expect(scheduledReportPeriod('quarter', new Date('2026-09-15T23:00:00.000Z'))).toBe('2026-Q3');
    // 31 December 23:30 UTC is already 1 January in Vietnam.
    expect(scheduledReportPeriod('year', new Date('2026-12-31T23:30:00.000Z'))).toBe('2027');
  });
});
