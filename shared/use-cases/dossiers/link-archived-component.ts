/**
 * When the document pipeline archives a paper uploaded for a dossier's component, the component
 * becomes that archived paper (digitised, with its code), so the dossier and the portal sync show
 * it as digitised. A paper uploaded for no dossier, or for a dossier this province does not hold,
 * changes nothing; archiving the same paper again changes nothing either.
 */
import type { DocumentRecord } from '#shared/domain/document.ts';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';
import type { Clock } from '#shared/ports.ts';
import { changeDossier } from './change-dossier.ts';

export function createLinkArchivedComponent(deps: {
  dossiers: Pick<DossierRepository, 'getDossier' | 'saveDossier'>;
  clock: Clock;
  onChange?: (dossier: Dossier) => Promise<void>;
}) {
  return async function linkArchivedComponent(
    record: Pick<DocumentRecord, 'documentId' | 'dossierId' | 'componentId' | 'code'>,
  ): Promise<void> {
    const { dossierId, componentId, code, documentId } = record;
    if (!dossierId || !componentId || !code) return;
    const at = deps.clock.now().toISOString();
    try {
      const { dossier, changed } = await changeDossier(deps.dossiers, dossierId, (draft) => {
        const index = draft.components.findIndex((component) => component.componentId === componentId);
        const component = draft.components[index];
        if (component?.source !== 'awaiting-upload') return undefined;
        draft.components[index] = {
          componentId: component.componentId,
          name: component.name,
          documentType: component.documentType,
          mustDigitise: component.mustDigitise,
          source: 'uploaded',
          documentId,
          digitisedCode: code,
          archivedAt: at,
        };
        return { at, action: 'archive-component', by: 'system', note: `${componentId}: ${code}` };
      });
      if (changed) await deps.onChange?.(dossier);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  };
}
