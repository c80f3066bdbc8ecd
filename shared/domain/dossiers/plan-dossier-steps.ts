/**
 * A dossier's processing steps (QuaTrinhXuLy) from its procedure's route: the receipt at the
 * counter, the agencies' steps in order with parallel consultations as one stage, and the return
 * of the result at the unit that received it. Also each step's statutory end from its share.
 */
import {
  isParallelStep,
  type Procedure,
  type ProcedureLimit,
  type RouteStep,
} from '#shared/config/procedure-catalogue.ts';
import { HOUR_MS } from '#shared/domain/calendar/vietnam-time.ts';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { addWorkingTime } from '#shared/domain/calendar/working-time.ts';
import { computeDueDate } from '#shared/domain/dossiers/compute-due-date.ts';
import type { DossierStep } from '#shared/domain/dossiers/dossier.ts';

/** What planning needs of the dossier. */
export interface StepPlanInput {
  receivingUnitId: string;
  competentAgencyId: string;
  receivedAt: string;
  receivedBy: string;
}

const isCounterStep = (step: RouteStep | undefined): step is Exclude<RouteStep, { parallel: unknown }> =>
  step !== undefined && !isParallelStep(step) && step.role === 'counter-officer';

/**
 * The steps of a dossier at receipt. A route that starts at the counter has its first step done
 * by the receipt itself; a route that ends at the counter has its last step as the return step,
 * else a return step of no share is added. The agency a commune- or district-level route names
 * stands for the dossier's own competent unit; counter steps happen where the dossier was
 * received (receipt regardless of administrative boundary).
 */
export function planDossierSteps(procedure: Procedure, dossier: StepPlanInput): DossierStep[] {
  const route = [...procedure.route];
  const intake = isCounterStep(route[0]) ? route.shift() : undefined;
  const last = route.at(-1);
  const returning = isCounterStep(last) && route.length > 1 ? route.pop() : undefined;
  const agencyOf = (agencyId: string, role: string) =>
    role === 'counter-officer'
      ? dossier.receivingUnitId
      : agencyId === procedure.competentAgencyId
        ? dossier.competentAgencyId
        : agencyId;
  const steps: DossierStep[] = [];
  if (intake && !isParallelStep(intake)) {
    steps.push({
      stepId: '0',
      stage: 0,
      kind: 'intake',
      name: intake.name,
      agencyId: dossier.receivingUnitId,
      role: intake.role,
      share: intake.share,
      state: 'completed',
      startedAt: dossier.receivedAt,
      finishedAt: dossier.receivedAt,
      finishedBy: dossier.receivedBy,
    });
  }
  route.forEach((step, index) => {
    const stage = index + 1;
    const members = isParallelStep(step) ? step.parallel : [step];
    members.forEach((member, m) => {
      steps.push({
        stepId: isParallelStep(step) ? `${stage}.${m + 1}` : String(stage),
        stage,
        kind: 'processing',
        name: isParallelStep(step) ? `${step.name}: ${member.name}` : member.name,
        agencyId: agencyOf(member.agencyId, member.role),
        role: member.role,
        share: member.share,
        state: 'pending',
      });
    });
  });
  steps.push({
    stepId: String(route.length + 1),
    stage: route.length + 1,
    kind: 'return',
    name: returning && !isParallelStep(returning) ? returning.name : 'Trả kết quả',
    agencyId: dossier.receivingUnitId,
    role: 'counter-officer',
    share: returning && !isParallelStep(returning) ? returning.share : 0,
    state: 'pending',
  });
  return steps;
}

/** The stages routing walks in order, each with the ids of its steps (run in parallel). */
export function routingStages(steps: readonly DossierStep[]): { stage: number; stepIds: string[] }[] {
  const stages = new Map<number, string[]>();
  for (const step of steps) {
    if (step.kind === 'intake') continue;
    stages.set(step.stage, [...(stages.get(step.stage) ?? []), step.stepId]);
  }
  return [...stages.entries()].sort(([a], [b]) => a - b).map(([stage, stepIds]) => ({ stage, stepIds }));
}

/**
 * The statutory end of a step that starts at `startedAt` (NgayKetThucTheoQuyDinh): its share of
 * the limit in the limit's unit, never later than the dossier's due date for a same-day procedure.
 */
export function stepDueDate(
  share: number,
  startedAt: Date,
  limit: ProcedureLimit,
  dossierDueAt: Date,
  calendar: WorkingCalendar,
): Date {
  switch (limit.unit) {
    case 'working-days':
      return addWorkingTime(calendar, startedAt, share * calendar.hoursPerWorkingDay * HOUR_MS);
    case 'working-hours':
      return addWorkingTime(calendar, startedAt, share * HOUR_MS);
    case 'calendar-days':
      return share <= 0
        ? startedAt
        : computeDueDate(startedAt, { unit: 'calendar-days', value: Math.ceil(share) }, calendar);
    case 'same-day': {
      const end = addWorkingTime(calendar, startedAt, share * calendar.hoursPerWorkingDay * HOUR_MS);
      return end < dossierDueAt ? end : dossierDueAt;
    }
  }
}
