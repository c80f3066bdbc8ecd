/**
 * A province's KPI targets (chỉ tiêu) by year, level and area type, as its plans set them (seeds
 * 000–004), and whether a measured figure meets them. Targets live in their own file per province
 * (`config/kpi-targets/{slug}.yaml`, read by load-kpi-targets.ts) until the province configuration
 * carries them as a `kpiTargets` section.
 *
 * A rule covers one KPI from a year (to a year, or on): an absolute bound (`atLeast`, `atMost`,
 * optionally rising by `stepPerYear` up to `cap`), a rise over the previous year's actual
 * (`increaseOverPreviousYear`), or a cut from a baseline (`reduceBy`). The most specific rule wins
 * (a level over any level, an area over any area), then the one that starts latest.
 */
import { z } from 'zod';
import { KPI_IDS, type KpiId, type KpiValue } from '#shared/domain/kpi/kpi-definitions.ts';

/** Levels targets are set for; a department counts as the province level. */
export const TARGET_LEVELS = ['province', 'district', 'commune'] as const;
export type TargetLevel = (typeof TARGET_LEVELS)[number];

/** Area types the plans distinguish (seed 001: province centre, rural, remote and hard-to-reach). */
export const AREA_TYPES = ['urban', 'rural', 'remote'] as const;
export type AreaType = (typeof AREA_TYPES)[number];

const AGENCY_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
const year = z.number().int().min(2000).max(2100);

