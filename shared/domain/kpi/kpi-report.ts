/**
 * The quarterly and yearly KPI report in the layout the provinces' plans report in: one row per
 * unit, grouped by level with each level's subtotal first, and the province last; one column
 * group per indicator with its target, its actual value and whether it was met. Built from the
 * stored figures only, so that it says exactly what the API says.
 */
import type { KpiId, KpiUnit } from '#shared/domain/kpi/kpi-definitions.ts';
import { KPI_DEFINITIONS, type KpiDefinition, sumKpiValues } from '#shared/domain/kpi/kpi-definitions.ts';
import { kpiPeriodLabel, type ParsedKpiPeriod } from '#shared/domain/kpi/kpi-period-keys.ts';
import type { KpiFigure } from '#shared/ports/kpi-rollup-store.ts';
import { PROVINCE_SCOPE } from '#shared/ports/kpi-rollup-store.ts';

/** The indicators the report shows, in the plans' order. */
export const REPORT_KPIS: readonly KpiId[] = [
  'results-digitised',
  'digitised-signed-archived',
  'no-resubmission',
  'waiting-time',
  'intake-productivity',
  'online-share',
  'on-time',
  'satisfaction',
];

/** The levels of units, in the report's order; their figures are stored under `LEVEL#{level}`. */
export const KPI_LEVELS = ['province', 'department', 'district', 'commune'] as const;
export type KpiLevel = (typeof KPI_LEVELS)[number];
type Level = KpiLevel;
const LEVELS = KPI_LEVELS;

/** The Vietnamese name of each level, as report rows and scopes show it. */
export const KPI_LEVEL_NAMES: Record<Level, string> = {
  province: 'Cấp tỉnh',
  department: 'Sở, ban, ngành',
  district: 'Cấp huyện',
  commune: 'Cấp xã',
};

const ROMAN = ['I', 'II', 'III', 'IV', 'V'];

/** How each unit of measure is printed after a column's label. */
export const UNIT_LABELS: Record<KpiUnit, string> = {
  percent: '%',
  minutes: 'phút',
  'working-days': 'ngày làm việc',
  dossiers: 'hồ sơ',
  'dossiers-per-staff-year': 'hồ sơ/người/năm',
  procedures: 'thủ tục',
};

/** One indicator's cell group in a row. */
export interface KpiReportCell {
  /** The target value, when the targets set one. */
  target?: number;
  comparison?: 'at-least' | 'at-most';
  /** The actual value; absent when there was nothing to measure or no figure is stored. */
  actual?: number;
  /** Met or not; absent when there is no target or no value to judge. */
  met?: boolean;
}

export interface KpiReportRow {
  /** A unit; a level's subtotal (the group's heading row); the whole province. */
  kind: 'unit' | 'level' | 'province';
  /** Its number in the report: 1, 2… for units, I, II… for levels. */
  number: string;
  /** The stored scope: a unit id, `LEVEL#…`, or PROVINCE. */
  scope: string;
  name: string;
  /**
   * For a level: `stored` when the rollup stored the level's figures, `summed` when the report
   * added its units' terms (then without a target).
   */
  source?: 'stored' | 'summed';
  cells: KpiReportCell[];
}

export interface KpiReportColumn {
  kpiId: KpiId;
  label: string;
  unit: KpiUnit;
  unitLabel: string;
  ruleVersion: string;
}

export interface KpiReportModel {
  period: string;
  kind: 'quarter' | 'year';
  provinceName: string;
  /** `BÁO CÁO KẾT QUẢ THỰC HIỆN …`, in capitals. */
  title: string;
  /** `Quý IV năm 2026`, `Năm 2026`. */
  periodLabel: string;
  columns: KpiReportColumn[];
  rows: KpiReportRow[];
  /** Whether any figure of the period is stored (false: the period is not rolled up yet). */
  rolledUp: boolean;
  producedAt: string;
}

/** What the report is built from. */
export interface KpiReportInput {
  period: ParsedKpiPeriod & { kind: 'quarter' | 'year' };
  province: { name: string };
  /** The units in configuration order; each is placed in its level's group. */
  agencies: readonly { id: string; name: string; level: Level }[];
  /** The stored figures of the period by scope (units, `LEVEL#…`, PROVINCE). */
  figures: ReadonlyMap<string, readonly KpiFigure[]>;
  producedAt: Date;
}

