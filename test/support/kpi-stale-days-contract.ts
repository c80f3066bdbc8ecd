import { expect, it } from 'vitest';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { KpiStaleDays } from '#shared/ports/kpi-stale-days.ts';
import { makeDossier, makeStep } from './dossier-repository-contract.ts';

/** 2026-11-25, 10:00 in Vietnam: the dossiers below were received on the 23rd (09:00 local). */
const NOW = new Date('2026-11-25T03:00:00.000Z');
const OTHER_UNIT = '000.00.08.H99';

/**
 * How a dossier repository marks stale KPI days and how the markers are read and cleared, run
 * against the in-memory fakes and the DynamoDB adapters (which share one table) alike.
 */
export function kpiStaleDaysContract(
  make: (now: () => Date) => Promise<{ dossiers: DossierRepository; stale: KpiStaleDays }>,
): void {
  const days = async (stale: KpiStaleDays) => (await stale.listStaleDays(100)).map(({ day }) => day);
  const next = (dossier: Dossier, change: Partial<Dossier>): Dossier => ({
    ...dossier,
    ...change,
    version: dossier.version + 1,
  });

  it("marks the past days of a new dossier, and no day for a change that adds only today's events", async () => {
    const { dossiers, stale } = await make(() => NOW);
    const v1 = makeDossier('000.17.22.H99-261123-0001');
    await dossiers.createDossier(v1);
    expect(await days(stale)).toEqual(['2026-11-23']);
    await stale.clearStaleDays(await stale.listStaleDays(100));
    expect(await days(stale)).toEqual([]);
    // Transferred today to another agency: a step, its history entry, a new status and due date.
    const v2 = next(v1, {
      status: 4,
      dueAt: '2026-12-01T02:00:00.000Z',
      steps: [makeStep('1', OTHER_UNIT, { state: 'waiting', startedAt: NOW.toISOString() })],
      history: [...v1.history, { version: 2, at: NOW.toISOString(), action: 'transfer', by: 'x', status: 4 }],
    });
    await dossiers.saveDossier(v2);
    expect(await days(stale)).toEqual([]);
  });

  it('marks a past day whose events changed, and the days a dossier counts on when its papers change', async () => {
    const { dossiers, stale } = await make(() => NOW);
    const v1 = makeDossier('000.17.22.H99-261123-0002', {
      receivedAt: '2026-11-21T02:00:00.000Z',
      queueTicket: { issuedAt: '2026-11-21T01:40:00.000Z' },
      history: [{ version: 1, at: '2026-11-21T02:00:00.000Z', action: 'receive', by: 'o', status: 2 }],
      steps: [makeStep('1', OTHER_UNIT, { state: 'waiting', startedAt: '2026-11-22T02:00:00.000Z' })],
    });
    await dossiers.createDossier(v1);
    await stale.clearStaleDays(await stale.listStaleDays(100));
    // The ticket's call, entered late, happened on the 21st; the ticket is also something the
    // days the dossier counts on read (receipt, transfer): both, not the 22nd's other events.
    const v2 = next(v1, {
      queueTicket: { issuedAt: '2026-11-21T01:40:00.000Z', calledAt: '2026-11-21T01:50:00.000Z' },
    });
    await dossiers.saveDossier(v2);
    expect(await days(stale)).toEqual(['2026-11-21', '2026-11-22']);
    await stale.clearStaleDays(await stale.listStaleDays(100));
    // A paper scanned today changes how the receipt and transfer days counted the dossier (today
    // is rolled up tonight anyway).
    const v3 = next(v2, {
      components: v2.components.map((component) =>
        component.source === 'awaiting-upload'
          ? {
              ...component,
              source: 'uploaded' as const,
              documentId: 'doc-9',
              digitisedCode: '001195006789.DDN.01',
              archivedAt: NOW.toISOString(),
            }
          : component,
      ),
    });
    await dossiers.saveDossier(v3);
    expect(await days(stale)).toEqual(['2026-11-21', '2026-11-22']);
  });

  it('clears only the markers it read: a day marked again meanwhile stays marked', async () => {
    const { dossiers, stale } = await make(() => NOW);
    const v1 = makeDossier('000.17.22.H99-261123-0003');
    await dossiers.createDossier(v1);
    const read = await stale.listStaleDays(100);
    expect(read.map(({ day }) => day)).toEqual(['2026-11-23']);
    // A late change of the same day after the rollup read it.
    await dossiers.saveDossier(next(v1, { rating: { score: 5, at: '2026-11-23T08:00:00.000Z' } }));
    expect(await stale.clearStaleDays(read)).toEqual({ cleared: 0, kept: 1 });
    const again = await stale.listStaleDays(100);
    expect(again.map(({ day }) => day)).toEqual(['2026-11-23']);
    expect(again[0]?.mark).not.toBe(read[0]?.mark);
    expect(await stale.clearStaleDays(again)).toEqual({ cleared: 1, kept: 0 });
    expect(await days(stale)).toEqual([]);
    // A retried clear (a replayed step) changes nothing; a later change marks the day again.
    expect(await stale.clearStaleDays(again)).toEqual({ cleared: 1, kept: 0 });
    await dossiers.saveDossier(
      next(next(v1, { rating: { score: 5, at: '2026-11-23T08:00:00.000Z' } }), {
        rating: { score: 4, at: '2026-11-23T08:00:00.000Z' },
      }),
    );
    expect(await days(stale)).toEqual(['2026-11-23']);
  });

  it('lists the oldest marked days first, at most the limit asked for', async () => {
    const { dossiers, stale } = await make(() => NOW);
    for (const [n, day] of ['2026-11-20', '2026-11-18', '2026-11-24', '2026-11-19'].entries()) {
      await dossiers.createDossier(
        makeDossier(`000.17.22.H99-261123-010${n}`, {
          receivedAt: `${day}T02:00:00.000Z`,
          queueTicket: { issuedAt: `${day}T01:40:00.000Z` },
          history: [{ version: 1, at: `${day}T02:00:00.000Z`, action: 'receive', by: 'o', status: 2 }],
        }),
      );
    }
    // Received today: nothing to mark.
    await dossiers.createDossier(
      makeDossier('000.17.22.H99-261125-0001', {
        receivedAt: NOW.toISOString(),
        queueTicket: { issuedAt: NOW.toISOString() },
        history: [{ version: 1, at: NOW.toISOString(), action: 'receive', by: 'o', status: 2 }],
      }),
    );
    expect((await stale.listStaleDays(3)).map(({ day }) => day)).toEqual([
      '2026-11-18',
      '2026-11-19',
      '2026-11-20',
    ]);
    expect(await days(stale)).toEqual(['2026-11-18', '2026-11-19', '2026-11-20', '2026-11-24']);
  });
}
