import { describe, expect, it } from 'vitest';
import { DOSSIER_STATUS, type DossierStep } from '#shared/domain/dossiers/dossier.ts';
import {
  KPI_DEFINITIONS,
  KPI_IDS,
  KpiInputError,
  kpiDefinition,
  measureKpi,
  measureKpiByProcedureLevel,
  measureKpis,
} from '#shared/domain/kpi/kpi-definitions.ts';
import {
  at,
  COMMUNE,
  CONSTRUCTION,
  component,
  FINANCE,
  kpiContext,
  resultPaper,
  sketchDossier,
} from '#test/support/kpi-dossiers.ts';

const march = kpiContext({ from: '2026-03-01', to: '2026-03-31' });
const april = kpiContext({ from: '2026-04-01', to: '2026-04-30' });
const S = DOSSIER_STATUS;

/** A supplement request (local times), answered or not. */
const supplement = (requested: string, answered?: string) => ({
  requestedAt: at(requested),
  requestedBy: 'officer-1',
  stepId: '1',
  reason: 'Bổ sung giấy tờ',
  dueBefore: at(requested),
  ...(answered ? { answeredAt: at(answered) } : {}),
});

describe('the definitions', () => {
  it('define every KPI exactly once, with a label, unit, rule version and period membership', () => {
    const ids = KPI_DEFINITIONS.map((definition) => definition.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...KPI_IDS].sort());
    for (const definition of KPI_DEFINITIONS) {
      expect(definition.label).toMatch(/\p{L}/u);
      expect(definition.ruleVersion).not.toBe('');
      expect(definition.membership.length).toBeGreaterThan(20);
      expect(definition.formula).toMatch(/numerator/);
    }
    expect(() => kpiDefinition('speed')).toThrow(/no KPI speed/);
  });

  it('refuse a dossier whose procedure version is not in the catalogue rather than guess', () => {
    const stray = sketchDossier({
      received: '2026-03-02T09:00',
      procedureCode: '9.999999',
      procedureVersion: '2020-01-01',
    });
    expect(() => measureKpi('on-time', [stray], march)).toThrow(KpiInputError);
  });

  it('refuse a period that ends before it starts', () => {
    expect(() => measureKpis([], kpiContext({ from: '2026-04-01', to: '2026-03-01' }))).toThrow(/period/);
  });
});

