import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findProcedure } from '#shared/config/procedure-catalogue.ts';
import { isWorkingInstant } from '#shared/domain/calendar/working-time.ts';
import { DOSSIER_STATUS, type Dossier, validateOwnerId } from '#shared/domain/dossiers/dossier.ts';
import { DOSSIER_ACTIONS, END_STATUSES, isDossierAction } from '#shared/domain/dossiers/dossier-lifecycle.ts';
import { dossierClockEvents, trackDossierClock } from '#shared/domain/dossiers/track-dossier-clock.ts';
import {
  DEFAULT_SIMULATION_PROFILE as PROFILE,
  type SimulationOptions,
  simulateProvinceYear,
} from '#shared/domain/kpi/simulate-province-year.ts';
import { extendedCalendar, sampleConfig } from '#test/support/kpi-dossiers.ts';

const calendar = extendedCalendar();
const options = (overrides: Partial<SimulationOptions> = {}): SimulationOptions => ({
  seed: 'test',
  year: 2026,
  dossiers: 2_000,
  province: sampleConfig,
  calendar,
  ...overrides,
});
const simulate = (overrides: Partial<SimulationOptions> = {}) => [
  ...simulateProvinceYear(options(overrides)),
];

const digest = (dossiers: Iterable<Dossier>) => {
  const hash = createHash('sha256');
  for (const dossier of dossiers) hash.update(JSON.stringify(dossier));
  return hash.digest('hex');
};

const S = DOSSIER_STATUS;
const procedureOf = (dossier: Dossier) => {
  const lookup = findProcedure(sampleConfig, dossier.procedureCode, new Date(dossier.receivedAt));
  if (!lookup.found) throw new Error(`no procedure for ${dossier.code}`);
  return lookup.procedure;
};
const clockOf = (dossier: Dossier) =>
  trackDossierClock(dossierClockEvents(dossier), procedureOf(dossier).limit, calendar, {
    at: new Date('2027-12-31T00:00:00Z'),
  });

describe('simulateProvinceYear: determinism', () => {
  it('gives the same dossiers for the same seed and different ones for another', () => {
    const first = digest(simulateProvinceYear(options()));
    expect(digest(simulateProvinceYear(options()))).toBe(first);
    expect(digest(simulateProvinceYear(options({ seed: 'other' })))).not.toBe(first);
    expect(digest(simulateProvinceYear(options({ seed: 42 })))).toBe(
      digest(simulateProvinceYear(options({ seed: 42 }))),
    );
  });

  it('yields exactly the count asked, in order of receipt, with per-unit daily codes', () => {
    const dossiers = simulate();
    expect(dossiers).toHaveLength(2_000);
    const seen = new Map<string, number>();
    // Yielded in order of receipt (a registration refused online was never received: left out here).
    const received = dossiers.filter((dossier) =>
      dossier.history.some((event) => event.action === 'receive'),
    );
    received.forEach((dossier, index) => {
      if (index > 0) expect(dossier.receivedAt >= (received[index - 1]?.receivedAt ?? '')).toBe(true);
    });
    dossiers.forEach((dossier) => {
      const match = /^(\d{3}\.\d{2}\.\d{2}\.H99)-(26\d{4})-(\d{4})$/.exec(dossier.code);
      expect(match, dossier.code).not.toBeNull();
      const key = `${match?.[1]}-${match?.[2]}`;
      const next = (seen.get(key) ?? 0) + 1;
      expect(Number(match?.[3])).toBe(next);
      seen.set(key, next);
      expect(match?.[1]).toBe(dossier.receivingUnitId);
    });
  });

  it('stops at asOf: nothing after it has happened and nothing received after it is yielded', () => {
    const asOf = new Date('2026-06-30T10:00:00Z');
    const dossiers = simulate({ asOf });
    expect(dossiers.length).toBeGreaterThan(800);
    expect(dossiers.length).toBeLessThan(1_200);
    const open = dossiers.filter((dossier) => !END_STATUSES.includes(dossier.status));
    expect(open.length).toBeGreaterThan(0);
    for (const dossier of dossiers) {
      for (const event of dossier.history) expect(Date.parse(event.at)).toBeLessThanOrEqual(asOf.getTime());
    }
  });

  it('refuses a count below one', () => {
    expect(() => simulate({ dossiers: 0 })).toThrow(/at least 1/);
  });
});

