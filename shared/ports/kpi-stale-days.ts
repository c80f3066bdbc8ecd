/**
 * The days a late change made stale (see staleKpiDays): marked by the dossier storage in the same
 * save that files the dossier under its days, read and cleared by the nightly KPI rollup.
 */

/** A stale day's marker as read: `mark` changes every time the day is marked again. */
export interface StaleKpiDay {
  /** ISO date (local day). */
  day: string;
  mark: string;
}

export interface KpiStaleDays {
  /** The marked days, oldest first, at most `limit` of them. */
  listStaleDays(limit: number): Promise<StaleKpiDay[]>;
  /**
   * Clears each marker only while it still has the mark it was read with: a day marked again
   * meanwhile (a change after the rollup read the day) stays marked for the next run. Clearing a
   * day already cleared with that mark counts as cleared (a retried step).
   */
  clearStaleDays(days: readonly StaleKpiDay[]): Promise<{ cleared: number; kept: number }>;
}
