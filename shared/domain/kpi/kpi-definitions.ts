/**
 * The KPIs of the one-stop back office, each defined once: which dossiers of a period it looks at,
 * what it counts, and how numerator and denominator make its value. Every report, rollup and
 * scorecard takes its figures from here, so that a province's numbers can be recomputed from raw
 * dossiers and argued about formula by formula (DOMAIN.md "KPIs", seeds 000–004, Decision 766).
 *
 * A figure is always `{ numerator, denominator, value }`. Rates and means have no value when the
 * denominator is 0 (a unit with no dossiers has no on-time rate, not 0 % or 100 %); counts are
 * their numerator, the denominator saying out of how many. Numerators and denominators of dossier
 * KPIs add up across units and dossiers, so a province's figure is the sum of its units' terms.
 *
 * Across time they add up only for the KPIs whose dossiers belong to the period by one event in it
 * (received, resolved, transferred, rated): a month is then the sum of its days (productivity too,
 * its staff-years adding up day by day). On-time and backlog also judge the dossiers still open at
 * the period's end, so a month of those is computed for the month, not summed from its days; so
 * are the catalogue figures.
 */

import type { Procedure, ProcedureLevel } from '#shared/config/procedure-catalogue.ts';
import { findProcedure } from '#shared/config/procedure-catalogue.ts';
import { dayOfDate, HOUR_MS, instantAt, MINUTE_MS } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { workingTimeBetween } from '#shared/domain/calendar/working-time.ts';
import { DOSSIER_STATUS, type Dossier, type DossierComponent } from '#shared/domain/dossiers/dossier.ts';
import {
  type DossierClock,
  dossierClockEvents,
  type SupplementResume,
  trackDossierClock,
} from '#shared/domain/dossiers/track-dossier-clock.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/** What a figure is measured in. */
export type KpiUnit =
  | 'percent'
  | 'minutes'
  | 'working-days'
  | 'dossiers'
  | 'dossiers-per-staff-year'
  | 'procedures';

/**
 * How the value follows from numerator and denominator: `rate` is n ÷ d × 100, `mean` and `ratio`
 * are n ÷ d (no value when d is 0); `count` is n, with d the population it was counted in.
 */
export type KpiKind = 'rate' | 'mean' | 'ratio' | 'count';

/** A measured figure. */
export interface KpiValue {
  readonly numerator: number;
  readonly denominator: number;
  /** Undefined for a rate, mean or ratio over nothing. */
  readonly value: number | undefined;
}

/** A period of local (Asia/Ho_Chi_Minh) days, both ends included, as ISO dates. */
export interface KpiPeriod {
  readonly from: string;
  readonly to: string;
}

/** A unit (agency) as the KPIs see it. */
export interface KpiUnitInfo {
  readonly id: string;
  readonly level: 'province' | 'department' | 'district' | 'commune';
  /** Staff on counter duty; 0 for a unit without a one-stop department. */
  readonly counterStaff: number;
}

/** What every KPI is measured against. */
export interface KpiContext {
  readonly period: KpiPeriod;
  /** The procedure catalogue, every version (a dossier is judged by the version it was received under). */
  readonly procedures: readonly Procedure[];
  /** The province's working calendar; it must cover the due dates of the period's dossiers. */
  readonly calendar: WorkingCalendar;
  /** How the clock resumes after a supplement (province setting). @default 'pause' */
  readonly supplementResume?: SupplementResume;
  /**
   * The units in scope: their counter staff make the productivity denominator (all agencies of
   * the province for a province figure, one agency for a unit's).
   */
  readonly units: readonly KpiUnitInfo[];
  /** The lowest rating (1–5) counted as satisfied. @default 4 */
  readonly satisfiedFromScore?: number;
}

/** Identifiers of the dossier KPIs. */
export const DOSSIER_KPI_IDS = [
  'results-digitised',
  'digitised-signed-archived',
  'no-resubmission',
  'waiting-time',
  'intake-time',
  'intake-productivity',
  'online-share',
  'electronic-routing',
  'satisfaction',
  'on-time',
  'processing-time',
  'backlog',
  'electronic-results',
  'data-reuse',
] as const;
export type DossierKpiId = (typeof DOSSIER_KPI_IDS)[number];

/** Identifiers of the catalogue figures. */
export const CATALOGUE_KPI_IDS = [
  'catalogue-procedures-province',
  'catalogue-procedures-district',
  'catalogue-procedures-commune',
  'catalogue-online-full',
  'catalogue-online-partial',
  'catalogue-online-share',
  'catalogue-with-dossiers',
] as const;
export type CatalogueKpiId = (typeof CATALOGUE_KPI_IDS)[number];

export const KPI_IDS = [...DOSSIER_KPI_IDS, ...CATALOGUE_KPI_IDS] as const;
export type KpiId = DossierKpiId | CatalogueKpiId;

/** One dossier's part of a figure. */
export interface KpiTally {
  readonly n: number;
  readonly d: number;
}

