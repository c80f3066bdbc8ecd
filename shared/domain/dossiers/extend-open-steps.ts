import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import { addWorkingTime, workingTimeBetween } from '#shared/domain/calendar/working-time.ts';
import type { DossierStep } from '#shared/domain/dossiers/dossier.ts';

/**
 * After a supplement or fee pause from `pausedAt` to `resumedAt`, each open step keeps the working
 * time it had left when the pause began (a step already past due stays as it is).
 */
export function extendOpenSteps(
  steps: DossierStep[],
  pausedAt: Date,
  resumedAt: Date,
  calendar: WorkingCalendar,
): void {
  for (const step of steps) {
    if ((step.state !== 'waiting' && step.state !== 'in-progress') || !step.dueAt) continue;
    const dueAt = new Date(step.dueAt);
    if (pausedAt >= dueAt) continue;
    step.dueAt = addWorkingTime(
      calendar,
      resumedAt,
      workingTimeBetween(calendar, pausedAt, dueAt),
    ).toISOString();
  }
}
