/**
 * The overdue sweep: finds the open dossiers (statuses 2, 4, 5, 6, 9) and open steps that are past
 * due or due within the near window, and records each unit's attention list of the Vietnam day.
 * Candidates come from the indexes (dossiers and open steps due before the window closes); each is
 * then judged on the dossier itself with the dossier clock, so that a dossier paused on a
 * supplement or a fee is not overdue while it waits. Idempotent: a sweep of the same day rewrites
 * the same lists, and a unit with nothing left gets an empty one.
 */
import { vietnamDate } from '#shared/config/procedure-catalogue.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import {
  type AttentionItem,
  compareAttention,
  dossierAttention,
  nearDueHorizon,
  OPEN_DOSSIER_STATUSES,
} from '#shared/domain/dossiers/dossier-attention.ts';
import { DomainError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { Clock } from '#shared/ports.ts';
import { eachLimited } from '#shared/use-cases/each-limited.ts';
import { procedureOf } from './route-dossier.ts';

/** Page size of the candidate reads, and how many dossiers or lists are read or written at once. */
const PAGE = 200;
const PARALLEL = 8;

export interface SweepOverdueDependencies {
  config: Pick<ProvinceConfig, 'agencies' | 'procedures' | 'dossiers'>;
  calendar: () => WorkingCalendar;
  dossiers: DossierRepository;
  clock: Clock;
}

export interface SweepOptions {
  /** The instant the sweep looks from (a re-run of an earlier time). @default the clock's now */
  at?: Date;
  /** The near window in working days after today. @default the province's `dossiers.nearDueWorkingDays` */
  nearDueWorkingDays?: number;
}

export interface SweepReport {
  /** The Vietnam day whose lists were written. */
  day: string;
  sweptAt: string;
  /** What falls due before this instant is near. */
  nearUntil: string;
  /** Dossiers judged (candidates found in the indexes). */
  dossiers: number;
  /** Attention lists written, empty ones included. */
  units: number;
  near: number;
  past: number;
  /** Dossiers that could not be judged (a procedure gone from the catalogue, a date outside the calendar). */
  skipped: { dossierCode: string; code: string; message: string }[];
}

export function createSweepOverdueDossiers(deps: SweepOverdueDependencies) {
  /** The dossiers that may need attention: due, or with an open step due, before the window closes. */
  async function candidates(before: Date): Promise<string[]> {
    const codes = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await deps.dossiers.listDossiers({
        queues: [{ kind: 'province' }],
        statuses: OPEN_DOSSIER_STATUSES,
        dueTo: new Date(before.getTime() - 1).toISOString(),
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const dossier of page.items) codes.add(dossier.code);
      cursor = page.cursor;
    } while (cursor !== undefined);
    do {
      const page = await deps.dossiers.listOpenStepsDueBefore(before.toISOString(), {
        limit: PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const step of page.items) codes.add(step.dossierCode);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return [...codes].sort();
  }

  return async function sweepOverdueDossiers(options: SweepOptions = {}): Promise<SweepReport> {
    const at = options.at ?? deps.clock.now();
    const calendar = deps.calendar();
    const horizon = nearDueHorizon(
      calendar,
      at,
      options.nearDueWorkingDays ?? deps.config.dossiers.nearDueWorkingDays,
    );
    const codes = await candidates(horizon);
    const byUnit = new Map<string, AttentionItem[]>(deps.config.agencies.map((agency) => [agency.id, []]));
    const skipped: SweepReport['skipped'] = [];
    await eachLimited(codes, PARALLEL, async (code) => {
      const dossier = await deps.dossiers.getDossier(code);
      if (!dossier) return;
      let items: AttentionItem[];
      try {
        items = dossierAttention(dossier, procedureOf(deps.config, dossier).limit, calendar, {
          at,
          horizon,
          supplementResume: deps.config.dossiers.supplementResume,
        });
      } catch (error) {
        // One dossier that cannot be judged must not keep every unit from its list.
        if (!(error instanceof DomainError)) throw error;
        skipped.push({ dossierCode: code, code: error.code, message: error.message });
        return;
      }
      for (const item of items) byUnit.set(item.unitId, [...(byUnit.get(item.unitId) ?? []), item]);
    });
    const day = vietnamDate(at);
    const sweptAt = at.toISOString();
    await eachLimited([...byUnit.keys()].sort(), PARALLEL, async (unitId) => {
      const items = (byUnit.get(unitId) ?? []).sort(compareAttention);
      await deps.dossiers.saveAttentionList({ unitId, day, sweptAt, items });
    });
    const all = [...byUnit.values()].flat();
    return {
      day,
      sweptAt,
      nearUntil: horizon.toISOString(),
      dossiers: codes.length,
      units: byUnit.size,
      near: all.filter((item) => item.kind === 'near').length,
      past: all.filter((item) => item.kind === 'past').length,
      skipped: skipped.sort((a, b) => (a.dossierCode < b.dossierCode ? -1 : 1)),
    };
  };
}
