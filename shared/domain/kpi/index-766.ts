/**
 * The national service index of Decision 766/QĐ-TTg (2022) as the national portal scores it:
 * groups of indicators, each with its maximum points and a full-mark threshold, kept as data (a
 * province can load another table) with one scoring formula in code. The default table is
 * reconstructed from the portal's published formulas, not from the Decision's appendix.
 *
 * An indicator scores full points at or above its threshold and rate × max ÷ threshold below it.
 * What the back office cannot observe is reported as not measured, and an indicator with nothing to
 * measure (no dossiers) as no data: neither is ever scored 0 or full.
 */

import { z } from 'zod';
import { KPI_IDS, type KpiId, type KpiValue } from '#shared/domain/kpi/kpi-definitions.ts';

const indicatorSchema = z.strictObject({
  /** As the portal numbers it: `2.1`, `4.5.1`. */
  id: z.string().regex(/^\d(\.\d+)*(-[a-z0-9-]+)?$/, 'must be an indicator number such as 2.1'),
  label: z.string().min(1),
  /** 0 for an indicator reported without points (2.2). */
  maxPoints: z.number().min(0),
  /** The rate (%) from which the indicator earns full points. @default 100 */
  fullAt: z.number().gt(0).max(100).default(100),
  /**
   * Where the rate comes from: a KPI of the definitions module; the 5.4 formula (100 % − late rate −
   * complaint rate); or nothing the back office observes (the reason says what would).
   */
  measure: z.union([
    z.strictObject({ kpi: z.enum(KPI_IDS as unknown as [KpiId, ...KpiId[]]) }),
    z.strictObject({ formula: z.literal('100-late-complaints') }),
    z.strictObject({ notObserved: z.string().min(1) }),
  ]),
});

const groupSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes'),
  label: z.string().min(1),
  indicators: z.array(indicatorSchema).min(1),
});

/** A 766 table: groups of indicators; the points of all indicators make the index's maximum. */
export const index766TableSchema = z
  .strictObject({
    /** Stored with every score, so that a changed table is never mistaken for the old one. */
    version: z.string().min(1),
    groups: z.array(groupSchema).min(1),
  })
  .superRefine((table, ctx) => {
    const seen = new Set<string>();
    table.groups.forEach((group, g) => {
      group.indicators.forEach((indicator, i) => {
        if (seen.has(indicator.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', g, 'indicators', i, 'id'],
            message: `indicator ${indicator.id} appears twice`,
          });
        }
        seen.add(indicator.id);
      });
    });
  });

export type Index766Table = z.output<typeof index766TableSchema>;
export type Index766Group = Index766Table['groups'][number];
export type Index766Indicator = Index766Group['indicators'][number];

const notObserved = (reason: string) => ({ notObserved: reason });

