import type { DocumentRecord, DocumentStatus, SignatureInfo } from '#shared/domain/document.ts';

/** Metadata of a stored object. */
export interface ObjectInfo {
  size: number;
  etag?: string;
  versionId?: string;
  contentType?: string;
  lastModified?: Date;
  /** User metadata (`x-amz-meta-*`), keys in lower case. */
  metadata?: Record<string, string>;
}

/** Write-once protection of a stored object version. */
export interface ObjectLockState {
  mode?: 'COMPLIANCE' | 'GOVERNANCE';
  retainUntil?: string;
  legalHold: boolean;
}

/** An object's bytes as they arrive (see `ObjectStore.getStream`). */
export interface ObjectStream extends AsyncIterable<Uint8Array> {
  /** The object's length in bytes, known before any of them is read. */
  readonly size: number;
  /** Ends the download without reading the rest. */
  cancel(): void;
}

/** Blob storage (S3 in AWS, a local S3 server in the embedded runtime). */
export interface ObjectStore {
  /** The object's bytes: of the named version when `versionId` is given, else of the current one. */
  get(bucket: string, key: string, options?: { versionId?: string }): Promise<Uint8Array>;
  /**
   * The object's bytes as they arrive, for reading without holding the whole object. Iterate it to
   * the end or stop early (`break`, a throw): stopping ends the download. A stream that is never
   * iterated holds its connection open until `cancel()`.
   */
  getStream(bucket: string, key: string, options?: { versionId?: string }): Promise<ObjectStream>;
  head(bucket: string, key: string, options?: { versionId?: string }): Promise<ObjectInfo | undefined>;
  /** Writes an object; resolves with the version it created (where the bucket keeps versions). */
  put(
    bucket: string,
    key: string,
    body: Uint8Array,
    options?: { contentType?: string; metadata?: Record<string, string>; retainUntil?: Date },
  ): Promise<{ versionId?: string }>;
  /**
   * Writes an object from chunks as they come, never holding it whole (a multipart upload of
   * `partBytes` parts in S3; one PUT when it fits in one part). A failed write leaves no object.
   */
  putStream(
    bucket: string,
    key: string,
    chunks: AsyncIterable<Uint8Array>,
    options?: { contentType?: string; metadata?: Record<string, string> },
  ): Promise<{ versionId?: string; size: number }>;
  /** Copies within storage: the bytes never pass through the caller. */
  copy(
    source: { bucket: string; key: string; versionId?: string },
    target: { bucket: string; key: string },
    options?: { contentType?: string; metadata?: Record<string, string>; retainUntil?: Date },
  ): Promise<{ versionId?: string }>;
  /**
   * The object's Object Lock state as storage reports it; undefined where storage keeps none
   * (the embedded runtime's local S3 server).
   */
  objectLock(
    bucket: string,
    key: string,
    options?: { versionId?: string },
  ): Promise<ObjectLockState | undefined>;
  /** Replaces the object's tags (which lifecycle rules select on); false when there is no such object. */
  tag(
    bucket: string,
    key: string,
    tags: Record<string, string>,
    options?: { versionId?: string },
  ): Promise<boolean>;
  list(bucket: string, prefix: string): AsyncIterable<{ key: string } & ObjectInfo>;
  /** A URL that lets its holder PUT exactly this object (type, size and SHA-256 are signed). */
  presignPut(
    bucket: string,
    key: string,
    request: { contentType: string; contentLength: number; sha256Base64: string; expiresInSeconds: number },
  ): Promise<{ url: string; headers: Record<string, string> }>;
  presignGet(
    bucket: string,
    key: string,
    expiresInSeconds: number,
    options?: { versionId?: string },
  ): Promise<string>;
}

/** An entry of the archive index, one per digitised paper. */
export interface ArchiveEntry {
  code: string;
  documentId: string;
  ownerId: string;
  docType: string;
  agencyId: string;
  dossierId?: string;
  archivedAt: string;
  signedPdfKey: string;
  /** The archived signed copy's version, which reads name. */
  signedPdfVersionId?: string;
  /** Until when Object Lock keeps the archived copies. */
  retainUntil?: string;
  /** The signature as recorded when the paper was signed. */
  signature?: SignatureInfo;
}

