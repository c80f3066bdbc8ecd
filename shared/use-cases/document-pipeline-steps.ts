import { INGEST_OBJECT_TAGS } from '#shared/adapters/aws/ingest-object-tags.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { classifyDocument } from '#shared/domain/classify-document.ts';
import { formatDigitisedCode } from '#shared/domain/digitised-code.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import {
  ConflictError,
  QuarantineError,
  type QuarantineReason,
  quarantineReasonOf,
  SupersededRunError,
} from '#shared/domain/errors.ts';
import type {
  Clock,
  DocumentRepository,
  DocumentToolkit,
  ObjectStore,
  OcrEngine,
  PdfSigner,
  PipelineMetrics,
  SignerDirectory,
} from '#shared/ports.ts';
import type { PipelineInput } from './start-document-pipeline.ts';

export interface PipelineDependencies {
  config: ProvinceConfig;
  repository: DocumentRepository;
  objects: ObjectStore;
  documents: DocumentToolkit;
  ocr: OcrEngine;
  signers: SignerDirectory;
  pdfSigner: PdfSigner;
  clock: Clock;
  buckets: { ingest: string; archive: string };
  /** Counts archived and quarantined documents and OCR'd pages. @default counts nothing */
  metrics?: PipelineMetrics;
  /** Told of each paper once it is archived (a dossier's component becomes digitised); may be told twice. */
  onArchived?: (record: DocumentRecord & { code: string }) => Promise<void>;
}

/** What ValidateUpload found: the upload's type and pages, and whether a JPEG can go to OCR as it is. */
export interface ValidatedUpload {
  mediaType: string;
  pageCount: number;
  ocrReadyJpeg: boolean;
}

/**
 * Passes `stream` through, keeping a copy of its first `length` bytes (`bytes()`, once read).
 */
function keepHead(stream: AsyncIterable<Uint8Array>, length: number) {
  const head = new Uint8Array(length);
  let kept = 0;
  return {
    chunks: (async function* () {
      for await (const chunk of stream) {
        if (kept < length) {
          const part = chunk.subarray(0, length - kept);
          head.set(part, kept);
          kept += part.byteLength;
        }
        yield chunk;
      }
    })(),
    bytes: () => head.subarray(0, kept),
  };
}

/** One page handed to the OCR Map state. */
export interface PageTask {
  documentId: string;
  bucket: string;
  pageKey: string;
  pageNumber: number;
}

/** Step Functions' Catch output: `{ Error, Cause }`, where Lambda's Cause is a JSON error object. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

/** Enough of a JPEG to read its header and EXIF segments. */
const JPEG_HEADER_BYTES = 64 * 1024;
const MAX_CODE_ATTEMPTS = 5;
const YEAR_MS = 365.25 * 24 * 3600 * 1000;
/** Object Lock has no "forever": permanent records are locked for a century and reviewed then. */
const PERMANENT_RETENTION_YEARS = 100;

const workKey = (documentId: string, name: string) => `work/${documentId}/${name}`;
const pageName = (pageNumber: number, extension: string) =>
  `page-${String(pageNumber).padStart(4, '0')}.${extension}`;
const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/tiff': 'tif',
};

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
function parseJson<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Turns a caught Step Functions error into a quarantine reason and message. */
export function quarantineReasonFrom(error: CaughtError | undefined): {
  reason: QuarantineReason;
  message: string;
} {
  let message = error?.Cause ?? '';
  try {
    const cause = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof cause.errorMessage === 'string') message = cause.errorMessage;
  } catch {
    // A plain-text cause.
  }
  const reason = quarantineReasonOf(error?.Error);
  if (reason) return { reason, message };
  return {
    reason: 'PROCESSING_FAILED',
    message: `${error?.Error ?? 'Error'}${message ? `: ${message}` : ''}`,
  };
}