describe('simulateProvinceYear: dossiers the model and lifecycle allow', () => {
  const dossiers = simulate({ dossiers: 3_000, seed: 'lifecycle' });

  it('walks every dossier along transitions the lifecycle table allows', () => {
    for (const dossier of dossiers) {
      let status: number = S.received;
      dossier.history.forEach((event, index) => {
        expect(event.version).toBe(index + 1);
        if (index > 0) expect(event.at >= (dossier.history[index - 1]?.at ?? '')).toBe(true);
        if (isDossierAction(event.action) && index > 0) {
          expect(
            DOSSIER_ACTIONS[event.action].from as readonly number[],
            `${dossier.code} ${event.action}`,
          ).toContain(status);
        }
        status = event.status;
      });
      // A counter dossier starts received; an online one registered, received later by the counter.
      expect(dossier.history[0]?.action).toBe(dossier.channel === 2 ? 'register' : 'receive');
      expect(dossier.status).toBe(status);
      expect(dossier.version).toBe(dossier.history.length);
    }
  });

  it('records an end of processing exactly for ended dossiers, and a clock that runs on them', () => {
    for (const dossier of dossiers) {
      const ended = dossier.status === S.processed || END_STATUSES.includes(dossier.status);
      expect(dossier.finishedAt !== undefined, `${dossier.code} ${dossier.status}`).toBe(ended);
      expect(dossier.returnedAt !== undefined).toBe(dossier.status === S.returned);
      const clock = clockOf(dossier);
      // The due date on record is the clock's, pauses included (apology slips never move it).
      expect(dossier.dueAt).toBe(clock.dueAt.toISOString());
    }
  });

  it('receives at working instants, with valid owners, ordered tickets and ISO instants', () => {
    for (const dossier of dossiers) {
      if (dossier.history.some((event) => event.action === 'receive')) {
        expect(isWorkingInstant(calendar, new Date(dossier.receivedAt))).toBe(true);
      }
      expect(validateOwnerId(dossier.owner.kind, dossier.owner.id)).toBe(dossier.owner.id);
      if (dossier.queueTicket) {
        expect(dossier.channel).toBe(1);
        const { issuedAt, calledAt = '', servedAt = '' } = dossier.queueTicket;
        expect(issuedAt <= calledAt && calledAt <= servedAt).toBe(true);
      }
      for (const instant of [
        dossier.receivedAt,
        dossier.dueAt,
        ...dossier.history.map((event) => event.at),
      ]) {
        expect(new Date(instant).toISOString()).toBe(instant);
      }
      expect(dossier.steps.filter((step) => step.kind === 'processing').length).toBeGreaterThan(0);
    }
  });

  it('registers online submissions until the counter receives them, the clock starting at the receipt', () => {
    const online = dossiers.filter((dossier) => dossier.channel === 2 && dossier.status !== S.refused);
    expect(online.length).toBeGreaterThan(500);
    for (const dossier of online) {
      const registered = dossier.history[0];
      const received = dossier.history.find((event) => event.action === 'receive');
      expect(registered?.status).toBe(S.registeredOnline);
      expect(received?.at).toBe(dossier.receivedAt);
      expect(registered && registered.at < dossier.receivedAt).toBe(true);
      expect(dossier.steps[0]).toMatchObject({
        kind: 'intake',
        state: 'completed',
        finishedAt: dossier.receivedAt,
      });
    }
    const midYear = simulate({ dossiers: 3_000, seed: 'lifecycle', asOf: new Date('2026-07-15T09:00:00Z') });
    const waiting = midYear.filter((dossier) => dossier.status === S.registeredOnline);
    expect(waiting.length).toBeGreaterThan(0);
    for (const dossier of waiting) {
      expect(dossier.channel).toBe(2);
      expect(dossier.steps[0]).toMatchObject({ kind: 'intake', state: 'waiting' });
      expect(dossier.steps[0]?.finishedAt).toBeUndefined();
    }
  });

  it('moves the statutory end of a step open across a pause by the pause, as officers acting would', () => {
    let checked = 0;
    for (const dossier of dossiers) {
      for (const request of dossier.supplements) {
        const step = dossier.steps.find((candidate) => candidate.stepId === request.stepId);
        if (!request.answeredAt || !step?.dueAt || (step.finishedAt && step.finishedAt < request.answeredAt))
          continue;
        // Either it was already past its end when the pause began, or its end now lies after the answer.
        expect(step.dueAt <= request.requestedAt || step.dueAt > request.answeredAt, dossier.code).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('turns uploads into archived papers when the pipeline archives them', () => {
    const archived = dossiers.flatMap((dossier) =>
      dossier.components.flatMap((component) =>
        component.source === 'uploaded' ? [{ dossier, component }] : [],
      ),
    );
    expect(archived.length).toBeGreaterThan(100);
    for (const { dossier, component } of archived) {
      const event = dossier.history.find(
        (candidate) =>
          candidate.action === 'archive-component' && candidate.note?.startsWith(`${component.componentId}:`),
      );
      expect(event?.at).toBe(component.archivedAt);
      expect(event?.note).toBe(`${component.componentId}: ${component.digitisedCode}`);
    }
  });

  it('issues apology slips only to dossiers that end up late, and leaves them late', () => {
    const apologised = dossiers.filter((dossier) =>
      dossier.history.some((event) => event.action === 'apologise'),
    );
    expect(apologised.length).toBeGreaterThan(0);
    for (const dossier of apologised) {
      const clock = clockOf(dossier);
      if (clock.state === 'finished') expect(clock.onTime).toBe(false);
    }
  });
});

describe('simulateProvinceYear: within its stated distributions', () => {
  const dossiers = simulate({ dossiers: 20_000, seed: 'distributions' });
  /** A drawn share lies within four standard errors of the profile's probability. */
  const expectShare = (part: number, whole: number, probability: number, what: string) => {
    const tolerance = 4 * Math.sqrt((probability * (1 - probability)) / whole);
    expect(
      Math.abs(part / whole - probability),
      `${what}: ${part}/${whole} vs ${probability}`,
    ).toBeLessThanOrEqual(tolerance);
  };
  const share = (part: number, whole: number) => part / whole;
  const resolved = dossiers.filter(
    (dossier) => dossier.status === S.processed || dossier.status === S.returned,
  );

  it('refuses, withdraws and stops at the profile rates', () => {
    const count = (status: number) => dossiers.filter((dossier) => dossier.status === status).length;
    expectShare(count(S.refused), dossiers.length, PROFILE.refusal, 'refused');
    expectShare(count(S.withdrawn), dossiers.length, PROFILE.withdrawal, 'withdrawn');
    expectShare(count(S.stopped), dossiers.length, PROFILE.stop, 'stopped');
  });

  it('asks for one and two supplements at the profile rates', () => {
    const withSupplements = (n: number) =>
      resolved.filter((dossier) => dossier.supplements.length === n).length;
    expectShare(withSupplements(1), resolved.length, PROFILE.oneSupplement, 'one supplement');
    expectShare(withSupplements(2), resolved.length, PROFILE.twoSupplements, 'two supplements');
  });

  it('submits online at the rate of the procedure online level, and posts a few of the rest', () => {
    for (const level of ['full', 'partial'] as const) {
      const offered = dossiers.filter((dossier) => procedureOf(dossier).onlineLevel === level);
      const online = offered.filter((dossier) => dossier.channel === 2).length;
      expectShare(online, offered.length, PROFILE.online[level], `online ${level}`);
    }
    const offline = dossiers.filter((dossier) => dossier.channel !== 2);
    const postal = offline.filter((dossier) => dossier.channel === 3).length;
    expectShare(postal, offline.length, PROFILE.postal, 'postal');
  });

  it('waits at the counter for the mean of the unit level', () => {
    const meanWait = (unitIds: readonly string[]) => {
      const waits = dossiers
        .filter((dossier) => unitIds.includes(dossier.receivingUnitId) && dossier.queueTicket?.calledAt)
        .map(
          (dossier) =>
            (Date.parse(dossier.queueTicket?.calledAt ?? '') -
              Date.parse(dossier.queueTicket?.issuedAt ?? '')) /
            60_000,
        );
      return waits.reduce((sum, wait) => sum + wait, 0) / waits.length;
    };
    expect(
      Math.abs(meanWait(['000.17.22.H99', '000.17.23.H99']) - PROFILE.waitingMinutes.commune),
    ).toBeLessThan(0.5);
    expect(Math.abs(meanWait(['000.00.01.H99']) - PROFILE.waitingMinutes.province)).toBeLessThan(1);
    const counter = dossiers.filter((dossier) => dossier.channel === 1);
    const ticketed = counter.filter((dossier) => dossier.queueTicket).length;
    expectShare(ticketed, counter.length, PROFILE.queueTicket, 'queue ticket');
  });

  it('finishes late within the spread of the profile rate, and rates about a third of the returns', () => {
    const judged = resolved.filter((dossier) => dossier.supplements.length <= 1);
    const late = judged.filter((dossier) => !clockOf(dossier).onTime).length;
    expect(share(late, judged.length)).toBeGreaterThan(PROFILE.late * 0.5);
    expect(share(late, judged.length)).toBeLessThan(PROFILE.late * 1.5);
    const returned = dossiers.filter((dossier) => dossier.status === S.returned);
    const rated = returned.filter((dossier) => dossier.rating).length;
    expectShare(rated, returned.length, PROFILE.rated, 'rated');
  });

  it('archives results and reuses papers at the profile rates', () => {
    for (const level of ['province', 'commune'] as const) {
      const atLevel = resolved.filter((dossier) => procedureOf(dossier).level === level);
      const digitised = atLevel.filter((dossier) => dossier.results.length > 0).length;
      expectShare(digitised, atLevel.length, PROFILE.resultDigitised[level], `results ${level}`);
    }
    const reusable = dossiers.flatMap((dossier) =>
      dossier.components.filter((component) =>
        procedureOf(dossier).components.some(
          (paper) => paper.reusable && paper.documentType === component.documentType,
        ),
      ),
    );
    const reused = reusable.filter((component) => component.source === 'reused').length;
    expectShare(reused, reusable.length, PROFILE.reuse, 'reused');
  });

  it('receives at every unit that has procedures to receive, in proportion to its counter staff', () => {
    const byUnit = new Map<string, number>();
    for (const dossier of dossiers)
      byUnit.set(dossier.receivingUnitId, (byUnit.get(dossier.receivingUnitId) ?? 0) + 1);
    expect([...byUnit.keys()].sort()).toEqual([
      '000.00.01.H99',
      '000.00.07.H99',
      '000.17.22.H99',
      '000.17.23.H99',
    ]);
    // 24 staff at the centre against 3 at the finance department, each times a factor in [0.7, 1.3].
    const ratio = (byUnit.get('000.00.01.H99') ?? 0) / (byUnit.get('000.00.07.H99') ?? 1);
    expect(ratio).toBeGreaterThan((24 / 3) * (0.7 / 1.3));
    expect(ratio).toBeLessThan((24 / 3) * (1.3 / 0.7));
  });
});
