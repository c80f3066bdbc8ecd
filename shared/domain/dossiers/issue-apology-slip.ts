/**
 * The apology slip (phiếu xin lỗi và hẹn lại ngày trả kết quả): an agency that will miss a
 * dossier's promised date issues it at least one working day before that date, with a new, later
 * promised date. It changes what the applicant is told, never the due date that on-time figures
 * judge against (the clock ignores slips).
 */

import { dateOfDay, formatLocal, localDayOf } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { isWorkingDay } from '#shared/domain/calendar/working-calendar.ts';
import { isWorkingInstant } from '#shared/domain/calendar/working-time.ts';
import { ValidationError } from '#shared/domain/errors.ts';

export type ApologySlipErrorCode =
  /** The dossier already had the slips the province allows. */
  | 'APOLOGY_SLIP_LIMIT_REACHED'
  /** Issued later than the working day before the promised date. */
  | 'APOLOGY_SLIP_TOO_LATE'
  /** The new date is not after the promised date it replaces. */
  | 'APOLOGY_SLIP_NOT_LATER'
  /** The new date is not inside working hours. */
  | 'APOLOGY_SLIP_OUTSIDE_WORKING_HOURS';

export class ApologySlipError extends ValidationError {
  constructor(
    override readonly code: ApologySlipErrorCode,
    message: string,
  ) {
    super(code, message);
  }
}

export interface ApologySlipRequest {
  /** The promised date being replaced: the due date, or the previous slip's date. */
  readonly promisedAt: Date;
  readonly issuedAt: Date;
  readonly newPromisedAt: Date;
  /** Slips the dossier already has. */
  readonly slipsIssued: number;
}

export type ApologySlipResult =
  | { readonly ok: true; readonly promisedAt: Date }
  | { readonly ok: false; readonly error: ApologySlipError };

/**
 * Validates an apology slip and returns its new promised date, or why it cannot be issued.
 * @param policy.maxApologySlips slips allowed per dossier (province setting). @default 1
 * @throws CalendarRangeError when a date is outside the calendar.
 */
export function issueApologySlip(
  request: ApologySlipRequest,
  calendar: WorkingCalendar,
  policy: { readonly maxApologySlips?: number } = {},
): ApologySlipResult {
  const fail = (code: ApologySlipErrorCode, message: string): ApologySlipResult => ({
    ok: false,
    error: new ApologySlipError(code, message),
  });
  const maxApologySlips = policy.maxApologySlips ?? 1;
  if (request.slipsIssued >= maxApologySlips) {
    return fail('APOLOGY_SLIP_LIMIT_REACHED', `a dossier may have ${maxApologySlips} apology slip(s)`);
  }
  let lastIssueDay = localDayOf(request.promisedAt) - 1;
  while (!isWorkingDay(calendar, lastIssueDay)) lastIssueDay -= 1;
  if (localDayOf(request.issuedAt) > lastIssueDay) {
    return fail(
      'APOLOGY_SLIP_TOO_LATE',
      `for a date promised at ${formatLocal(request.promisedAt)} the slip must be issued by ${dateOfDay(lastIssueDay)}`,
    );
  }
  if (request.newPromisedAt <= request.promisedAt) {
    return fail('APOLOGY_SLIP_NOT_LATER', `the new date must be after ${formatLocal(request.promisedAt)}`);
  }
  if (!isWorkingInstant(calendar, request.newPromisedAt)) {
    return fail(
      'APOLOGY_SLIP_OUTSIDE_WORKING_HOURS',
      `${formatLocal(request.newPromisedAt)} is not inside working hours`,
    );
  }
  return { ok: true, promisedAt: request.newPromisedAt };
}