const ruleSchema = z
  .strictObject({
    kpi: z.enum(KPI_IDS as unknown as [KpiId, ...KpiId[]], { error: `must be one of ${KPI_IDS.join(', ')}` }),
    /** The unit's level (for results digitised, the level of competence). @default 'any' */
    level: z.enum([...TARGET_LEVELS, 'any']).default('any'),
    /** The unit's area type. @default 'any' */
    area: z.enum([...AREA_TYPES, 'any']).default('any'),
    from: year,
    /** Last year the rule holds (inclusive); absent: until another rule replaces it. */
    to: year.optional(),
    /** The value must be at least this (in the KPI's unit). */
    atLeast: z.number().min(0).optional(),
    /** The value must be at most this. */
    atMost: z.number().min(0).optional(),
    /** With atLeast: points added each year after `from`, up to `cap`. */
    stepPerYear: z.number().positive().optional(),
    /** Ceiling of a rising target. @default 100 */
    cap: z.number().positive().optional(),
    /** The value must be at least the previous year's actual plus this (up to `cap`). */
    increaseOverPreviousYear: z.number().positive().optional(),
    /** The value must be at most `baseline` minus this. */
    reduceBy: z.number().positive().optional(),
    /** The value the cut is measured from (e.g. the intake time measured when the plan started). */
    baseline: z.number().min(0).optional(),
    /**
     * No target for a unit whose numerator is below it (seed 000: "trừ trường hợp tổng số hồ sơ
     * tiếp nhận ít hơn chỉ tiêu trên"). @default false
     */
    exemptBelowTarget: z.boolean().default(false),
    /** Where the figure comes from, for reports. */
    source: z.string().min(1),
  })
  .superRefine((rule, ctx) => {
    const kinds = (['atLeast', 'atMost', 'increaseOverPreviousYear', 'reduceBy'] as const).filter(
      (key) => rule[key] !== undefined,
    );
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `give exactly one of atLeast, atMost, increaseOverPreviousYear, reduceBy (found ${kinds.join(', ') || 'none'})`,
      });
    }
    if (rule.to !== undefined && rule.to < rule.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${rule.from})` });
    }
    if (rule.stepPerYear !== undefined && rule.atLeast === undefined) {
      ctx.addIssue({ code: 'custom', path: ['stepPerYear'], message: 'only rises an atLeast target' });
    }
    if (rule.baseline !== undefined && rule.reduceBy === undefined) {
      ctx.addIssue({ code: 'custom', path: ['baseline'], message: 'only goes with reduceBy' });
    }
  });

export const kpiTargetsSchema = z
  .strictObject({
    /** The province configuration's slug these targets belong to. */
    province: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be the province slug'),
    /** Area type of units; a unit not listed matches only rules for any area. */
    unitAreas: z
      .record(
        z.string().regex(AGENCY_ID, 'must be a QCVN 102 identifier such as 000.00.00.H56'),
        z.enum(AREA_TYPES),
      )
      .default({}),
    targets: z.array(ruleSchema).default([]),
  })
  .superRefine((config, ctx) => {
    config.targets.forEach((rule, index) => {
      for (let earlier = 0; earlier < index; earlier++) {
        const other = config.targets[earlier];
        if (!other || other.kpi !== rule.kpi || other.level !== rule.level || other.area !== rule.area)
          continue;
        const overlap =
          rule.from <= (other.to ?? Number.POSITIVE_INFINITY) &&
          other.from <= (rule.to ?? Number.POSITIVE_INFINITY);
        if (overlap && rule.from === other.from) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', index, 'from'],
            message: `targets[${earlier}] already sets ${rule.kpi} for level ${rule.level}, area ${rule.area} from ${rule.from}`,
          });
        }
      }
    });
  });

export type KpiTargets = z.output<typeof kpiTargetsSchema>;
export type KpiTargetRule = KpiTargets['targets'][number];

/** The target level of an agency level: departments are provincial. */
export function targetLevelOf(agencyLevel: 'province' | 'department' | 'district' | 'commune'): TargetLevel {
  return agencyLevel === 'department' ? 'province' : agencyLevel;
}

/** What a target is looked up for. */
export interface TargetQuery {
  readonly kpi: KpiId;
  readonly year: number;
  readonly level: TargetLevel;
  /** The unit's area type, if the targets file gives one. */
  readonly area?: AreaType;
}

/** The rule that sets the target for a KPI, year, level and area, or undefined. */
export function findKpiTarget(targets: KpiTargets, query: TargetQuery): KpiTargetRule | undefined {
  let best: { rule: KpiTargetRule; rank: number } | undefined;
  for (const rule of targets.targets) {
    if (rule.kpi !== query.kpi || query.year < rule.from || (rule.to !== undefined && query.year > rule.to))
      continue;
    if (rule.level !== 'any' && rule.level !== query.level) continue;
    if (rule.area !== 'any' && rule.area !== query.area) continue;
    const rank = (rule.level === 'any' ? 0 : 2) + (rule.area === 'any' ? 0 : 1);
    if (!best || rank > best.rank || (rank === best.rank && rule.from > best.rule.from))
      best = { rule, rank };
  }
  return best?.rule;
}

/** The outcome of comparing a figure with its target. */
export type TargetEvaluation =
  | {
      readonly status: 'met' | 'not-met';
      readonly comparison: 'at-least' | 'at-most';
      /** The target value in the KPI's unit for that year. */
      readonly target: number;
      readonly value: number;
      readonly source: string;
    }
  /** The figure has no value (nothing to measure), so it neither meets nor misses. */
  | { readonly status: 'no-data'; readonly source: string }
  /** A relative target without the figure it is relative to. */
  | { readonly status: 'no-baseline'; readonly source: string; readonly needs: 'previous-year' | 'baseline' }
  /** Exempt: the unit's numerator is below the target (seed 000's productivity exception). */
  | { readonly status: 'exempt'; readonly target: number; readonly value: number; readonly source: string }
  | { readonly status: 'no-target' };

/**
 * The target value of a rule in a year, or undefined when it is relative to a figure not given.
 * @param previousYearValue the KPI's value in the year before, for `increaseOverPreviousYear`.
 */
export function targetValue(
  rule: KpiTargetRule,
  year: number,
  previousYearValue?: number,
): { comparison: 'at-least' | 'at-most'; target: number } | undefined {
  const cap = rule.cap ?? 100;
  if (rule.atLeast !== undefined) {
    const raised = rule.atLeast + (rule.stepPerYear ?? 0) * Math.max(0, year - rule.from);
    return {
      comparison: 'at-least',
      target: rule.stepPerYear === undefined ? raised : Math.min(cap, raised),
    };
  }
  if (rule.atMost !== undefined) return { comparison: 'at-most', target: rule.atMost };
  if (rule.increaseOverPreviousYear !== undefined) {
    if (previousYearValue === undefined) return undefined;
    return {
      comparison: 'at-least',
      target: Math.min(cap, previousYearValue + rule.increaseOverPreviousYear),
    };
  }
  if (rule.reduceBy !== undefined && rule.baseline !== undefined) {
    return { comparison: 'at-most', target: Math.max(0, rule.baseline - rule.reduceBy) };
  }
  return undefined;
}

/**
 * Compares a figure with the target the rules set for it.
 * @param options.previousYearValue the same KPI's value the year before (relative targets).
 */
export function evaluateKpiTarget(
  targets: KpiTargets,
  query: TargetQuery,
  measured: Pick<KpiValue, 'numerator' | 'value'>,
  options: { readonly previousYearValue?: number } = {},
): TargetEvaluation {
  const rule = findKpiTarget(targets, query);
  if (!rule) return { status: 'no-target' };
  const resolved = targetValue(rule, query.year, options.previousYearValue);
  if (!resolved) {
    return {
      status: 'no-baseline',
      source: rule.source,
      needs: rule.increaseOverPreviousYear !== undefined ? 'previous-year' : 'baseline',
    };
  }
  if (measured.value === undefined) return { status: 'no-data', source: rule.source };
  if (rule.exemptBelowTarget && measured.numerator < resolved.target) {
    return { status: 'exempt', target: resolved.target, value: measured.value, source: rule.source };
  }
  const met =
    resolved.comparison === 'at-least'
      ? measured.value >= resolved.target
      : measured.value <= resolved.target;
  return { status: met ? 'met' : 'not-met', ...resolved, value: measured.value, source: rule.source };
}
