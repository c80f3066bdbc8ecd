import { describe, expect, it } from 'vitest';
import type { ExecutionStarter } from '#shared/ports.ts';
import { createReconcileDocuments } from '#shared/use-cases/reconcile-documents.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T04:00:00.000Z');
const LONG_AGO = '2026-11-22T03:00:00.000Z';
const JUST_NOW = '2026-11-22T03:59:00.000Z';

describe('reconcileDocuments', () => {
  it('resumes documents that stopped moving and leaves the rest alone', async () => {
    const repository = createInMemoryRepository();
    const objects = createInMemoryObjectStore();
    const started: { name: string; input: unknown }[] = [];
    const starter: ExecutionStarter = {
      start: async (name, input) => {
        started.push({ name, input });
        return { started: true };
      },
    };
    await repository.create(makeDocumentRecord('stuck', { status: 'PROCESSING', updatedAt: LONG_AGO }));
    await repository.create(
      makeDocumentRecord('reviewed', {
        status: 'PROCESSING',
        updatedAt: LONG_AGO,
        classification: { docType: 'KS', ownerId: '038319001234', confidence: 1, decidedBy: 'officer' },
      }),
    );
    await repository.create(makeDocumentRecord('busy', { status: 'PROCESSING', updatedAt: JUST_NOW }));
    await repository.create(makeDocumentRecord('lost-event', { updatedAt: LONG_AGO }));
    await repository.create(makeDocumentRecord('never-uploaded', { updatedAt: LONG_AGO }));
    await repository.create(makeDocumentRecord('done', { status: 'ARCHIVED', updatedAt: LONG_AGO }));
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/lost-event', new Uint8Array([1]));

    const reconcile = createReconcileDocuments({ repository, objects, starter, clock: { now: () => NOW } });
    const report = await reconcile({ idleForMs: 30 * 60 * 1000 });

    expect(report.resumed.sort()).toEqual(['lost-event', 'reviewed', 'stuck']);
    expect(report.awaitingUpload).toBe(1);
    const reviewed = started.find((call) => call.name.startsWith('reviewed-resume-'));
    expect(reviewed?.input).toMatchObject({ documentId: 'reviewed', reviewed: true });
    const stuck = started.find((call) => call.name.startsWith('stuck-resume-'));
    expect(stuck?.input).not.toHaveProperty('reviewed');
    expect((await repository.get('stuck'))?.resumeCount).toBe(1);
  });

  it('quarantines a document that stalled after three restarts instead of retrying it forever', async () => {
    const repository = createInMemoryRepository();
    const starter: ExecutionStarter = { start: async () => ({ started: true }) };
    await repository.create(
      makeDocumentRecord('poison', { status: 'PROCESSING', updatedAt: LONG_AGO, resumeCount: 3 }),
    );
    const reconcile = createReconcileDocuments({
      repository,
      objects: createInMemoryObjectStore(),
      starter,
      clock: { now: () => NOW },
    });
    expect((await reconcile({ idleForMs: 0 })).resumed).toEqual([]);
    expect(await repository.get('poison')).toMatchObject({
      status: 'QUARANTINED',
      quarantine: { reason: 'PROCESSING_FAILED' },
    });
  });
});
