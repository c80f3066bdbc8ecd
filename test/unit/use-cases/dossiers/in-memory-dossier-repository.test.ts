import { describe } from 'vitest';
import { dossierListContract, dossierRepositoryContract } from '#test/support/dossier-repository-contract.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';

describe('dossier repository (in-memory fake)', () => {
  dossierRepositoryContract(createInMemoryDossierRepository);
  dossierListContract(createInMemoryDossierRepository);
});
