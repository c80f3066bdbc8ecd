/**
 * The nightly KPI rollup's second stage: the month, quarter and year figures of every period that
 * contains one of the days just rolled up, for every unit, for each level of units
 * (`LEVEL#{level}`), for each district with the units under it (`TREE#{districtId}`; the district's
 * own figures keep its agency id), and for the province.
 *
 * Where each figure comes from:
 * - the `sum` KPIs from the stored day figures only (never the dossiers): a unit's month is the
 *   sum of its days' numerators and denominators, its quarter and year the sums of their months
 *   (the months asked for as just computed, the others as stored; a month whose days were rolled
 *   up but which was never stored is computed and stored on the way); the province's from its own
 *   day figures; a level's or a district tree's the sum of its units' terms. The internal terms
 *   the day rollup stores (`internal:…`, see rollUpKpiDay) add up the same way and are stored
 *   with every period's figures;
 * - the `period-end` KPIs (on-time, backlog) in two parts. The dossiers that ended in the period
 *   are judged at their own end, which no period changes: their on-time terms are the sum of the
 *   days' `internal:on-time-ended` terms. The dossiers open at the period's end are judged at its
 *   last instant (backlog is these only), found without a Scan (see below). On-time is the sum of
 *   both parts, exactly what measureKpis gives over all the dossiers;
 * - the catalogue figures for the province only (procedures in force in the period, and those
 *   with a dossier received in it: the codes of the days' `internal:received#…` terms).
 *
 * Finding the dossiers open at a period's end. Received by then, either it is still open today
 * (in the status index: statuses 2, 4, 5, 6 and 9 of the province queue, whose summaries say
 * receipt and end) or it ended after the period's end, so it has an event on its end day and is in
 * the day bucket of a day from the day after the period's end to today. For each year touched the
 * rollup reads those buckets from the day after the earliest end of its periods to be computed,
 * then fetches by key the open dossiers received by 31 December not already read from a bucket.
 * Every dossier is judged once (the first copy read), for every period of the year in the same pass.
 *
 * Cost per night (one day rolled up): the day rollup reads that day's buckets; this stage reads
 * the open dossiers (one page per 200, one GetItem each unless a bucket read held it) and the
 * buckets since each recomputed period's end: none for the current month, quarter and year, N
 * days of buckets for a period that ended N days ago (the month just ended, on the 1st). Memory
 * holds the codes seen and the terms, not the dossiers. The summed figures cost one query per scope
 * (units and province) and day of the months asked for, and one per scope and other month of the
 * year; writes are the figures that changed. A recomputed past period, or a first run storing the
 * year's months, reads the buckets from its end to today. A day not rolled up yet (today's) adds
 * its ended dossiers to on-time once it is, as it adds its terms to the `sum` KPIs.
 *
 * Idempotent: the same stored day figures and dossiers give the same figures (values are summed in
 * a fixed order), and the store keeps unchanged figures, `computedAt` included.
 */
import {
  type AreaType,
  evaluateKpiTarget,
  type KpiTargets,
  type TargetEvaluation,
  type TargetLevel,
  targetLevelOf,
} from '#shared/config/kpi-targets.ts';
import { dateOfDay, dayOfDate, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { OPEN_DOSSIER_STATUSES } from '#shared/domain/dossiers/dossier-attention.ts';
import type { DossierSummary } from '#shared/domain/dossiers/dossier-summary.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import {
  type CatalogueKpiDefinition,
  type DossierKpiDefinition,
  KPI_DEFINITIONS,
  type KpiContext,
  type KpiDefinition,
  type KpiId,
  type KpiTally,
  type KpiUnitInfo,
  type KpiValue,
  kpiValue,
  ON_TIME_PARTS,
  type PreparedKpiContext,
  prepareKpiContext,
} from '#shared/domain/kpi/kpi-definitions.ts';
import {
  daysOfPeriod,
  levelScope,
  parsePeriodKey,
  periodsContaining,
  treeScope,
} from '#shared/domain/kpi/kpi-periods.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import {
  isInternalTerm,
  type KpiFigure,
  type KpiRollupStore,
  ON_TIME_ENDED,
  outsideUnitTerm,
  PROVINCE_SCOPE,
  receivedCodeTerm,
} from '#shared/ports/kpi-rollup-store.ts';
import { eachLimited } from '#shared/use-cases/each-limited.ts';
import { DAY_KPIS, dayBucketPages, figureOf } from './roll-up-kpi-day.ts';

