import { describe, expect, it } from 'vitest';
import { createLinkArchivedComponent } from '#shared/use-cases/dossiers/link-archived-component.ts';
import { makeDossier } from '#test/support/dossier-repository-contract.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';

const CODE = '000.17.22.H99-261123-0001';
const NOW = new Date('2026-11-24T03:00:00.000Z');

describe('linkArchivedComponent', () => {
  it('makes the component the archived paper once, and tells the portal sync', async () => {
    const dossiers = createInMemoryDossierRepository();
    await dossiers.createDossier(makeDossier(CODE));
    const synced: number[] = [];
    const link = createLinkArchivedComponent({
      dossiers,
      clock: { now: () => NOW },
      onChange: async (dossier) => {
        synced.push(dossier.version);
      },
    });
    const paper = { documentId: 'doc-ddn', dossierId: CODE, componentId: 'DDN', code: '001195006789.DDN.01' };
    await link(paper);
    await link(paper);
    const dossier = await dossiers.getDossier(CODE);
    expect(dossier?.components.find((component) => component.componentId === 'DDN')).toEqual({
      componentId: 'DDN',
      name: 'Tờ khai',
      documentType: 'DDN',
      mustDigitise: false,
      source: 'uploaded',
      documentId: 'doc-ddn',
      digitisedCode: '001195006789.DDN.01',
      archivedAt: NOW.toISOString(),
    });
    expect(dossier?.history.at(-1)).toMatchObject({ action: 'archive-component', by: 'system', version: 2 });
    expect(synced).toEqual([2]);
  });

  it('changes nothing for a paper of no dossier, of an unknown dossier, or for a reused component', async () => {
    const dossiers = createInMemoryDossierRepository();
    await dossiers.createDossier(makeDossier(CODE));
    const link = createLinkArchivedComponent({ dossiers, clock: { now: () => NOW } });
    await link({ documentId: 'loose', code: '001195006789.KS.01' });
    await link({ documentId: 'x', dossierId: `${CODE}9`, componentId: 'DDN', code: '001195006789.DDN.02' });
    await link({ documentId: 'y', dossierId: CODE, componentId: 'TTHN', code: '001195006789.TTHN.02' });
    expect((await dossiers.getDossier(CODE))?.version).toBe(1);
  });
});
