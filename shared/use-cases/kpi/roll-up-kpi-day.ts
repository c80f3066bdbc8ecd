/**
 * The nightly KPI rollup's first stage: one local day's figures of every unit and of the province,
 * from the dossiers whose events touch that day (the day's bucket, never the whole table).
 *
 * Which KPIs a day holds: the dossier KPIs whose `overTime` is `sum`. Each of them counts a dossier
 * in a period only by one event inside it, so the day's figures depend on that day's dossiers only
 * and a month is the sum of its days. The `period-end` KPIs (on-time, backlog) judge every dossier
 * still open at the period's end, most of which have no event that day, and the catalogue figures
 * are province-wide counts of procedures: neither is a day's sum, so both are computed for each
 * reported period (months, quarters, years) by the next stage, not here.
 *
 * So that the next stage need not re-judge every dossier that ended in a long period, a day also
 * holds internal terms (ids `internal:…`, never reported as KPIs): for every unit and the province,
 * the dossiers whose end of processing fell on the day and how many of them were on time
 * (`internal:on-time-ended`, judged at their end, which no later period changes); for the province,
 * the dossiers received per procedure code (catalogue-with-dossiers) and any unit outside the
 * configured ones that has figures that day.
 *
 * Idempotent: the figures are a function of the day's dossiers, the catalogue, calendar, units and
 * targets; the store writes a figure only when anything but `computedAt` differs, so a re-run of a
 * day changes nothing at all (the first `computedAt` stays), and a recomputation after a late event
 * replaces exactly the figures it changed, with a new `computedAt`.
 */
import {
  evaluateKpiTarget,
  type KpiTargets,
  type TargetEvaluation,
  targetLevelOf,
} from '#shared/config/kpi-targets.ts';
import { dateOfDay, dayOfDate, yearOfDay } from '#shared/domain/calendar/vietnam-time.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import {
  type DossierKpiDefinition,
  type DossierKpiId,
  KPI_DEFINITIONS,
  type KpiContext,
  type KpiUnitInfo,
  type KpiValue,
  kpiValue,
  measureKpis,
  ON_TIME_PARTS,
  type PreparedKpiContext,
  prepareKpiContext,
  wasReceived,
} from '#shared/domain/kpi/kpi-definitions.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import {
  type KpiFigure,
  type KpiRollupStore,
  ON_TIME_ENDED,
  outsideUnitTerm,
  PROVINCE_SCOPE,
  receivedCodeTerm,
} from '#shared/ports/kpi-rollup-store.ts';

/** The KPIs a day's rollup writes: the dossier KPIs that add up over time. */
export const DAY_KPIS: readonly DossierKpiDefinition[] = KPI_DEFINITIONS.filter(
  (definition): definition is DossierKpiDefinition =>
    definition.scope === 'dossier' && definition.overTime === 'sum',
);

const DAY_KPI_IDS = DAY_KPIS.map((kpi) => kpi.id);

export interface RollUpKpiDayDeps {
  dossiers: Pick<DossierRepository, 'listDossiersTouchingDay'>;
  store: KpiRollupStore;
  /** What every KPI is measured against, but the period (the day). */
  context: Omit<KpiContext, 'period'>;
  /** The province's targets; without them every figure is `no-target`. */
  targets?: KpiTargets;
  now: () => Date;
  /** Dossiers per page read from the day's bucket. @default 200 */
  pageSize?: number;
}

