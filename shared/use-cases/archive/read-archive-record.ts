import { createHash } from 'node:crypto';
import { isAllowed, type Principal } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { canonicalJson } from '#shared/domain/audit-chain.ts';
import type { DocumentRecord, SignatureInfo } from '#shared/domain/document.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { AuditAction, AuditSource, AuditTrail } from '#shared/ports/audit-trail.ts';
import type {
  ArchiveEntry,
  Clock,
  DocumentRepository,
  ObjectLockState,
  ObjectStore,
  PdfSignatureVerifier,
  SignatureVerification,
} from '#shared/ports.ts';
import { createAuditRecorder } from '../audit/record-audit.ts';

const DOWNLOAD_URL_SECONDS = 300;

/** The retention of an archived copy: as recorded when it was archived, and as storage reports it now. */
export interface RetentionState {
  recordedUntil: string;
  /** Undefined where storage keeps no Object Lock state (the embedded runtime's local server). */
  storage?: ObjectLockState;
  /** Storage locks the copy in compliance mode at least until the recorded date. */
  locked?: boolean;
}

/**
 * An archive index item that no longer says what the archive does: one attribute that differs
 * (`field`, dotted inside the signature), or the whole item missing.
 */
export interface IndexMismatch {
  /** The item's key (`pk sk`). */
  item: string;
  field?: string;
  /** What the index item holds. */
  indexed?: unknown;
  /** What the archived copy's own metadata (code, document, owner, type) or the document record (the rest) says. */
  archived?: unknown;
  missing?: true;
}

/** A paper's archive record, as an auditor reads it. */
export interface ArchiveRecordView {
  code: string;
  documentId: string;
  metadata: {
    title?: string;
    docType: string;
    typeName?: string;
    ownerId: string;
    agencyId: string;
    dossierId?: string;
    accessLevel?: 'public' | 'internal' | 'restricted';
    retention: { years: number | 'permanent' | undefined; until: string };
    pageCount?: number;
    archivedAt?: string;
    /** The archived copy of the paper as uploaded. */
    original: { key: string; versionId?: string; mediaType: string };
  };
  signature?: SignatureInfo;
  retention: RetentionState;
  /** The OCR text archived beside the signed copy. */
  text: string;
  downloadUrl?: string;
  verification?: {
    /** SHA-256 of the archived signed copy equals the one recorded when it was signed. */
    hashMatches: boolean;
    /**
     * The agency's signature verifies, was made with the certificate recorded at signing, and that
     * certificate is valid now, or was when the signature was timestamped.
     */
    signatureValid: boolean;
    certificateMatchesRecorded: boolean;
    /** The recorded certificate's validity, judged at the verification time. */
    certificate?: SignatureVerification['certificateValidity'];
    /** The agency signature's timestamp (PAdES B-T): time, authority, imprint and signature checks. */
    timestamp?: SignatureVerification['timestamp'];
    /** Where the certificate was found valid; absent when it was not (expired, no valid timestamp). */
    certificateValidAt?: SignatureVerification['certificateValidAt'];
    signatures: SignatureVerification[];
    retention: RetentionState;
    /** Every index item of the paper (by code and per search facet) says what the archive does. */
    index: { matches: boolean; mismatches: IndexMismatch[] };
  };
}

export interface ReadArchiveRecordDependencies {
  config: ProvinceConfig;
  repository: DocumentRepository;
  objects: ObjectStore;
  verifier: PdfSignatureVerifier;
  audit: AuditTrail;
  clock: Clock;
}

/**
 * An archived paper by its digitised code: metadata, signature, retention as storage reports it
 * and the OCR text; on request a short-lived URL of the exact archived version, and a verification
 * that recomputes the hash and checks the signature against the certificate recorded at signing
 * (never only the one the file carries), as of the clock's now: a certificate expired since
 * still validates a signature timestamped while it was valid. Every read is recorded before anything is handed out.
 */