/**
 * A search of the archive: at least one of code, owner, dossier, agency or type, optionally an
 * archived-at range (ISO instants, inclusive). Hits come newest first.
 */
export interface ArchiveQuery {
  code?: string;
  ownerId?: string;
  docType?: string;
  dossierId?: string;
  agencyId?: string;
  archivedFrom?: string;
  archivedTo?: string;
  limit: number;
  cursor?: string;
}

/** What must hold for an update to apply. */
export interface UpdateCondition {
  /** The record's status is one of these. */
  status?: readonly DocumentStatus[];
  /** The record is owned by this pipeline run. */
  runId?: string;
}

/** Persistence of document records and the archive index (DynamoDB). */
export interface DocumentRepository {
  /** Fails with ConflictError if the id exists. */
  create(record: DocumentRecord): Promise<void>;
  get(documentId: string): Promise<DocumentRecord | undefined>;
  /**
   * Applies `patch` when the record meets `condition` (always when omitted); fails with
   * ConflictError otherwise, NotFoundError when there is no record. A document's agency is set
   * once, by `create`.
   */
  update(
    documentId: string,
    patch: Partial<Omit<DocumentRecord, 'documentId' | 'agencyId'>>,
    condition?: UpdateCondition,
  ): Promise<DocumentRecord>;
  /**
   * Makes `runId` the pipeline run that owns the document: from AWAITING_UPLOAD (the upload's
   * first run), or again for the run that already owns it (a replayed step). Fails with
   * ConflictError when another run owns it or it has settled; NotFoundError when there is no record.
   */
  claim(documentId: string, runId: string, at: string): Promise<DocumentRecord>;
  /** Next per-owner, per-type suffix (1, 2, …); atomic. */
  nextSequence(ownerId: string, docType: string): Promise<number>;
  /** Reserves a digitised code for a document; false if another document holds it. */
  claimCode(code: string, documentId: string): Promise<boolean>;
  putArchiveEntry(entry: ArchiveEntry): Promise<void>;
  findArchiveByCode(code: string): Promise<ArchiveEntry | undefined>;
  /**
   * Every item the archive index stores `entry` as (by code, and one per search facet), each as
   * stored now (`entry` undefined where the item is missing): what a verification compares.
   */
  readArchiveIndex(entry: ArchiveEntry): Promise<{ item: string; entry?: ArchiveEntry }[]>;
  /** One page of archive entries matching the query, served from index items (never a scan). */
  searchArchive(query: ArchiveQuery): Promise<{ items: ArchiveEntry[]; cursor?: string }>;
  /** One page of the documents in a status, by last change (newest first unless `oldestFirst`). */
  listByStatus(
    status: DocumentStatus,
    options?: { limit?: number; cursor?: string; oldestFirst?: boolean },
  ): Promise<{ items: DocumentRecord[]; cursor?: string }>;
  /**
   * One page of one agency's documents in a status, by last change (newest first unless
   * `oldestFirst`): every item is that agency's, so a page is never emptied by filtering. A cursor
   * of another list fails with ValidationError INVALID_CURSOR.
   */
  listByAgencyAndStatus(
    agencyId: string,
    status: DocumentStatus,
    options?: { limit?: number; cursor?: string; oldestFirst?: boolean },
  ): Promise<{ items: DocumentRecord[]; cursor?: string }>;
}

