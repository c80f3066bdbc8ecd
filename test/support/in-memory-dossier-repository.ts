import {
  decodeListCursor,
  dossierListFingerprint,
  encodeListCursor,
  listFingerprint,
} from '#shared/adapters/list-cursor.ts';
import { dateOfDay, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import type { AttentionList } from '#shared/domain/dossiers/dossier-attention.ts';
import { stepAttentionDue } from '#shared/domain/dossiers/dossier-attention.ts';
import { dossierListKey, isOpenStep, summariseDossier } from '#shared/domain/dossiers/dossier-summary.ts';
import { ConflictError, NotFoundError } from '#shared/domain/errors.ts';
import { kpiDaysOf } from '#shared/domain/kpi/kpi-days.ts';
import { staleKpiDays } from '#shared/domain/kpi/kpi-stale-days.ts';
import type {
  DossierQueue,
  DossierRepository,
  IdempotencyRecord,
  OpenStepRef,
} from '#shared/ports/dossier-repository.ts';
import { createInMemoryKpiStaleDays, type InMemoryKpiStaleDays } from './in-memory-kpi-stale-days.ts';

function inQueue(dossier: Dossier, queue: DossierQueue): boolean {
  switch (queue.kind) {
    case 'province':
      return true;
    case 'competent':
      return dossier.competentAgencyId === queue.unitId;
    case 'received':
      return dossier.receivingUnitId === queue.unitId;
    case 'open-steps':
      return dossier.steps.some((step) => isOpenStep(step) && step.agencyId === queue.unitId);
  }
}

/** Hands out the items after the cursor's key, `limit` of them, and a cursor when more follow. */
function pageOf<T>(
  keyed: { key: string; item: T }[],
  fingerprint: string,
  page: { limit: number; cursor?: string },
): { items: T[]; cursor?: string } {
  const after = page.cursor === undefined ? undefined : decodeListCursor(page.cursor, fingerprint);
  const rest = keyed
    .filter(({ key }) => after === undefined || key > after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const shown = rest.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    items: shown.map(({ item }) => item),
    ...(rest.length > shown.length && last ? { cursor: encodeListCursor(fingerprint, last.key) } : {}),
  };
}

/**
 * A DossierRepository in memory with the same conditional semantics as the DynamoDB one; its saves
 * mark stale KPI days in `staleDays` (as of `now`).
 */
export function createInMemoryDossierRepository(
  options: { now?: () => Date; staleDays?: InMemoryKpiStaleDays } = {},
): DossierRepository & { counterCalls: () => number; staleDays: InMemoryKpiStaleDays } {
  const staleDays = options.staleDays ?? createInMemoryKpiStaleDays();
  const now = options.now ?? (() => new Date());
  const markStale = (previous: Dossier | undefined, next: Dossier) =>
    staleDays.mark(staleKpiDays(previous, next, dateOfDay(localDayOf(now()))));
  const dossiers = new Map<string, string>();
  const counters = new Map<string, number>();
  const keys = new Map<string, IdempotencyRecord>();
  const attention = new Map<string, string>();
  /** Day buckets as the DynamoDB adapter keeps them: filed on each save, never taken out. */
  const dayBuckets = new Map<string, Set<string>>();
  const file = (dossier: Dossier) => {
    for (const day of kpiDaysOf(dossier)) {
      const bucket = dayBuckets.get(day) ?? new Set<string>();
      bucket.add(dossier.code);
      dayBuckets.set(day, bucket);
    }
  };
  let calls = 0;
  const all = () => [...dossiers.values()].map((stored) => JSON.parse(stored) as Dossier);
  return {
    counterCalls: () => calls,
    staleDays,
    async claimIdempotencyKey(record) {
      const existing = keys.get(record.key);
      if (existing) return structuredClone(existing);
      keys.set(record.key, { ...record });
      return undefined;
    },
    async assignDossierCode(key, dossierCode) {
      const record = keys.get(key);
      if (!record) throw new NotFoundError(`no idempotency key ${key}`);
      record.dossierCode ??= dossierCode;
      return record.dossierCode;
    },
    async completeIdempotencyKey(key, uploads) {
      const record = keys.get(key);
      if (!record) throw new NotFoundError(`no idempotency key ${key}`);
      record.uploads = structuredClone(uploads);
    },
    async nextDossierNumber(receivingUnitId, day) {
      calls += 1;
      // A turn of the event loop, so that concurrent callers interleave as they do against DynamoDB.
      await Promise.resolve();
      const next = (counters.get(`${receivingUnitId}#${day}`) ?? 0) + 1;
      counters.set(`${receivingUnitId}#${day}`, next);
      return next;
    },
    async createDossier(dossier) {
      if (dossiers.has(dossier.code))
        throw new ConflictError('DOSSIER_EXISTS', `dossier ${dossier.code} exists`);
      dossiers.set(dossier.code, JSON.stringify(dossier));
      file(dossier);
      markStale(undefined, dossier);
    },
    async saveDossier(dossier) {
      const stored = dossiers.get(dossier.code);
      if (stored === undefined || (JSON.parse(stored) as Dossier).version !== dossier.version - 1) {
        throw new ConflictError(
          'DOSSIER_CHANGED',
          `dossier ${dossier.code} changed since version ${dossier.version - 1}`,
        );
      }
      dossiers.set(dossier.code, JSON.stringify(dossier));
      file(dossier);
      markStale(JSON.parse(stored) as Dossier, dossier);
    },
    async getDossier(code) {
      const stored = dossiers.get(code);
      return stored === undefined ? undefined : JSON.parse(stored);
    },
    async listDossiers(query) {
      const fingerprint = dossierListFingerprint(query);
      const listed = all().filter(
        (dossier) =>
          query.statuses.includes(dossier.status) &&
          (query.procedureCode === undefined || dossier.procedureCode === query.procedureCode) &&
          (query.dueFrom === undefined || dossier.dueAt >= query.dueFrom) &&
          (query.dueTo === undefined || dossier.dueAt <= query.dueTo) &&
          query.queues.some((queue) => inQueue(dossier, queue)),
      );
      return pageOf(
        listed.map((dossier) => ({ key: dossierListKey(dossier), item: summariseDossier(dossier) })),
        fingerprint,
        query,
      );
    },
    async listOpenStepsDueBefore(before, page) {
      const steps = all().flatMap((dossier) =>
        dossier.steps.flatMap((step) => {
          const dueAt = stepAttentionDue(dossier, step);
          if (dueAt === undefined || dueAt >= before) return [];
          const ref: OpenStepRef = {
            dossierCode: dossier.code,
            stepId: step.stepId,
            agencyId: step.agencyId,
            dueAt,
          };
          return [{ key: `${dueAt}#${dossier.code}#${step.stepId}`, item: ref }];
        }),
      );
      return pageOf(steps, listFingerprint({ openStepsBefore: before }), page);
    },
    async saveAttentionList(list) {
      attention.set(`${list.unitId}#${list.day}`, JSON.stringify(list));
    },
    async getAttentionList(unitId, day) {
      const stored = attention.get(`${unitId}#${day}`);
      return stored === undefined ? undefined : (JSON.parse(stored) as AttentionList);
    },
    async listDossiersTouchingDay(day, page) {
      const codes = [...(dayBuckets.get(day) ?? [])];
      return pageOf(
        codes.map((code) => ({ key: code, item: JSON.parse(dossiers.get(code) as string) as Dossier })),
        listFingerprint({ kpiDay: day }),
        page,
      );
    },
  };
}