/** The dossier KPIs measured for each period at its end (not summed from days). */
export const PERIOD_END_KPIS: readonly DossierKpiDefinition[] = KPI_DEFINITIONS.filter(
  (definition): definition is DossierKpiDefinition =>
    definition.scope === 'dossier' && definition.overTime === 'period-end',
);

/** The province-wide catalogue figures. */
export const CATALOGUE_KPIS: readonly CatalogueKpiDefinition[] = KPI_DEFINITIONS.filter(
  (definition): definition is CatalogueKpiDefinition => definition.scope === 'catalogue',
);

const DOSSIER_KPIS: readonly DossierKpiDefinition[] = [...DAY_KPIS, ...PERIOD_END_KPIS];

export interface RollUpKpiPeriodsDeps {
  dossiers: Pick<DossierRepository, 'listDossiersTouchingDay' | 'listDossiers' | 'getDossier'>;
  store: KpiRollupStore;
  /** What every KPI is measured against, but the period. */
  context: Omit<KpiContext, 'period'>;
  /**
   * The configuration's agencies with their parents (`config.agencies`): each district's tree is
   * the district and every agency under it. Without them there are no `TREE#` figures.
   */
  agencies?: readonly { readonly id: string; readonly parentId?: string | undefined }[];
  /** The province's targets; without them every figure is `no-target`. */
  targets?: KpiTargets;
  now: () => Date;
  /** Dossiers per page read from a bucket or the status index. @default 200 */
  pageSize?: number;
}

/** One period's figures. */
export interface KpiPeriodRollup {
  /** The period key (`yyyy-MM`, `yyyy-Qn`, `yyyy`). */
  period: string;
  figures: KpiFigure[];
  written: number;
  unchanged: number;
}

export interface KpiPeriodsRollup {
  /** Months, then quarters, then years, each in order. */
  periods: KpiPeriodRollup[];
  /** Distinct dossiers read to judge those open at a period's end (per year touched, summed). */
  dossiers: number;
  /** Reads made: day-bucket pages, status-index pages, open dossiers fetched by key, day- and month-figure queries. */
  reads: {
    bucketPages: number;
    openPages: number;
    openDossiers: number;
    dayFigureQueries: number;
    monthFigureQueries: number;
    /** Queries of the year before's figures, for targets relative to it. */
    previousYearQueries: number;
  };
}

const PARALLEL = 8;

/** Terms by figure id: the dossier KPIs' and the internal ones (the province's codes and outside units too). */
type Terms = Map<string, { n: number; d: number }>;

const emptyTerms = (): Terms =>
  new Map([...DOSSIER_KPIS.map((kpi) => kpi.id), ON_TIME_ENDED].map((id) => [id, { n: 0, d: 0 }]));

function addTerms(into: Terms, from: Terms): void {
  for (const [id, term] of from) {
    const sum = into.get(id);
    if (sum) {
      sum.n += term.n;
      sum.d += term.d;
    } else into.set(id, { n: term.n, d: term.d });
  }
}

/** The part of a period-end KPI judged at the period's end: the dossiers open then. */
const openPart = (kpi: DossierKpiDefinition): DossierKpiDefinition['tally'] =>
  kpi.id === 'on-time' ? ON_TIME_PARTS.open : kpi.tally;

const RECEIVED_CODE = receivedCodeTerm('');
const OUTSIDE_UNIT = outsideUnitTerm('');

/** The period-end KPIs' open part of one period, accumulated dossier by dossier. */
interface PeriodEndTerms {
  readonly key: string;
  readonly prepared: PreparedKpiContext;
  readonly byUnit: Map<string, Terms>;
  readonly total: Terms;
}

function tallyInto(period: PeriodEndTerms, dossier: Dossier): void {
  const { prepared } = period;
  for (const kpi of PERIOD_END_KPIS) {
    const tally: KpiTally | undefined = openPart(kpi)(dossier, prepared);
    if (!tally) continue;
    const unitId = kpi.attribution === 'receiving' ? dossier.receivingUnitId : dossier.competentAgencyId;
    let unit = period.byUnit.get(unitId);
    if (!unit) {
      unit = emptyTerms();
      period.byUnit.set(unitId, unit);
    }
    for (const terms of [unit, period.total]) {
      const term = terms.get(kpi.id) as { n: number; d: number };
      term.n += tally.n;
      term.d += tally.d;
    }
  }
}

