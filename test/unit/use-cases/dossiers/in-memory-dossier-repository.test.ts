import { describe } from 'vitest';
import { dossierListContract, dossierRepositoryContract } from '#test/support/dossier-repository-contract.ts';
import { createInMemoryDossierRepository } from '#test/support/in-memory-dossier-repository.ts';
import { kpiStaleDaysContract } from '#test/support/kpi-stale-days-contract.ts';

describe('dossier repository (in-memory fake)', () => {
  dossierRepositoryContract(createInMemoryDossierRepository);
  dossierListContract(createInMemoryDossierRepository);
});

describe('stale KPI days (in-memory fakes)', () => {
  kpiStaleDaysContract(async (now) => {
    const dossiers = createInMemoryDossierRepository({ now });
    return { dossiers, stale: dossiers.staleDays };
  });
});
