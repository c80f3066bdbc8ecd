/**
 * A dossier as lists show it: who, what, where, when it is due and which steps wait on whom;
 * neither its papers, history nor the workflow's tokens. Every dossier list is ordered by due date.
 */
import type {
  Dossier,
  DossierOwnerKind,
  DossierStatus,
  DossierStep,
  StepKind,
  StepState,
} from '#shared/domain/dossiers/dossier.ts';

/** Step states in which a step waits on its agency's officers. */
export const OPEN_STEP_STATES: readonly StepState[] = ['waiting', 'in-progress'];

/** Whether a step waits on its agency (its stage is open and it is not done). */
export function isOpenStep(step: Pick<DossierStep, 'state'>): boolean {
  return OPEN_STEP_STATES.includes(step.state);
}

/** An open step as lists show it. */
export interface OpenStepSummary {
  stepId: string;
  kind: StepKind;
  name: string;
  agencyId: string;
  role: string;
  state: StepState;
  startedAt?: string;
  /** The step's statutory end (NgayKetThucTheoQuyDinh). */
  dueAt?: string;
}

export interface DossierSummary {
  code: string;
  procedureCode: string;
  procedureVersion: string;
  channel: Dossier['channel'];
  /** The owner's kind and name; the identifier stays in the dossier. */
  owner: { kind: DossierOwnerKind; name: string };
  receivingUnitId: string;
  competentAgencyId: string;
  receivedAt: string;
  dueAt: string;
  status: DossierStatus;
  finishedAt?: string;
  returnedAt?: string;
  /** The steps waiting on an agency now, in route order. */
  openSteps: OpenStepSummary[];
  version: number;
}

/** What a summary is made from: a dossier's fields that lists need. */
export type SummarisedFields = Pick<
  Dossier,
  | 'code'
  | 'procedureCode'
  | 'procedureVersion'
  | 'channel'
  | 'owner'
  | 'receivingUnitId'
  | 'competentAgencyId'
  | 'receivedAt'
  | 'dueAt'
  | 'status'
  | 'finishedAt'
  | 'returnedAt'
  | 'steps'
  | 'version'
>;

/** The dossier's attributes a summary reads (for a storage projection). */
export const SUMMARISED_FIELDS = [
  'code',
  'procedureCode',
  'procedureVersion',
  'channel',
  'owner',
  'receivingUnitId',
  'competentAgencyId',
  'receivedAt',
  'dueAt',
  'status',
  'finishedAt',
  'returnedAt',
  'steps',
  'version',
] as const satisfies readonly (keyof SummarisedFields)[];

export function summariseDossier(dossier: SummarisedFields): DossierSummary {
  return {
    code: dossier.code,
    procedureCode: dossier.procedureCode,
    procedureVersion: dossier.procedureVersion,
    channel: dossier.channel,
    owner: { kind: dossier.owner.kind, name: dossier.owner.name },
    receivingUnitId: dossier.receivingUnitId,
    competentAgencyId: dossier.competentAgencyId,
    receivedAt: dossier.receivedAt,
    dueAt: dossier.dueAt,
    status: dossier.status,
    ...(dossier.finishedAt === undefined ? {} : { finishedAt: dossier.finishedAt }),
    ...(dossier.returnedAt === undefined ? {} : { returnedAt: dossier.returnedAt }),
    openSteps: dossier.steps.filter(isOpenStep).map((step) => ({
      stepId: step.stepId,
      kind: step.kind,
      name: step.name,
      agencyId: step.agencyId,
      role: step.role,
      state: step.state,
      ...(step.startedAt === undefined ? {} : { startedAt: step.startedAt }),
      ...(step.dueAt === undefined ? {} : { dueAt: step.dueAt }),
    })),
    version: dossier.version,
  };
}

/**
 * The place of a dossier in every list: its due date, then its code (ISO instants sort as text).
 * Two lists that hold the same dossier give it the same place, so merged lists meet it twice in a row.
 */
export function dossierListKey(dossier: Pick<Dossier, 'dueAt' | 'code'>): string {
  return `${dossier.dueAt}#${dossier.code}`;
}