interface KpiDefinitionBase<Id extends KpiId> {
  readonly id: Id;
  /** Vietnamese label, as reports print it. */
  readonly label: string;
  readonly unit: KpiUnit;
  readonly kind: KpiKind;
  /** Changes whenever the formula does: stored with every computed figure. */
  readonly ruleVersion: string;
  /** Which value is better, for trends and targets. */
  readonly better: 'higher' | 'lower';
  /** Where the formula comes from (seed plan, Decision 766 indicator). */
  readonly source: string;
  /** Which dossiers (or procedures) belong to a period. */
  readonly membership: string;
  /** What numerator and denominator count. */
  readonly formula: string;
}

/** A KPI over the period's dossiers, attributed to one unit per dossier. */
export interface DossierKpiDefinition extends KpiDefinitionBase<DossierKpiId> {
  readonly scope: 'dossier';
  /** The unit a dossier counts for: where it was received, or the agency competent to decide it. */
  readonly attribution: 'receiving' | 'competent';
  /**
   * How a longer period follows from shorter ones: `sum` when each dossier belongs to a period by
   * one event inside it (a month is the sum of its days' terms); `period-end` when open dossiers
   * are judged at the period's end (a month must be computed for the month).
   */
  readonly overTime: 'sum' | 'period-end';
  /** The dossier's term, or undefined when it does not belong to the period. */
  tally(dossier: Dossier, context: PreparedKpiContext): KpiTally | undefined;
  /** A denominator that comes from the units rather than the dossiers (counter staff-years). */
  unitDenominator?(unit: KpiUnitInfo, context: PreparedKpiContext): number;
}

/** A figure of the procedure catalogue (province-wide: procedures are not units' terms that add up). */
export interface CatalogueKpiDefinition extends KpiDefinitionBase<CatalogueKpiId> {
  readonly scope: 'catalogue';
  /** Counts over the procedures in force in the period (and, for one figure, the period's dossiers). */
  measure(codesWithDossiers: ReadonlySet<string>, context: PreparedKpiContext): KpiTally;
}

export type KpiDefinition = DossierKpiDefinition | CatalogueKpiDefinition;

/** A dossier the KPIs cannot judge (its procedure version is not in the catalogue). */
export class KpiInputError extends ValidationError {}

