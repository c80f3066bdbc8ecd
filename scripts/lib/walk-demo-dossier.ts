/**
 * The demo's dossier: an inter-agency construction permit received at the province's one-stop
 * centre and walked through its route by API calls, as the agencies' officers would: the
 * construction department checks it, fire police and the land department are consulted in
 * parallel (fire police first asks for a supplement), the department drafts and its director signs,
 * and the centre returns the result and records the rating. Every call carries an idempotency key.
 */
import { randomUUID } from 'node:crypto';
import type { WorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import type { TimeLimit } from '#shared/domain/dossiers/compute-due-date.ts';
import type { Dossier, DossierStep } from '#shared/domain/dossiers/dossier.ts';
import { DOSSIER_STATUS_NAMES } from '#shared/domain/dossiers/dossier-lifecycle.ts';
import { formatPortalDate } from '#shared/domain/dossiers/portal-messages.ts';
import {
  dossierClockEvents,
  type SupplementResume,
  trackDossierClock,
} from '#shared/domain/dossiers/track-dossier-clock.ts';
import type { ApiClient } from './api-client.ts';

const CENTRE = '000.00.01.H99';

/** Waits until the routing has opened a step (it does so in the background after each stage). */
async function waitForOpenStep(api: ApiClient, code: string, stepId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dossier = await api.getDossier(code);
    const step = dossier.steps.find((candidate) => candidate.stepId === stepId);
    if (step && step.state !== 'pending') return dossier;
    if (Date.now() > deadline) throw new Error(`step ${stepId} of ${code} did not open in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Receives the demo dossier and walks it to its rating; answers the dossier as it ends. */
export async function walkDemoDossier(api: ApiClient): Promise<Dossier> {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const key = () => `demo-${run}-${++n}`;
  const { dossier } = await api.receiveDossier({
    idempotencyKey: key(),
    procedureCode: '1.009994',
    channel: 1,
    receivingUnitId: CENTRE,
    owner: { kind: 2, id: '0314409058', name: 'Công ty TNHH Xây dựng Minh Phát' },
    queueTicket: {
      issuedAt: new Date(Date.now() - 6 * 60_000).toISOString(),
      calledAt: new Date().toISOString(),
    },
  });
  const code = dossier.code;
  const act = (action: string, body: Record<string, unknown> = {}) =>
    api.actOnDossier(code, action, { idempotencyKey: key(), ...body });

  await waitForOpenStep(api, code, '1');
  await act('accept', { stepId: '1' });
  await act('complete', { stepId: '1', note: 'Hồ sơ đủ thành phần, chuyển lấy ý kiến' });
  await waitForOpenStep(api, code, '2.1');
  await act('accept', { stepId: '2.1' });
  await act('request-supplement', { stepId: '2.1', reason: 'Bổ sung bản vẽ mặt bằng thoát nạn' });
  await act('answer-supplement');
  await act('complete', { stepId: '2.2', note: 'Phù hợp quy hoạch sử dụng đất' });
  await act('complete', { stepId: '2.1', note: 'Đạt yêu cầu phòng cháy chữa cháy' });
  await waitForOpenStep(api, code, '3');
  await act('complete', { stepId: '3', note: 'Dự thảo giấy phép' });
  await waitForOpenStep(api, code, '4');
  await act('complete', { stepId: '4', note: 'Ký giấy phép xây dựng' });
  await waitForOpenStep(api, code, '5');
  await act('complete', { stepId: '5' });
  return (await act('rate', { score: 5, comment: 'Nhanh, đúng hẹn' })).dossier;
}

const when = (instant?: string) => {
  if (!instant) return '—';
  const text = formatPortalDate(instant);
  return `${text.slice(6, 8)}/${text.slice(4, 6)} ${text.slice(8, 10)}:${text.slice(10, 12)}`;
};

/** The dossier's life as lines: its steps with agency, times and statutory end, then its outcome. */
export function dossierTimeline(
  dossier: Dossier,
  context: {
    agencyName: (id: string) => string;
    limit: TimeLimit;
    calendar: WorkingCalendar;
    supplementResume: SupplementResume;
  },
): string[] {
  const { agencyName } = context;
  const lines = [
    `Dossier ${dossier.code} (procedure ${dossier.procedureCode}), received ${when(dossier.receivedAt)}, due ${when(dossier.dueAt)}`,
  ];
  const stepLine = (step: DossierStep) => {
    const late = step.dueAt && step.finishedAt && step.finishedAt > step.dueAt ? ' LATE' : '';
    return `  ${step.stepId.padEnd(4)} ${when(step.startedAt)} → ${when(step.finishedAt)} (by ${when(step.dueAt)})${late}  ${step.name} — ${agencyName(step.agencyId)}`;
  };
  lines.push(...dossier.steps.map(stepLine));
  for (const request of dossier.supplements) {
    lines.push(
      `  supplement asked at step ${request.stepId} ${when(request.requestedAt)}, answered ${when(request.answeredAt)}: due ${when(request.dueBefore)} → ${when(request.dueAfter)}`,
    );
  }
  const clock = trackDossierClock(dossierClockEvents(dossier), context.limit, context.calendar, {
    at: new Date(),
    supplementResume: context.supplementResume,
  });
  const onTime = clock.onTime ? 'on time' : 'late';
  lines.push(
    `  status ${dossier.status} (${DOSSIER_STATUS_NAMES[dossier.status]}), processed ${when(dossier.finishedAt)}, returned ${when(dossier.returnedAt)}: ${onTime}; rated ${dossier.rating?.score ?? '—'}/5`,
  );
  return lines;
}
