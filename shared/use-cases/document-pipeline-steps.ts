import { createHash } from 'node:crypto';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { classifyDocument } from '#shared/domain/classify-document.ts';
import { formatDigitisedCode } from '#shared/domain/digitised-code.ts';
import type { DocumentRecord } from '#shared/domain/document.ts';
import { QUARANTINE_REASONS, QuarantineError, type QuarantineReason } from '#shared/domain/errors.ts';
import type {
  Clock,
  DocumentRepository,
  DocumentToolkit,
  ObjectStore,
  OcrEngine,
  PdfSigner,
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

const IN_PROGRESS = ['AWAITING_UPLOAD', 'PROCESSING'] as const;
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
    // A plain-text cause (the embedded interpreter passes the error message as is).
  }
  const [prefix, ...rest] = message.split(': ');
  if (error?.Error === 'QuarantineError' && QUARANTINE_REASONS.includes(prefix as QuarantineReason)) {
    return { reason: prefix as QuarantineReason, message: rest.join(': ') };
  }
  return {
    reason: 'PROCESSING_FAILED',
    message: `${error?.Error ?? 'Error'}${message ? `: ${message}` : ''}`,
  };
}

/** The steps of state-machines/document-pipeline.asl.json, one function per Task state. */
export function createDocumentPipelineSteps(deps: PipelineDependencies) {
  const { repository, objects, documents, config } = deps;

  async function requireRecord(documentId: string): Promise<DocumentRecord> {
    const record = await repository.get(documentId);
    if (!record)
      throw new QuarantineError('UNKNOWN_UPLOAD', `no upload was requested for document ${documentId}`);
    return record;
  }

  async function readPageTexts(record: DocumentRecord): Promise<string[]> {
    if (record.textSource === 'text-layer') {
      return parseJson<{ pages: string[] }>(
        await objects.get(deps.buckets.ingest, workKey(record.documentId, 'text-layer.json')),
      ).pages;
    }
    const texts: string[] = [];
    for (let page = 1; page <= (record.pageCount ?? 0); page++) {
      const ocr = parseJson<{ text: string }>(
        await objects.get(deps.buckets.ingest, workKey(record.documentId, pageName(page, 'ocr.json'))),
      );
      texts.push(ocr.text);
    }
    return texts;
  }

  /** Tesseract's one-page PDFs, merged; a single page is signed as Tesseract wrote it. */
  async function searchablePages(record: DocumentRecord): Promise<Uint8Array> {
    const pages = await Promise.all(
      Array.from({ length: record.pageCount ?? 0 }, (_, index) =>
        objects.get(deps.buckets.ingest, workKey(record.documentId, pageName(index + 1, 'pdf'))),
      ),
    );
    const [first] = pages;
    return pages.length === 1 && first ? first : documents.mergePdfPages(pages);
  }

  return {
    async validateUpload(input: PipelineInput) {
      const record = await requireRecord(input.documentId);
      if (record.key !== input.key) {
        throw new QuarantineError(
          'UNKNOWN_UPLOAD',
          `object ${input.key} does not match document ${record.documentId}`,
        );
      }
      const stored = await objects.head(input.bucket, input.key);
      if (!stored) throw new Error(`object ${input.key} is gone from ${input.bucket}`);
      // Checked before downloading: an oversize object is never read into memory.
      if (stored.size > config.uploads.maxBytes) {
        throw new QuarantineError(
          'TOO_LARGE',
          `the file has ${stored.size} bytes, over the limit of ${config.uploads.maxBytes}`,
        );
      }
      const bytes = await objects.get(input.bucket, input.key);
      const inspected = await documents.inspect(
        bytes,
        { mediaType: record.mediaType, size: record.declaredSize },
        config.uploads,
      );
      const sha256 = createHash('sha256').update(bytes).digest('base64');
      if (sha256 !== record.declaredSha256) {
        throw new QuarantineError(
          'CHECKSUM_MISMATCH',
          `SHA-256 of the file is ${sha256}, declared ${record.declaredSha256}`,
        );
      }
      await repository.update(
        record.documentId,
        { status: 'PROCESSING', pageCount: inspected.pageCount, updatedAt: deps.clock.now().toISOString() },
        IN_PROGRESS,
      );
      return { mediaType: inspected.mediaType, pageCount: inspected.pageCount };
    },

    async preparePages(input: PipelineInput): Promise<{ textLayer: boolean; pages: PageTask[] }> {
      const record = await requireRecord(input.documentId);
      if (
        record.mediaType === 'image/jpeg' &&
        (await documents.isOcrReadyJpegHeader(
          await objects.getRange(record.bucket, record.key, JPEG_HEADER_BYTES),
        ))
      ) {
        // Most scans: the upload itself goes to OCR, neither downloaded here nor copied.
        await repository.update(record.documentId, { textSource: 'ocr', pageCount: 1 });
        return {
          textLayer: false,
          pages: [
            { documentId: record.documentId, bucket: record.bucket, pageKey: record.key, pageNumber: 1 },
          ],
        };
      }
      const bytes = await objects.get(input.bucket, input.key);
      const limits = { dpi: config.ocr.dpi, maxPixelsPerPage: config.uploads.maxPixelsPerPage };
      if (record.mediaType === 'application/pdf') {
        const text = await documents.extractPdfText(bytes);
        if (text.hasTextLayer) {
          await objects.put(deps.buckets.ingest, workKey(record.documentId, 'text-layer.json'), json(text));
          await repository.update(record.documentId, {
            textSource: 'text-layer',
            pageCount: text.pages.length,
          });
          return { textLayer: true, pages: [] };
        }
      }
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
      await repository.update(record.documentId, { textSource: 'ocr', pageCount: pages.length });
      return { textLayer: false, pages };
    },

    async ocrPage(page: PageTask) {
      const image = await objects.get(page.bucket, page.pageKey);
      const result = await deps.ocr.recognize(image, { language: config.ocr.language, wantPdf: true });
      await objects.put(
        deps.buckets.ingest,
        workKey(page.documentId, pageName(page.pageNumber, 'ocr.json')),
        json({ text: result.text, confidence: result.confidence, engine: deps.ocr.name }),
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
      const record = await requireRecord(input.documentId);
      const pages = await readPageTexts(record);
      if (pages.every((text) => text.trim().length === 0)) {
        throw new QuarantineError('NO_TEXT_FOUND', 'no text was found on any page');
      }
      const classification = classifyDocument(pages, config.documentTypes, {
        minConfidence: config.ocr.minConfidence,
      });
      const confidences = input.ocr?.map((page) => page.confidence) ?? [];
      const ocrConfidence = confidences.length
        ? confidences.reduce((sum, value) => sum + value, 0) / confidences.length
        : undefined;
      const { needsReview, ...stored } = classification;
      await repository.update(record.documentId, { classification: stored, ocrConfidence }, ['PROCESSING']);
      return {
        needsReview,
        docType: classification.docType,
        ownerId: classification.ownerId,
        confidence: classification.confidence,
        reviewReason: classification.reviewReason,
      };
    },

    async awaitReview(input: PipelineInput) {
      await repository.update(
        input.documentId,
        { status: 'NEEDS_REVIEW', updatedAt: deps.clock.now().toISOString() },
        ['PROCESSING'],
      );
      return { status: 'NEEDS_REVIEW' as const };
    },

    async assignCode(input: PipelineInput) {
      const record = await requireRecord(input.documentId);
      if (record.code) return { code: record.code };
      const { docType, ownerId } = record.classification ?? {};
      if (!docType || !ownerId)
        throw new Error(`document ${record.documentId} has no type and owner to code`);
      for (let attempt = 0; attempt < MAX_CODE_ATTEMPTS; attempt++) {
        const sequence = await repository.nextSequence(ownerId, docType);
        const code = formatDigitisedCode({ ownerId, docType, sequence });
        if (await repository.claimCode(code, record.documentId)) {
          await repository.update(record.documentId, { code }, ['PROCESSING']);
          return { code };
        }
      }
      throw new Error(`could not claim a digitised code for ${ownerId}.${docType}`);
    },

    async signDocument(input: PipelineInput) {
      const record = await requireRecord(input.documentId);
      const searchable =
        record.textSource === 'text-layer'
          ? await documents.ensureClassicXref(await objects.get(record.bucket, record.key))
          : await searchablePages(record);
      const signer = await deps.signers.forAgency(record.agencyId);
      const agency = config.agencies.find((candidate) => candidate.id === record.agencyId);
      const { pdf, info } = await deps.pdfSigner.sign(searchable, signer, {
        reason: `Số hóa giấy tờ ${record.code ?? ''}`.trim(),
        location: agency ? `${agency.name}, ${config.province.name}` : config.province.name,
        signedAt: deps.clock.now(),
      });
      const signedKey = workKey(record.documentId, 'signed.pdf');
      await objects.put(deps.buckets.ingest, signedKey, pdf, { contentType: 'application/pdf' });
      await repository.update(record.documentId, { signature: info }, ['PROCESSING']);
      return { signedKey };
    },

    async archiveDocument(input: PipelineInput) {
      const record = await requireRecord(input.documentId);
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
      const retainUntil = new Date(now.getTime() + years * YEAR_MS);
      const prefix = `${classification.ownerId}/${code}`;
      const archive = {
        bucket: deps.buckets.archive,
        signedPdfKey: `${prefix}/${code}.pdf`,
        originalKey: `${prefix}/original.${EXTENSIONS[record.mediaType] ?? 'bin'}`,
        textKey: `${prefix}/text.txt`,
        retainUntil: retainUntil.toISOString(),
      };
      const metadata = { code, 'owner-id': classification.ownerId, 'doc-type': classification.docType };
      const pages = await readPageTexts(record);
      await Promise.all([
        objects.copy(
          { bucket: deps.buckets.ingest, key: workKey(record.documentId, 'signed.pdf') },
          { bucket: archive.bucket, key: archive.signedPdfKey },
          { contentType: 'application/pdf', metadata, retainUntil },
        ),
        objects.copy(
          { bucket: record.bucket, key: record.key },
          { bucket: archive.bucket, key: archive.originalKey },
          { contentType: record.mediaType, metadata, retainUntil },
        ),
        objects.put(archive.bucket, archive.textKey, new TextEncoder().encode(pages.join('\n\f\n')), {
          contentType: 'text/plain; charset=utf-8',
          metadata,
          retainUntil,
        }),
      ]);
      await repository.putArchiveEntry({
        code,
        documentId: record.documentId,
        ownerId: classification.ownerId,
        docType: classification.docType,
        agencyId: record.agencyId,
        dossierId: record.dossierId,
        archivedAt: now.toISOString(),
        signedPdfKey: archive.signedPdfKey,
      });
      await repository.update(
        record.documentId,
        { status: 'ARCHIVED', archive, updatedAt: now.toISOString() },
        ['PROCESSING'],
      );
      return { code, archiveKey: archive.signedPdfKey };
    },

    async quarantineDocument(input: PipelineInput & { error?: CaughtError }) {
      const { reason, message } = quarantineReasonFrom(input.error);
      const at = deps.clock.now().toISOString();
      const quarantine = { reason, message, at };
      const record = await repository.get(input.documentId);
      if (record) {
        await repository.update(input.documentId, { status: 'QUARANTINED', quarantine, updatedAt: at }, [
          ...IN_PROGRESS,
          'NEEDS_REVIEW',
        ]);
      } else {
        // An object nobody asked to upload: recorded so that it is visible, never silently dropped.
        const parts = input.key.split('/');
        const size = (await objects.head(input.bucket, input.key))?.size ?? 0;
        await repository.create({
          documentId: input.documentId,
          agencyId: parts[1] ?? 'unknown',
          uploadedBy: 'unknown',
          mediaType: 'unknown',
          declaredSize: size,
          declaredSha256: '',
          bucket: input.bucket,
          key: input.key,
          status: 'QUARANTINED',
          createdAt: at,
          updatedAt: at,
          quarantine,
        });
      }
      return { status: 'QUARANTINED' as const, reason };
    },
  };
}

export type DocumentPipelineSteps = ReturnType<typeof createDocumentPipelineSteps>;