/** What a scope is judged as against the targets. */
interface ScopeTarget {
  level: TargetLevel;
  area?: AreaType;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Recomputes and stores the month, quarter and year figures of every period containing one of
 * `days` (ISO dates; each period once), for every unit, level, district tree and the province.
 * Run it after the days' own rollup (rollUpKpiDay): the `sum` figures are read from the days.
 * @throws ValidationError INVALID_KPI_DAY when a day is not an ISO date.
 */
export async function rollUpKpiPeriods(
  deps: RollUpKpiPeriodsDeps,
  days: readonly string[],
): Promise<KpiPeriodsRollup> {
  for (const day of days) {
    if (!ISO_DATE.test(day) || Number.isNaN(Date.parse(day))) {
      throw new ValidationError('INVALID_KPI_DAY', `not a day (yyyy-MM-dd): ${day}`);
    }
  }
  const pageSize = deps.pageSize ?? 200;
  const today = localDayOf(deps.now());
  const computedAt = deps.now().toISOString();
  const byYear = new Map<string, Set<string>>();
  for (const day of days) {
    const { month, quarter, year } = periodsContaining(day);
    const periods = byYear.get(year) ?? new Set<string>();
    for (const key of [month, quarter, year]) periods.add(key);
    byYear.set(year, periods);
  }
  const reads = {
    bucketPages: 0,
    openPages: 0,
    openDossiers: 0,
    dayFigureQueries: 0,
    monthFigureQueries: 0,
    previousYearQueries: 0,
  };
  const openNow = byYear.size === 0 ? [] : await listOpenDossiers(deps, pageSize, reads);
  const rollups: KpiPeriodRollup[] = [];
  let judged = 0;
  for (const [year, keys] of [...byYear].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const { rollups: ofYear, dossiers } = await rollUpYear(deps, year, [...keys], {
      today,
      computedAt,
      openNow,
      pageSize,
      reads,
    });
    rollups.push(...ofYear);
    judged += dossiers;
  }
  const order = (key: string) => ({ month: 0, quarter: 1, year: 2, day: 3 })[parsePeriodKey(key).kind];
  rollups.sort((a, b) => order(a.period) - order(b.period) || (a.period < b.period ? -1 : 1));
  return { periods: rollups, dossiers: judged, reads };
}

/** The dossiers open now whose end of processing is not recorded (statuses 2, 4, 5, 6, 9). */
async function listOpenDossiers(
  deps: RollUpKpiPeriodsDeps,
  limit: number,
  reads: KpiPeriodsRollup['reads'],
): Promise<DossierSummary[]> {
  const open: DossierSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.dossiers.listDossiers({
      queues: [{ kind: 'province' }],
      statuses: OPEN_DOSSIER_STATUSES,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    reads.openPages += 1;
    for (const summary of page.items) {
      if (summary.finishedAt === undefined && summary.returnedAt === undefined) open.push(summary);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return open;
}

const DAY_KPI_IDS = new Set<string>(DAY_KPIS.map((kpi) => kpi.id));

/** Stored figures a longer period adds up: the `sum` KPIs and the internal terms. */
const isSummed = (figure: KpiFigure) => DAY_KPI_IDS.has(figure.kpiId) || isInternalTerm(figure.kpiId);

/** The summed terms of a scope's stored figures of a period, or undefined when one is missing. */
function sumTermsOf(figures: readonly KpiFigure[]): Terms | undefined {
  const terms = emptyTerms();
  let found = 0;
  for (const figure of figures) {
    if (!isSummed(figure)) continue;
    terms.set(figure.kpiId, { n: figure.numerator, d: figure.denominator });
    if (DAY_KPI_IDS.has(figure.kpiId) || figure.kpiId === ON_TIME_ENDED) found += 1;
  }
  return found === DAY_KPIS.length + 1 ? terms : undefined;
}

async function rollUpYear(
  deps: RollUpKpiPeriodsDeps,
  year: string,
  asked: string[],
  run: {
    today: number;
    computedAt: string;
    openNow: readonly DossierSummary[];
    pageSize: number;
    reads: KpiPeriodsRollup['reads'];
  },
): Promise<{ rollups: KpiPeriodRollup[]; dossiers: number }> {
  const today = dateOfDay(run.today);
  const keys = [...asked];
  // The months a quarter or the year adds up: those asked for from their days, the others from
  // their stored month figures; a month never stored yet but whose days were rolled up (a first
  // run, a backfill) is computed and stored too, so that the year is whole.
  const months = Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
  const past = months.filter((month) => `${month}-01` <= today);
  const fromDays = new Set(keys.filter((key) => parsePeriodKey(key).kind === 'month'));
  const unstored = new Set<string>();
  for (const month of past) {
    if (fromDays.has(month)) continue;
    run.reads.monthFigureQueries += 1;
    if (!sumTermsOf(await deps.store.listFigures(PROVINCE_SCOPE, month))) {
      fromDays.add(month);
      unstored.add(month);
      keys.push(month);
    }
  }
  // Summed terms: each scope's months up to today, from their days or their stored month figures.
  const monthTerms = new Map<string, Map<string, Terms>>();
  const monthOfDays = async (scope: string, month: string): Promise<Terms | undefined> => {
    let terms: Terms | undefined;
    for (const day of daysOfPeriod(month)) {
      if (day > today) break;
      run.reads.dayFigureQueries += 1;
      const figures = await deps.store.listFigures(scope, day);
      if (figures.length === 0) continue;
      terms ??= emptyTerms();
      const summed = new Map<string, { n: number; d: number }>();
      for (const figure of figures) {
        if (isSummed(figure)) summed.set(figure.kpiId, { n: figure.numerator, d: figure.denominator });
      }
      addTerms(terms, summed);
    }
    return terms;
  };
  const monthOf = async (scope: string, month: string) => {
    let terms: Terms | undefined;
    if (!fromDays.has(month)) {
      run.reads.monthFigureQueries += 1;
      terms = sumTermsOf(await deps.store.listFigures(scope, month));
    }
    terms ??= await monthOfDays(scope, month);
    if (!terms) return;
    const ofScope = monthTerms.get(scope) ?? new Map<string, Terms>();
    ofScope.set(month, terms);
    monthTerms.set(scope, ofScope);
  };
  // The province first: a day rollup writes every unit's figures with the province's, so a month
  // without any province figure has none of its units' either (days never rolled up).
  await eachLimited(past, PARALLEL * 2, (month) => monthOf(PROVINCE_SCOPE, month));
  const rolled = past.filter((month) => monthTerms.get(PROVINCE_SCOPE)?.has(month));
  // Months never rolled up are neither stored nor judged.
  const periods: PeriodEndTerms[] = keys
    .filter((key) => !unstored.has(key) || rolled.includes(key))
    .map((key) => {
      const { from, to } = parsePeriodKey(key);
      return {
        key,
        prepared: prepareKpiContext({ ...deps.context, period: { from, to } }),
        byUnit: new Map(),
        total: emptyTerms(),
      };
    });
  // The dossiers open at a period's end: those ended since, in the buckets from the day after the
  // earliest period end to today, then those open now, not read yet.
  const seen = new Set<string>();
  const unitIds = new Set(deps.context.units.map((unit) => unit.id));
  const judge = (dossier: Dossier) => {
    if (seen.has(dossier.code)) return;
    seen.add(dossier.code);
    unitIds.add(dossier.receivingUnitId);
    unitIds.add(dossier.competentAgencyId);
    for (const period of periods) tallyInto(period, dossier);
  };
  const bucketDays: string[] = [];
  const first = Math.min(...periods.map(({ key }) => dayOfDate(parsePeriodKey(key).to) + 1));
  for (let day = first; day <= run.today; day += 1) bucketDays.push(dateOfDay(day));
  await eachLimited(bucketDays, PARALLEL, async (day) => {
    for await (const page of dayBucketPages(deps.dossiers, day, run.pageSize)) {
      run.reads.bucketPages += 1;
      for (const dossier of page) judge(dossier);
    }
  });
  const endOfYear = Date.parse(`${year}-12-31T17:00:00.000Z`);
  const unread = run.openNow.filter(
    (summary) => !seen.has(summary.code) && Date.parse(summary.receivedAt) < endOfYear,
  );
  await eachLimited(unread, PARALLEL, async (summary) => {
    const dossier = await deps.dossiers.getDossier(summary.code);
    run.reads.openDossiers += 1;
    if (dossier) judge(dossier);
  });
  // The units: the configured ones, those of the judged dossiers, and those outside the
  // configuration with figures in the year (recorded by the province's days).
  for (const terms of monthTerms.get(PROVINCE_SCOPE)?.values() ?? []) {
    for (const id of terms.keys())
      if (id.startsWith(OUTSIDE_UNIT)) unitIds.add(id.slice(OUTSIDE_UNIT.length));
  }
  const scopes = [...unitIds].sort();
  const tasks: [string, string][] = [];
  for (const scope of scopes) for (const month of rolled) tasks.push([scope, month]);
  await eachLimited(tasks, PARALLEL * 2, ([scope, month]) => monthOf(scope, month));

  const previousYear = await previousYearValues(deps, Number(year), scopes, run.reads);
  const rollups: KpiPeriodRollup[] = [];
  for (const period of periods) {
    const figures = figuresOfPeriod(deps, period, scopes, monthTerms, previousYear, run.computedAt);
    const { written, unchanged } = await deps.store.putFigures(figures);
    rollups.push({ period: period.key, figures, written, unchanged });
  }
  return { rollups, dossiers: seen.size };
}

const previousKey = (scope: string, kpi: string) => `${scope}\u0000${kpi}`;

/**
 * The stored values of the year before, by scope and KPI, for the targets that rise over it
 * (`increaseOverPreviousYear`): one query per scope, and none when no target needs them.
 */
async function previousYearValues(
  deps: RollUpKpiPeriodsDeps,
  year: number,
  units: readonly string[],
  reads: KpiPeriodsRollup['reads'],
): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  const relative = new Set(
    (deps.targets?.targets ?? [])
      .filter((rule) => rule.increaseOverPreviousYear !== undefined)
      .map((rule) => rule.kpi as string),
  );
  if (relative.size === 0) return values;
  const scopes = [
    ...units,
    ...new Set(deps.context.units.map((unit) => levelScope(unit.level))),
    ...(deps.agencies
      ? deps.context.units.filter((unit) => unit.level === 'district').map((unit) => treeScope(unit.id))
      : []),
    PROVINCE_SCOPE,
  ];
  await eachLimited(scopes, PARALLEL * 2, async (scope) => {
    reads.previousYearQueries += 1;
    for (const figure of await deps.store.listFigures(scope, String(year - 1))) {
      if (relative.has(figure.kpiId) && figure.value !== undefined) {
        values.set(previousKey(scope, figure.kpiId), figure.value);
      }
    }
  });
  return values;
}

/**
 * A scope's terms over a period: its months' summed terms (in order), and each period-end KPI as
 * its open part at the period end plus, for on-time, the dossiers that ended in it (summed).
 */
function scopeTerms(
  months: readonly string[],
  ofScope: Map<string, Terms> | undefined,
  periodEnd: Terms | undefined,
): { terms: Terms; present: boolean } {
  const terms = emptyTerms();
  let present = periodEnd !== undefined;
  for (const month of months) {
    const ofMonth = ofScope?.get(month);
    if (!ofMonth) continue;
    present = true;
    const summed = new Map([...ofMonth].filter(([id]) => DAY_KPI_IDS.has(id) || isInternalTerm(id)));
    addTerms(terms, summed);
  }
  for (const kpi of PERIOD_END_KPIS) {
    const open = periodEnd?.get(kpi.id) ?? { n: 0, d: 0 };
    const ended =
      kpi.id === 'on-time' ? (terms.get(ON_TIME_ENDED) as { n: number; d: number }) : { n: 0, d: 0 };
    terms.set(kpi.id, { n: ended.n + open.n, d: ended.d + open.d });
  }
  return { terms, present };
}

function figuresOfPeriod(
  deps: RollUpKpiPeriodsDeps,
  period: PeriodEndTerms,
  scopes: readonly string[],
  monthTerms: Map<string, Map<string, Terms>>,
  previousYear: ReadonlyMap<string, number>,
  computedAt: string,
): KpiFigure[] {
  const year = Number(period.key.slice(0, 4));
  const months = [...new Set(daysOfPeriod(period.key).map((day) => day.slice(0, 7)))];
  const units = new Map<string, KpiUnitInfo>(deps.context.units.map((unit) => [unit.id, unit]));
  const figures: KpiFigure[] = [];
  const evaluate = (
    scope: string,
    kpi: KpiId,
    target: ScopeTarget | undefined,
    value: KpiValue,
  ): TargetEvaluation => {
    if (!deps.targets || !target) return { status: 'no-target' };
    const previousYearValue = previousYear.get(previousKey(scope, kpi));
    return evaluateKpiTarget(
      deps.targets,
      { kpi, year, ...target },
      value,
      previousYearValue === undefined ? {} : { previousYearValue },
    );
  };
  const push = (scope: string, kpi: KpiDefinition, terms: KpiTally, target: ScopeTarget | undefined) => {
    const value = kpiValue(kpi.kind, terms.n, terms.d);
    figures.push(figureOf(scope, period.key, kpi, value, evaluate(scope, kpi.id, target, value), computedAt));
  };
  const pushTerms = (scope: string, terms: Terms, target: ScopeTarget | undefined) => {
    for (const kpi of DOSSIER_KPIS) push(scope, kpi, terms.get(kpi.id) as KpiTally, target);
    // The internal terms too, so that a quarter or year adds up stored months.
    for (const id of [...terms.keys()].filter(isInternalTerm).sort()) {
      const { n, d } = terms.get(id) as KpiTally;
      const value = kpiValue(id === ON_TIME_ENDED ? 'rate' : 'count', n, d);
      figures.push(
        figureOf(scope, period.key, { id, ruleVersion: '1' }, value, { status: 'no-target' }, computedAt),
      );
    }
  };
  const areaOf = (unitId: string): { area?: AreaType } => {
    const area = deps.targets?.unitAreas[unitId];
    return area ? { area } : {};
  };

  // Units: every unit in scope, and any other a dossier or a day figure of the period counts for.
  const unitTerms = new Map<string, Terms>();
  for (const scope of scopes) {
    const { terms, present } = scopeTerms(months, monthTerms.get(scope), period.byUnit.get(scope));
    if (!present && !units.has(scope)) continue;
    unitTerms.set(scope, terms);
    const unit = units.get(scope);
    pushTerms(scope, terms, unit ? { level: targetLevelOf(unit.level), ...areaOf(scope) } : undefined);
  }
  // Levels: all units of a level together.
  const levels = [...new Set(deps.context.units.map((unit) => unit.level))].sort();
  for (const level of levels) {
    const terms = emptyTerms();
    for (const unit of [...deps.context.units].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      if (unit.level === level) addTerms(terms, unitTerms.get(unit.id) ?? emptyTerms());
    }
    pushTerms(levelScope(level), terms, { level: targetLevelOf(level) });
  }
  // Districts with the agencies under them.
  for (const district of deps.agencies
    ? deps.context.units.filter((unit) => unit.level === 'district')
    : []) {
    const members = treeOf(district.id, deps.agencies ?? []);
    const terms = emptyTerms();
    for (const member of [...members].sort()) addTerms(terms, unitTerms.get(member) ?? emptyTerms());
    pushTerms(treeScope(district.id), terms, { level: 'district', ...areaOf(district.id) });
  }
  // The province: its own day figures, the period-end total, the catalogue.
  const { terms: province } = scopeTerms(months, monthTerms.get(PROVINCE_SCOPE), period.total);
  pushTerms(PROVINCE_SCOPE, province, { level: 'province' });
  const codes = new Set(
    [...province]
      .filter(([id, term]) => id.startsWith(RECEIVED_CODE) && term.n > 0)
      .map(([id]) => id.slice(RECEIVED_CODE.length)),
  );
  for (const kpi of CATALOGUE_KPIS) {
    push(PROVINCE_SCOPE, kpi, kpi.measure(codes, period.prepared), { level: 'province' });
  }
  return figures;
}

/** A district and every agency whose parent chain reaches it. */
function treeOf(
  districtId: string,
  agencies: readonly { readonly id: string; readonly parentId?: string | undefined }[],
): Set<string> {
  const members = new Set([districtId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const agency of agencies) {
      if (agency.parentId !== undefined && members.has(agency.parentId) && !members.has(agency.id)) {
        members.add(agency.id);
        grew = true;
      }
    }
  }
  return members;
}