const DEFINITIONS = new Map<string, KpiDefinition>(KPI_DEFINITIONS.map((kpi) => [kpi.id, kpi]));

function cellOf(figure: KpiFigure | undefined): KpiReportCell {
  if (!figure) return {};
  return {
    ...(figure.target !== undefined && { target: figure.target }),
    ...(figure.comparison !== undefined && { comparison: figure.comparison }),
    ...(figure.value !== undefined && { actual: figure.value }),
    ...(figure.met !== undefined && { met: figure.met }),
  };
}

/** Builds the report of a quarter or a year from the stored figures. */
export function buildKpiReport(input: KpiReportInput): KpiReportModel {
  const columns = REPORT_KPIS.map((kpiId): KpiReportColumn => {
    const definition = DEFINITIONS.get(kpiId) as KpiDefinition;
    return {
      kpiId,
      label: definition.label,
      unit: definition.unit,
      unitLabel: UNIT_LABELS[definition.unit],
      ruleVersion: definition.ruleVersion,
    };
  });
  const figuresOf = (scope: string) => {
    const byKpi = new Map((input.figures.get(scope) ?? []).map((figure) => [figure.kpiId, figure]));
    return REPORT_KPIS.map((kpiId) => byKpi.get(kpiId));
  };
  const rows: KpiReportRow[] = [];
  let unitNumber = 0;
  let levelNumber = 0;
  for (const level of LEVELS) {
    const units = input.agencies.filter((agency) => agency.level === level);
    if (units.length === 0) continue;
    const scope = `LEVEL#${level}`;
    const stored = input.figures.get(scope) ?? [];
    const unitFigures = units.map((unit) => figuresOf(unit.id));
    const cells =
      stored.length > 0
        ? figuresOf(scope).map(cellOf)
        : REPORT_KPIS.map((kpiId, column) => {
            const terms = unitFigures.flatMap((figures) => {
              const figure = figures[column];
              return figure ? [figure] : [];
            });
            if (terms.length === 0) return {};
            const kind = (DEFINITIONS.get(kpiId) as KpiDefinition).kind;
            const { value } = sumKpiValues(kind, terms);
            return value === undefined ? {} : { actual: value };
          });
    rows.push({
      kind: 'level',
      number: ROMAN[levelNumber++] ?? String(levelNumber),
      scope,
      name: KPI_LEVEL_NAMES[level],
      source: stored.length > 0 ? 'stored' : 'summed',
      cells,
    });
    units.forEach((unit, index) => {
      rows.push({
        kind: 'unit',
        number: String(++unitNumber),
        scope: unit.id,
        name: unit.name,
        cells: (unitFigures[index] ?? []).map(cellOf),
      });
    });
  }
  rows.push({
    kind: 'province',
    number: '',
    scope: PROVINCE_SCOPE,
    name: `Toàn tỉnh (${input.province.name})`,
    cells: figuresOf(PROVINCE_SCOPE).map(cellOf),
  });
  const periodLabel = kpiPeriodLabel(input.period);
  return {
    period: input.period.key,
    kind: input.period.kind,
    provinceName: input.province.name,
    title: `BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH ${periodLabel.toLocaleUpperCase('vi-VN')}`,
    periodLabel,
    columns,
    rows,
    rolledUp: [...input.figures.values()].some((figures) => figures.length > 0),
    producedAt: input.producedAt.toISOString(),
  };
}

const NUMBER = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** A value as the report prints it (Vietnamese decimals: `85,3`). */
export const formatReportNumber = (value: number) => NUMBER.format(value);

/** A target as printed: `≥ 80`, `≤ 15`. */
export function formatReportTarget(cell: KpiReportCell): string {
  if (cell.target === undefined) return '';
  const sign = cell.comparison === 'at-most' ? '≤ ' : cell.comparison === 'at-least' ? '≥ ' : '';
  return `${sign}${formatReportNumber(cell.target)}`;
}

/** Met or not, as printed: `Đạt`, `Không đạt`, or nothing when there is nothing to judge. */
export function formatReportMet(cell: KpiReportCell): string {
  if (cell.met === undefined) return '';
  return cell.met ? 'Đạt' : 'Không đạt';
}

/** The column headings under each indicator. */
export const CELL_HEADINGS = ['Chỉ tiêu', 'Thực hiện', 'Đánh giá'] as const;
