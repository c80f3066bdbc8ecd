import { describe, expect, it } from 'vitest';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { SupersededRunError } from '#shared/domain/errors.ts';
import type { DocumentToolkit, OcrEngine, PdfSigner, SignerDirectory } from '#shared/ports.ts';
import { createDocumentPipelineSteps } from '#shared/use-cases/document-pipeline-steps.ts';
import { makeDocumentRecord } from '#test/support/document-records.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from '#test/support/in-memory-ports.ts';

const NOW = new Date('2026-11-22T03:00:00.000Z');
const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const unused = <T>(name: string) =>
  new Proxy({}, { get: () => () => Promise.reject(new Error(`${name} is not used here`)) }) as T;

function setUp() {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
  const steps = createDocumentPipelineSteps({
    config,
    repository,
    objects,
    documents: unused<DocumentToolkit>('documents'),
    ocr: unused<OcrEngine>('ocr'),
    signers: unused<SignerDirectory>('signers'),
    pdfSigner: unused<PdfSigner>('pdfSigner'),
    clock: { now: () => NOW },
    buckets: { ingest: 'ingest', archive: 'archive' },
  });
  return { repository, objects, steps };
}

const RUN = 'run-1';
const record = (documentId: string, overrides: Partial<DocumentRecord> = {}) =>
  makeDocumentRecord(documentId, {
    status: 'PROCESSING',
    pageCount: 1,
    textSource: 'ocr',
    runId: RUN,
    ...overrides,
  });

const input = (documentId: string, runId = RUN) => ({
  bucket: 'ingest',
  key: `incoming/000.00.01.H99/_/_/${documentId}`,
  documentId,
  runId,
});

describe('assignCode', () => {
  it('takes the next free suffix and gives the same code when retried', async () => {
    const { repository, steps } = setUp();
    await repository.create(
      record('d1', {
        classification: { docType: 'KS', ownerId: '038319001234', confidence: 1, decidedBy: 'classifier' },
      }),
    );
    await repository.claimCode('038319001234.KS.01', 'someone-else');
    expect(await steps.assignCode(input('d1'))).toEqual({ code: '038319001234.KS.02' });
    expect(await steps.assignCode(input('d1'))).toEqual({ code: '038319001234.KS.02' });
    expect(await repository.nextSequence('038319001234', 'KS')).toBe(3);
  });

  it('refuses to code a document without a type and an owner', async () => {
    const { repository, steps } = setUp();
    await repository.create(record('d2'));
    await expect(steps.assignCode(input('d2'))).rejects.toThrow(/no type and owner/);
  });
});

describe('archiveDocument', () => {
  async function archived(docType: string, ownerId: string) {
    const { repository, objects, steps } = setUp();
    const code = `${ownerId}.${docType}.01`;
    await repository.create(
      record('d3', { code, classification: { docType, ownerId, confidence: 1, decidedBy: 'classifier' } }),
    );
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/d3', new Uint8Array([1, 2, 3]));
    await objects.put('ingest', 'work/d3/signed.pdf', new Uint8Array([4, 5]));
    await objects.put('ingest', 'work/d3/page-0001.ocr.json', new TextEncoder().encode('{"text":"GIẤY"}'));
    await steps.archiveDocument(input('d3'));
    return { repository, objects, code };
  }

  it('locks a permanent paper for a century and indexes it by code and owner', async () => {
    const { repository, objects, code } = await archived('KS', '038319001234');
    const signed = objects.writes.get(`archive/038319001234/${code}/${code}.pdf`);
    expect([...(signed?.body ?? [])]).toEqual([4, 5]);
    expect(signed?.retainUntil?.getTime()).toBe(NOW.getTime() + 100 * YEAR_MS);
    expect(objects.writes.get(`archive/038319001234/${code}/original.jpg`)?.body).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(new TextDecoder().decode(objects.writes.get(`archive/038319001234/${code}/text.txt`)?.body)).toBe(
      'GIẤY',
    );
    expect((await repository.get('d3'))?.status).toBe('ARCHIVED');
    expect((await repository.findArchiveByOwner('038319001234')).map((entry) => entry.code)).toEqual([code]);
  });

  it('never keeps a paper for less than the archive default', async () => {
    // LLTP is kept 5 years; the sample archive's default retention is 10.
    const { objects, code } = await archived('LLTP', '079190004321');
    const signed = objects.writes.get(`archive/079190004321/${code}/${code}.pdf`);
    expect(signed?.retainUntil?.getTime()).toBe(NOW.getTime() + 10 * YEAR_MS);
  });
});

describe('quarantineDocument', () => {
  const error = {
    Error: 'Quarantine.CORRUPT_FILE',
    Cause: JSON.stringify({ errorType: 'Quarantine.CORRUPT_FILE', errorMessage: 'cut in half' }),
  };

  it('records the reason on a document in progress', async () => {
    const { repository, steps } = setUp();
    await repository.create(record('d4'));
    await steps.quarantineDocument({ ...input('d4'), error });
    expect(await repository.get('d4')).toMatchObject({
      status: 'QUARANTINED',
      quarantine: { reason: 'CORRUPT_FILE', message: 'cut in half', at: NOW.toISOString() },
    });
  });

  it('never turns an archived document into a quarantined one', async () => {
    const { repository, steps } = setUp();
    await repository.create(record('d5', { status: 'ARCHIVED', code: '038319001234.KS.01' }));
    await expect(steps.quarantineDocument({ ...input('d5'), error })).rejects.toBeInstanceOf(
      SupersededRunError,
    );
    expect((await repository.get('d5'))?.status).toBe('ARCHIVED');
  });
});
