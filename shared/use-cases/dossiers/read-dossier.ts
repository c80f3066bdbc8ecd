import { isAllowed, type Principal } from '#shared/auth/authorize.ts';
import { type Dossier, isDossierCode } from '#shared/domain/dossiers/dossier.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';

/** Reads a dossier: staff of its receiving or competent agency or of an agency it is routed through, and province-wide roles. */
export function createReadDossier(deps: { dossiers: DossierRepository }) {
  return async function readDossier(principal: Principal, code: string): Promise<Dossier> {
    if (!isDossierCode(code)) {
      throw new ValidationError(
        'INVALID_DOSSIER_CODE',
        `${code} is not a dossier code ({unit}-{yyMMdd}-{NNNN})`,
      );
    }
    const dossier = await deps.dossiers.getDossier(code);
    const visible =
      dossier &&
      (isAllowed(principal, 'dossier:read', dossier.receivingUnitId) ||
        isAllowed(principal, 'dossier:read', dossier.competentAgencyId) ||
        dossier.steps.some((step) => isAllowed(principal, 'dossier:read', step.agencyId)));
    // Another agency's dossier is as absent as one that does not exist.
    if (!visible) throw new NotFoundError(`no dossier ${code}`);
    return dossier;
  };
}
