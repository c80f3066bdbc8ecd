import { expect, it } from 'vitest';
import type { Dossier } from '#shared/domain/dossiers/dossier.ts';
import { formatDossierCode } from '#shared/domain/dossiers/dossier.ts';
import { ConflictError } from '#shared/domain/errors.ts';
import type { DossierRepository } from '#shared/ports/dossier-repository.ts';

const UNIT = '000.17.22.H99';

export const makeDossier = (code: string, overrides: Partial<Dossier> = {}): Dossier => ({
  code,
  procedureCode: '1.000894',
  procedureVersion: '2016-01-01',
  receivingUnitId: UNIT,
  competentAgencyId: UNIT,
  channel: 1,
  owner: { kind: 1, id: '001195006789', name: 'Nguyễn Thị Hoa' },
  receivedAt: '2026-11-23T02:00:00.000Z',
  dueAt: '2026-11-30T02:00:00.000Z',
  status: 2,
  components: [
    {
      componentId: 'TTHN',
      name: 'Giấy xác nhận tình trạng hôn nhân',
      documentType: 'TTHN',
      mustDigitise: true,
      source: 'reused',
      digitisedCode: '001195006789.TTHN.01',
      documentId: 'doc-1',
    },
    {
      componentId: 'DDN',
      name: 'Tờ khai',
      documentType: 'DDN',
      mustDigitise: false,
      source: 'awaiting-upload',
    },
  ],
  queueTicket: { issuedAt: '2026-11-23T01:40:00.000Z', servedAt: '2026-11-23T01:55:00.000Z' },
  receivedBy: 'officer-1',
  steps: [],
  supplements: [],
  feeRequests: [],
  results: [],
  history: [{ version: 1, at: '2026-11-23T02:00:00.000Z', action: 'receive', by: 'officer-1', status: 2 }],
  version: 1,
  appliedCommands: {},
  ...overrides,
});

/**
 * The behaviour every DossierRepository must have, run against the in-memory fake and the
 * DynamoDB adapter alike.
 */
export function dossierRepositoryContract(
  repository: () => DossierRepository | Promise<DossierRepository>,
): void {
  it('gives 50 concurrent intakes at one unit 50 distinct, consecutive numbers, per unit and day', async () => {
    const repo = await repository();
    const numbers = await Promise.all(
      Array.from({ length: 50 }, () => repo.nextDossierNumber(UNIT, '261123')),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const codes = new Set(numbers.map((n) => formatDossierCode(UNIT, '261123', n)));
    expect(codes.size).toBe(50);
    expect(await repo.nextDossierNumber(UNIT, '261124')).toBe(1);
    expect(await repo.nextDossierNumber('000.17.23.H99', '261123')).toBe(1);
  });

  it('stores a dossier once under its code and reads it back as written', async () => {
    const repo = await repository();
    const dossier = makeDossier(`${UNIT}-261123-0001`);
    await repo.createDossier(dossier);
    await expect(
      repo.createDossier(makeDossier(dossier.code, { receivedBy: 'other' })),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await repo.getDossier(dossier.code)).toEqual(dossier);
    expect(await repo.getDossier(`${UNIT}-261123-9999`)).toBeUndefined();
  });

  it('saves a dossier only over the version it was read at', async () => {
    const repo = await repository();
    const dossier = makeDossier(`${UNIT}-261123-0002`);
    await repo.createDossier(dossier);
    const next = { ...dossier, status: 4 as const, version: 2 };
    await repo.saveDossier(next);
    await expect(repo.saveDossier({ ...dossier, status: 8 as const, version: 2 })).rejects.toMatchObject({
      code: 'DOSSIER_CHANGED',
    });
    await expect(repo.saveDossier({ ...next, version: 5 })).rejects.toBeInstanceOf(ConflictError);
    expect(await repo.getDossier(dossier.code)).toEqual(next);
    await expect(repo.saveDossier(makeDossier(`${UNIT}-261123-0404`, { version: 2 }))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('claims an idempotency key once; later claims see the first record, its code and its answer', async () => {
    const repo = await repository();
    const first = { key: 'key-a', requestHash: 'h1', startedAt: '2026-11-23T02:00:00.000Z' };
    const claims = await Promise.all([
      repo.claimIdempotencyKey(first),
      repo.claimIdempotencyKey({ ...first, requestHash: 'h2' }),
    ]);
    expect(claims.filter((claim) => claim === undefined)).toHaveLength(1);
    const winner = claims.find((claim) => claim !== undefined);
    expect(winner?.key).toBe('key-a');
    expect(await repo.assignDossierCode('key-a', 'code-1')).toBe('code-1');
    expect(await repo.assignDossierCode('key-a', 'code-2')).toBe('code-1');
    const ticket = {
      componentId: 'DDN',
      documentId: 'doc-2',
      key: 'incoming/x/y/DDN/doc-2',
      method: 'PUT' as const,
      url: 'https://example.test/put',
      headers: { 'content-type': 'application/pdf' },
      expiresAt: '2026-11-23T02:15:00.000Z',
    };
    await repo.completeIdempotencyKey('key-a', [ticket]);
    const again = await repo.claimIdempotencyKey({ ...first, requestHash: 'h3' });
    expect(again).toMatchObject({ key: 'key-a', dossierCode: 'code-1', uploads: [ticket] });
    expect(['h1', 'h2']).toContain(again?.requestHash);
  });
}