describe('on time (766 rule 2.1, through the dossier clock)', () => {
  // 1.004873 takes 3 working days: received Mon 2 Mar 09:00, due Thu 5 Mar 09:00.
  it('counts a dossier finished by its due date on time and one finished after it late', () => {
    const early = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T10:00' });
    const late = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-06T10:00' });
    expect(measureKpi('on-time', [early, late], march)).toEqual({ numerator: 1, denominator: 2, value: 50 });
  });

  it('counts more than one supplement request late, however early the dossier finishes', () => {
    const twice = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-04T09:00',
      supplements: [
        supplement('2026-03-02T10:00', '2026-03-03T09:00'),
        supplement('2026-03-03T10:00', '2026-03-03T14:00'),
      ],
    });
    const once = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-04T09:00',
      supplements: [supplement('2026-03-02T10:00', '2026-03-03T09:00')],
    });
    expect(measureKpi('on-time', [twice], march)).toEqual({ numerator: 0, denominator: 1, value: 0 });
    expect(measureKpi('on-time', [once], march)).toEqual({ numerator: 1, denominator: 1, value: 100 });
  });

  it("judges a dossier still open at the period's end at its last instant, and where it ends later", () => {
    const withinTime = sketchDossier({ received: '2026-03-30T09:00', status: S.processing }); // due Thu 2 Apr 09:00
    const pastDue = sketchDossier({ received: '2026-03-24T09:00', status: S.processing }); // due Fri 27 Mar 09:00
    expect(measureKpi('on-time', [withinTime, pastDue], march)).toEqual({
      numerator: 1,
      denominator: 2,
      value: 50,
    });
    // The same dossier finished on Fri 3 Apr: open (on time) in March, finished late in April.
    const finishedInApril = sketchDossier({ received: '2026-03-30T09:00', finished: '2026-04-03T10:00' });
    expect(measureKpi('on-time', [finishedInApril], march).value).toBe(100);
    expect(measureKpi('on-time', [finishedInApril], april).value).toBe(0);
  });

  it('judges a dossier waiting on its one supplement at the request', () => {
    const askedInTime = sketchDossier({
      received: '2026-03-02T09:00',
      status: S.supplementRequested,
      supplements: [supplement('2026-03-03T09:00')],
    });
    const askedTooLate = sketchDossier({
      received: '2026-03-02T09:00',
      status: S.supplementRequested,
      supplements: [supplement('2026-03-09T09:00')],
    });
    expect(measureKpi('on-time', [askedInTime], march).value).toBe(100);
    expect(measureKpi('on-time', [askedTooLate], march).value).toBe(0);
  });

  it('leaves out dossiers that ended before the period and online registrations never received; counts a refusal at receipt', () => {
    const endedBefore = sketchDossier({ received: '2026-02-10T09:00', finished: '2026-02-12T10:00' });
    const registeredOnly = sketchDossier({
      received: '2026-03-02T09:00',
      channel: 2,
      status: S.registeredOnline,
      history: [],
    });
    const refusedAtReceipt = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-02T09:10',
      status: S.refused,
      history: [
        { version: 1, at: at('2026-03-02T09:00'), action: 'receive', by: 'c', status: S.received },
        { version: 2, at: at('2026-03-02T09:10'), action: 'refuse', by: 'c', status: S.refused },
      ],
    });
    const refusedOnline = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-02T10:00',
      channel: 2,
      status: S.refused,
      history: [
        {
          version: 1,
          at: at('2026-03-02T09:00'),
          action: 'register',
          by: 'portal',
          status: S.registeredOnline,
        },
        { version: 2, at: at('2026-03-02T10:00'), action: 'refuse', by: 'c', status: S.refused },
      ],
    });
    expect(
      measureKpi('on-time', [endedBefore, registeredOnly, refusedOnline, refusedAtReceipt], march),
    ).toEqual({
      numerator: 1,
      denominator: 1,
      value: 100,
    });
  });

  it('counts the holidays inside the period as non-working (30 Apr – 1 May)', () => {
    // Received Wed 29 Apr 14:00: due Wed 6 May 14:00, not Mon 4 May, so Tue 5 May is on time.
    const acrossHolidays = sketchDossier({ received: '2026-04-29T14:00', finished: '2026-05-05T16:00' });
    const context = kpiContext({ from: '2026-04-01', to: '2026-05-31' });
    expect(measureKpi('on-time', [acrossHolidays], context).value).toBe(100);
    // Open at the end of April (30 Apr is a holiday): within time.
    expect(measureKpi('on-time', [acrossHolidays], april).value).toBe(100);
  });

  it('ignores an apology slip: the original due date stays the reference', () => {
    const apologised = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-06T10:00',
      dueAt: at('2026-03-09T17:00'),
      history: [
        { version: 1, at: at('2026-03-02T09:00'), action: 'receive', by: 'c', status: S.received },
        {
          version: 2,
          at: at('2026-03-04T09:00'),
          action: 'apologise',
          by: 'lead',
          status: S.processing,
          note: 'Hẹn lại 2026-03-09T17:00+07:00',
        },
        { version: 3, at: at('2026-03-06T10:00'), action: 'complete', by: 'o', status: S.processed },
      ],
    });
    expect(measureKpi('on-time', [apologised], march).value).toBe(0);
  });

  it("follows the province's supplement rule: paused time resumes, or the full limit restarts", () => {
    // Asked Wed 4 Mar 09:00 with 8 h left, answered Mon 9 Mar 09:00: due Tue 10 Mar 09:00 (pause)
    // or Thu 12 Mar 09:00 (restart); finished Wed 11 Mar 09:00.
    const dossier = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-11T09:00',
      supplements: [supplement('2026-03-04T09:00', '2026-03-09T09:00')],
    });
    expect(measureKpi('on-time', [dossier], march).value).toBe(0);
    expect(
      measureKpi('on-time', [dossier], kpiContext(march.period, { supplementResume: 'restart' })).value,
    ).toBe(100);
  });
});

