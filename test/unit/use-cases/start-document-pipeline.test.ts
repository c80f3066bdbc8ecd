import { describe, expect, it } from 'vitest';
import type { DocumentRecord, DocumentStatus } from '#shared/domain/document.ts';
import type { DocumentRepository, ExecutionStarter } from '#shared/ports.ts';
import { createStartDocumentPipeline, executionNameFor } from '#shared/use-cases/start-document-pipeline.ts';

const DOCUMENT_ID = '6f1c2a52-3a8e-4c55-9f0e-1b2c3d4e5f60';
const KEY = `incoming/000.00.01.H99/_/_/${DOCUMENT_ID}`;

/** Remembers started names like Step Functions does: a name starts once. */
function recordingStarter() {
  const names = new Map<string, unknown>();
  const starter: ExecutionStarter = {
    async start(name, input) {
      if (names.has(name)) return { started: false };
      names.set(name, input);
      return { started: true, executionArn: `arn:local:${name}` };
    },
    isRunning: async (name) => names.has(name),
  };
  return { starter, names };
}

function repositoryWith(status?: DocumentStatus): DocumentRepository {
  return {
    get: async (documentId: string) => (status ? ({ documentId, status } as DocumentRecord) : undefined),
  } as DocumentRepository;
}

describe('startDocumentPipeline', () => {
  it('starts one execution for duplicate events of the same object version', async () => {
    const { starter, names } = recordingStarter();
    const start = createStartDocumentPipeline({ repository: repositoryWith('AWAITING_UPLOAD'), starter });
    const event = { bucket: 'ingest', key: KEY, etag: '"abc"' };
    expect((await start(event)).outcome).toBe('started');
    expect((await start(event)).outcome).toBe('already-started');
    expect(names.size).toBe(1);
    const [name] = [...names.keys()];
    // The run's id is its execution name: the pipeline's writes are conditional on it.
    expect([...names.values()][0]).toEqual({
      bucket: 'ingest',
      key: KEY,
      documentId: DOCUMENT_ID,
      etag: '"abc"',
      runId: name,
    });
  });

  it('derives different names for different versions and valid Step Functions names', () => {
    const a = executionNameFor({ bucket: 'ingest', key: KEY, versionId: 'v1' }, DOCUMENT_ID);
    const b = executionNameFor({ bucket: 'ingest', key: KEY, versionId: 'v2' }, DOCUMENT_ID);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(a.startsWith(DOCUMENT_ID)).toBe(true);
  });

  it.each(['ARCHIVED', 'QUARANTINED', 'NEEDS_REVIEW'] as const)(
    'does not restart a document that is %s',
    async (status) => {
      const { starter, names } = recordingStarter();
      const start = createStartDocumentPipeline({ repository: repositoryWith(status), starter });
      expect(await start({ bucket: 'ingest', key: KEY })).toMatchObject({ outcome: 'ignored' });
      expect(names.size).toBe(0);
    },
  );

  it('starts the pipeline for an object nobody asked to upload, so it ends in quarantine', async () => {
    const { starter } = recordingStarter();
    const start = createStartDocumentPipeline({ repository: repositoryWith(undefined), starter });
    expect((await start({ bucket: 'ingest', key: KEY })).outcome).toBe('started');
  });

  it('ignores keys outside the upload layout', async () => {
    const { starter, names } = recordingStarter();
    const start = createStartDocumentPipeline({ repository: repositoryWith('AWAITING_UPLOAD'), starter });
    expect(await start({ bucket: 'ingest', key: 'work/x/page-0001.img' })).toMatchObject({
      outcome: 'ignored',
    });
    expect(names.size).toBe(0);
  });
});
