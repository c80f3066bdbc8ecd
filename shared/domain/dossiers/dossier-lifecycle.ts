/**
 * The dossier lifecycle as the national portal's status codes describe it (DOMAIN.md): which
 * action each status allows and where it leads. Every command checks here first; a forbidden one
 * is refused with the actions the dossier's status does allow.
 */
import { DOSSIER_STATUS, type DossierStatus } from '#shared/domain/dossiers/dossier.ts';
import { ConflictError } from '#shared/domain/errors.ts';

const S = DOSSIER_STATUS;

/** The names production systems give the statuses (TrangThaiHoSo). */
export const DOSSIER_STATUS_NAMES: Record<DossierStatus, string> = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
};

/**
 * What can be done to a dossier. Step actions (accept, complete, request-supplement, request-fee)
 * name one of its steps; the others act on the dossier as a whole.
 */
export const DOSSIER_ACTIONS = {
  /** The counter receives an online registration (1 → 2). */
  receive: { from: [S.registeredOnline], to: S.received, step: false },
  /** An officer takes a waiting step; the competent agency's first acceptance starts processing. */
  accept: { from: [S.received, S.processing], to: S.processing, step: true },
  /** An officer finishes a step; the last processing step makes the dossier processed (9), the return step returned (10). */
  complete: { from: [S.received, S.processing, S.processed], to: undefined, step: true },
  'request-supplement': { from: [S.processing], to: S.supplementRequested, step: true },
  'answer-supplement': { from: [S.supplementRequested], to: S.processing, step: false },
  'request-fee': { from: [S.processing], to: S.feeRequested, step: true },
  'pay-fee': { from: [S.feeRequested], to: S.processing, step: false },
  /** Refusal slip (phiếu từ chối): not received. */
  refuse: { from: [S.registeredOnline, S.received], to: S.refused, step: false },
  stop: { from: [S.processing, S.supplementRequested, S.feeRequested], to: S.stopped, step: false },
  /** At the applicant's request, from any open status. */
  withdraw: {
    from: [S.registeredOnline, S.received, S.processing, S.supplementRequested, S.feeRequested],
    to: S.withdrawn,
    step: false,
  },
  /** The applicant rates the service once the result is back. */
  rate: { from: [S.returned], to: S.returned, step: false },
} as const satisfies Record<
  string,
  { from: readonly DossierStatus[]; to: DossierStatus | undefined; step: boolean }
>;

export type DossierAction = keyof typeof DOSSIER_ACTIONS;
export const DOSSIER_ACTION_NAMES = Object.keys(DOSSIER_ACTIONS) as DossierAction[];

/** Statuses after which nothing happens to the dossier but a rating. */
export const END_STATUSES: readonly DossierStatus[] = [S.refused, S.withdrawn, S.stopped, S.returned];

/** Statuses in which routing has ended early (3, 7, 8): open steps are cancelled. */
export const ENDED_EARLY_STATUSES: readonly DossierStatus[] = [S.refused, S.withdrawn, S.stopped];

export function isDossierAction(name: string): name is DossierAction {
  return Object.hasOwn(DOSSIER_ACTIONS, name);
}

/** The actions a status allows, in the order DOSSIER_ACTIONS lists them. */
export function allowedActions(status: DossierStatus): DossierAction[] {
  return DOSSIER_ACTION_NAMES.filter((action) =>
    (DOSSIER_ACTIONS[action].from as readonly DossierStatus[]).includes(status),
  );
}

/** A transition the lifecycle forbids (HTTP 409): the error names the actions that are allowed. */
export class TransitionNotAllowedError extends ConflictError {
  constructor(
    readonly action: string,
    readonly status: DossierStatus,
    override readonly allowed: readonly string[],
    detail?: string,
  ) {
    super(
      'TRANSITION_NOT_ALLOWED',
      `cannot ${action} ${detail ?? `a dossier in status ${status} (${DOSSIER_STATUS_NAMES[status]})`}; allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`,
    );
  }
}

/** @throws TransitionNotAllowedError when the dossier's status does not allow the action. */
export function checkTransition(status: DossierStatus, action: DossierAction): void {
  if (!(DOSSIER_ACTIONS[action].from as readonly DossierStatus[]).includes(status)) {
    throw new TransitionNotAllowedError(action, status, allowedActions(status));
  }
}