/** Text recognised on one page image. */
export interface OcrResult {
  text: string;
  /** 0..1 mean word confidence. */
  confidence: number;
  /** A one-page PDF of the image with an invisible text layer, when the engine makes one. */
  searchablePdf?: Uint8Array;
  /**
   * Clockwise degrees the page image was turned to read it upright (0: read as given); the text
   * and the searchable PDF are of the turned image. Undefined when the engine does not detect it.
   */
  rotation?: 0 | 90 | 180 | 270;
  /**
   * Clockwise degrees the page's text was found skewed and corrected (0: straight, or too little
   * to correct): a larger skew is turned back before the page is read (the text, the searchable
   * PDF and `rotation` are of the straightened image); a small one, which reads as well as it is,
   * only in the searchable PDF, which shows the scan turned straight. Undefined when the engine
   * does not check.
   */
  skew?: number;
}

/** An OCR engine (Tesseract by default; Textract where its languages fit). */
export interface OcrEngine {
  readonly name: string;
  recognize(image: Uint8Array, options: { language: string; wantPdf: boolean }): Promise<OcrResult>;
  close?(): Promise<void>;
}

/** Raw signature over a digest, as KMS Sign with MessageType DIGEST does. */
export interface DigestSigner {
  /** DER X.509 certificate of the signing key. */
  certificate(): Promise<Uint8Array>;
  algorithm(): 'RSASSA_PKCS1_V1_5_SHA_256' | 'ECDSA_SHA_256';
  signDigest(sha256Digest: Uint8Array): Promise<Uint8Array>;
  /**
   * DER certificates of the CA chain that issued `certificate()`, issuer first, root last;
   * absent or empty for a self-signed certificate.
   */
  chain?(): Promise<Uint8Array[]>;
}

/** A CA-issued certificate of an agency's signing key with its chain (issuer first, root last). */
export interface IssuedCertificate {
  certificate: Uint8Array;
  chain: Uint8Array[];
}

/** Where imported agency certificates are kept, for the signer directory to pick up. */
export interface IssuedCertificateStore {
  /** The agency's imported certificate, or undefined when none was imported. */
  get(agencyId: string): Promise<IssuedCertificate | undefined>;
  put(agencyId: string, issued: IssuedCertificate): Promise<void>;
}

/** Finds the signing key of an agency. */
export interface SignerDirectory {
  forAgency(agencyId: string): Promise<DigestSigner>;
}

/** Signs and verifies PDFs (PAdES baseline). */
export interface PdfSigner {
  sign(
    pdf: Uint8Array,
    signer: DigestSigner,
    options: { reason: string; location: string; signedAt: Date },
  ): Promise<{ pdf: Uint8Array; info: SignatureInfo }>;
}

/** Starts a document pipeline execution; a name already used is not an error. */
export interface ExecutionStarter {
  start(name: string, input: unknown): Promise<{ started: boolean; executionArn?: string }>;
  /** Whether the execution of that name is still running (false when there is none). */
  isRunning(name: string): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  newId(): string;
}

/** One page of a document as an image, ready for OCR. */
export interface PageImage {
  pageNumber: number;
  image: Uint8Array;
}

/** What the pipeline needs from PDF and image libraries. */
export interface DocumentToolkit {
  /**
   * Checks magic bytes, size, page count and pixel limits (throws QuarantineError) while reading the upload once, as it arrives: counts and hashes
   * (SHA-256) the bytes, stops at the first byte past the declared size or `maxBytes`, and
   * quarantines PDFs over `maxInMemoryPdfBytes` (pdfjs needs whole files). Images never sit in
   * memory whole. A declared `sha256Base64` that differs fails with CHECKSUM_MISMATCH. A PDF
   * comes back as `pdf`, so that it need not be read again, unless `keepPdf` is false (which
   * saves a copy of it).
   */
  inspectStream(
    chunks: AsyncIterable<Uint8Array>,
    declared: { mediaType: string; size: number; sha256Base64?: string },
    limits: { maxBytes: number; maxPages: number; maxPixelsPerPage: number; maxInMemoryPdfBytes: number },
    options?: { keepPdf?: boolean },
  ): Promise<{
    mediaType: string;
    pageCount: number;
    hasTextLayer?: boolean;
    sha256Base64: string;
    size: number;
    pdf?: Uint8Array;
  }>;
  renderPdfPages(
    pdf: Uint8Array,
    options: { dpi: number; maxPixelsPerPage: number },
  ): AsyncIterable<PageImage>;
  normaliseImagePages(
    bytes: Uint8Array,
    mediaType: string,
    options: { maxPixelsPerPage: number },
  ): AsyncIterable<PageImage>;
  /** Whether a JPEG, judged from its first bytes, can go to OCR as it is (upright, grey or RGB). */
  isOcrReadyJpegHeader(head: Uint8Array): Promise<boolean>;
  /**
   * Concatenates page PDFs in order, pulling each (from an async generator, say) only once the
   * previous one is copied; fails with TOO_LARGE when they add up to more than `maxTotalBytes`.
   */
  mergePdfPages(
    pages: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    options?: { maxTotalBytes?: number },
  ): Promise<Uint8Array>;
  /** A one-page PDF of a JPEG or PNG page image, for OCR engines that make no PDF. */
  imagePageToPdf(image: Uint8Array, dpi: number): Promise<Uint8Array>;
}