/** The default table (issue 9; DOMAIN.md "KPIs"): 100 points in six groups. */
export const DEFAULT_INDEX_766: Index766Table = index766TableSchema.parse({
  version: '766-portal-2024/1',
  groups: [
    {
      id: 'transparency',
      label: 'Công khai, minh bạch',
      indicators: [
        {
          id: '1.1',
          label: 'Công bố TTHC đúng hạn',
          maxPoints: 6,
          measure: notObserved('procedures are published in the national database, outside the back office'),
        },
        {
          id: '1.2',
          label: 'Công khai TTHC đúng hạn',
          maxPoints: 4,
          measure: notObserved('publication on the province portal is not recorded by the back office'),
        },
        {
          id: '1.3',
          label: 'Công khai đầy đủ nội dung TTHC',
          maxPoints: 2,
          measure: notObserved('the completeness of published content is not recorded by the back office'),
        },
        {
          id: '1.4',
          label: 'Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia',
          maxPoints: 6,
          measure: notObserved(
            'not a dossier figure: the portal outbox knows which versions were delivered (give it as an external rate)',
          ),
        },
      ],
    },
    {
      id: 'progress',
      label: 'Tiến độ giải quyết',
      indicators: [
        {
          id: '2.1',
          label: 'Hồ sơ giải quyết trước và đúng hạn',
          maxPoints: 20,
          measure: { kpi: 'on-time' },
        },
        {
          id: '2.2',
          label: 'Thời gian giải quyết trung bình',
          maxPoints: 0,
          measure: { kpi: 'processing-time' },
        },
      ],
    },
    {
      id: 'online-services',
      label: 'Dịch vụ công trực tuyến',
      indicators: [
        {
          id: '3.1',
          label: 'TTHC cung cấp dịch vụ công trực tuyến',
          maxPoints: 6,
          fullAt: 80,
          measure: { kpi: 'catalogue-online-share' },
        },
        {
          id: '3.3',
          label: 'Hồ sơ nộp trực tuyến',
          maxPoints: 6,
          fullAt: 50,
          measure: { kpi: 'online-share' },
        },
      ],
    },
    {
      id: 'online-payment',
      label: 'Thanh toán trực tuyến',
      indicators: [
        {
          id: '3.5',
          label: 'Thanh toán trực tuyến (3.5, 3.6)',
          maxPoints: 10,
          measure: notObserved('fee requests do not record whether the payment was made online'),
        },
      ],
    },
    {
      id: 'digitisation',
      label: 'Số hóa hồ sơ',
      indicators: [
        {
          id: '4.1',
          label: 'Hồ sơ cấp kết quả điện tử',
          maxPoints: 6,
          measure: { kpi: 'electronic-results' },
        },
        {
          id: '4.2',
          label: 'Hồ sơ số hóa thành phần và kết quả',
          maxPoints: 4,
          fullAt: 80,
          measure: { kpi: 'digitised-signed-archived' },
        },
        {
          id: '4.2-e-certification',
          label: 'Chứng thực bản sao điện tử',
          maxPoints: 2,
          measure: notObserved('electronic certified copies are not told apart from other results'),
        },
        {
          id: '4.3',
          label: 'Khai thác, sử dụng lại thông tin, dữ liệu số hóa',
          maxPoints: 2,
          fullAt: 80,
          measure: { kpi: 'data-reuse' },
        },
        {
          id: '4.4',
          label: 'Đồng bộ dữ liệu lên Kho dữ liệu quốc gia',
          maxPoints: 4,
          measure: notObserved('synchronisation with the national data store is not built yet'),
        },
        {
          id: '4.5.1',
          label: 'Khai thác Cơ sở dữ liệu quốc gia về dân cư (phần 1)',
          maxPoints: 2,
          measure: notObserved('look-ups in the population database are not recorded'),
        },
        {
          id: '4.5.2',
          label: 'Khai thác Cơ sở dữ liệu quốc gia về dân cư (phần 2)',
          maxPoints: 2,
          measure: notObserved('look-ups in the population database are not recorded'),
        },
      ],
    },
    {
      id: 'satisfaction',
      label: 'Mức độ hài lòng',
      indicators: [
        {
          id: '5.2',
          label: 'Chỉ số hài lòng 5.2',
          maxPoints: 6,
          measure: notObserved('its source is not defined in the table the portal publishes'),
        },
        {
          id: '5.3',
          label: 'Chỉ số hài lòng 5.3',
          maxPoints: 6,
          measure: notObserved('its source is not defined in the table the portal publishes'),
        },
        {
          id: '5.4',
          label: 'Mức độ hài lòng trong tiếp nhận, giải quyết TTHC',
          maxPoints: 6,
          fullAt: 90,
          measure: { formula: '100-late-complaints' },
        },
      ],
    },
  ],
});

/** An indicator's rate, as measured or as given from outside (the portal outbox, a complaints register). */
export type IndicatorInput = Pick<KpiValue, 'value'> & Partial<Pick<KpiValue, 'numerator' | 'denominator'>>;

export type IndicatorScore =
  | {
      readonly id: string;
      readonly status: 'scored';
      /** The rate (%) scored. */
      readonly rate: number;
      readonly points: number;
      readonly maxPoints: number;
      readonly fullAt: number;
    }
  /** Reported without points (2.2): its value in its own unit. */
  | {
      readonly id: string;
      readonly status: 'reported';
      readonly value: number | undefined;
      readonly maxPoints: 0;
    }
  /** Measured, but nothing to measure in the period (no dossiers, no procedures). */
  | { readonly id: string; readonly status: 'no-data'; readonly maxPoints: number }
  /** The back office cannot observe it; the reason says what would. */
  | {
      readonly id: string;
      readonly status: 'not-measured';
      readonly maxPoints: number;
      readonly reason: string;
    };

/**
 * Points for a rate: full at or above the threshold, rate × max ÷ threshold below it (a rate
 * under 0, possible in 5.4, earns nothing).
 */
export function indicatorPoints(rate: number, maxPoints: number, fullAt: number): number {
  if (rate >= fullAt) return maxPoints;
  return (Math.max(0, rate) * maxPoints) / fullAt;
}