describe('backlog and processing time', () => {
  it('counts open dossiers past due at the period end, out of the open ones', () => {
    const withinTime = sketchDossier({ received: '2026-03-30T09:00' });
    const pastDue = sketchDossier({ received: '2026-03-24T09:00' });
    const waitingSinceInTime = sketchDossier({
      received: '2026-03-23T09:00',
      status: S.supplementRequested,
      supplements: [supplement('2026-03-24T09:00')],
    });
    const finished = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-20T09:00' });
    expect(measureKpi('backlog', [withinTime, pastDue, waitingSinceInTime, finished], march)).toEqual({
      numerator: 1,
      denominator: 3,
      value: 1,
    });
    expect(measureKpi('backlog', [], march)).toEqual({ numerator: 0, denominator: 0, value: 0 });
  });

  it('averages working days from receipt to the end, less the time waiting on the applicant', () => {
    // 24 working hours Mon 09:00 → Thu 09:00, 16 of them waiting on a supplement: 1 working day.
    const paused = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-05T09:00',
      supplements: [supplement('2026-03-02T14:00', '2026-03-04T14:00')],
    });
    // Mon 09:00 → Tue 13:00: 6.5 h + 4 h = 10.5 h, 1.3125 working days.
    const straight = sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-03T13:00' });
    const withdrawn = sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-03T09:00',
      status: S.withdrawn,
    });
    expect(measureKpi('processing-time', [paused, straight, withdrawn], march)).toEqual({
      numerator: 2.3125,
      denominator: 2,
      value: 1.15625,
    });
  });

  it('skips the Hùng Kings holiday in processing time', () => {
    // Fri 24 Apr 10:00 → Tue 28 Apr 10:00 is one working day (Mon 27 Apr is off).
    const dossier = sketchDossier({ received: '2026-04-24T10:00', finished: '2026-04-28T10:00' });
    expect(measureKpi('processing-time', [dossier], april).value).toBe(1);
  });
});

describe('digitisation', () => {
  const resolved = [
    // Marriage registration: its marriage-status paper (TTHN) must be digitised.
    sketchDossier({
      received: '2026-03-02T09:00',
      returned: '2026-03-06T09:00',
      finished: '2026-03-05T09:00',
      procedureCode: '1.000894',
      components: [component('DDN', 'paper', false), component('TTHN', 'archived')],
      results: [resultPaper()],
    }),
    sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-05T09:00',
      procedureCode: '1.000894',
      components: [component('TTHN', 'paper')],
      results: [resultPaper()],
    }),
    // Scanned and uploaded but not archived yet: not digitised.
    sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-05T09:00',
      procedureCode: '1.000894',
      components: [component('TTHN', 'uploaded')],
      results: [resultPaper()],
    }),
    sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T09:00' }),
    sketchDossier({ received: '2026-03-02T09:00' }),
    sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-03T09:00', status: S.withdrawn }),
    // Enterprise registration: province level, no paper result.
    sketchDossier({
      received: '2026-03-02T09:00',
      finished: '2026-03-03T09:00',
      procedureCode: '2.002000',
      receivingUnitId: FINANCE,
      results: [resultPaper('0314409058.DKDN.01')],
    }),
  ];

  it('counts results digitised among dossiers resolved in the period, and by procedure level', () => {
    expect(measureKpi('results-digitised', resolved, march)).toEqual({
      numerator: 4,
      denominator: 5,
      value: 80,
    });
    const byLevel = measureKpiByProcedureLevel('results-digitised', resolved, march);
    expect(byLevel.get('commune')).toEqual({ numerator: 3, denominator: 4, value: 75 });
    expect(byLevel.get('province')).toEqual({ numerator: 1, denominator: 1, value: 100 });
    expect(byLevel.has('district')).toBe(false);
  });

  it('asks for the result and every paper that must be digitised for digitised + signed + archived', () => {
    expect(measureKpi('digitised-signed-archived', resolved, march)).toEqual({
      numerator: 2,
      denominator: 5,
      value: 40,
    });
  });

  it('counts electronic results only for procedures that issue a paper result (766 4.1)', () => {
    const value = measureKpi('electronic-results', resolved, march);
    expect(value).toEqual({ numerator: 3, denominator: 4, value: 75 });
  });
});

describe('reuse', () => {
  const dossiers = [
    sketchDossier({
      received: '2026-03-02T09:00',
      procedureCode: '1.000894',
      components: [component('DDN', 'uploaded', false), component('TTHN', 'reused')],
    }),
    sketchDossier({
      received: '2026-03-02T09:00',
      procedureCode: '1.000894',
      components: [component('TTHN', 'uploaded')],
    }),
    sketchDossier({ received: '2026-03-02T09:00', components: [component('DDN', 'uploaded', false)] }),
    sketchDossier({
      received: '2026-03-02T09:00',
      procedureCode: '1.000894',
      status: S.refused,
      components: [component('TTHN', 'reused')],
    }),
  ];

  it('counts no re-submission among dossiers that ask for a paper the archive can supply', () => {
    expect(measureKpi('no-resubmission', dossiers, march)).toEqual({
      numerator: 1,
      denominator: 2,
      value: 50,
    });
  });

  it('counts data reuse among all dossiers received (766 4.3)', () => {
    const value = measureKpi('data-reuse', dossiers, march);
    expect([value.numerator, value.denominator]).toEqual([1, 3]);
  });
});