/** A context with the period's instants and the catalogue indexed, built once per computation. */
export interface PreparedKpiContext extends KpiContext {
  /** First instant of the period (local midnight of `from`). */
  readonly start: number;
  /** First instant after the period (local midnight after `to`). */
  readonly end: number;
  /** The instant open dossiers are judged at: the last millisecond of the period's last day. */
  readonly judgedAt: Date;
  readonly supplementResume: SupplementResume;
  readonly satisfiedFromScore: number;
  /** The procedure version a dossier was received under. @throws KpiInputError when there is none. */
  procedureOf(dossier: Dossier): Procedure;
  /** The dossier's clock at the period's last instant (766 rule 2.1), computed once per dossier. */
  clockAtPeriodEnd(dossier: Dossier): DossierClock;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks the period and indexes the catalogue.
 * @throws ValidationError INVALID_KPI_PERIOD when a date is not ISO or `from` is after `to`.
 */
export function prepareKpiContext(context: KpiContext): PreparedKpiContext {
  const { from, to } = context.period;
  if (!ISO_DATE.test(from) || !ISO_DATE.test(to) || Number.isNaN(Date.parse(from)) || from > to) {
    throw new ValidationError(
      'INVALID_KPI_PERIOD',
      `a period runs from one ISO date to a later one: ${from}..${to}`,
    );
  }
  if ('start' in context) return context as PreparedKpiContext;
  const start = instantAt(dayOfDate(from), 0).getTime();
  const end = instantAt(dayOfDate(to) + 1, 0).getTime();
  const versions = new Map<string, Procedure>();
  for (const procedure of context.procedures)
    versions.set(`${procedure.code}@${procedure.effectiveFrom}`, procedure);
  const byDossierVersion = new Map<string, Procedure>();
  const procedureOf = (dossier: Dossier): Procedure => {
    const key = `${dossier.procedureCode}@${dossier.procedureVersion}`;
    const known = byDossierVersion.get(key) ?? versions.get(key);
    if (known) return known;
    const lookup = findProcedure(context, dossier.procedureCode, new Date(dossier.receivedAt));
    if (!lookup.found) {
      throw new KpiInputError(
        'UNKNOWN_PROCEDURE',
        `dossier ${dossier.code}: procedure ${dossier.procedureCode} of ${dossier.procedureVersion} is not in the catalogue`,
      );
    }
    byDossierVersion.set(key, lookup.procedure);
    return lookup.procedure;
  };
  const judgedAt = new Date(end - 1);
  const supplementResume = context.supplementResume ?? 'pause';
  let last: { dossier: Dossier; clock: DossierClock } | undefined;
  return {
    ...context,
    start,
    end,
    judgedAt,
    supplementResume,
    satisfiedFromScore: context.satisfiedFromScore ?? 4,
    procedureOf,
    clockAtPeriodEnd(dossier) {
      if (last?.dossier === dossier) return last.clock;
      const clock = trackDossierClock(
        dossierClockEvents(dossier),
        procedureOf(dossier).limit,
        context.calendar,
        {
          at: judgedAt,
          supplementResume,
        },
      );
      last = { dossier, clock };
      return clock;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What the formulas share

const S = DOSSIER_STATUS;

/**
 * Received by a unit: not a mere online registration (1), and not refused before receipt (a 3
 * straight from 1). A dossier refused at receipt (2 → 3) was received and ended by the refusal.
 */
export function wasReceived(dossier: Dossier): boolean {
  if (dossier.status === S.registeredOnline) return false;
  if (dossier.status === S.refused) return dossier.history.some((event) => event.status === S.received);
  return true;
}

/** Received and accepted for processing: the plans' "hồ sơ tiếp nhận" (refused dossiers are "không được tiếp nhận"). */
export function wasAccepted(dossier: Dossier): boolean {
  return dossier.status !== S.registeredOnline && dossier.status !== S.refused;
}

/** Ended with a result: processed (9) or returned (10). */
export function wasResolved(dossier: Dossier): boolean {
  return dossier.status === S.processed || dossier.status === S.returned;
}

/**
 * The end of processing as 766 rule 2.1 and the dossier clock take it: the first of processed,
 * returned, stopped, refused or withdrawn (NgayKetThucXuLy, else NgayTra).
 */
export function endOfProcessing(dossier: Dossier): string | undefined {
  return dossier.finishedAt ?? dossier.returnedAt;
}

/** A digitised paper: reused from the archive, or uploaded and archived by the pipeline (it has a digitised code). */
export function isComponentDigitised(component: DossierComponent): boolean {
  return component.source === 'reused' || component.source === 'uploaded';
}

/** A paper that exists as a file in the system (reused, archived, or a scan or upload declared), so it travels electronically. */
export function isComponentElectronic(component: DossierComponent): boolean {
  return component.source !== 'awaiting-upload' || component.documentId !== undefined;
}

/**
 * When the dossier first went to an agency other than the unit that received it: the start of
 * its first step there (undefined while it has not left the receiving unit).
 */
export function transferredAt(dossier: Dossier): string | undefined {
  let first: string | undefined;
  for (const step of dossier.steps) {
    if (step.agencyId === dossier.receivingUnitId || step.startedAt === undefined) continue;
    if (first === undefined || Date.parse(step.startedAt) < Date.parse(first)) first = step.startedAt;
  }
  return first;
}

function within(instant: string | undefined, context: PreparedKpiContext): boolean {
  if (instant === undefined) return false;
  const at = Date.parse(instant);
  return at >= context.start && at < context.end;
}

const receivedWithin = (dossier: Dossier, context: PreparedKpiContext) => within(dossier.receivedAt, context);

/** Resolved (9 or 10) with the end of processing inside the period. */
const resolvedWithin = (dossier: Dossier, context: PreparedKpiContext) =>
  wasResolved(dossier) && within(endOfProcessing(dossier), context);

/**
 * Received by the period's end and either ended inside it or still open at its end (766 rule 2.1:
 * dossiers finished in the period plus those in progress at its end).
 */
function judgedInPeriod(dossier: Dossier, context: PreparedKpiContext): boolean {
  if (!wasReceived(dossier) || Date.parse(dossier.receivedAt) >= context.end) return false;
  const end = endOfProcessing(dossier);
  return end === undefined || Date.parse(end) >= context.start;
}

/** Received by the period's end and not ended by then. */
function openAtPeriodEnd(dossier: Dossier, context: PreparedKpiContext): boolean {
  if (!wasReceived(dossier) || Date.parse(dossier.receivedAt) >= context.end) return false;
  const end = endOfProcessing(dossier);
  return end === undefined || Date.parse(end) >= context.end;
}

const one = (counted: boolean): KpiTally => ({ n: counted ? 1 : 0, d: 1 });

/** Working time spent waiting on the applicant (supplements) or on a financial obligation, up to `until`. */
function pausedWorkingTime(dossier: Dossier, until: Date, calendar: WorkingCalendar): number {
  let paused = 0;
  const pauses = [
    ...dossier.supplements.map((request) => [request.requestedAt, request.answeredAt] as const),
    ...dossier.feeRequests.map((request) => [request.requestedAt, request.paidAt] as const),
  ];
  for (const [from, to] of pauses) {
    const start = new Date(from);
    if (start >= until) continue;
    const stop = to === undefined || Date.parse(to) > until.getTime() ? until : new Date(to);
    paused += Math.max(0, workingTimeBetween(calendar, start, stop));
  }
  return paused;
}

/** The share of the period's days that fall in each year, summed: staff-years per head. */
function periodYears(context: PreparedKpiContext): number {
  let years = 0;
  const first = dayOfDate(context.period.from);
  const last = dayOfDate(context.period.to);
  for (let day = first; day <= last; ) {
    const year = new Date(day * 86_400_000).getUTCFullYear();
    const yearStart = dayOfDate(`${year}-01-01`);
    const nextYear = dayOfDate(`${year + 1}-01-01`);
    const until = Math.min(last + 1, nextYear);
    years += (until - day) / (nextYear - yearStart);
    day = until;
  }
  return years;
}

// ---------------------------------------------------------------------------------------------
// The dossier KPIs

const resultsDigitised: DossierKpiDefinition = {
  id: 'results-digitised',
  scope: 'dossier',
  label: 'Tỷ lệ kết quả giải quyết TTHC được số hóa',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'competent',
  overTime: 'sum',
  source: 'Seeds 000, 001 II.2.a (50/30/20 % by level in 2021, +20 points a year)',
  membership:
    'dossiers resolved (processed 9 or returned 10) whose end of processing falls in the period; reported by the procedure level (thẩm quyền cấp tỉnh/huyện/xã)',
  formula:
    'numerator: those with at least one result paper in the archive (digitised, signed, coded); denominator: all of them',
  tally: (dossier, context) =>
    resolvedWithin(dossier, context) ? one(dossier.results.length > 0) : undefined,
};

const digitisedSignedArchived: DossierKpiDefinition = {
  id: 'digitised-signed-archived',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ, giấy tờ, kết quả giải quyết TTHC được số hóa, ký số và lưu trữ điện tử',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'competent',
  overTime: 'sum',
  source: 'Seeds 000, 001, 003 II.2.c (+20 points a year to 100 %); Decision 766 indicator 4.2',
  membership: 'dossiers resolved (9 or 10) whose end of processing falls in the period',
  formula:
    'numerator: those whose result is archived and whose every component that must be digitised (Decree 45/2020) is digitised (reused, or archived with a code); denominator: all of them',
  tally: (dossier, context) =>
    resolvedWithin(dossier, context)
      ? one(
          dossier.results.length > 0 &&
            dossier.components.every(
              (component) => !component.mustDigitise || isComponentDigitised(component),
            ),
        )
      : undefined,
};

const noResubmission: DossierKpiDefinition = {
  id: 'no-resubmission',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ không phải cung cấp lại giấy tờ đã được chấp nhận',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000, 001, 003, 004 (30–50 % in 2022, 80 % in 2023–2025)',
  membership:
    'dossiers received (not refused) in the period whose procedure version lists at least one paper the archive can supply (reusable)',
  formula:
    'numerator: those in which every reusable paper was taken from the archive, none handed over again; denominator: all of them',
  tally: (dossier, context) => {
    if (!wasAccepted(dossier) || !receivedWithin(dossier, context)) return undefined;
    const reusable = new Set(
      context
        .procedureOf(dossier)
        .components.filter((component) => component.reusable)
        .map((component) => component.documentType),
    );
    const asked = dossier.components.filter((component) => reusable.has(component.documentType));
    if (asked.length === 0) return undefined;
    return one(asked.every((component) => component.source === 'reused'));
  },
};

const minutesBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / MINUTE_MS;

const waitingTime: DossierKpiDefinition = {
  id: 'waiting-time',
  scope: 'dossier',
  label: 'Thời gian chờ đợi trung bình tại Bộ phận Một cửa',
  unit: 'minutes',
  kind: 'mean',
  ruleVersion: '1',
  better: 'lower',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000, 001, 003, 004 ("thời gian chờ đợi … /01 lần đến giao dịch": ≤ 30 → 15 → 10 min)',
  membership:
    'counter dossiers (channel 1) received in the period whose queue ticket was issued and called, whatever their outcome',
  formula:
    'numerator: minutes from ticket issued to ticket called, summed; denominator: those tickets (service time after the call is intake time, not waiting)',
  tally: (dossier, context) => {
    const ticket = dossier.queueTicket;
    if (dossier.channel !== 1 || !ticket?.calledAt || !receivedWithin(dossier, context)) return undefined;
    return { n: minutesBetween(ticket.issuedAt, ticket.calledAt), d: 1 };
  },
};

const intakeTime: DossierKpiDefinition = {
  id: 'intake-time',
  scope: 'dossier',
  label: 'Thời gian tiếp nhận hồ sơ trung bình tại quầy',
  unit: 'minutes',
  kind: 'mean',
  ruleVersion: '1',
  better: 'lower',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000, 001, 004 ("thời gian tiếp nhận, xử lý hồ sơ": cut by ≥ 30 min per dossier by 2025)',
  membership: 'counter dossiers (channel 1) received in the period whose queue ticket was called and served',
  formula: 'numerator: minutes from ticket called to service ended, summed; denominator: those tickets',
  tally: (dossier, context) => {
    const ticket = dossier.queueTicket;
    if (dossier.channel !== 1 || !ticket?.calledAt || !ticket.servedAt || !receivedWithin(dossier, context)) {
      return undefined;
    }
    return { n: minutesBetween(ticket.calledAt, ticket.servedAt), d: 1 };
  },
};

const intakeProductivity: DossierKpiDefinition = {
  id: 'intake-productivity',
  scope: 'dossier',
  label: 'Năng suất tiếp nhận hồ sơ bình quân của 01 nhân sự Bộ phận Một cửa',
  unit: 'dossiers-per-staff-year',
  kind: 'ratio',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000 (3,000–5,000 at province level), 001 (1,600/1,200/800 by area), 004 (2,000)',
  membership: 'dossiers received (not refused) in the period, all channels, at the units in scope',
  formula:
    "numerator: those dossiers; denominator: the units' counter staff × the period's length in years (a year is 1, a month about 1/12)",
  tally: (dossier, context) =>
    wasAccepted(dossier) && receivedWithin(dossier, context) ? { n: 1, d: 0 } : undefined,
  unitDenominator: (unit, context) => unit.counterStaff * periodYears(context),
};

const onlineShare: DossierKpiDefinition = {
  id: 'online-share',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ tiếp nhận trực tuyến',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000, 001, 004 (≥ 50 % … 100 % of dossiers received); Decision 766 indicator 3.3',
  membership: 'dossiers received (not refused) in the period, all channels',
  formula: 'numerator: those submitted online (channel 2); denominator: all of them',
  tally: (dossier, context) =>
    wasAccepted(dossier) && receivedWithin(dossier, context) ? one(dossier.channel === 2) : undefined,
};

const electronicRouting: DossierKpiDefinition = {
  id: 'electronic-routing',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ luân chuyển giữa các cơ quan bằng phương thức điện tử',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000, 001, 003 (≥ 80 … 100 % of dossiers transferred between agencies)',
  membership:
    'dossiers whose first step at an agency other than the receiving unit started in the period (transferred in the period)',
  formula:
    'numerator: those whose every component exists in the system as a file (reused from the archive or scanned/uploaded), so nothing travelled on paper; denominator: all of them',
  tally: (dossier, context) =>
    within(transferredAt(dossier), context)
      ? one(dossier.components.every(isComponentElectronic))
      : undefined,
};

const satisfaction: DossierKpiDefinition = {
  id: 'satisfaction',
  scope: 'dossier',
  label: 'Tỷ lệ đánh giá hài lòng',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '1',
  better: 'higher',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Seeds 000 (100 % by 2025), 001, 003, 004 (95 % by 2025)',
  membership: 'ratings given in the period (rating.at), attributed to the unit that served the applicant',
  formula:
    'numerator: ratings at or above the satisfied score (default 4 of 5: hài lòng, rất hài lòng); denominator: all ratings',
  tally: (dossier, context) =>
    dossier.rating && within(dossier.rating.at, context)
      ? one(dossier.rating.score >= context.satisfiedFromScore)
      : undefined,
};

const onTime: DossierKpiDefinition = {
  id: 'on-time',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ giải quyết trước và đúng hạn',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '766-2.1/1',
  better: 'higher',
  attribution: 'competent',
  overTime: 'period-end',
  source: 'Decision 766 indicator 2.1',
  membership:
    'dossiers received by the period end whose end of processing (first of processed > returned > stopped/refused/withdrawn) falls in the period, plus those still open at its end',
  formula:
    "numerator: those the dossier clock judges on time at the period's last instant (supplement time subtracted; > 1 supplement request late; waiting on its one supplement judged at the request; open ones at the period end; apology slips ignored); denominator: all of them",
  tally: (dossier, context) =>
    judgedInPeriod(dossier, context) ? one(context.clockAtPeriodEnd(dossier).onTime) : undefined,
};

/**
 * On-time split by how a dossier belongs to a period, `ended + open` being the on-time tally: the
 * dossiers whose end of processing falls in the period (judged at their own end: the clock stops
 * there, so the judgement does not depend on the period, and a period's part is the sum of its
 * days'), and those open at the period's end (judged at its last instant).
 */
export const ON_TIME_PARTS: {
  readonly ended: DossierKpiDefinition['tally'];
  readonly open: DossierKpiDefinition['tally'];
} = {
  ended: (dossier, context) => {
    if (!wasReceived(dossier) || Date.parse(dossier.receivedAt) >= context.end) return undefined;
    return within(endOfProcessing(dossier), context)
      ? one(context.clockAtPeriodEnd(dossier).onTime)
      : undefined;
  },
  open: (dossier, context) =>
    openAtPeriodEnd(dossier, context) ? one(context.clockAtPeriodEnd(dossier).onTime) : undefined,
};

const processingTime: DossierKpiDefinition = {
  id: 'processing-time',
  scope: 'dossier',
  label: 'Thời gian giải quyết trung bình',
  unit: 'working-days',
  kind: 'mean',
  ruleVersion: '1',
  better: 'lower',
  attribution: 'competent',
  overTime: 'sum',
  source: 'Decision 766 indicator 2.2',
  membership: 'dossiers resolved (9 or 10) whose end of processing falls in the period',
  formula:
    'numerator: working days from receipt to the end of processing less the working time spent waiting on supplements and financial obligations, summed; denominator: those dossiers',
  tally: (dossier, context) => {
    if (!resolvedWithin(dossier, context)) return undefined;
    const from = new Date(dossier.receivedAt);
    const to = new Date(endOfProcessing(dossier) ?? dossier.receivedAt);
    const working =
      workingTimeBetween(context.calendar, from, to) - pausedWorkingTime(dossier, to, context.calendar);
    return { n: Math.max(0, working) / (context.calendar.hoursPerWorkingDay * HOUR_MS), d: 1 };
  },
};

const backlog: DossierKpiDefinition = {
  id: 'backlog',
  scope: 'dossier',
  label: 'Số hồ sơ đang giải quyết quá hạn',
  unit: 'dossiers',
  kind: 'count',
  ruleVersion: '1',
  better: 'lower',
  attribution: 'competent',
  overTime: 'period-end',
  source: 'DOMAIN.md "backlog: open dossiers past due, by unit"',
  membership: 'dossiers received by the period end and still open at its end',
  formula:
    "numerator: those the dossier clock finds overdue at the period's last instant (more than one supplement request counts as overdue, as in 766 rule 2.1); denominator: all open ones",
  tally: (dossier, context) =>
    openAtPeriodEnd(dossier, context) ? one(context.clockAtPeriodEnd(dossier).overdue) : undefined,
};

const electronicResults: DossierKpiDefinition = {
  id: 'electronic-results',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ được cấp kết quả điện tử',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '766-4.1/1',
  better: 'higher',
  attribution: 'competent',
  overTime: 'sum',
  source: 'Decision 766 indicator 4.1',
  membership: 'dossiers resolved (9 or 10) in the period whose procedure issues a paper result (paperResult)',
  formula: 'numerator: those with an electronic (archived, signed) result; denominator: all of them',
  tally: (dossier, context) =>
    resolvedWithin(dossier, context) && context.procedureOf(dossier).paperResult
      ? one(dossier.results.length > 0)
      : undefined,
};

const dataReuse: DossierKpiDefinition = {
  id: 'data-reuse',
  scope: 'dossier',
  label: 'Tỷ lệ hồ sơ có khai thác, sử dụng lại dữ liệu số hóa',
  unit: 'percent',
  kind: 'rate',
  ruleVersion: '766-4.3/1',
  better: 'higher',
  attribution: 'receiving',
  overTime: 'sum',
  source: 'Decision 766 indicator 4.3',
  membership: 'dossiers received (not refused) in the period',
  formula: 'numerator: those with at least one component reused from the archive; denominator: all of them',
  tally: (dossier, context) =>
    wasAccepted(dossier) && receivedWithin(dossier, context)
      ? one(dossier.components.some((component) => component.source === 'reused'))
      : undefined,
};

// ---------------------------------------------------------------------------------------------
// Catalogue figures

/** The latest version of each procedure code in force on some day of the period. */
export function proceduresInForce(
  context: Pick<KpiContext, 'procedures' | 'period'>,
): Map<string, Procedure> {
  const inForce = new Map<string, Procedure>();
  for (const procedure of context.procedures) {
    const overlaps =
      procedure.effectiveFrom <= context.period.to &&
      (procedure.effectiveTo === undefined || procedure.effectiveTo >= context.period.from);
    if (!overlaps) continue;
    const seen = inForce.get(procedure.code);
    if (!seen || seen.effectiveFrom < procedure.effectiveFrom) inForce.set(procedure.code, procedure);
  }
  return inForce;
}

function catalogueCount(
  id: CatalogueKpiId,
  label: string,
  what: string,
  counted: (procedure: Procedure, codesWithDossiers: ReadonlySet<string>) => boolean,
  source: string,
  kind: 'count' | 'rate' = 'count',
): CatalogueKpiDefinition {
  return {
    id,
    scope: 'catalogue',
    label,
    unit: kind === 'rate' ? 'percent' : 'procedures',
    kind,
    ruleVersion: '1',
    better: 'higher',
    source,
    membership:
      'procedure codes with a version in force on at least one day of the period (the latest such version decides level and online level)',
    formula: `numerator: ${what}; denominator: all procedures in force`,
    measure(codesWithDossiers, context) {
      const inForce = [...proceduresInForce(context).values()];
      return {
        n: inForce.filter((procedure) => counted(procedure, codesWithDossiers)).length,
        d: inForce.length,
      };
    },
  };
}

const atLevel = (level: ProcedureLevel) => (procedure: Procedure) => procedure.level === level;

const CATALOGUE_SOURCE = 'Seed 002 (procedures by level, online levels, with dossiers)';

// ---------------------------------------------------------------------------------------------
// The list

/** Every KPI, each defined once. */
export const KPI_DEFINITIONS: readonly KpiDefinition[] = [
  resultsDigitised,
  digitisedSignedArchived,
  noResubmission,
  waitingTime,
  intakeTime,
  intakeProductivity,
  onlineShare,
  electronicRouting,
  satisfaction,
  onTime,
  processingTime,
  backlog,
  electronicResults,
  dataReuse,
  catalogueCount(
    'catalogue-procedures-province',
    'Số TTHC thuộc thẩm quyền cấp tỉnh',
    'province-level procedures',
    atLevel('province'),
    CATALOGUE_SOURCE,
  ),
  catalogueCount(
    'catalogue-procedures-district',
    'Số TTHC thuộc thẩm quyền cấp huyện',
    'district-level procedures',
    atLevel('district'),
    CATALOGUE_SOURCE,
  ),
  catalogueCount(
    'catalogue-procedures-commune',
    'Số TTHC thuộc thẩm quyền cấp xã',
    'commune-level procedures',
    atLevel('commune'),
    CATALOGUE_SOURCE,
  ),
  catalogueCount(
    'catalogue-online-full',
    'Số TTHC cung cấp dịch vụ công trực tuyến toàn trình',
    'procedures offered fully online (toàn trình)',
    (procedure) => procedure.onlineLevel === 'full',
    CATALOGUE_SOURCE,
  ),
  catalogueCount(
    'catalogue-online-partial',
    'Số TTHC cung cấp dịch vụ công trực tuyến một phần',
    'procedures offered partly online (một phần)',
    (procedure) => procedure.onlineLevel === 'partial',
    CATALOGUE_SOURCE,
  ),
  catalogueCount(
    'catalogue-online-share',
    'Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến',
    'procedures offered online, fully or partly',
    (procedure) => procedure.onlineLevel !== 'none',
    'Decision 766 indicator 3.1',
    'rate',
  ),
  catalogueCount(
    'catalogue-with-dossiers',
    'Số TTHC có phát sinh hồ sơ',
    'procedures with at least one dossier received in the period',
    (procedure, codes) => codes.has(procedure.code),
    CATALOGUE_SOURCE,
  ),
];

/**
 * Catalogue figures the plans ask for that the catalogue cannot show yet: reported as not
 * measured, never as 0.
 */
export const UNOBSERVED_CATALOGUE_FIGURES = [
  {
    id: 'catalogue-with-eforms',
    label: 'Số TTHC có biểu mẫu điện tử tương tác (e-Form)',
    reason: 'the procedure catalogue has no e-form field',
  },
  {
    id: 'catalogue-portal-integrated',
    label: 'Số TTHC tích hợp lên Cổng Dịch vụ công quốc gia',
    reason: 'the procedure catalogue does not record integration with the national portal',
  },
] as const;

const BY_ID = new Map<KpiId, KpiDefinition>(KPI_DEFINITIONS.map((definition) => [definition.id, definition]));

/** The definition of a KPI. @throws ValidationError UNKNOWN_KPI. */
export function kpiDefinition(id: string): KpiDefinition {
  const definition = BY_ID.get(id as KpiId);
  if (!definition) throw new ValidationError('UNKNOWN_KPI', `no KPI ${id} (KPIs: ${KPI_IDS.join(', ')})`);
  return definition;
}

/** The value of a figure from its terms, by the KPI's kind. */
export function kpiValue(kind: KpiKind, numerator: number, denominator: number): KpiValue {
  if (kind === 'count') return { numerator, denominator, value: numerator };
  if (denominator === 0) return { numerator, denominator, value: undefined };
  return {
    numerator,
    denominator,
    value: kind === 'rate' ? (numerator / denominator) * 100 : numerator / denominator,
  };
}

/** Adds up figures of one KPI (units of a level, days of a month) into one. */
export function sumKpiValues(
  kind: KpiKind,
  values: Iterable<Pick<KpiValue, 'numerator' | 'denominator'>>,
): KpiValue {
  let numerator = 0;
  let denominator = 0;
  for (const value of values) {
    numerator += value.numerator;
    denominator += value.denominator;
  }
  return kpiValue(kind, numerator, denominator);
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** Every KPI of a period: for the whole scope and for each unit a dossier is attributed to. */
export interface KpiMeasurements {
  readonly total: ReadonlyMap<KpiId, KpiValue>;
  /** Dossier KPIs by unit id; units in scope with no dossiers have their staff-based terms only. */
  readonly byUnit: ReadonlyMap<string, ReadonlyMap<DossierKpiId, KpiValue>>;
}

/**
 * Measures every KPI of `context.period` over `dossiers` in one pass (a generator is read once).
 * The dossiers may include any others: each KPI picks its period's by its own membership rule.
 * @param only measure just these dossier KPIs (and no catalogue figure): a day's rollup needs
 *   the KPIs that add up over time, not on-time and backlog, whose clocks cost most of the pass.
 * @throws KpiInputError for a dossier whose procedure version is not in the catalogue;
 *   CalendarRangeError when a due date leaves the calendar.
 */
export function measureKpis(
  dossiers: Iterable<Dossier>,
  context: KpiContext,
  only?: readonly DossierKpiId[],
): KpiMeasurements {
  const prepared = prepareKpiContext(context);
  const dossierKpis = KPI_DEFINITIONS.filter(
    (definition): definition is DossierKpiDefinition =>
      definition.scope === 'dossier' && (only === undefined || only.includes(definition.id)),
  );
  const totals = new Map<DossierKpiId, { n: number; d: number }>(
    dossierKpis.map((kpi) => [kpi.id, { n: 0, d: 0 }]),
  );
  const units = new Map<string, Map<DossierKpiId, { n: number; d: number }>>();
  const unitTerms = (unitId: string) => {
    let terms = units.get(unitId);
    if (!terms) {
      terms = new Map(dossierKpis.map((kpi) => [kpi.id, { n: 0, d: 0 }]));
      units.set(unitId, terms);
    }
    return terms;
  };
  for (const unit of prepared.units) {
    const terms = unitTerms(unit.id);
    for (const kpi of dossierKpis) {
      if (!kpi.unitDenominator) continue;
      const d = kpi.unitDenominator(unit, prepared);
      (terms.get(kpi.id) as { d: number }).d += d;
      (totals.get(kpi.id) as { d: number }).d += d;
    }
  }
  const codesWithDossiers = new Set<string>();
  for (const dossier of dossiers) {
    if (wasReceived(dossier) && receivedWithin(dossier, prepared))
      codesWithDossiers.add(dossier.procedureCode);
    for (const kpi of dossierKpis) {
      const tally = kpi.tally(dossier, prepared);
      if (!tally) continue;
      const total = totals.get(kpi.id) as { n: number; d: number };
      total.n += tally.n;
      total.d += tally.d;
      const unitId = kpi.attribution === 'receiving' ? dossier.receivingUnitId : dossier.competentAgencyId;
      const term = unitTerms(unitId).get(kpi.id) as { n: number; d: number };
      term.n += tally.n;
      term.d += tally.d;
    }
  }
  const total = new Map<KpiId, KpiValue>();
  for (const kpi of only === undefined ? KPI_DEFINITIONS : dossierKpis) {
    const terms =
      kpi.scope === 'dossier' ? (totals.get(kpi.id) as KpiTally) : kpi.measure(codesWithDossiers, prepared);
    total.set(kpi.id, kpiValue(kpi.kind, terms.n, terms.d));
  }
  const byUnit = new Map<string, Map<DossierKpiId, KpiValue>>();
  for (const [unitId, terms] of units) {
    byUnit.set(
      unitId,
      new Map(
        dossierKpis.map((kpi) => {
          const term = terms.get(kpi.id) as KpiTally;
          return [kpi.id, kpiValue(kpi.kind, term.n, term.d)];
        }),
      ),
    );
  }
  return { total, byUnit };
}

/**
 * Measures one KPI over `dossiers` (for a dossier KPI with a staff-based denominator, over the
 * context's units).
 */
export function measureKpi(id: KpiId, dossiers: Iterable<Dossier>, context: KpiContext): KpiValue {
  const definition = kpiDefinition(id);
  const prepared = prepareKpiContext(context);
  if (definition.scope === 'catalogue') {
    const codes = new Set<string>();
    for (const dossier of dossiers) {
      if (wasReceived(dossier) && receivedWithin(dossier, prepared)) codes.add(dossier.procedureCode);
    }
    const terms = definition.measure(codes, prepared);
    return kpiValue(definition.kind, terms.n, terms.d);
  }
  let n = 0;
  let d = 0;
  for (const unit of definition.unitDenominator ? prepared.units : []) {
    d += definition.unitDenominator?.(unit, prepared) ?? 0;
  }
  for (const dossier of dossiers) {
    const tally = definition.tally(dossier, prepared);
    if (!tally) continue;
    n += tally.n;
    d += tally.d;
  }
  return kpiValue(definition.kind, n, d);
}

/**
 * A dossier KPI by the level of the procedure each dossier was received under (results digitised
 * are targeted per level of competence). Levels with no dossier have no entry.
 * @throws ValidationError KPI_NOT_BY_LEVEL for a catalogue KPI or one with a staff-based denominator.
 */
export function measureKpiByProcedureLevel(
  id: DossierKpiId,
  dossiers: Iterable<Dossier>,
  context: KpiContext,
): Map<ProcedureLevel, KpiValue> {
  const definition = kpiDefinition(id);
  if (definition.scope !== 'dossier' || definition.unitDenominator) {
    throw new ValidationError('KPI_NOT_BY_LEVEL', `${id} cannot be split by procedure level`);
  }
  const prepared = prepareKpiContext(context);
  const terms = new Map<ProcedureLevel, { n: number; d: number }>();
  for (const dossier of dossiers) {
    const tally = definition.tally(dossier, prepared);
    if (!tally) continue;
    const level = prepared.procedureOf(dossier).level;
    const term = terms.get(level) ?? { n: 0, d: 0 };
    term.n += tally.n;
    term.d += tally.d;
    terms.set(level, term);
  }
  return new Map([...terms].map(([level, term]) => [level, kpiValue(definition.kind, term.n, term.d)]));
}

/** The units of a province configuration as the KPIs see them. */
export function kpiUnitsOf(config: {
  agencies: readonly { id: string; level: KpiUnitInfo['level']; counterStaff: number }[];
}): KpiUnitInfo[] {
  return config.agencies.map((agency) => ({
    id: agency.id,
    level: agency.level,
    counterStaff: agency.counterStaff,
  }));
}