export interface KpiDayRollup {
  day: string;
  /** Dossiers filed under the day (each counted by the KPIs whose membership it meets). */
  dossiers: number;
  /** Figures computed: (units + province) × (DAY_KPIS + on-time-ended), and the province's other internal terms. */
  figures: KpiFigure[];
  /** Of them, written because new or changed, and already stored as computed. */
  written: number;
  unchanged: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The pages of dossiers filed under a day (its bucket), in order. */
export async function* dayBucketPages(
  repository: Pick<DossierRepository, 'listDossiersTouchingDay'>,
  day: string,
  limit: number,
): AsyncGenerator<readonly Dossier[]> {
  let cursor: string | undefined;
  do {
    const page = await repository.listDossiersTouchingDay(day, { limit, ...(cursor ? { cursor } : {}) });
    yield page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** Every dossier filed under the day. */
async function dossiersOfDay(
  repository: Pick<DossierRepository, 'listDossiersTouchingDay'>,
  day: string,
  limit: number,
): Promise<Dossier[]> {
  const dossiers: Dossier[] = [];
  for await (const page of dayBucketPages(repository, day, limit)) dossiers.push(...page);
  return dossiers;
}

/** A stored figure of a scope's period (day, month, quarter, year) with its target evaluation. */
export function figureOf(
  scope: string,
  day: string,
  kpi: { readonly id: KpiFigure['kpiId']; readonly ruleVersion: string },
  measured: KpiValue,
  target: TargetEvaluation,
  computedAt: string,
): KpiFigure {
  const figure: KpiFigure = {
    scope,
    period: day,
    kpiId: kpi.id,
    numerator: measured.numerator,
    denominator: measured.denominator,
    targetStatus: target.status,
    ruleVersion: kpi.ruleVersion,
    computedAt,
  };
  if (measured.value !== undefined) figure.value = measured.value;
  if ('target' in target) figure.target = target.target;
  if ('comparison' in target) figure.comparison = target.comparison;
  if (target.status === 'met' || target.status === 'not-met') figure.met = target.status === 'met';
  return figure;
}

/**
 * Computes and stores one local day's figures (`yyyy-MM-dd`) of every unit in scope (and any other
 * unit a dossier of the day is attributed to) and of the province.
 * @throws ValidationError INVALID_KPI_DAY when `day` is not an ISO date.
 */
export async function rollUpKpiDay(deps: RollUpKpiDayDeps, day: string): Promise<KpiDayRollup> {
  if (!ISO_DATE.test(day) || Number.isNaN(Date.parse(day))) {
    throw new ValidationError('INVALID_KPI_DAY', `not a day (yyyy-MM-dd): ${day}`);
  }
  const dossiers = await dossiersOfDay(deps.dossiers, day, deps.pageSize ?? 200);
  const prepared = prepareKpiContext({ ...deps.context, period: { from: day, to: day } });
  const measured = measureKpis(dossiers, prepared, DAY_KPI_IDS);
  const year = yearOfDay(dayOfDate(day));
  const computedAt = deps.now().toISOString();
  const levels = new Map<string, KpiUnitInfo['level']>(
    deps.context.units.map((unit) => [unit.id, unit.level]),
  );
  const evaluate = (kpi: DossierKpiId, scope: string, value: KpiValue): TargetEvaluation => {
    if (!deps.targets) return { status: 'no-target' };
    const level = scope === PROVINCE_SCOPE ? 'province' : levels.get(scope);
    if (level === undefined) return { status: 'no-target' };
    const area = scope === PROVINCE_SCOPE ? undefined : deps.targets.unitAreas[scope];
    return evaluateKpiTarget(
      deps.targets,
      { kpi, year, level: targetLevelOf(level), ...(area ? { area } : {}) },
      value,
    );
  };
  const figures: KpiFigure[] = [];
  const scopes = [...measured.byUnit.keys()].sort();
  for (const scope of scopes) {
    const values = measured.byUnit.get(scope) as ReadonlyMap<DossierKpiId, KpiValue>;
    for (const kpi of DAY_KPIS) {
      const value = values.get(kpi.id) as KpiValue;
      figures.push(figureOf(scope, day, kpi, value, evaluate(kpi.id, scope, value), computedAt));
    }
  }
  for (const kpi of DAY_KPIS) {
    const value = measured.total.get(kpi.id) as KpiValue;
    figures.push(
      figureOf(PROVINCE_SCOPE, day, kpi, value, evaluate(kpi.id, PROVINCE_SCOPE, value), computedAt),
    );
  }
  figures.push(...internalTermsOfDay(dossiers, prepared, scopes, computedAt));
  const { written, unchanged } = await deps.store.putFigures(figures);
  return { day, dossiers: dossiers.length, figures, written, unchanged };
}

/** The day's internal terms (see the header): none of them has a target. */
function internalTermsOfDay(
  dossiers: readonly Dossier[],
  prepared: PreparedKpiContext,
  scopes: readonly string[],
  computedAt: string,
): KpiFigure[] {
  const ended = new Map<string, { n: number; d: number }>(
    [...scopes, PROVINCE_SCOPE].map((scope) => [scope, { n: 0, d: 0 }]),
  );
  const codes = new Map<string, number>();
  for (const dossier of dossiers) {
    const tally = ON_TIME_PARTS.ended(dossier, prepared);
    if (tally) {
      for (const scope of [dossier.competentAgencyId, PROVINCE_SCOPE]) {
        // A unit may have no other figure of the day (a dossier refused or withdrawn there).
        const term = ended.get(scope) ?? { n: 0, d: 0 };
        ended.set(scope, term);
        term.n += tally.n;
        term.d += tally.d;
      }
    }
    const received = Date.parse(dossier.receivedAt);
    if (wasReceived(dossier) && received >= prepared.start && received < prepared.end) {
      codes.set(dossier.procedureCode, (codes.get(dossier.procedureCode) ?? 0) + 1);
    }
  }
  const term = (scope: string, id: KpiFigure['kpiId'], value: KpiValue) =>
    figureOf(
      scope,
      prepared.period.from,
      { id, ruleVersion: '1' },
      value,
      { status: 'no-target' },
      computedAt,
    );
  const figures = [...ended].map(([scope, { n, d }]) => term(scope, ON_TIME_ENDED, kpiValue('rate', n, d)));
  for (const code of [...codes.keys()].sort()) {
    const count = codes.get(code) as number;
    figures.push(term(PROVINCE_SCOPE, receivedCodeTerm(code), kpiValue('count', count, count)));
  }
  const configured = new Set(prepared.units.map((unit) => unit.id));
  for (const scope of [...ended.keys()].sort()) {
    if (scope !== PROVINCE_SCOPE && !configured.has(scope)) {
      figures.push(term(PROVINCE_SCOPE, outsideUnitTerm(scope), kpiValue('count', 0, 0)));
    }
  }
  return figures;
}

/** Every day from `from` to `to` (ISO dates, both included), in order. */
export function daysBetween(from: string, to: string): string[] {
  for (const value of [from, to]) {
    if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
      throw new ValidationError('INVALID_KPI_DAY', `not a day (yyyy-MM-dd): ${value}`);
    }
  }
  if (from > to) throw new ValidationError('INVALID_KPI_DAY', `${from} is after ${to}`);
  const days: string[] = [];
  for (let day = dayOfDate(from); day <= dayOfDate(to); day += 1) days.push(dateOfDay(day));
  return days;
}

/** Rolls up each day of a range in turn. */
export async function rollUpKpiDays(
  deps: RollUpKpiDayDeps,
  from: string,
  to: string,
): Promise<KpiDayRollup[]> {
  const rollups: KpiDayRollup[] = [];
  for (const day of daysBetween(from, to)) rollups.push(await rollUpKpiDay(deps, day));
  return rollups;
}