/** Scores one indicator from its input (undefined: nothing measured it). */
export function scoreIndicator(
  indicator: Index766Indicator,
  input: IndicatorInput | undefined,
): IndicatorScore {
  const { id, maxPoints, fullAt, measure } = indicator;
  if (input === undefined && !('kpi' in measure)) {
    const reason =
      'notObserved' in measure
        ? measure.notObserved
        : 'complaints (phản ánh, kiến nghị) are not recorded by the back office: give their rate to score it';
    return { id, status: 'not-measured', maxPoints, reason };
  }
  if (maxPoints === 0) return { id, status: 'reported', value: input?.value, maxPoints: 0 };
  if (input?.value === undefined) return { id, status: 'no-data', maxPoints };
  return {
    id,
    status: 'scored',
    rate: input.value,
    points: indicatorPoints(input.value, maxPoints, fullAt),
    maxPoints,
    fullAt,
  };
}

export interface Index766GroupScore {
  readonly id: string;
  readonly label: string;
  readonly maxPoints: number;
  /** Points earned by the scored indicators. */
  readonly points: number;
  /** Maximum points of the scored indicators: what `points` is out of. */
  readonly scoredMaxPoints: number;
  readonly indicators: readonly IndicatorScore[];
}

export interface Index766Score {
  readonly tableVersion: string;
  readonly maxPoints: number;
  readonly points: number;
  readonly scoredMaxPoints: number;
  /** Indicators not measured (with points at stake), for the report's footnote. */
  readonly notMeasured: readonly string[];
  readonly groups: readonly Index766GroupScore[];
}

/** Scores a table from indicator inputs keyed by indicator id. */
export function score766(table: Index766Table, inputs: ReadonlyMap<string, IndicatorInput>): Index766Score {
  const groups = table.groups.map((group): Index766GroupScore => {
    const indicators = group.indicators.map((indicator) =>
      scoreIndicator(indicator, inputs.get(indicator.id)),
    );
    const scored = indicators.filter((score) => score.status === 'scored');
    return {
      id: group.id,
      label: group.label,
      maxPoints: group.indicators.reduce((sum, indicator) => sum + indicator.maxPoints, 0),
      points: scored.reduce((sum, score) => sum + score.points, 0),
      scoredMaxPoints: scored.reduce((sum, score) => sum + score.maxPoints, 0),
      indicators,
    };
  });
  return {
    tableVersion: table.version,
    maxPoints: groups.reduce((sum, group) => sum + group.maxPoints, 0),
    points: groups.reduce((sum, group) => sum + group.points, 0),
    scoredMaxPoints: groups.reduce((sum, group) => sum + group.scoredMaxPoints, 0),
    notMeasured: groups.flatMap((group) =>
      group.indicators.filter((score) => score.status === 'not-measured').map((score) => score.id),
    ),
    groups,
  };
}

/**
 * 5.4: 100 % − (late rate + complaint rate), the late rate being 100 % − the on-time rate.
 * Undefined when either is unknown.
 */
export function satisfaction54(
  onTime: KpiValue | undefined,
  complaintRate: number | undefined,
): number | undefined {
  if (onTime?.value === undefined || complaintRate === undefined) return undefined;
  return 100 - (100 - onTime.value + complaintRate);
}

/**
 * The indicator inputs of a table from measured KPIs (a province's or a unit's). `external` gives
 * rates measured elsewhere by indicator id (1.4 from the portal outbox, say) and wins over a KPI;
 * `complaintRate` (%) makes 5.4 measurable. An indicator whose KPI is absent from `kpis` has no
 * input (no data): catalogue KPIs, for instance, exist for the province only.
 */
export function index766Inputs(
  table: Index766Table,
  kpis: ReadonlyMap<KpiId, KpiValue>,
  options: {
    readonly external?: Readonly<Record<string, IndicatorInput>>;
    readonly complaintRate?: number;
  } = {},
): Map<string, IndicatorInput> {
  const inputs = new Map<string, IndicatorInput>();
  for (const indicator of table.groups.flatMap((group) => group.indicators)) {
    const given = options.external?.[indicator.id];
    if (given) {
      inputs.set(indicator.id, given);
      continue;
    }
    const { measure } = indicator;
    if ('kpi' in measure) {
      const value = kpis.get(measure.kpi);
      if (value) inputs.set(indicator.id, value);
    } else if ('formula' in measure && options.complaintRate !== undefined) {
      inputs.set(indicator.id, { value: satisfaction54(kpis.get('on-time'), options.complaintRate) });
    }
  }
  return inputs;
}
