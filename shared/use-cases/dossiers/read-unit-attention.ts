/**
 * A unit's attention list (`GET /units/{unitId}/attention`): what the overdue sweep found near or
 * past due for the unit on a Vietnam day (today unless `day` is given), for the unit's own staff
 * and province-wide roles.
 */
import { z } from 'zod';
import { authorize, type Principal } from '#shared/auth/authorize.ts';
import { vietnamDate } from '#shared/config/procedure-catalogue.ts';
import { AGENCY_ID_PATTERN, type ProvinceConfig } from '#shared/config/province-config.ts';
import type { AttentionItem } from '#shared/domain/dossiers/dossier-attention.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { Clock } from '#shared/ports.ts';
import { parseQuery } from '../parse-query.ts';

/** What `GET /units/{unitId}/attention` answers; `sweptAt` is absent when no sweep has run that day. */
export interface UnitAttentionView {
  unitId: string;
  day: string;
  sweptAt?: string;
  items: AttentionItem[];
}

const ATTENTION_QUERY = z.strictObject({
  /** A Vietnam day. @default today */
  day: z.iso.date({ error: 'must be a date YYYY-MM-DD' }).optional(),
});

export function createReadUnitAttention(deps: {
  config: Pick<ProvinceConfig, 'agencies'>;
  dossiers: Pick<DossierRepository, 'getAttentionList'>;
  clock: Clock;
}) {
  return async function readUnitAttention(
    principal: Principal,
    unitId: string,
    input: Record<string, string | undefined>,
  ): Promise<UnitAttentionView> {
    if (!AGENCY_ID_PATTERN.test(unitId)) {
      throw new ValidationError(
        'INVALID_UNIT',
        'unitId: must be a QCVN 102 identifier such as 000.00.08.H56',
      );
    }
    const { day = vietnamDate(deps.clock.now()) } = parseQuery(ATTENTION_QUERY, input);
    authorize(principal, 'dossier:attention', unitId);
    if (!deps.config.agencies.some((agency) => agency.id === unitId))
      throw new NotFoundError(`no unit ${unitId}`);
    const list = await deps.dossiers.getAttentionList(unitId, day);
    return list ? { unitId, day, sweptAt: list.sweptAt, items: list.items } : { unitId, day, items: [] };
  };
}
