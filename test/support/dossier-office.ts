import type { Principal, Role } from '#shared/auth/authorize.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { loadWorkingCalendar } from '#shared/config/load-working-calendar.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { HOUR_MS } from '#shared/domain/calendar/vietnam-time.ts';
import type { TaskCallbacks } from '#shared/ports/task-callbacks.ts';
import { createActOnDossier } from '#shared/use-cases/dossiers/act-on-dossier.ts';
import { createReceiveDossier } from '#shared/use-cases/dossiers/receive-dossier.ts';
import { createRouteDossier } from '#shared/use-cases/dossiers/route-dossier.ts';
import { createRequestUpload } from '#shared/use-cases/request-upload.ts';
import { createTestSignerDirectory } from '#test/support/test-signers.ts';
import { createInMemoryDossierRepository } from './in-memory-dossier-repository.ts';
import { createInMemoryObjectStore, createInMemoryRepository } from './in-memory-ports.ts';

/** The sample province and its calendar, loaded once. */
export const sampleConfig: ProvinceConfig = loadProvinceConfig('config/provinces/sample-province.yaml');
export const sampleCalendar = loadWorkingCalendar(sampleConfig.calendar);

/** Agencies of the sample province that the inter-agency construction permit (1.009994) involves. */
export const CENTRE = '000.00.01.H99';
export const CONSTRUCTION = '000.00.08.H99';
export const FIRE_POLICE = '000.09.01.H99';
export const LAND = '000.00.10.H99';
export const COMMUNE = '000.17.22.H99';

export const person = (agencyId: string | undefined, ...roles: Role[]): Principal => ({
  userId: `${roles.join('+')}@${agencyId ?? 'province'}`,
  roles: new Set(roles),
  ...(agencyId === undefined ? {} : { agencyId }),
});

/**
 * Intake, routing and officers' actions over one in-memory dossier repository and a clock that
 * starts on Monday 23 November 2026 at 09:00 in Vietnam and moves only when told.
 */
export function createDossierOffice(
  config: ProvinceConfig = sampleConfig,
  options: {
    /** Where the routing's callbacks go. @default nowhere (they are answered as delivered) */
    callbacks?: TaskCallbacks;
  } = {},
) {
  let now = new Date('2026-11-23T02:00:00.000Z');
  const clock = { now: () => now };
  const repository = createInMemoryRepository();
  const dossiers = createInMemoryDossierRepository();
  const callbacks: TaskCallbacks = options.callbacks ?? {
    succeed: async () => 'delivered',
    fail: async () => 'delivered',
  };
  let ids = 0;
  const receive = createReceiveDossier({
    config,
    calendar: () => sampleCalendar,
    dossiers,
    archive: repository,
    requestUpload: createRequestUpload({
      config,
      repository,
      objects: createInMemoryObjectStore(),
      clock,
      ids: { newId: () => `upload-${++ids}` },
      ingestBucket: 'ingest',
    }),
    startRouting: async () => {},
    clock,
  });
  const signers = createTestSignerDirectory();
  const routing = createRouteDossier({
    config,
    calendar: () => sampleCalendar,
    dossiers,
    callbacks,
    signers,
    clock,
  });
  const act = createActOnDossier({
    config,
    calendar: () => sampleCalendar,
    dossiers,
    documents: repository,
    callbacks,
    clock,
  });
  let keys = 0;
  const key = () => `command-${String(++keys).padStart(4, '0')}`;
  let intakes = 0;
  return {
    config,
    dossiers,
    /** The documents table's document records (result papers are looked up there). */
    repository,
    clock,
    /** The use cases themselves, for tests that pass their own bodies and keys. */
    receive,
    routing,
    actOnDossier: act,
    /** The next idempotency key: `command-0001`, `command-0002`, … */
    key,
    act: (principal: Principal, code: string, action: string, body: Record<string, unknown> = {}) =>
      act(principal, code, action, { idempotencyKey: key(), ...body }),
    /** Moves the clock on by `hours` (wall-clock hours, not working hours). */
    advance(hours: number) {
      now = new Date(now.getTime() + hours * HOUR_MS);
    },
    setNow(instant: Date) {
      now = instant;
    },
    /** Receives a construction permit at the centre, transferred to the construction department. */
    async receivePermit(): Promise<string> {
      const { dossier } = await receive(person(CENTRE, 'counter-officer'), {
        idempotencyKey: `intake-permit-${String(++intakes).padStart(4, '0')}`,
        procedureCode: '1.009994',
        channel: 1,
        receivingUnitId: CENTRE,
        owner: { kind: 2, id: '0314409058', name: 'Công ty TNHH Xây dựng Minh Phát' },
      });
      await routing.startRouting({ dossierCode: dossier.code });
      return dossier.code;
    },
    /** Receives a commune-level dossier (confirmation of marital status, 1.004873) at the commune. */
    async receiveAtCommune(): Promise<string> {
      const { dossier } = await receive(person(COMMUNE, 'counter-officer'), {
        idempotencyKey: `intake-commune-${String(++intakes).padStart(4, '0')}`,
        procedureCode: '1.004873',
        channel: 1,
        receivingUnitId: COMMUNE,
        owner: { kind: 1, id: '001195006789', name: 'Nguyễn Thị Hoa' },
      });
      await routing.startRouting({ dossierCode: dossier.code });
      return dossier.code;
    },
    /** Opens a step as the routing workflow does when its stage comes. */
    openStep: (code: string, stepId: string) =>
      routing.openStep({ dossierCode: code, stepId, taskToken: `token-${code}-${stepId}` }),
  };
}
