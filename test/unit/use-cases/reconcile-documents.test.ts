import { describe, expect, it } from 'vitest';
import type { DocumentRecord } from '#shared/domain/document.ts';
import type { ExecutionStarter } from '#shared/ports.ts';
import { createReconcileDocuments } from '#shared/use-cases/reconcile-documents.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T04:00:00.000Z');
const LONG_AGO = '2026-11-22T03:00:00.000Z';
const JUST_NOW = '2026-11-22T03:59:00.000Z';
const IDLE_FOR_MS = 30 * 60 * 1000;

function setUp(running: string[] = []) {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
  const started: { name: string; input: unknown }[] = [];
  const starter: ExecutionStarter = {
    start: async (name, input) => {
      started.push({ name, input });
      return { started: true };
    },
    isRunning: async (name) => running.includes(name),
  };
  const alerts: Record<string, unknown>[] = [];
  const resumed: Record<string, unknown>[] = [];
  const reconcile = createReconcileDocuments({
    repository,
    objects,
    starter,
    clock: { now: () => NOW },
    log: { info: (event) => resumed.push(event), alert: (event) => alerts.push(event) },
  });
  const add = (documentId: string, overrides: Partial<DocumentRecord>) =>
    repository.create(makeDocumentRecord(documentId, overrides));
  return { repository, objects, started, reconcile, add, alerts, resumed };
}

describe('reconcileDocuments', () => {
  it('hands documents that stopped moving to a new run and leaves the rest alone', async () => {
    const { repository, objects, started, reconcile, add, resumed } = setUp();
    await add('stuck', { status: 'PROCESSING', updatedAt: LONG_AGO, runId: 'stuck-run-1' });
    await add('recent', { status: 'PROCESSING', updatedAt: JUST_NOW, runId: 'recent-run' });
    await add('lost-event', { updatedAt: LONG_AGO });
    await add('never-uploaded', { updatedAt: LONG_AGO });
    await add('done', { status: 'ARCHIVED', updatedAt: LONG_AGO });
    await add('waiting', { status: 'NEEDS_REVIEW', updatedAt: LONG_AGO });
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/lost-event', new Uint8Array([1]));

    const report = await reconcile({ idleForMs: IDLE_FOR_MS });

    expect(report.resumed.sort()).toEqual(['lost-event', 'stuck']);
    expect(report.awaitingUpload).toBe(1);
    const stuck = started.find((call) => call.name.startsWith('stuck-resume-'));
    // The new run owns the document before it starts: the stopped run can no longer write to it.
    expect(stuck?.input).toMatchObject({ documentId: 'stuck', runId: stuck?.name });
    expect(await repository.get('stuck')).toMatchObject({ runId: stuck?.name, resumeCount: 1 });
    // A document still awaiting its upload is claimed by the run itself.
    const lost = started.find((call) => call.name.startsWith('lost-event-resume-'));
    expect(lost?.input).toMatchObject({ runId: lost?.name });
    expect((await repository.get('lost-event'))?.runId).toBeUndefined();
    expect(resumed.map((event) => event.documentId).sort()).toEqual(['lost-event', 'stuck']);
  });

  it('leaves a slow document to its run while that run is still going', async () => {
    const { started, reconcile, add, repository } = setUp(['slow-run']);
    await add('slow', { status: 'PROCESSING', updatedAt: LONG_AGO, runId: 'slow-run' });
    const report = await reconcile({ idleForMs: IDLE_FOR_MS });
    expect(report).toMatchObject({ resumed: [], busy: ['slow'] });
    expect(started).toEqual([]);
    expect((await repository.get('slow'))?.runId).toBe('slow-run');
  });

  it('pages through every stale document, oldest first', async () => {
    const { started, reconcile, add } = setUp();
    for (let index = 0; index < 250; index++) {
      const minute = String(index % 60).padStart(2, '0');
      const hour = String(Math.floor(index / 60)).padStart(2, '0');
      await add(`doc-${index}`, {
        status: 'PROCESSING',
        updatedAt: `2026-11-21T${hour}:${minute}:00.000Z`,
        runId: `run-${index}`,
      });
    }
    const report = await reconcile({ idleForMs: IDLE_FOR_MS });
    expect(report.resumed).toHaveLength(250);
    expect(started[0]?.name).toMatch(/^doc-0-resume-/);
    expect(started.at(-1)?.name).toMatch(/^doc-249-resume-/);
  });

  it('quarantines and tags an uncoded document that stalled after three restarts', async () => {
    const { repository, objects, reconcile, add } = setUp();
    await add('poison', { status: 'PROCESSING', updatedAt: LONG_AGO, resumeCount: 3, runId: 'poison-run' });
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/poison', new Uint8Array([1]));
    expect((await reconcile({ idleForMs: 0 })).resumed).toEqual([]);
    expect(await repository.get('poison')).toMatchObject({
      status: 'QUARANTINED',
      quarantine: { reason: 'PROCESSING_FAILED' },
    });
    expect(objects.writes.get('ingest/incoming/000.00.01.H99/_/_/poison')?.tags).toEqual({
      'motcua-state': 'quarantined',
    });
  });

  it('never quarantines a coded document: it keeps resuming and an operator is alerted', async () => {
    const { repository, reconcile, add, alerts } = setUp();
    await add('coded', {
      status: 'PROCESSING',
      updatedAt: LONG_AGO,
      resumeCount: 3,
      runId: 'coded-run',
      code: '038319001234.KS.01',
    });
    expect((await reconcile({ idleForMs: 0 })).resumed).toEqual(['coded']);
    expect((await repository.get('coded'))?.status).toBe('PROCESSING');
    expect(alerts).toMatchObject([{ event: 'stalled-coded-document', documentId: 'coded' }]);
  });
});
