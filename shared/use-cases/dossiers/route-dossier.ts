/**
 * What the routing workflow (state-machines/dossier-routing.asl.json) does by itself: transfer the
 * dossier to the competent agency and open each stage's steps, recording the workflow's callback
 * token on the step so that the officer's action can end the wait. Both are safe to repeat: a
 * replayed execution finds what was done and carries on from there.
 */
import { createHash } from 'node:crypto';
import { findProcedure, type Procedure } from '#shared/config/procedure-catalogue.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { canonicalJson } from '#shared/domain/audit-chain.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import type { Dossier, DossierStep, DossierTransfer } from '#shared/domain/dossiers/dossier.ts';
import { ENDED_EARLY_STATUSES } from '#shared/domain/dossiers/dossier-lifecycle.ts';
import { routingStages, stepDueDate } from '#shared/domain/dossiers/plan-dossier-steps.ts';
import { DOSSIER_ENDED_ERROR, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { TaskCallbacks } from '#shared/ports/task-callbacks.ts';
import type { Clock, SignerDirectory } from '#shared/ports.ts';
import { changeDossier } from './change-dossier.ts';

export interface RouteDossierDependencies {
  config: ProvinceConfig;
  calendar: () => WorkingCalendar;
  dossiers: DossierRepository;
  callbacks: TaskCallbacks;
  /** The agencies' keys: the receiving unit signs the transfer. */
  signers: SignerDirectory;
  clock: Clock;
  /** Called after every change of a dossier (the national-portal outbox). */
  onChange?: (dossier: Dossier) => Promise<void>;
}

/** What a step's callback answers the workflow. */
export interface StepOutcome {
  stepId: string;
  state: DossierStep['state'];
  finishedAt?: string;
}

/** The procedure version a dossier was received under. */
export function procedureOf(config: Pick<ProvinceConfig, 'procedures'>, dossier: Dossier): Procedure {
  const lookup = findProcedure(config, dossier.procedureCode, dossier.procedureVersion);
  if (!lookup.found) {
    throw new ValidationError(
      'UNKNOWN_PROCEDURE',
      `procedure ${dossier.procedureCode} of ${dossier.procedureVersion} is no longer in the catalogue`,
    );
  }
  return lookup.procedure;
}

const codeOf = (input: unknown, field = 'dossierCode'): string => {
  const value = (input as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError('INVALID_TASK_INPUT', `${field} is required`);
  }
  return value;
};

export function createRouteDossier(deps: RouteDossierDependencies) {
  const notify = async (dossier: Dossier) => {
    await deps.onChange?.(dossier);
  };

  /** Transfers the dossier to its competent agency (once) and answers the stages to walk. */
  async function startRouting(input: unknown): Promise<{ stages: { stage: number; stepIds: string[] }[] }> {
    const code = codeOf(input);
    const seen = await deps.dossiers.getDossier(code);
    if (!seen) throw new NotFoundError(`no dossier ${code}`);
    // Signed before the write, so a retry signs again rather than leaving an unsigned transfer.
    const transfer = seen.transfer ?? (await signTransfer(seen));
    const { dossier, changed } = await changeDossier(deps.dossiers, code, (draft) => {
      if (draft.transfer || draft.history.some((event) => event.action === 'transfer')) return undefined;
      draft.transfer = transfer;
      return {
        at: transfer.at,
        action: 'transfer',
        by: 'system',
        note: `${draft.receivingUnitId} → ${draft.competentAgencyId}`,
      };
    });
    if (changed) await notify(dossier);
    return { stages: routingStages(dossier.steps) };
  }

  /** The transfer statement (the dossier and its papers as handed over), signed by the receiving unit. */
  async function signTransfer(dossier: Dossier): Promise<DossierTransfer> {
    const at = deps.clock.now().toISOString();
    const statement = canonicalJson({
      dossierCode: dossier.code,
      procedureCode: dossier.procedureCode,
      procedureVersion: dossier.procedureVersion,
      from: dossier.receivingUnitId,
      to: dossier.competentAgencyId,
      owner: dossier.owner,
      receivedAt: dossier.receivedAt,
      dueAt: dossier.dueAt,
      components: dossier.components.map((component) => ({
        componentId: component.componentId,
        source: component.source,
        ...('digitisedCode' in component ? { digitisedCode: component.digitisedCode } : {}),
        ...(component.documentId ? { documentId: component.documentId } : {}),
      })),
      transferredAt: at,
    });
    const signer = await deps.signers.forAgency(dossier.receivingUnitId);
    const digest = createHash('sha256').update(statement).digest();
    return {
      at,
      from: dossier.receivingUnitId,
      to: dossier.competentAgencyId,
      statement,
      algorithm: signer.algorithm(),
      certificate: Buffer.from(await signer.certificate()).toString('base64'),
      signature: Buffer.from(await signer.signDigest(new Uint8Array(digest))).toString('base64'),
    };
  }

  /**
   * Opens a step for its officer and records the token the workflow waits on. A step already
   * finished answers at once; a dossier that ended fails the wait with {@link DOSSIER_ENDED_ERROR}.
   */
  async function openStep(input: unknown): Promise<void> {
    const code = codeOf(input);
    const stepId = codeOf(input, 'stepId');
    const taskToken = codeOf(input, 'taskToken');
    const now = deps.clock.now();
    let outcome: { ended: string } | { done: StepOutcome } | undefined;
    const { dossier, changed } = await changeDossier(deps.dossiers, code, (draft) => {
      outcome = undefined;
      const step = draft.steps.find((candidate) => candidate.stepId === stepId);
      if (!step) throw new NotFoundError(`dossier ${code} has no step ${stepId}`);
      if (ENDED_EARLY_STATUSES.includes(draft.status)) {
        outcome = { ended: draft.endReason ?? `dossier ${code} ended in status ${draft.status}` };
        return undefined;
      }
      if (step.state === 'completed') {
        outcome = { done: { stepId, state: step.state, finishedAt: step.finishedAt } };
        return undefined;
      }
      const opening = step.state === 'pending';
      if (!opening && step.taskToken === taskToken) return undefined;
      step.taskToken = taskToken;
      if (!opening) return { at: now.toISOString(), action: 'reopen-step', by: 'system', stepId };
      const procedure = procedureOf(deps.config, draft);
      step.state = 'waiting';
      step.startedAt = now.toISOString();
      step.dueAt = stepDueDate(
        step.share,
        now,
        procedure.limit,
        new Date(draft.dueAt),
        deps.calendar(),
      ).toISOString();
      return { at: now.toISOString(), action: 'open-step', by: 'system', stepId };
    });
    if (changed && dossier.history.at(-1)?.action === 'open-step') await notify(dossier);
    if (outcome && 'ended' in outcome)
      await deps.callbacks.fail(taskToken, DOSSIER_ENDED_ERROR, outcome.ended);
    else if (outcome) await deps.callbacks.succeed(taskToken, outcome.done);
  }

  return { startRouting, openStep };
}
