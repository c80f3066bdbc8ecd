/**
 * Late events: which already rolled-up days a dossier's change makes stale. The nightly rollup
 * computes yesterday; a change that reaches back into an earlier day (a late entry, a correction,
 * a result or a paper that changes how a past day counted the dossier) marks that day so that the
 * next run recomputes it, and with it the months, quarters and years above it.
 */
import { dateOfDay, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { kpiEventsByDay } from './kpi-days.ts';
import { endOfProcessing, transferredAt, wasAccepted, wasReceived, wasResolved } from './kpi-definitions.ts';

/**
 * The dossier's workflow bookkeeping, which no day's figure reads: the history and steps (their
 * events are compared day by day; the transfer they imply is a fact below), the status (only what
 * it implies is), the version, the commands applied, the due date and the signed transfer.
 */
const NOT_FACTS = new Set(['history', 'steps', 'status', 'version', 'appliedCommands', 'dueAt', 'transfer']);

/**
 * What a day's figures can read of a dossier besides that day's own events: everything but the
 * bookkeeping, plus whether it was received, accepted and resolved. A field not listed in
 * NOT_FACTS is a fact, so a formula that starts reading a new field is covered without a change
 * here (at worst a day is recomputed for nothing). The transfer to another agency is the start of
 * a step there: an event, compared day by day, so the steps that open after it mark nothing.
 */
function countedFacts(dossier: Dossier): string {
  const facts = Object.entries(dossier)
    .filter(([name]) => !NOT_FACTS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([facts, wasReceived(dossier), wasAccepted(dossier), wasResolved(dossier)]);
}

/**
 * The days a day's figures can count the dossier on: its receipt, end of processing, transfer
 * to another agency and rating (every 'sum' KPI counts a dossier by one of these).
 */
function countingDays(dossier: Dossier): string[] {
  return [dossier.receivedAt, endOfProcessing(dossier), transferredAt(dossier), dossier.rating?.at]
    .filter((instant): instant is string => instant !== undefined && !Number.isNaN(Date.parse(instant)))
    .map((instant) => dateOfDay(localDayOf(new Date(instant))));
}

const sameEvents = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((event, index) => event === b?.[index]);

/**
 * The days before `today` (ISO date, Vietnam time) whose KPI figures a save of `next` over
 * `previous` (absent for a new dossier) may change, ascending:
 * - every day on which the two versions' events differ (an event added, moved or removed), and
 * - when what the figures read of the dossier besides its events changed (a paper digitised, a
 *   result archived, a refusal, a rating), every day either version can be counted on.
 * Days from today on are left out: the nightly run computes them after they end. The rule may
 * name a day whose figures turn out the same (its recomputation then writes nothing); it never
 * misses one whose figures change.
 */
export function staleKpiDays(previous: Dossier | undefined, next: Dossier, today: string): string[] {
  const before = kpiEventsByDay(previous ?? ({} as Dossier));
  const after = kpiEventsByDay(next);
  const stale = new Set<string>();
  for (const day of new Set([...before.keys(), ...after.keys()])) {
    if (day < today && !sameEvents(before.get(day), after.get(day))) stale.add(day);
  }
  if (previous === undefined || countedFacts(previous) !== countedFacts(next)) {
    for (const day of [...(previous ? countingDays(previous) : []), ...countingDays(next)]) {
      if (day < today) stale.add(day);
    }
  }
  return [...stale].sort();
}
