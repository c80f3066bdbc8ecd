/**
 * What officers do to a dossier after intake: take and finish steps, ask for a supplement or a
 * fee and record the answer, refuse, stop, withdraw at the applicant's request, and record the
 * applicant's rating. The lifecycle decides what each status allows (a forbidden action is a 409
 * naming the allowed ones); the step's callback token lets the routing workflow move on. Every
 * command carries an idempotency key: a retried command answers as the first did.
 */
import { z } from 'zod';
import { authorize, authorizeRole, isAllowed, type Principal } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { computeDueDate } from '#shared/domain/dossiers/compute-due-date.ts';
import {
  DOSSIER_STATUS,
  type Dossier,
  type DossierStatus,
  type DossierStep,
  isDossierCode,
  type ResultPaper,
} from '#shared/domain/dossiers/dossier.ts';
import {
  checkTransition,
  DOSSIER_ACTION_NAMES,
  type DossierAction,
  isDossierAction,
  TransitionNotAllowedError,
} from '#shared/domain/dossiers/dossier-lifecycle.ts';
import { extendOpenSteps } from '#shared/domain/dossiers/extend-open-steps.ts';
import { dossierClockEvents, trackDossierClock } from '#shared/domain/dossiers/track-dossier-clock.ts';
import {
  DOSSIER_ENDED_ERROR,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { TaskCallbacks } from '#shared/ports/task-callbacks.ts';
import type { Clock, DocumentRepository } from '#shared/ports.ts';
import { changeDossier } from './change-dossier.ts';
import { procedureOf } from './route-dossier.ts';

export interface ActOnDossierDependencies {
  config: ProvinceConfig;
  calendar: () => WorkingCalendar;
  dossiers: DossierRepository;
  /** Result papers must be archived documents. */
  documents: Pick<DocumentRepository, 'get'>;
  callbacks: TaskCallbacks;
  clock: Clock;
  /** Called after every change of a dossier (the national-portal outbox); again on a replay. */
  onChange?: (dossier: Dossier) => Promise<void>;
}

export interface DossierActionResult {
  dossier: Dossier;
  /** The answer of an earlier command with the same key. */
  replayed: boolean;
}

const bodySchema = z.strictObject({
  idempotencyKey: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/, 'must be 8–128 letters or digits'),
  /** The step acted on: required by accept, complete, request-supplement and request-fee. */
  stepId: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a step id such as 2 or 3.1')
    .optional(),
  /** Why: required to request a supplement or a fee, to refuse, stop or withdraw. */
  reason: z.string().trim().min(3).max(2000).optional(),
  note: z.string().trim().max(2000).optional(),
  /** Fee or charge asked for, in VND. */
  amount: z.number().int().positive().optional(),
  /** Archived papers a completed step produced (its signed intermediate result or the result). */
  documentIds: z.array(z.string().min(1)).max(20).optional(),
  /** The applicant's rating: 1 (very poor) to 5 (very good). */
  score: z.number().int().min(1).max(5).optional(),
  comment: z.string().trim().max(2000).optional(),
});
type ActionBody = z.output<typeof bodySchema>;

function parseBody(action: DossierAction, input: unknown): ActionBody {
  const parsed = bodySchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      'INVALID_DOSSIER_ACTION',
      `${issue?.path.join('.') || 'body'}: ${issue?.message}`,
    );
  }
  const body = parsed.data;
  const require = (field: keyof ActionBody, why: string) => {
    if (body[field] === undefined)
      throw new ValidationError('INVALID_DOSSIER_ACTION', `${field} is required ${why}`);
  };
  const { step } = ACTIONS[action];
  if (step) require('stepId', `to ${action}`);
  if (['request-supplement', 'request-fee', 'refuse', 'stop', 'withdraw'].includes(action)) {
    require('reason', `to ${action}`);
  }
  if (action === 'request-fee') require('amount', 'to request a fee');
  if (action === 'rate') require('score', 'to rate');
  return body;
}