describe('the counter', () => {
  const ticket = (issued: string, called?: string, served?: string) => ({
    issuedAt: at(issued),
    ...(called ? { calledAt: at(called) } : {}),
    ...(served ? { servedAt: at(served) } : {}),
  });
  const visits = [
    sketchDossier({
      received: '2026-03-02T08:30',
      queueTicket: ticket('2026-03-02T08:00', '2026-03-02T08:12', '2026-03-02T08:30'),
    }),
    sketchDossier({
      received: '2026-03-02T09:10',
      queueTicket: ticket('2026-03-02T09:00', '2026-03-02T09:04'),
    }),
    sketchDossier({ received: '2026-03-02T09:10', channel: 2 }),
    sketchDossier({ received: '2026-03-02T09:10' }),
    // Refused at the counter: the applicant still waited.
    sketchDossier({
      received: '2026-03-02T10:25',
      status: S.refused,
      queueTicket: ticket('2026-03-02T10:00', '2026-03-02T10:20', '2026-03-02T10:25'),
    }),
    sketchDossier({
      received: '2026-04-01T08:30',
      queueTicket: ticket('2026-04-01T08:00', '2026-04-01T08:30', '2026-04-01T08:40'),
    }),
  ];

  it('averages the wait from ticket to call (minutes)', () => {
    expect(measureKpi('waiting-time', visits, march)).toEqual({ numerator: 36, denominator: 3, value: 12 });
  });

  it('averages the service from call to served as intake time (minutes)', () => {
    expect(measureKpi('intake-time', visits, march)).toEqual({ numerator: 23, denominator: 2, value: 11.5 });
  });

  it('divides dossiers received by the counter staff-years of the units in scope', () => {
    const commune = kpiContext(
      { from: '2026-01-01', to: '2026-12-31' },
      { units: [{ id: COMMUNE, level: 'commune', counterStaff: 2 }] },
    );
    expect(measureKpi('intake-productivity', visits, commune)).toEqual({
      numerator: 5,
      denominator: 2,
      value: 2.5,
    });
    const month = kpiContext(march.period, { units: [{ id: COMMUNE, level: 'commune', counterStaff: 2 }] });
    expect(measureKpi('intake-productivity', visits, month).value).toBeCloseTo(4 / ((2 * 31) / 365), 9);
  });

  it('takes online submissions out of the dossiers received, refusals left out', () => {
    const received = [
      sketchDossier({ received: '2026-03-02T09:00', channel: 1 }),
      sketchDossier({ received: '2026-03-02T09:00', channel: 2 }),
      sketchDossier({ received: '2026-03-02T09:00', channel: 2 }),
      sketchDossier({ received: '2026-03-02T09:00', channel: 3 }),
      sketchDossier({ received: '2026-03-02T09:00', channel: 2, status: S.refused }),
    ];
    expect(measureKpi('online-share', received, march)).toEqual({ numerator: 2, denominator: 4, value: 50 });
  });
});

describe('electronic routing and satisfaction', () => {
  const step = (agencyId: string, started: string): DossierStep => ({
    stepId: '1',
    stage: 1,
    kind: 'processing',
    name: 'Trích đo',
    agencyId,
    role: 'processing-officer',
    share: 1,
    state: 'in-progress',
    startedAt: at(started),
  });

  it('counts transfers in the period whose papers all travelled as files', () => {
    const dossiers = [
      sketchDossier({
        received: '2026-03-02T09:00',
        steps: [step('000.10.01.H99', '2026-03-03T09:00')],
        components: [component('DDN', 'uploaded', false), component('QSDD', 'reused')],
      }),
      sketchDossier({
        received: '2026-03-02T09:00',
        steps: [step('000.10.01.H99', '2026-03-03T09:00')],
        components: [component('DDN', 'paper', false)],
      }),
      sketchDossier({ received: '2026-03-02T09:00', steps: [step(COMMUNE, '2026-03-03T09:00')] }),
      sketchDossier({ received: '2026-02-26T09:00', steps: [step('000.10.01.H99', '2026-02-27T09:00')] }),
    ];
    expect(measureKpi('electronic-routing', dossiers, march)).toEqual({
      numerator: 1,
      denominator: 2,
      value: 50,
    });
  });

  it('counts ratings given in the period, satisfied from the configured score', () => {
    const rated = (score: number, when: string) =>
      sketchDossier({
        received: '2026-03-02T09:00',
        returned: '2026-03-05T09:00',
        rating: { score, at: at(when) },
      });
    const dossiers = [
      rated(5, '2026-03-05T10:00'),
      rated(4, '2026-03-05T10:00'),
      rated(3, '2026-03-05T10:00'),
      rated(1, '2026-04-02T10:00'),
    ];
    expect(measureKpi('satisfaction', dossiers, march).value).toBeCloseTo(200 / 3, 9);
    expect(
      measureKpi('satisfaction', dossiers, kpiContext(march.period, { satisfiedFromScore: 3 })).value,
    ).toBe(100);
  });
});

