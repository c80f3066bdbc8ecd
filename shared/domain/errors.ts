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
  /** What the state does allow, when that is a short list (a forbidden transition names them). */
  readonly allowed?: readonly string[];
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An uploaded object cannot be processed and must end in quarantine. The reason travels as the
 * error's name (`Quarantine.TOO_LARGE`), which Step Functions keeps as the error it catches.
 */
export class QuarantineError extends DomainError {
  override readonly name: `Quarantine.${QuarantineReason}`;
  constructor(
    readonly code: QuarantineReason,
    readonly detail: string,
  ) {
    super(detail);
    this.name = `Quarantine.${code}`;
  }
}

/**
 * A pipeline run that does not own its document (another run claimed it first, or took it over):
 * it ends quietly and changes nothing.
 */
export class SupersededRunError extends Error {
  override readonly name = 'Pipeline.Superseded';
}

/** The error a dossier's waiting routing steps fail with when it is refused, stopped or withdrawn. */
export const DOSSIER_ENDED_ERROR = 'Dossier.Ended';

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

/** The error names that carry a quarantine reason. */
export const QUARANTINE_ERROR_NAMES = QUARANTINE_REASONS.map((reason) => `Quarantine.${reason}` as const);

/** The quarantine reason an error name carries, if it carries one. */
export function quarantineReasonOf(errorName: string | undefined): QuarantineReason | undefined {
  const reason = errorName?.startsWith('Quarantine.') ? errorName.slice('Quarantine.'.length) : undefined;
  return QUARANTINE_REASONS.find((candidate) => candidate === reason);
}
