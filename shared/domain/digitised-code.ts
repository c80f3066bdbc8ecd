/**
 * Digitised paper codes (mã giấy tờ số hoá): `{ownerId}.{docType}.{NN}`, or
 * `{ownerId}.{procedureCode}.{docType}.{NN}` for a component submitted for a procedure,
 * e.g. `038319001234.KS.01` or `038319001234.1.001776.KS.01`.
 */
import { ValidationError } from '#shared/domain/errors.ts';
import { type OwnerKind, parseOwnerId } from '#shared/domain/identifiers.ts';

/** The parts of a digitised code. */
export interface DigitisedCodeParts {
  /** Personal ID (12 digits) or tax code (`NNNNNNNNNN` or `NNNNNNNNNN-NNN`). */
  ownerId: string;
  /** Document-type code from the province's catalogue, e.g. `KS`. */
  docType: string;
  /** 1-based suffix: two digits up to 99, more beyond. */
  sequence: number;
  /** Procedure code (MaTTHC), e.g. `1.001776`, on submitted components. */
  procedureCode?: string;
}

/** Parts of a parsed code, with the kind of owner the identifier denotes. */
export interface ParsedDigitisedCode extends DigitisedCodeParts {
  ownerKind: OwnerKind;
}

/** Same rule as the province configuration's document-type codes. */
export const DOC_TYPE_CODE_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
/** National procedure codes look like `1.001776`; local catalogues may use letters and dashes. */
export const PROCEDURE_CODE_PATTERN = /^[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*$/;
const MAX_PROCEDURE_CODE_LENGTH = 40;
const INVALID = 'INVALID_DIGITISED_CODE';

function sequenceSuffix(sequence: number): string {
  return String(sequence).padStart(2, '0');
}

function checkParts(parts: DigitisedCodeParts, code: string): ParsedDigitisedCode {
  const owner = parseOwnerId(parts.ownerId);
  if (!owner.ok || !owner.kind) {
    const reason = owner.ok ? 'unknown kind' : owner.reason;
    throw new ValidationError(INVALID, `${code}: owner identifier "${parts.ownerId}" is invalid: ${reason}`);
  }
  if (!DOC_TYPE_CODE_PATTERN.test(parts.docType)) {
    throw new ValidationError(
      INVALID,
      `${code}: document type "${parts.docType}" must be 2–10 capital letters or digits, starting with a letter`,
    );
  }
  if (!Number.isSafeInteger(parts.sequence) || parts.sequence < 1) {
    throw new ValidationError(
      INVALID,
      `${code}: sequence must be a whole number from 1 (got ${parts.sequence})`,
    );
  }
  const procedureCode = parts.procedureCode;
  if (
    procedureCode !== undefined &&
    (procedureCode.length > MAX_PROCEDURE_CODE_LENGTH || !PROCEDURE_CODE_PATTERN.test(procedureCode))
  ) {
    throw new ValidationError(
      INVALID,
      `${code}: procedure code "${procedureCode}" must be letters and digits separated by dots or dashes, such as 1.001776`,
    );
  }
  return {
    ownerId: owner.value,
    ownerKind: owner.kind,
    docType: parts.docType,
    sequence: parts.sequence,
    ...(procedureCode === undefined ? {} : { procedureCode }),
  };
}

/**
 * Formats a digitised code, e.g. `038319001234.KS.01`; with a procedure code
 * `038319001234.1.001776.KS.01`. The owner ID is written in canonical form.
 * @throws ValidationError `INVALID_DIGITISED_CODE` when a part is invalid.
 */
export function formatDigitisedCode(parts: DigitisedCodeParts): string {
  const checked = checkParts(parts, 'digitised code');
  return [checked.ownerId, checked.procedureCode, checked.docType, sequenceSuffix(checked.sequence)]
    .filter((part) => part !== undefined)
    .join('.');
}

/**
 * Parses a digitised code into its parts. The owner ID comes first (it has no dots), the
 * document type and suffix last; anything between them is the procedure code.
 * @throws ValidationError `INVALID_DIGITISED_CODE` with a message naming the bad part.
 */
export function parseDigitisedCode(input: string): ParsedDigitisedCode {
  const code = input.trim();
  const fields = code.split('.');
  if (fields.length < 3) {
    throw new ValidationError(
      INVALID,
      `"${input}" is not a digitised code: expected {ownerId}.{docType}.{NN} or {ownerId}.{procedureCode}.{docType}.{NN}`,
    );
  }
  const ownerId = fields[0] as string;
  const suffix = fields[fields.length - 1] as string;
  const docType = fields[fields.length - 2] as string;
  const procedureCode = fields.length > 3 ? fields.slice(1, -2).join('.') : undefined;
  const sequence = Number(suffix);
  if (!/^\d{2,}$/.test(suffix) || sequenceSuffix(sequence) !== suffix) {
    throw new ValidationError(
      INVALID,
      `"${input}": suffix "${suffix}" must be a two-digit number (01–99), or the number itself beyond 99`,
    );
  }
  return checkParts(
    { ownerId, docType, sequence, ...(procedureCode === undefined ? {} : { procedureCode }) },
    `"${input}"`,
  );
}
