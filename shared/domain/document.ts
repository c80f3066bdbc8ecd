/** Media types an agency may upload. */
export const UPLOAD_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'] as const;
export type UploadMediaType = (typeof UPLOAD_MEDIA_TYPES)[number];

/**
 * Lifecycle of an uploaded paper:
 * AWAITING_UPLOAD → PROCESSING → ARCHIVED | QUARANTINED | NEEDS_REVIEW (→ PROCESSING → ARCHIVED).
 */
export type DocumentStatus = 'AWAITING_UPLOAD' | 'PROCESSING' | 'NEEDS_REVIEW' | 'ARCHIVED' | 'QUARANTINED';

export const TERMINAL_STATUSES: readonly DocumentStatus[] = ['ARCHIVED', 'QUARANTINED'];

/** What the classifier concluded, or what an officer decided on review. */
export interface Classification {
  docType?: string;
  ownerId?: string;
  /** 0..1; below the province's threshold the document needs review. */
  confidence: number;
  /** Why a human must look at it, when one must. */
  reviewReason?: 'UNKNOWN_TYPE' | 'LOW_CONFIDENCE' | 'NO_OWNER_ID' | 'AMBIGUOUS_OWNER_ID';
  /** The title line the type was recognised from. */
  title?: string;
  decidedBy: 'classifier' | 'officer';
}

/** Who a signing certificate names and when it is valid. */
export interface CertificateDetails {
  /** Distinguished name in the certificate's order, e.g. `C=VN, ST=…, O=…, CN=…`. */
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

export interface SignatureInfo {
  signer: string;
  algorithm: string;
  signedAt: string;
  /** SHA-256 (hex) of the signing certificate: verification later checks against this one, not whatever a file carries. */
  certificateFingerprint: string;
  certificate?: CertificateDetails;
  /** SHA-256 (hex) of the signed PDF as it left the signer. */
  signedPdfSha256?: string;
  /** Present when the signature certifies the document: its DocMDP permission (2: only form fill-in and further signatures). */
  certification?: { permission: 1 | 2 | 3 };
  /**
   * The RFC 3161 timestamp over the signature (PAdES B-T), which proves the signature existed
   * while its certificate was valid; absent for a B-B signature.
   */
  timestamp?: SignatureTimestampInfo;
}

/** A signature timestamp, as recorded at signing. */
export interface SignatureTimestampInfo {
  /** ISO time the authority put in the token. */
  genTime: string;
  /** Subject common name of the time-stamping authority's certificate. */
  authority: string;
  /** The token's serial number, lowercase hex. */
  serialNumber: string;
  /** SHA-256 (hex) of the authority's certificate. */
  certificateFingerprint?: string;
}

/** One uploaded paper, from the upload request to its terminal state. */
export interface DocumentRecord {
  documentId: string;
  agencyId: string;
  dossierId?: string;
  componentId?: string;
  uploadedBy: string;
  /** What the uploader declared; `unknown` for an object nobody asked to upload. */
  mediaType: UploadMediaType | 'unknown';
  declaredSize: number;
  /** Base64 SHA-256 the uploader declared; S3 checks it on PUT. */
  declaredSha256: string;
  bucket: string;
  key: string;
  status: DocumentStatus;
  createdAt: string;
  updatedAt: string;
  pageCount?: number;
  /** Every page is rendered and read by OCR; a PDF's own text layer is never trusted. */
  textSource?: 'ocr';
  ocrConfidence?: number;
  classification?: Classification;
  code?: string;
  archive?: {
    bucket: string;
    signedPdfKey: string;
    originalKey: string;
    textKey: string;
    retainUntil: string;
    /** The archived objects' versions: reads name them, so a later write can never change what is read. */
    versions?: { signedPdf?: string; original?: string; text?: string };
  };
  /** The pipeline run (execution name) that owns the document while it is processed. */
  runId?: string;
  /** Epoch seconds after which an upload request that was never used is deleted (DynamoDB TTL). */
  expiresAt?: number;
  signature?: SignatureInfo;
  quarantine?: { reason: string; message: string; at: string };
  /** How many times the reconciler restarted a stalled pipeline for it. */
  resumeCount?: number;
}
