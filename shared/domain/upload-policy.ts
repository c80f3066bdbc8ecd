/**
 * What an agency may upload, and where an upload lands in the incoming bucket.
 * Object keys are built only from validated identifiers, never from a client's file name.
 */
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { UPLOAD_MEDIA_TYPES, type UploadMediaType } from '#shared/domain/document.ts';
import { ValidationError } from '#shared/domain/errors.ts';

/** A validated upload request. */
export interface UploadRequest {
  agencyId: string;
  dossierId?: string;
  componentId?: string;
  mediaType: UploadMediaType;
  /** Declared size in bytes. */
  size: number;
  /** SHA-256 of the file, base64 (what S3's `x-amz-checksum-sha256` expects). */
  sha256Base64: string;
}

/** Error codes {@link validateUploadRequest} throws. */
export const UPLOAD_ERROR_CODES = [
  'INVALID_REQUEST',
  'UNKNOWN_AGENCY',
  'AGENCY_NOT_ONE_STOP',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_SIZE',
  'FILE_TOO_LARGE',
  'INVALID_SHA256',
  'INVALID_DOSSIER_ID',
  'INVALID_COMPONENT_ID',
] as const;

/** Dossier, component and document IDs in keys: letters, digits, `.`, `-`, `_`; 1–64 chars. */
export const SAFE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Prefix of every upload key. */
export const INCOMING_PREFIX = 'incoming';
const NONE = '_';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalSafeId(
  value: unknown,
  field: 'dossierId' | 'componentId',
  code: string,
): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !SAFE_ID_PATTERN.test(value)) {
    throw new ValidationError(
      code,
      `${field} must be 1–64 letters, digits, '.', '-' or '_', starting with a letter or digit`,
    );
  }
  return value;
}

function checkAgency(value: unknown, config: ProvinceConfig): string {
  const agency =
    typeof value === 'string' ? config.agencies.find((candidate) => candidate.id === value) : undefined;
  if (!agency) throw new ValidationError('UNKNOWN_AGENCY', `unknown agency ${JSON.stringify(value)}`);
  if (!agency.oneStop) {
    throw new ValidationError(
      'AGENCY_NOT_ONE_STOP',
      `agency ${agency.id} has no one-stop department to receive scans`,
    );
  }
  return agency.id;
}

function checkMediaType(value: unknown): UploadMediaType {
  const normalised = typeof value === 'string' ? value.split(';')[0]?.trim().toLowerCase() : undefined;
  const mediaType = UPLOAD_MEDIA_TYPES.find((allowed) => allowed === normalised);
  if (!mediaType) {
    throw new ValidationError(
      'UNSUPPORTED_MEDIA_TYPE',
      `mediaType must be one of ${UPLOAD_MEDIA_TYPES.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return mediaType;
}

function checkSize(value: unknown, maxBytes: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ValidationError('INVALID_SIZE', 'size must be a whole number of bytes greater than 0');
  }
  if (value > maxBytes) {
    const megabytes = Math.round((maxBytes / 1024 ** 2) * 100) / 100;
    throw new ValidationError('FILE_TOO_LARGE', `size ${value} bytes exceeds the limit of ${megabytes} MB`);
  }
  return value;
}

/** Accepts a SHA-256 as 64 hex characters or 44 base64 characters; returns base64. */
export function sha256ToBase64(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex').toString('base64');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32) return value;
  return undefined;
}

/**
 * Validates an upload request against the province's configuration.
 * @throws ValidationError with one of {@link UPLOAD_ERROR_CODES}.
 */
export function validateUploadRequest(input: unknown, config: ProvinceConfig): UploadRequest {
  if (!isRecord(input))
    throw new ValidationError('INVALID_REQUEST', 'the upload request must be a JSON object');
  const agencyId = checkAgency(input.agencyId, config);
  const dossierId = optionalSafeId(input.dossierId, 'dossierId', 'INVALID_DOSSIER_ID');
  const componentId = optionalSafeId(input.componentId, 'componentId', 'INVALID_COMPONENT_ID');
  const mediaType = checkMediaType(input.mediaType);
  const size = checkSize(input.size, config.uploads.maxBytes);
  const sha256Base64 = sha256ToBase64(input.sha256);
  if (!sha256Base64) {
    throw new ValidationError(
      'INVALID_SHA256',
      'sha256 must be the SHA-256 of the file as 64 hex or 44 base64 characters',
    );
  }
  return {
    agencyId,
    ...(dossierId === undefined ? {} : { dossierId }),
    ...(componentId === undefined ? {} : { componentId }),
    mediaType,
    size,
    sha256Base64,
  };
}

/** The parts of an upload's object key. */
export interface UploadKeyParts {
  agencyId: string;
  dossierId?: string;
  componentId?: string;
  documentId: string;
}

/**
 * The incoming object key: `incoming/{agency}/{dossier|_}/{component|_}/{documentId}`.
 * @throws ValidationError `INVALID_KEY_PART` when a part is not a safe identifier.
 */
export function uploadObjectKey(parts: UploadKeyParts): string {
  const segments = [parts.agencyId, parts.dossierId ?? NONE, parts.componentId ?? NONE, parts.documentId];
  const bad = [parts.agencyId, parts.dossierId, parts.componentId, parts.documentId].find(
    (part) => part !== undefined && !SAFE_ID_PATTERN.test(part),
  );
  if (bad !== undefined)
    throw new ValidationError('INVALID_KEY_PART', `unsafe object key part ${JSON.stringify(bad)}`);
  return [INCOMING_PREFIX, ...segments].join('/');
}

/** Reads an incoming object key back into its parts; undefined when it is not one. */
export function parseUploadObjectKey(key: string): UploadKeyParts | undefined {
  const segments = key.split('/');
  if (segments.length !== 5 || segments[0] !== INCOMING_PREFIX) return undefined;
  const [, agencyId, dossier, component, documentId] = segments as [string, string, string, string, string];
  const optional = (segment: string): string | undefined | false =>
    segment === NONE ? undefined : SAFE_ID_PATTERN.test(segment) ? segment : false;
  const dossierId = optional(dossier);
  const componentId = optional(component);
  if (
    !SAFE_ID_PATTERN.test(agencyId) ||
    !SAFE_ID_PATTERN.test(documentId) ||
    dossierId === false ||
    componentId === false
  ) {
    return undefined;
  }
  return {
    agencyId,
    ...(dossierId === undefined ? {} : { dossierId }),
    ...(componentId === undefined ? {} : { componentId }),
    documentId,
  };
}
