/**
 * Hand-made dossiers for KPI tests: only what a formula reads is set, the rest takes the shape a
 * freshly received dossier has. Times are written in Vietnam local time (`2026-03-02T09:00`).
 */
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadNationalCalendars, loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import { buildWorkingCalendar } from '#shared/domain/calendar/working-calendar.ts';
import {
  DOSSIER_STATUS,
  type Dossier,
  type DossierComponent,
  type DossierEvent,
  type DossierStatus,
} from '#shared/domain/dossiers/dossier.ts';
import type { KpiContext, KpiPeriod } from '#shared/domain/kpi/kpi-definitions.ts';
import { kpiUnitsOf } from '#shared/domain/kpi/kpi-definitions.ts';
import { plainCalendarYear } from '#shared/domain/kpi/simulate-province-year.ts';

export const sampleConfig = loadProvinceConfig('config/provinces/sample-province.yaml');

/** The sample province's calendar: the shipped years only. */
export const calendar = loadWorkingCalendar(sampleConfig.calendar);

/** The shipped years plus a plain following year (no holidays), for dossiers due after the last one. */
export function extendedCalendar() {
  const specs = loadNationalCalendars();
  const last = specs.at(-1);
  if (!last) throw new Error('no national calendar shipped');
  return buildWorkingCalendar([...specs, plainCalendarYear(last, last.year + 1)]);
}

/** An ISO instant from a Vietnam local time `YYYY-MM-DDTHH:mm`. */
export const at = (local: string): string => new Date(`${local}:00+07:00`).toISOString();

export const COMMUNE = '000.17.22.H99';
export const WARD = '000.17.23.H99';
export const CENTRE = '000.00.01.H99';
export const FINANCE = '000.00.07.H99';
export const CONSTRUCTION = '000.00.08.H99';

/** A KPI context over the sample catalogue and units for a period. */
export function kpiContext(period: KpiPeriod, overrides: Partial<KpiContext> = {}): KpiContext {
  return {
    period,
    procedures: sampleConfig.procedures,
    calendar,
    units: kpiUnitsOf(sampleConfig),
    ...overrides,
  };
}

let sequence = 0;

export interface DossierSketch extends Partial<Omit<Dossier, 'receivedAt' | 'finishedAt' | 'returnedAt'>> {
  /** Local time of receipt. */
  received: string;
  /** Local time processing ended (sets finishedAt). */
  finished?: string;
  /** Local time the result was returned (sets returnedAt). */
  returned?: string;
}

/**
 * A dossier of the sample catalogue. By default: marriage-status certificate (1.004873, 3 working
 * days) received at the commune counter, status processing, no components.
 */
export function sketchDossier(sketch: DossierSketch): Dossier {
  sequence += 1;
  const { received, finished, returned, ...fields } = sketch;
  const receivedAt = at(received);
  const status: DossierStatus =
    fields.status ??
    (returned ? DOSSIER_STATUS.returned : finished ? DOSSIER_STATUS.processed : DOSSIER_STATUS.processing);
  const history: DossierEvent[] = fields.history ?? [
    { version: 1, at: receivedAt, action: 'receive', by: 'counter-1', status: DOSSIER_STATUS.received },
    ...(status === DOSSIER_STATUS.received
      ? []
      : [
          {
            version: 2,
            at: finished ? at(finished) : receivedAt,
            action: 'complete',
            by: 'officer-1',
            status,
          },
        ]),
  ];
  const procedureCode = fields.procedureCode ?? '1.004873';
  return {
    code: `${fields.receivingUnitId ?? COMMUNE}-260101-${String(sequence).padStart(4, '0')}`,
    procedureCode,
    procedureVersion:
      fields.procedureVersion ??
      sampleConfig.procedures.find((procedure) => procedure.code === procedureCode)?.effectiveFrom ??
      '2016-01-01',
    receivingUnitId: COMMUNE,
    competentAgencyId: fields.receivingUnitId ?? COMMUNE,
    channel: 1,
    owner: { kind: 1, id: '001190000001', name: 'Nguyễn Văn An' },
    dueAt: receivedAt,
    components: [],
    receivedBy: 'counter-1',
    steps: [],
    supplements: [],
    feeRequests: [],
    results: [],
    version: history.length,
    appliedCommands: {},
    ...fields,
    status,
    history,
    receivedAt,
    ...(finished ? { finishedAt: at(finished) } : {}),
    ...(returned ? { returnedAt: at(returned) } : {}),
  };
}

/** A result paper as the archive hands it back. */
export function resultPaper(code = '001190000001.TTHN.01') {
  return { documentId: `doc-${code}`, digitisedCode: code, name: 'Kết quả', stepId: '2' };
}

/** A component of the given source. */
export function component(
  documentType: string,
  how: 'reused' | 'archived' | 'uploaded' | 'paper',
  mustDigitise = true,
): DossierComponent {
  const base = { componentId: documentType, name: documentType, documentType, mustDigitise };
  switch (how) {
    case 'reused':
      return {
        ...base,
        source: 'reused',
        digitisedCode: `001190000001.${documentType}.01`,
        documentId: `doc-${documentType}`,
      };
    case 'archived':
      return {
        ...base,
        source: 'uploaded',
        documentId: `up-${documentType}`,
        digitisedCode: `001190000001.${documentType}.02`,
        archivedAt: at('2026-03-02T09:30'),
      };
    case 'uploaded':
      return { ...base, source: 'awaiting-upload', documentId: `up-${documentType}` };
    case 'paper':
      return { ...base, source: 'awaiting-upload' };
  }
}
