/**
 * Puts a dossier's change in the national-portal outbox: the sync of its latest version
 * (DongBoHoSoMC) and a progress update (CapNhatTienDoHoSoMC) per step event of that version.
 * Appending is idempotent (message ids are code, version, service and position), so calling it
 * again for a replayed command writes nothing twice.
 */
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { Dossier, DossierStatus } from '#shared/domain/dossiers/dossier.ts';
import { type PortalStatusMap, portalMessagesFor } from '#shared/domain/dossiers/portal-messages.ts';
import type { PortalOutbox } from '#shared/ports/portal-outbox.ts';
import { procedureOf } from './route-dossier.ts';

export function createRecordPortalSync(deps: {
  config: ProvinceConfig;
  outbox: Pick<PortalOutbox, 'append'>;
}) {
  const agencies = new Map(deps.config.agencies.map((agency) => [agency.id, agency.name]));
  const statusMap: PortalStatusMap = Object.fromEntries(
    Object.entries(deps.config.portal.statusMap).map(([status, code]) => [
      Number(status) as DossierStatus,
      code,
    ]),
  );
  return async function recordPortalSync(dossier: Dossier): Promise<void> {
    await deps.outbox.append(
      portalMessagesFor(dossier, procedureOf(deps.config, dossier), {
        statusMap,
        agencyName: (id) => agencies.get(id),
      }),
    );
  };
}