describe('a unit with no dossiers', () => {
  it('has no rate or mean, never 0 or 100; its staff still make a productivity of 0', () => {
    const { total, byUnit } = measureKpis([], march);
    for (const definition of KPI_DEFINITIONS) {
      if (
        definition.scope !== 'dossier' ||
        definition.kind === 'count' ||
        definition.id === 'intake-productivity'
      )
        continue;
      expect(total.get(definition.id)?.value, definition.id).toBeUndefined();
      expect(byUnit.get(CONSTRUCTION)?.get(definition.id)?.value, definition.id).toBeUndefined();
    }
    expect(byUnit.get(CONSTRUCTION)?.get('intake-productivity')).toEqual({
      numerator: 0,
      denominator: (2 * 31) / 365,
      value: 0,
    });
    // Without a one-stop department (no counter staff) there is no productivity at all.
    expect(byUnit.get('000.00.09.H99')?.get('intake-productivity')?.value).toBeUndefined();
  });
});

describe('measuring some KPIs only', () => {
  it('gives exactly those, each as a full measurement gives it', () => {
    const dossiers = [
      sketchDossier({ received: '2026-03-02T09:00', finished: '2026-03-04T10:00' }),
      sketchDossier({ received: '2026-03-03T09:00', channel: 2 }),
    ];
    const full = measureKpis(dossiers, march);
    const some = measureKpis(dossiers, march, ['online-share', 'processing-time']);
    expect([...some.total.keys()]).toEqual(['online-share', 'processing-time']);
    expect(some.total.get('online-share')).toEqual(full.total.get('online-share'));
    expect(some.total.get('processing-time')).toEqual(full.total.get('processing-time'));
    expect(some.total.get('online-share')).toMatchObject({ numerator: 1, denominator: 2 });
    expect([...(some.byUnit.get(COMMUNE)?.entries() ?? [])]).toEqual(
      [...(full.byUnit.get(COMMUNE)?.entries() ?? [])].filter(([id]) =>
        ['online-share', 'processing-time'].includes(id),
      ),
    );
  });
});

describe('catalogue figures', () => {
  const year = (y: number) => kpiContext({ from: `${y}-01-01`, to: `${y}-12-31` });

  it('count procedures in force by level and online level, the latest version deciding', () => {
    const counts = (y: number) =>
      Object.fromEntries(
        (
          [
            'catalogue-procedures-province',
            'catalogue-procedures-district',
            'catalogue-procedures-commune',
            'catalogue-online-full',
            'catalogue-online-partial',
          ] as const
        ).map((id) => [id, measureKpi(id, [], year(y)).value]),
      );
    expect(counts(2026)).toEqual({
      'catalogue-procedures-province': 3,
      'catalogue-procedures-district': 0,
      'catalogue-procedures-commune': 8,
      'catalogue-online-full': 6,
      'catalogue-online-partial': 5,
    });
    expect(measureKpi('catalogue-procedures-province', [], year(2021))).toEqual({
      numerator: 3,
      denominator: 8,
      value: 3,
    });
    expect(measureKpi('catalogue-online-share', [], year(2026)).value).toBe(100);
  });

  it('count procedures with at least one dossier received in the period', () => {
    const dossiers = [
      sketchDossier({ received: '2026-03-02T09:00' }),
      sketchDossier({ received: '2026-03-03T09:00' }),
      sketchDossier({ received: '2026-03-03T09:00', procedureCode: '2.002000', receivingUnitId: FINANCE }),
      sketchDossier({ received: '2026-04-03T09:00', procedureCode: '1.000894' }),
    ];
    expect(measureKpi('catalogue-with-dossiers', dossiers, march)).toEqual({
      numerator: 2,
      denominator: 11,
      value: 2,
    });
  });
});