/** Which step states each step action may start from. */
const ACTIONS: Record<DossierAction, { step: boolean; stepStates?: readonly DossierStep['state'][] }> = {
  receive: { step: false },
  accept: { step: true, stepStates: ['waiting'] },
  complete: { step: true, stepStates: ['waiting', 'in-progress'] },
  'request-supplement': { step: true, stepStates: ['waiting', 'in-progress'] },
  'answer-supplement': { step: false },
  'request-fee': { step: true, stepStates: ['waiting', 'in-progress'] },
  'pay-fee': { step: false },
  refuse: { step: false },
  stop: { step: false },
  withdraw: { step: false },
  rate: { step: false },
};

const COUNTER_ACTIONS: readonly DossierAction[] = [
  'receive',
  'refuse',
  'withdraw',
  'answer-supplement',
  'pay-fee',
  'rate',
];

export function createActOnDossier(deps: ActOnDossierDependencies) {
  function authorizeAction(
    principal: Principal,
    dossier: Dossier,
    action: DossierAction,
    step?: DossierStep,
  ): void {
    if (step) {
      const agency = step.agencyId;
      const ownRole = principal.roles.has(step.role as never) || principal.roles.has('agency-admin');
      if (
        !isAllowed(principal, 'dossier:process', agency) ||
        (!principal.roles.has('province-admin') && !ownRole)
      ) {
        throw new ForbiddenError(`step ${step.stepId} is for a ${step.role} of ${agency}`);
      }
      return;
    }
    if (COUNTER_ACTIONS.includes(action)) authorize(principal, 'dossier:counter', dossier.receivingUnitId);
    else authorize(principal, 'dossier:process', dossier.competentAgencyId);
  }

  async function resultPapers(dossier: Dossier, step: DossierStep, documentIds: readonly string[]) {
    const procedure = procedureOf(deps.config, dossier);
    const papers: ResultPaper[] = [];
    for (const documentId of documentIds) {
      const document = await deps.documents.get(documentId);
      if (document?.status !== 'ARCHIVED' || !document.code) {
        throw new ValidationError('RESULT_NOT_ARCHIVED', `document ${documentId} is not an archived paper`);
      }
      const type = deps.config.documentTypes.find(
        (candidate) => candidate.code === document.classification?.docType,
      );
      papers.push({
        documentId,
        digitisedCode: document.code,
        name: type?.name ?? document.code,
        stepId: step.stepId,
      });
    }
    // The procedure's result type makes a paper the dossier's result; other papers are intermediate.
    return papers.filter(
      (paper) =>
        procedure.resultDocumentType === undefined ||
        paper.digitisedCode.split('.').includes(procedure.resultDocumentType),
    );
  }

  return async function actOnDossier(
    principal: Principal,
    code: string,
    actionName: string,
    input: unknown,
  ): Promise<DossierActionResult> {
    authorizeRole(principal, 'dossier:counter', 'dossier:process');
    if (!isDossierCode(code)) {
      throw new ValidationError(
        'INVALID_DOSSIER_CODE',
        `${code} is not a dossier code ({unit}-{yyMMdd}-{NNNN})`,
      );
    }
    if (!isDossierAction(actionName)) {
      throw new NotFoundError(
        `no dossier action ${actionName} (actions: ${DOSSIER_ACTION_NAMES.join(', ')})`,
      );
    }
    const action = actionName;
    const body = parseBody(action, input);
    const seen = await deps.dossiers.getDossier(code);
    const visible =
      seen &&
      (isAllowed(principal, 'dossier:read', seen.receivingUnitId) ||
        isAllowed(principal, 'dossier:read', seen.competentAgencyId) ||
        seen.steps.some((step) => isAllowed(principal, 'dossier:read', step.agencyId)));
    if (!seen || !visible) throw new NotFoundError(`no dossier ${code}`);
    if (seen.appliedCommands[body.idempotencyKey] !== undefined) {
      await deps.onChange?.(seen);
      return { dossier: seen, replayed: true };
    }
    const seenStep = body.stepId === undefined ? undefined : seen.steps.find((s) => s.stepId === body.stepId);
    if (body.stepId !== undefined && !seenStep)
      throw new NotFoundError(`dossier ${code} has no step ${body.stepId}`);
    authorizeAction(principal, seen, action, seenStep);
    const results =
      action === 'complete' && seenStep && body.documentIds
        ? await resultPapers(seen, seenStep, body.documentIds)
        : [];

    const now = deps.clock.now();
    const at = now.toISOString();
    let callbacks: { token: string; kind: 'succeed' | 'fail'; stepId: string }[] = [];
    let replayed = false;
    const { dossier } = await changeDossier(
      deps.dossiers,
      code,
      (draft) => {
        callbacks = [];
        replayed = false;
        if (draft.appliedCommands[body.idempotencyKey] !== undefined) {
          replayed = true;
          return undefined;
        }
        checkTransition(draft.status, action);
        const step =
          body.stepId === undefined ? undefined : draft.steps.find((s) => s.stepId === body.stepId);
        if (step) checkStep(draft, step, action);
        const event = { at, action, by: principal.userId, ...(step ? { stepId: step.stepId } : {}) };
        switch (action) {
          case 'receive': {
            // The counter receives an online registration: the clock starts now.
            draft.status = DOSSIER_STATUS.received;
            draft.receivedAt = at;
            draft.receivedBy = principal.userId;
            draft.dueAt = computeDueDate(
              now,
              procedureOf(deps.config, draft).limit,
              deps.calendar(),
            ).toISOString();
            const intake = draft.steps.find((s) => s.kind === 'intake');
            if (intake)
              Object.assign(intake, {
                state: 'completed',
                startedAt: at,
                finishedAt: at,
                finishedBy: principal.userId,
              });
            return event;
          }
          case 'accept':
            if (!step) return undefined;
            step.state = 'in-progress';
            step.acceptedAt = at;
            step.acceptedBy = principal.userId;
            if (step.kind === 'processing') draft.status = DOSSIER_STATUS.processing;
            return event;
          case 'complete': {
            if (!step) return undefined;
            step.state = 'completed';
            step.acceptedAt ??= at;
            step.acceptedBy ??= principal.userId;
            step.finishedAt = at;
            step.finishedBy = principal.userId;
            if (body.note) step.note = body.note;
            if (body.documentIds) step.resultDocumentIds = body.documentIds;
            draft.results.push(
              ...results.filter((paper) => !draft.results.some((r) => r.documentId === paper.documentId)),
            );
            if (step.taskToken)
              callbacks.push({ token: step.taskToken, kind: 'succeed', stepId: step.stepId });
            if (step.kind === 'return') {
              draft.status = DOSSIER_STATUS.returned;
              draft.returnedAt = at;
            } else if (draft.steps.every((s) => s.kind !== 'processing' || s.state === 'completed')) {
              draft.status = DOSSIER_STATUS.processed;
              draft.finishedAt = at;
            } else {
              draft.status = DOSSIER_STATUS.processing;
            }
            return { ...event, ...(body.note ? { note: body.note } : {}) };
          }
          case 'request-supplement':
            draft.status = DOSSIER_STATUS.supplementRequested;
            draft.supplements.push({
              requestedAt: at,
              requestedBy: principal.userId,
              stepId: body.stepId ?? '',
              reason: body.reason ?? '',
              dueBefore: draft.dueAt,
            });
            return { ...event, note: body.reason };
          case 'answer-supplement': {
            const open = draft.supplements.at(-1);
            if (open) open.answeredAt = at;
            draft.status = DOSSIER_STATUS.processing;
            draft.dueAt = dueAfterPause(draft, now);
            if (open) {
              open.dueAfter = draft.dueAt;
              extendOpenSteps(draft.steps, new Date(open.requestedAt), now, deps.calendar());
            }
            return event;
          }
          case 'request-fee':
            draft.status = DOSSIER_STATUS.feeRequested;
            draft.feeRequests.push({
              requestedAt: at,
              requestedBy: principal.userId,
              stepId: body.stepId ?? '',
              amount: body.amount ?? 0,
              reason: body.reason ?? '',
            });
            return { ...event, note: body.reason };
          case 'pay-fee': {
            const open = draft.feeRequests.at(-1);
            if (open) {
              open.paidAt = at;
              extendOpenSteps(draft.steps, new Date(open.requestedAt), now, deps.calendar());
            }
            draft.status = DOSSIER_STATUS.processing;
            draft.dueAt = dueAfterPause(draft, now);
            return event;
          }
          case 'refuse':
          case 'stop':
          case 'withdraw': {
            const status = {
              refuse: DOSSIER_STATUS.refused,
              stop: DOSSIER_STATUS.stopped,
              withdraw: DOSSIER_STATUS.withdrawn,
            }[action];
            draft.status = status;
            draft.finishedAt = at;
            draft.endReason = body.reason;
            for (const open of draft.steps) {
              if (open.state === 'completed' || open.state === 'cancelled') continue;
              if (open.taskToken)
                callbacks.push({ token: open.taskToken, kind: 'fail', stepId: open.stepId });
              open.state = 'cancelled';
            }
            return { ...event, note: body.reason };
          }
          case 'rate':
            if (draft.rating) {
              throw new TransitionNotAllowedError('rate', draft.status, [], 'a dossier rated already');
            }
            draft.rating = { score: body.score ?? 0, ...(body.comment ? { comment: body.comment } : {}), at };
            return event;
        }
      },
      body.idempotencyKey,
    );
    await deps.onChange?.(dossier);
    for (const callback of callbacks) {
      if (callback.kind === 'succeed') {
        const step = dossier.steps.find((s) => s.stepId === callback.stepId);
        await deps.callbacks.succeed(callback.token, {
          stepId: callback.stepId,
          state: step?.state,
          finishedAt: step?.finishedAt,
        });
      } else {
        await deps.callbacks.fail(
          callback.token,
          DOSSIER_ENDED_ERROR,
          dossier.endReason ?? `dossier ${code} ended`,
        );
      }
    }
    return { dossier, replayed };
  };

  /** The due date once a pause ends, as the clock module computes it (pause or restart per province). */
  function dueAfterPause(dossier: Dossier, now: Date): string {
    const procedure = procedureOf(deps.config, dossier);
    const clock = trackDossierClock(dossierClockEvents(dossier), procedure.limit, deps.calendar(), {
      at: now,
      supplementResume: deps.config.dossiers.supplementResume,
    });
    return clock.dueAt.toISOString();
  }
}

/** A step action needs the step in a state that allows it, and the right kind of step. */
function checkStep(dossier: Dossier, step: DossierStep, action: DossierAction): void {
  const allowedHere = (Object.keys(ACTIONS) as DossierAction[]).filter((name) => {
    const states = ACTIONS[name].stepStates;
    if (!states?.includes(step.state)) return false;
    if (step.kind === 'return') return name === 'complete' || name === 'accept';
    return true;
  });
  const states = ACTIONS[action].stepStates ?? [];
  const returnStepMisuse = step.kind === 'return' && action !== 'complete' && action !== 'accept';
  const returnTooEarly = step.kind === 'return' && dossier.status !== DOSSIER_STATUS.processed;
  const processingTooLate =
    step.kind !== 'return' &&
    !([DOSSIER_STATUS.received, DOSSIER_STATUS.processing] as DossierStatus[]).includes(dossier.status);
  if (!states.includes(step.state) || returnStepMisuse || returnTooEarly || processingTooLate) {
    throw new TransitionNotAllowedError(
      action,
      dossier.status,
      returnTooEarly || processingTooLate ? [] : allowedHere,
      `step ${step.stepId} (${step.name}), which is ${step.state}, of a dossier in status ${dossier.status}`,
    );
  }
}