export function createReadArchiveRecord(deps: ReadArchiveRecordDependencies) {
  const audit = createAuditRecorder(deps);

  async function archived(principal: Principal, code: string, action: AuditAction, source?: AuditSource) {
    const entry = await deps.repository.findArchiveByCode(code);
    const record = entry && (await deps.repository.get(entry.documentId));
    // Another agency's paper is reported as missing, so codes cannot be probed; the refused
    // attempt is recorded (as denied) before the answer.
    if (
      !entry ||
      !record?.archive ||
      record.status !== 'ARCHIVED' ||
      !isAllowed(principal, 'document:read', record.agencyId)
    ) {
      if (record?.archive && record.status === 'ARCHIVED') {
        await audit.denied(principal, action, { documentId: record.documentId, code }, 'NOT_FOUND', source);
      }
      throw new NotFoundError(`no archived paper has the code ${code}`);
    }
    return { entry, record, archive: record.archive };
  }

  /**
   * Compares the paper's index items with the archive: code, document, owner and type with the
   * archived signed copy's own metadata (written with it, as immutable as its bytes), the rest
   * with the document record. An index item edited in the table is named, field by field.
   */
  async function indexMismatches(
    entry: ArchiveEntry,
    record: DocumentRecord,
    archive: NonNullable<DocumentRecord['archive']>,
  ): Promise<IndexMismatch[]> {
    const copy = await deps.objects.head(archive.bucket, archive.signedPdfKey, {
      versionId: archive.versions?.signedPdf,
    });
    const embedded = copy?.metadata ?? {};
    const expected: ArchiveEntry = {
      code: embedded.code ?? record.code ?? '',
      documentId: embedded['document-id'] ?? record.documentId,
      ownerId: embedded['owner-id'] ?? record.classification?.ownerId ?? '',
      docType: embedded['doc-type'] ?? record.classification?.docType ?? '',
      agencyId: record.agencyId,
      dossierId: record.dossierId,
      // Only the index records when a paper was archived; its items are ordered by it.
      archivedAt: entry.archivedAt,
      signedPdfKey: archive.signedPdfKey,
      signedPdfVersionId: archive.versions?.signedPdf,
      retainUntil: archive.retainUntil,
      signature: record.signature,
    };
    const items = await deps.repository.readArchiveIndex(expected);
    return items.flatMap(({ item, entry: indexed }): IndexMismatch[] => {
      if (!indexed) return [{ item, missing: true }];
      const differing = (fields: Record<string, unknown>, stored: Record<string, unknown>, prefix = '') =>
        [...new Set([...Object.keys(fields), ...Object.keys(stored)])]
          .filter((field) => canonicalJson(fields[field] ?? null) !== canonicalJson(stored[field] ?? null))
          .map((field) => ({
            item,
            field: `${prefix}${field}`,
            indexed: stored[field],
            archived: fields[field],
          }));
      const { signature, ...fields } = expected;
      const { signature: indexedSignature, ...indexedFields } = indexed;
      return [
        ...differing(fields, indexedFields),
        ...differing({ ...signature }, { ...indexedSignature }, 'signature.'),
      ];
    });
  }

  async function retentionOf(record: DocumentRecord): Promise<RetentionState> {
    const archive = record.archive;
    if (!archive) throw new Error(`document ${record.documentId} is not archived`);
    const storage = await deps.objects.objectLock(archive.bucket, archive.signedPdfKey, {
      versionId: archive.versions?.signedPdf,
    });
    return {
      recordedUntil: archive.retainUntil,
      storage,
      locked: storage
        ? storage.mode === 'COMPLIANCE' && (storage.retainUntil ?? '') >= archive.retainUntil
        : undefined,
    };
  }

  return async function readArchiveRecord(
    principal: Principal,
    code: string,
    options: { download?: boolean; verify?: boolean } = {},
    source?: AuditSource,
  ): Promise<ArchiveRecordView> {
    const attempted = options.download ? 'download' : options.verify ? 'verify' : 'read';
    const { entry, record, archive } = await archived(principal, code, attempted, source);
    const recordRead = (action: AuditAction) =>
      audit.allowed(principal, action, { documentId: record.documentId, code }, source);
    await recordRead('read');
    const classification = record.classification;
    const type = deps.config.documentTypes.find((candidate) => candidate.code === classification?.docType);
    const [text, retention] = await Promise.all([
      deps.objects.get(archive.bucket, archive.textKey, { versionId: archive.versions?.text }),
      retentionOf(record),
    ]);
    const view: ArchiveRecordView = {
      code,
      documentId: record.documentId,
      metadata: {
        title: classification?.title,
        docType: classification?.docType ?? '',
        typeName: type?.name,
        ownerId: classification?.ownerId ?? '',
        agencyId: record.agencyId,
        dossierId: record.dossierId,
        accessLevel: type?.accessLevel,
        retention: { years: type?.retention, until: archive.retainUntil },
        pageCount: record.pageCount,
        archivedAt: record.updatedAt,
        original: {
          key: archive.originalKey,
          versionId: archive.versions?.original,
          mediaType: record.mediaType,
        },
      },
      signature: record.signature,
      retention,
      text: new TextDecoder().decode(text),
    };
    const version = { versionId: archive.versions?.signedPdf };
    if (options.download) {
      await recordRead('download');
      view.downloadUrl = await deps.objects.presignGet(
        archive.bucket,
        archive.signedPdfKey,
        DOWNLOAD_URL_SECONDS,
        version,
      );
    }
    if (options.verify) {
      await recordRead('verify');
      const [signed, mismatches] = await Promise.all([
        deps.objects.get(archive.bucket, archive.signedPdfKey, version),
        indexMismatches(entry, record, archive),
      ]);
      const signatures = await deps.verifier.verify(signed, {
        at: deps.clock.now(),
        agencyId: record.agencyId,
      });
      const recorded = record.signature;
      const [agency] = signatures;
      const certificateMatchesRecorded =
        agency !== undefined && agency.certificateFingerprint === recorded?.certificateFingerprint;
      view.verification = {
        hashMatches: createHash('sha256').update(signed).digest('hex') === recorded?.signedPdfSha256,
        signatureValid: agency?.valid === true && certificateMatchesRecorded,
        certificateMatchesRecorded,
        ...(agency?.certificateValidity ? { certificate: agency.certificateValidity } : {}),
        ...(agency?.timestamp ? { timestamp: agency.timestamp } : {}),
        ...(agency?.certificateValidAt ? { certificateValidAt: agency.certificateValidAt } : {}),
        signatures,
        retention,
        index: { matches: mismatches.length === 0, mismatches },
      };
    }
    return view;
  };
}