/** A signing certificate's validity period, and where the verification time falls in it. */
export interface CertificateValidity {
  notBefore: string;
  notAfter: string;
  /** At the verification time. */
  status: 'valid' | 'expired' | 'not-yet-valid';
}

/** What a signature's RFC 3161 timestamp says, and whether it holds. */
export interface TimestampVerification {
  /** ISO time the authority put in the token. */
  genTime: string;
  /** Subject common name of the authority's certificate. */
  authority: string;
  serialNumber: string;
  policy: string;
  /** SHA-256 (hex) of the authority's certificate, when the token carries it. */
  certificateFingerprint?: string;
  /** The token is over this signature's value. */
  imprintMatches: boolean;
  /**
   * The token's signature verifies with a time-stamping certificate (critical extendedKeyUsage
   * id-kp-timeStamping) whose validity holds genTime.
   */
  signatureValid: boolean;
  /** genTime lies within the signing certificate's validity. */
  withinCertificateValidity: boolean;
  /** All of the above. */
  valid: boolean;
}

/** Result of checking one signature in a PDF. */
export interface SignatureVerification {
  valid: boolean;
  signer: string;
  /** SHA-256 (hex) of the certificate the file carries for this signature. */
  certificateFingerprint?: string;
  signedAt?: string;
  message: string;
  /** Present when the signature certifies the document (DocMDP); `changesPermitted` is false once a later update exceeds `permission`. */
  certification?: { permission: 1 | 2 | 3; changesPermitted: boolean };
  /** The signing certificate's validity period and its state at the verification time. */
  certificateValidity?: CertificateValidity;
  /** The signature's RFC 3161 timestamp (PAdES B-T), when it carries one. */
  timestamp?: TimestampVerification;
  /**
   * Where the certificate was found valid: at the verification time, or at the timestamp's time
   * (expired since). Absent when neither: the signature is then not valid.
   */
  certificateValidAt?: 'verification-time' | 'timestamp';
  /** Present when the chain was checked against a trusted root: whether it reaches that root. */
  chainTrusted?: boolean;
}

export interface PdfSignatureVerifier {
  /**
   * Checks every signature of a PDF, judging certificates at `at` (@default now). With `agencyId`,
   * each signature's chain is also checked against the root CA of that agency's imported
   * certificate, when it has one (SignatureVerification.chainTrusted).
   */
  verify(pdf: Uint8Array, options?: { at?: Date; agencyId?: string }): Promise<SignatureVerification[]>;
}

/**
 * What the pipeline counts as its steps finish (CloudWatch metrics through Powertools in AWS and
 * the embedded runtime; an in-memory recorder in tests).
 */
export interface PipelineMetrics {
  /** A document reached the archive. */
  archived(): void;
  /** A document ended in quarantine, for this reason. */
  quarantined(reason: string): void;
  /** `pages` page images were read by OCR in `seconds`. */
  pagesRecognised(pages: number, seconds: number): void;
}
