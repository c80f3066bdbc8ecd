/**
 * The local (Asia/Ho_Chi_Minh) days a dossier's events fall on: the days whose KPI rollup can count
 * it. The storage files the dossier under each of them on every save, so that a day's rollup reads
 * that day's dossiers only, and a late change of a dossier puts it (again) in exactly the days its
 * events touch.
 */
import { dateOfDay, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';

/** Instants that are deadlines, not events: they never make a dossier count on a day. */
const NOT_EVENTS = new Set(['dueAt', 'expiresAt']);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/** Calls `found` with the path (`steps.2.startedAt`) and local day of every event instant of the dossier. */
function visitEvents(dossier: Dossier, found: (path: string, day: number, instant: string) => void): void {
  const visit = (value: unknown, key: string | undefined, path: string): void => {
    if (typeof value === 'string') {
      if (key !== undefined && (key === 'at' || key.endsWith('At')) && !NOT_EVENTS.has(key)) {
        if (ISO_INSTANT.test(value)) {
          const at = new Date(value);
          if (!Number.isNaN(at.getTime())) found(path, localDayOf(at), value);
        }
      }
      return;
    }
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, undefined, `${path}.${index}`);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [name, inner] of Object.entries(value)) visit(inner, name, path ? `${path}.${name}` : name);
    }
  };
  visit(dossier, undefined, '');
}

/**
 * Every day (ISO date, ascending, each once) on which one of the dossier's events happened: any
 * instant field named `…At` or `at` anywhere in the dossier (received, queue ticket, steps,
 * supplements, fees, components archived, results, finished, returned, rating, history), except
 * deadlines (`dueAt`, `expiresAt`). A KPI of overTime 'sum' counts a dossier in a period only by
 * one of these events, so a day's 'sum' figures need exactly the dossiers filed under that day.
 */
export function kpiDaysOf(dossier: Dossier): string[] {
  const days = new Set<number>();
  visitEvents(dossier, (_path, day) => days.add(day));
  return [...days].sort((a, b) => a - b).map(dateOfDay);
}

/**
 * The dossier's events by local day (ISO date): each as `path=instant`, sorted, so that two
 * versions of a dossier have the same list for a day exactly when that day's events are the same.
 */
export function kpiEventsByDay(dossier: Dossier): Map<string, string[]> {
  const byDay = new Map<number, string[]>();
  visitEvents(dossier, (path, day, instant) => {
    const events = byDay.get(day) ?? [];
    events.push(`${path}=${instant}`);
    byDay.set(day, events);
  });
  return new Map(
    [...byDay.entries()].sort(([a], [b]) => a - b).map(([day, events]) => [dateOfDay(day), events.sort()]),
  );
}
