import { describe, expect, it, vi } from 'vitest';
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

function setUp(documents: Partial<DocumentToolkit> = {}) {
  const repository = createInMemoryRepository();
  const objects = createInMemoryObjectStore();
  const archivedPapers: { documentId: string; code: string; status: string | undefined }[] = [];
  const steps = createDocumentPipelineSteps({
    config,
    repository,
    objects,
    documents: { ...unused<DocumentToolkit>('documents'), ...documents },
    ocr: unused<OcrEngine>('ocr'),
    signers: unused<SignerDirectory>('signers'),
    pdfSigner: unused<PdfSigner>('pdfSigner'),
    clock: { now: () => NOW },
    buckets: { ingest: 'ingest', archive: 'archive' },
    onArchived: async (paper) => {
      // Told before the record says ARCHIVED, so that a failure here retries the step.
      const stored = await repository.get(paper.documentId);
      archivedPapers.push({ documentId: paper.documentId, code: paper.code, status: stored?.status });
    },
  });
  return { repository, objects, steps, archivedPapers };
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

describe('validateUpload and preparePages', () => {
  it('check and prepare a scan with one write to the record, the page count prepared', async () => {
    const { repository, objects, steps } = setUp({
      inspectStream: async () => ({ mediaType: 'image/jpeg', pageCount: 1, sha256Base64: '', size: 3 }),
      isOcrReadyJpegHeader: async () => true,
    });
    await repository.create(
      record('d0', { pageCount: undefined, textSource: undefined, updatedAt: '2026-11-22T02:00:00.000Z' }),
    );
    await objects.put('ingest', input('d0').key, new Uint8Array([0xff, 0xd8, 0xff]));
    const update = vi.spyOn(repository, 'update');
    const updates = () => update.mock.calls.map((call) => call[1]);

    const validated = await steps.validateUpload(input('d0'));
    expect(validated).toEqual({ mediaType: 'image/jpeg', pageCount: 1, ocrReadyJpeg: true });
    expect(updates()).toEqual([]);
    const { pages } = await steps.preparePages({ ...input('d0'), document: validated });
    expect(pages).toEqual([{ documentId: 'd0', bucket: 'ingest', pageKey: input('d0').key, pageNumber: 1 }]);
    expect(updates()).toEqual([{ textSource: 'ocr', pageCount: 1, updatedAt: NOW.toISOString() }]);
    expect(await repository.get('d0')).toMatchObject({ pageCount: 1, updatedAt: NOW.toISOString() });
  });

  it('judges the JPEG from the head of the one download it makes', async () => {
    const heads: number[][] = [];
    const { repository, objects, steps } = setUp({
      inspectStream: async (chunks) => {
        for await (const _ of chunks);
        return { mediaType: 'image/jpeg', pageCount: 1, sha256Base64: '', size: 3 };
      },
      isOcrReadyJpegHeader: async (head) => {
        heads.push([...head]);
        return false;
      },
    });
    await repository.create(record('d4', { pageCount: undefined }));
    await objects.put('ingest', input('d4').key, new Uint8Array([0xff, 0xd8, 0xff]));
    const getStream = vi.spyOn(objects, 'getStream');
    objects.head = () => Promise.reject(new Error('no HEAD: the GET says the size'));

    expect(await steps.validateUpload(input('d4'))).toMatchObject({ ocrReadyJpeg: false });
    expect(heads).toEqual([[0xff, 0xd8, 0xff]]);
    expect(getStream.mock.calls.map((call) => call[1])).toEqual([input('d4').key]);
  });

  it('quarantines an upload over the size limit without reading it', async () => {
    const { repository, objects, steps } = setUp({
      inspectStream: () => Promise.reject(new Error('the body is not read')),
    });
    await repository.create(record('d5', { pageCount: undefined }));
    await objects.put('ingest', input('d5').key, new Uint8Array(config.uploads.maxBytes + 1));
    await expect(steps.validateUpload(input('d5'))).rejects.toMatchObject({
      code: 'TOO_LARGE',
      detail: `the file has ${config.uploads.maxBytes + 1} bytes, over the limit of ${config.uploads.maxBytes}`,
    });
  });

  it('normalises a JPEG that ValidateUpload gave no verdict on (a run started before it gave one)', async () => {
    const { repository, objects, steps } = setUp({
      normaliseImagePages: async function* () {
        yield { pageNumber: 1, image: new Uint8Array([9]) };
      },
    });
    await repository.create(record('d6', { pageCount: undefined }));
    await objects.put('ingest', input('d6').key, new Uint8Array([0xff, 0xd8, 0xff]));
    const { pages } = await steps.preparePages(input('d6'));
    expect(pages).toEqual([
      { documentId: 'd6', bucket: 'ingest', pageKey: 'work/d6/page-0001.img', pageNumber: 1 },
    ]);
    expect([...(await objects.get('ingest', 'work/d6/page-0001.img'))]).toEqual([9]);
  });
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
    const { repository, objects, steps, archivedPapers } = setUp();
    const code = `${ownerId}.${docType}.01`;
    await repository.create(
      record('d3', { code, classification: { docType, ownerId, confidence: 1, decidedBy: 'classifier' } }),
    );
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/d3', new Uint8Array([1, 2, 3]));
    await objects.put('ingest', 'work/d3/signed.pdf', new Uint8Array([4, 5]));
    await objects.put('ingest', 'work/d3/page-0001.ocr.json', new TextEncoder().encode('{"text":"GIẤY"}'));
    const head = vi.spyOn(objects, 'head');
    await steps.archiveDocument(input('d3'));
    return { repository, objects, code, archivedPapers, looked: head.mock.calls.map((call) => call[1]) };
  }

  it('writes at once on a first attempt: no archive object can exist before its location is recorded', async () => {
    const { objects, code, looked } = await archived('KS', '038319001234');
    expect(looked).toEqual([]);
    expect(objects.writes.has(`archive/038319001234/${code}/${code}.pdf`)).toBe(true);
  });

  it('locks a permanent paper for a century and indexes it by code and owner', async () => {
    const { repository, objects, code, archivedPapers } = await archived('KS', '038319001234');
    expect(archivedPapers).toEqual([{ documentId: 'd3', code, status: 'PROCESSING' }]);
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
    const found = await repository.searchArchive({ ownerId: '038319001234', limit: 10 });
    expect(found.items.map((entry) => entry.code)).toEqual([code]);
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

describe('claimDocument', () => {
  const awaiting = (documentId: string, overrides: Partial<DocumentRecord> = {}) =>
    record(documentId, {
      status: 'AWAITING_UPLOAD',
      runId: undefined,
      expiresAt: 1_900_000_000,
      ...overrides,
    });

  it('lets the first run own an uploaded document and ends a second run quietly', async () => {
    const { repository, steps } = setUp();
    await repository.create(awaiting('c1'));
    expect(await steps.claimDocument(input('c1', 'run-a'))).toEqual({ resumeAt: 'ValidateUpload' });
    await expect(steps.claimDocument(input('c1', 'run-b'))).rejects.toBeInstanceOf(SupersededRunError);
    expect(await repository.get('c1')).toMatchObject({ status: 'PROCESSING', runId: 'run-a' });
    expect((await repository.get('c1'))?.expiresAt).toBeUndefined();
    // A replayed claim of the owner (an embedded restart re-runs the execution) goes on.
    expect(await steps.claimDocument(input('c1', 'run-a'))).toEqual({ resumeAt: 'ValidateUpload' });
  });

  it('resumes at AssignCode only when the type and owner are settled and the work files are there', async () => {
    const { repository, objects, steps } = setUp();
    const officer = { docType: 'KS', ownerId: '038319001234', confidence: 1, decidedBy: 'officer' as const };
    await repository.create(record('c2', { runId: 'review-run', classification: officer }));
    expect(await steps.claimDocument(input('c2', 'review-run'))).toEqual({ resumeAt: 'ValidateUpload' });
    await objects.put('ingest', 'work/c2/page-0001.ocr.json', new TextEncoder().encode('{"text":"x"}'));
    await objects.put('ingest', 'work/c2/page-0001.pdf', new Uint8Array([1]));
    expect(await steps.claimDocument(input('c2', 'review-run'))).toEqual({ resumeAt: 'AssignCode' });
  });

  it('ends quietly for an object that is not the document’s upload', async () => {
    const { repository, steps } = setUp();
    await repository.create(awaiting('c3'));
    await expect(
      steps.claimDocument({ ...input('c3', 'run-a'), key: 'incoming/other/_/_/c3' }),
    ).rejects.toBeInstanceOf(SupersededRunError);
    expect((await repository.get('c3'))?.status).toBe('AWAITING_UPLOAD');
  });
});

describe('a run that does not own its document', () => {
  it('writes nothing: no code is claimed and nothing is archived', async () => {
    const { repository, objects, steps } = setUp();
    const classification = {
      docType: 'KS',
      ownerId: '038319001234',
      confidence: 1,
      decidedBy: 'classifier' as const,
    };
    await repository.create(record('o1', { runId: 'run-new', classification }));
    await expect(steps.assignCode(input('o1', 'run-old'))).rejects.toBeInstanceOf(SupersededRunError);
    expect(repository.claims.size).toBe(0);
    await expect(steps.archiveDocument(input('o1', 'run-old'))).rejects.toBeInstanceOf(SupersededRunError);
    expect([...objects.writes.keys()].filter((key) => key.startsWith('archive/'))).toEqual([]);
  });
});

describe('classifyDocument after a review', () => {
  it('keeps the officer’s decision when the pages are read again', async () => {
    const { repository, objects, steps } = setUp();
    const officer = { docType: 'DDN', ownerId: '040088007777', confidence: 1, decidedBy: 'officer' as const };
    await repository.create(record('r1', { classification: officer }));
    await objects.put(
      'ingest',
      'work/r1/page-0001.ocr.json',
      new TextEncoder().encode('{"text":"GIẤY KHAI SINH"}'),
    );
    expect(await steps.classifyDocument(input('r1'))).toMatchObject({ needsReview: false, docType: 'DDN' });
    expect((await repository.get('r1'))?.classification).toEqual(officer);
  });
});

describe('archiveDocument, resumed after failing half-way', () => {
  const code = '038319001234.KS.01';
  const classification = {
    docType: 'KS',
    ownerId: '038319001234',
    confidence: 1,
    decidedBy: 'classifier' as const,
  };
  // Recorded by the first attempt before it wrote anything.
  const archive = {
    bucket: 'archive',
    signedPdfKey: `038319001234/${code}/${code}.pdf`,
    originalKey: `038319001234/${code}/original.jpg`,
    textKey: `038319001234/${code}/text.txt`,
    retainUntil: '2126-11-22T03:00:00.000Z',
  };

  it('keeps the copy already locked for this document, writes the rest once, and records versions', async () => {
    const { repository, objects, steps } = setUp();
    await repository.create(record('h1', { code, classification, archive }));
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/h1', new Uint8Array([1, 2, 3]));
    await objects.put('ingest', 'work/h1/signed.pdf', new Uint8Array([4, 5]));
    await objects.put('ingest', 'work/h1/page-0001.ocr.json', new TextEncoder().encode('{"text":"GIẤY"}'));
    const signedKey = `038319001234/${code}/${code}.pdf`;
    await objects.put('archive', signedKey, new Uint8Array([4, 5]), { metadata: { 'document-id': 'h1' } });
    const first = objects.writes.get(`archive/${signedKey}`)?.versionId;

    await steps.archiveDocument(input('h1'));

    expect(objects.writes.get(`archive/${signedKey}`)?.versionId).toBe(first);
    const stored = await repository.get('h1');
    expect(stored?.status).toBe('ARCHIVED');
    expect(stored?.archive?.versions).toEqual({
      signedPdf: first,
      original: objects.writes.get(`archive/038319001234/${code}/original.jpg`)?.versionId,
      text: objects.writes.get(`archive/038319001234/${code}/text.txt`)?.versionId,
    });
    expect((await repository.findArchiveByCode(code))?.signedPdfVersionId).toBe(first);
    expect(objects.writes.get('ingest/incoming/000.00.01.H99/_/_/h1')?.tags).toEqual({
      'motcua-state': 'archived',
    });
  });

  it('never writes over an archive object of another document', async () => {
    const { repository, objects, steps } = setUp();
    await repository.create(record('h2', { code, classification, archive }));
    await objects.put('ingest', 'work/h2/page-0001.ocr.json', new TextEncoder().encode('{"text":"x"}'));
    await objects.put('ingest', 'work/h2/signed.pdf', new Uint8Array([4]));
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/h2', new Uint8Array([1]));
    await objects.put('archive', `038319001234/${code}/${code}.pdf`, new Uint8Array([9]), {
      metadata: { 'document-id': 'someone-else' },
    });
    await expect(steps.archiveDocument(input('h2'))).rejects.toThrow(/already exists for another document/);
    expect([...(objects.writes.get(`archive/038319001234/${code}/${code}.pdf`)?.body ?? [])]).toEqual([9]);
  });
});

describe('quarantineDocument tags', () => {
  it('tags the upload so the bucket’s lifecycle rule expires it', async () => {
    const { repository, objects, steps } = setUp();
    await repository.create(record('q1'));
    await objects.put('ingest', 'incoming/000.00.01.H99/_/_/q1', new Uint8Array([1]));
    await steps.quarantineDocument({
      ...input('q1'),
      error: { Error: 'Quarantine.EMPTY_FILE', Cause: 'empty' },
    });
    expect(objects.writes.get('ingest/incoming/000.00.01.H99/_/_/q1')?.tags).toEqual({
      'motcua-state': 'quarantined',
    });
  });
});