/** The steps of state-machines/document-pipeline.asl.json, one function per Task state. */
export function createDocumentPipelineSteps(deps: PipelineDependencies) {
  const { repository, objects, documents, config } = deps;

  /** The document as this run owns it; a run that does not own it stops here, changing nothing. */
  async function ownedRecord(input: PipelineInput): Promise<DocumentRecord> {
    const record = await repository.get(input.documentId);
    if (!record) throw new SupersededRunError(`document ${input.documentId} has no record`);
    if (record.runId !== input.runId || record.status !== 'PROCESSING') {
      throw new SupersededRunError(
        `document ${input.documentId} is ${record.status}, owned by run ${record.runId ?? 'none'}, not ${input.runId}`,
      );
    }
    return record;
  }

  /** Writes to the document only while this run owns it and it is being processed. */
  async function updateOwned(
    input: PipelineInput,
    patch: Partial<Omit<DocumentRecord, 'documentId'>>,
  ): Promise<DocumentRecord> {
    try {
      return await repository.update(input.documentId, patch, { status: ['PROCESSING'], runId: input.runId });
    } catch (error) {
      if (error instanceof ConflictError) throw new SupersededRunError(error.message);
      throw error;
    }
  }

  async function readPageTexts(record: DocumentRecord): Promise<string[]> {
    const texts: string[] = [];
    for (let page = 1; page <= (record.pageCount ?? 0); page++) {
      const ocr = parseJson<{ text: string }>(
        await objects.get(deps.buckets.ingest, workKey(record.documentId, pageName(page, 'ocr.json'))),
      );
      texts.push(ocr.text);
    }
    return texts;
  }

  /** Whether the OCR results and searchable pages that coding, signing and archiving read are all there. */
  async function hasWorkFiles(record: DocumentRecord): Promise<boolean> {
    const pages = record.pageCount ?? 0;
    if (pages === 0) return false;
    const keys = Array.from({ length: pages }, (_, index) => [
      workKey(record.documentId, pageName(index + 1, 'ocr.json')),
      workKey(record.documentId, pageName(index + 1, 'pdf')),
    ]).flat();
    const found = await Promise.all(keys.map((key) => objects.head(deps.buckets.ingest, key)));
    return found.every(Boolean);
  }

  /** Tesseract's one-page PDFs, merged one page at a time; a single page is signed as Tesseract wrote it. */
  async function searchablePages(record: DocumentRecord): Promise<Uint8Array> {
    const pageCount = record.pageCount ?? 0;
    const page = (pageNumber: number) =>
      objects.get(deps.buckets.ingest, workKey(record.documentId, pageName(pageNumber, 'pdf')));
    if (pageCount === 1) return page(1);
    return documents.mergePdfPages(
      (async function* () {
        for (let pageNumber = 1; pageNumber <= pageCount; pageNumber++) yield await page(pageNumber);
      })(),
      { maxTotalBytes: config.uploads.maxInMemoryPdfBytes },
    );
  }

  /**
   * Writes an archive object once: if a run that failed half-way already wrote it for this
   * document, its version is kept (Object Lock would keep a second copy for decades). Only a
   * document whose archive location was recorded before (`mayExist`) can have one: the location is
   * recorded before any archive object is written.
   */
  async function archiveOnce(
    target: { bucket: string; key: string },
    documentId: string,
    mayExist: boolean,
    write: () => Promise<{ versionId?: string }>,
  ): Promise<string | undefined> {
    const existing = mayExist ? await objects.head(target.bucket, target.key) : undefined;
    if (existing) {
      if (existing.metadata?.['document-id'] !== documentId) {
        throw new Error(`archive object ${target.key} already exists for another document`);
      }
      return existing.versionId;
    }
    return (await write()).versionId;
  }

  /** Tags the upload for the ingest bucket's lifecycle rules; an upload already gone needs none. */
  async function tagUpload(record: DocumentRecord, state: keyof typeof INGEST_OBJECT_TAGS.values) {
    await objects.tag(record.bucket, record.key, {
      [INGEST_OBJECT_TAGS.key]: INGEST_OBJECT_TAGS.values[state],
    });
  }

  return {
    /**
     * Makes this run the document's only owner before any work: the upload's first run takes it
     * from AWAITING_UPLOAD, a run started by a review or the reconciler was made its owner before
     * it started. A resumed run whose type and owner are settled and whose work files are still
     * there goes straight to AssignCode; otherwise it reads the upload again.
     */
    async claimDocument(input: PipelineInput): Promise<{ resumeAt: 'ValidateUpload' | 'AssignCode' }> {
      const record = await repository.get(input.documentId);
      if (!record) {
        throw new QuarantineError(
          'UNKNOWN_UPLOAD',
          `no upload was requested for document ${input.documentId}`,
        );
      }
      if (record.key !== input.key) {
        throw new SupersededRunError(
          `object ${input.key} is not the upload of document ${record.documentId}`,
        );
      }
      let claimed: DocumentRecord;
      try {
        claimed = await repository.claim(input.documentId, input.runId, deps.clock.now().toISOString());
      } catch (error) {
        if (error instanceof ConflictError) throw new SupersededRunError(error.message);
        throw error;
      }
      const settled = claimed.code !== undefined || claimed.classification?.decidedBy === 'officer';
      return { resumeAt: settled && (await hasWorkFiles(claimed)) ? 'AssignCode' : 'ValidateUpload' };
    },

    async validateUpload(input: PipelineInput): Promise<ValidatedUpload> {
      const record = await ownedRecord(input);
      const stream = await objects.getStream(input.bucket, input.key, { versionId: input.versionId });
      // Checked before reading the body: an oversize object is never read into memory.
      if (stream.size > config.uploads.maxBytes) {
        stream.cancel();
        throw new QuarantineError(
          'TOO_LARGE',
          `the file has ${stream.size} bytes, over the limit of ${config.uploads.maxBytes}`,
        );
      }
      // Read once as it arrives: hashed and checked on the fly, never held whole unless a PDF; its
      // head kept for PreparePages, which then need not fetch it again.
      const head = keepHead(stream, JPEG_HEADER_BYTES);
      const inspected = await documents.inspectStream(
        head.chunks,
        { mediaType: record.mediaType, size: record.declaredSize, sha256Base64: record.declaredSha256 },
        config.uploads,
        { keepPdf: false },
      );
      // Nothing written here: PreparePages, next, records the page count it prepares.
      return {
        mediaType: inspected.mediaType,
        pageCount: inspected.pageCount,
        ocrReadyJpeg:
          inspected.mediaType === 'image/jpeg' && (await documents.isOcrReadyJpegHeader(head.bytes())),
      };
    },

    /**
     * Every page becomes an image for OCR, PDFs included: a PDF's own text layer is never trusted
     * (hidden or off-page text could decide the type), and the signed copy is rebuilt from what
     * was rendered and read, so no script, attachment or form of the upload is ever signed.
     */
    async preparePages(
      input: PipelineInput & { document?: ValidatedUpload },
    ): Promise<{ pages: PageTask[] }> {
      const record = await ownedRecord(input);
      // Without ValidateUpload's verdict (a run started before it gave one), the page is normalised.
      if (record.mediaType === 'image/jpeg' && input.document?.ocrReadyJpeg === true) {
        // Most scans: the upload itself goes to OCR, neither downloaded here nor copied.
        await updateOwned(input, {
          textSource: 'ocr',
          pageCount: 1,
          updatedAt: deps.clock.now().toISOString(),
        });
        return {
          pages: [
            { documentId: record.documentId, bucket: record.bucket, pageKey: record.key, pageNumber: 1 },
          ],
        };
      }
      const bytes = await objects.get(input.bucket, input.key);
      const limits = { dpi: config.ocr.dpi, maxPixelsPerPage: config.uploads.maxPixelsPerPage };
      const images =
        record.mediaType === 'application/pdf'
          ? documents.renderPdfPages(bytes, limits)
          : documents.normaliseImagePages(bytes, record.mediaType, limits);
      const pages: PageTask[] = [];
      for await (const page of images) {
        const pageKey = workKey(record.documentId, pageName(page.pageNumber, 'img'));
        await objects.put(deps.buckets.ingest, pageKey, page.image);
        pages.push({
          documentId: record.documentId,
          bucket: deps.buckets.ingest,
          pageKey,
          pageNumber: page.pageNumber,
        });
      }
      await updateOwned(input, {
        textSource: 'ocr',
        pageCount: pages.length,
        updatedAt: deps.clock.now().toISOString(),
      });
      return { pages };
    },

    async ocrPage(page: PageTask) {
      const image = await objects.get(page.bucket, page.pageKey);
      const started = deps.clock.now().getTime();
      const result = await deps.ocr.recognize(image, { language: config.ocr.language, wantPdf: true });
      deps.metrics?.pagesRecognised(1, (deps.clock.now().getTime() - started) / 1000);
      await objects.put(
        deps.buckets.ingest,
        workKey(page.documentId, pageName(page.pageNumber, 'ocr.json')),
        json({
          text: result.text,
          confidence: result.confidence,
          engine: deps.ocr.name,
          rotation: result.rotation,
          skew: result.skew,
        }),
      );
      // Without the engine's searchable page, the signed copy shows the scan and the text is archived beside it.
      const pagePdf = result.searchablePdf ?? (await documents.imagePageToPdf(image, config.ocr.dpi));
      await objects.put(
        deps.buckets.ingest,
        workKey(page.documentId, pageName(page.pageNumber, 'pdf')),
        pagePdf,
      );
      return { pageNumber: page.pageNumber, confidence: result.confidence };
    },

    async classifyDocument(input: PipelineInput & { ocr?: { confidence: number }[] }) {
      const record = await ownedRecord(input);
      const pages = await readPageTexts(record);
      if (pages.every((text) => text.trim().length === 0)) {
        throw new QuarantineError('NO_TEXT_FOUND', 'no text was found on any page');
      }
      const confidences = input.ocr?.map((page) => page.confidence) ?? [];
      const ocrConfidence = confidences.length
        ? confidences.reduce((sum, value) => sum + value, 0) / confidences.length
        : undefined;
      const decided = record.classification;
      if (decided && (decided.decidedBy === 'officer' || record.code)) {
        // Read again after its work files expired: what an officer decided, or what was coded, stands.
        await updateOwned(input, { ocrConfidence });
        return {
          needsReview: false,
          docType: decided.docType,
          ownerId: decided.ownerId,
          confidence: decided.confidence,
        };
      }
      const classification = classifyDocument(pages, config.documentTypes, {
        minConfidence: config.ocr.minConfidence,
      });
      const { needsReview, ...stored } = classification;
      await updateOwned(input, { classification: stored, ocrConfidence });
      return {
        needsReview,
        docType: classification.docType,
        ownerId: classification.ownerId,
        confidence: classification.confidence,
        reviewReason: classification.reviewReason,
      };
    },

    async awaitReview(input: PipelineInput) {
      await ownedRecord(input);
      await updateOwned(input, { status: 'NEEDS_REVIEW', updatedAt: deps.clock.now().toISOString() });
      return { status: 'NEEDS_REVIEW' as const };
    },

    async assignCode(input: PipelineInput) {
      const record = await ownedRecord(input);
      if (record.code) return { code: record.code };
      const { docType, ownerId } = record.classification ?? {};
      if (!docType || !ownerId)
        throw new Error(`document ${record.documentId} has no type and owner to code`);
      for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
        const sequence = await repository.nextSequence(ownerId, docType);
        const code = formatDigitisedCode({ ownerId, docType, sequence });
        if (await repository.claimCode(code, record.documentId)) {
          await updateOwned(input, { code });
          return { code };
        }
      }
      throw new Error(`could not claim a digitised code for ${ownerId}.${docType}`);
    },

    async signDocument(input: PipelineInput) {
      const record = await ownedRecord(input);
      const signedKey = workKey(record.documentId, 'signed.pdf');
      // Replay-safe: a signed copy is made once, so what is archived is what the record describes.
      if (record.signature && (await objects.head(deps.buckets.ingest, signedKey))) return { signedKey };
      const searchable = await searchablePages(record);
      const signer = await deps.signers.forAgency(record.agencyId);
      const agency = config.agencies.find((candidate) => candidate.id === record.agencyId);
      const { pdf, info } = await deps.pdfSigner.sign(searchable, signer, {
        reason: `Số hóa giấy tờ ${record.code ?? ''}`.trim(),
        location: agency ? `${agency.name}, ${config.province.name}` : config.province.name,
        signedAt: deps.clock.now(),
      });
      await objects.put(deps.buckets.ingest, signedKey, pdf, { contentType: 'application/pdf' });
      await updateOwned(input, { signature: info });
      return { signedKey };
    },

    async archiveDocument(input: PipelineInput) {
      const record = await ownedRecord(input);
      const { code, classification } = record;
      if (!code || !classification?.ownerId || !classification.docType) {
        throw new Error(`document ${record.documentId} is not coded`);
      }
      const type = config.documentTypes.find((candidate) => candidate.code === classification.docType);
      const years =
        type?.retention === 'permanent' || type === undefined
          ? PERMANENT_RETENTION_YEARS
          : Math.max(type.retention, config.archive.defaultRetentionYears);
      const now = deps.clock.now();
      // A resumed run keeps the retention its first attempt chose.
      const resumed = record.archive !== undefined;
      const retainUntil = record.archive
        ? new Date(record.archive.retainUntil)
        : new Date(now.getTime() + years * YEAR_MS);
      const prefix = `${classification.ownerId}/${code}`;
      const location = {
        bucket: deps.buckets.archive,
        signedPdfKey: `${prefix}/${code}.pdf`,
        originalKey: `${prefix}/original.${EXTENSIONS[record.mediaType] ?? 'bin'}`,
        textKey: `${prefix}/text.txt`,
        retainUntil: retainUntil.toISOString(),
      };
      await updateOwned(input, { archive: location });
      const metadata = {
        code,
        'document-id': record.documentId,
        'owner-id': classification.ownerId,
        'doc-type': classification.docType,
      };
      const pages = await readPageTexts(record);
      const at = (key: string) => ({ bucket: location.bucket, key });
      const [signedPdf, original, text] = await Promise.all([
        archiveOnce(at(location.signedPdfKey), record.documentId, resumed, () =>
          objects.copy(
            { bucket: deps.buckets.ingest, key: workKey(record.documentId, 'signed.pdf') },
            at(location.signedPdfKey),
            { contentType: 'application/pdf', metadata, retainUntil },
          ),
        ),
        archiveOnce(at(location.originalKey), record.documentId, resumed, () =>
          objects.copy(
            { bucket: record.bucket, key: record.key, versionId: input.versionId },
            at(location.originalKey),
            { contentType: record.mediaType, metadata, retainUntil },
          ),
        ),
        archiveOnce(at(location.textKey), record.documentId, resumed, () =>
          objects.put(location.bucket, location.textKey, new TextEncoder().encode(pages.join('\n\f\n')), {
            contentType: 'text/plain; charset=utf-8',
            metadata,
            retainUntil,
          }),
        ),
      ]);
      await repository.putArchiveEntry({
        code,
        documentId: record.documentId,
        ownerId: classification.ownerId,
        docType: classification.docType,
        agencyId: record.agencyId,
        dossierId: record.dossierId,
        archivedAt: now.toISOString(),
        signedPdfKey: location.signedPdfKey,
        signedPdfVersionId: signedPdf,
        retainUntil: location.retainUntil,
        signature: record.signature,
      });
      await tagUpload(record, 'archived');
      await deps.onArchived?.({ ...record, code });
      await updateOwned(input, {
        status: 'ARCHIVED',
        archive: { ...location, versions: { signedPdf, original, text } },
        updatedAt: now.toISOString(),
      });
      deps.metrics?.archived();
      return { code, archiveKey: location.signedPdfKey };
    },

    async quarantineDocument(input: PipelineInput & { error?: CaughtError }) {
      const { reason, message } = quarantineReasonFrom(input.error);
      const at = deps.clock.now().toISOString();
      const quarantine = { reason, message, at };
      const record = await repository.get(input.documentId);
      if (record) {
        await updateOwned(input, { status: 'QUARANTINED', quarantine, updatedAt: at });
        await tagUpload(record, 'quarantined');
        deps.metrics?.quarantined(reason);
        return { status: 'QUARANTINED' as const, reason };
      }
      // An object nobody asked to upload: recorded so that it is visible, never silently dropped.
      const parts = input.key.split('/');
      const size = (await objects.head(input.bucket, input.key))?.size ?? 0;
      const unknown: DocumentRecord = {
        documentId: input.documentId,
        agencyId: parts[1] ?? 'unknown',
        uploadedBy: 'unknown',
        mediaType: 'unknown',
        declaredSize: size,
        declaredSha256: '',
        bucket: input.bucket,
        key: input.key,
        status: 'QUARANTINED',
        runId: input.runId,
        createdAt: at,
        updatedAt: at,
        quarantine,
      };
      try {
        await repository.create(unknown);
      } catch (error) {
        if (error instanceof ConflictError) throw new SupersededRunError(error.message);
        throw error;
      }
      await tagUpload(unknown, 'quarantined');
      deps.metrics?.quarantined(reason);
      return { status: 'QUARANTINED' as const, reason };
    },
  };
}

export type DocumentPipelineSteps = ReturnType<typeof createDocumentPipelineSteps>;
