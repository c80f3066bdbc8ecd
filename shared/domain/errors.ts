/** Base class of the errors the domain raises on purpose; anything else is a defect or an outage. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
}

/** The request is malformed or breaks a rule (HTTP 400). */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The caller is not authenticated (HTTP 401). */
export class AuthenticationError extends DomainError {
  override readonly name = 'AuthenticationError';
  readonly code = 'UNAUTHENTICATED';
}

/** The caller may not do this (HTTP 403). */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

/** The thing asked for does not exist, or the caller may not know it exists (HTTP 404). */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
}

/** The request conflicts with the current state (HTTP 409). */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An uploaded object cannot be processed and must end in quarantine.
 * The message starts with the machine-readable reason so that it survives Step Functions'
 * error serialisation (`{Error, Cause}`) unchanged.
 */
export class QuarantineError extends DomainError {
  override readonly name = 'QuarantineError';
  constructor(
    readonly code: QuarantineReason,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/** Why an uploaded object was quarantined. */
export const QUARANTINE_REASONS = [
  'UNKNOWN_UPLOAD',
  'EMPTY_FILE',
  'SIZE_MISMATCH',
  'TOO_LARGE',
  'CHECKSUM_MISMATCH',
  'UNSUPPORTED_MEDIA_TYPE',
  'MEDIA_TYPE_MISMATCH',
  'CORRUPT_FILE',
  'TOO_MANY_PAGES',
  'TOO_MANY_PIXELS',
  'NO_TEXT_FOUND',
  'PROCESSING_FAILED',
] as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number];
