import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedBackOffice, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import type { Role } from '#shared/auth/authorize.ts';
import { type ApiClient, ApiError, createApiClient } from '../../scripts/lib/api-client.ts';

const CENTRE = '000.00.01.H99';
const CONSTRUCTION = '000.00.08.H99';
const FIRE_POLICE = '000.09.01.H99';
const LAND = '000.00.10.H99';

/** An embedded back office that can be stopped and started again on the same data folder. */
async function startOffice(root: string): Promise<EmbeddedBackOffice> {
  return startEmbeddedBackOffice({
    dataDir: join(root, 'data'),
    apiPort: 0,
    provinceConfigPath: join(root, 'province.yaml'),
    ocrWorkers: 1,
    quiet: true,
    portalDeliveryEveryMs: 100,
  });
}

async function clients(office: EmbeddedBackOffice) {
  const as = async (agencyId: string, role: Role): Promise<ApiClient> =>
    createApiClient(
      office.apiUrl,
      await office.auth.issueLocalToken({ sub: `${role}@${agencyId}`, groups: [role], agencyId }),
    );
  return {
    counter: await as(CENTRE, 'counter-officer'),
    construction: await as(CONSTRUCTION, 'processing-officer'),
    director: await as(CONSTRUCTION, 'agency-admin'),
    fire: await as(FIRE_POLICE, 'processing-officer'),
    land: await as(LAND, 'processing-officer'),
  };
}

interface SyncLine {
  messageId: string;
  dossierCode: string;
  version: number;
  service: string;
  body: Record<string, unknown>;
}

/** The dossier syncs the embedded runtime's stand-in portal file holds, once `version` is there. */
async function waitForPortal(root: string, code: string, version: number): Promise<SyncLine[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const text = await readFile(join(root, 'data', 'national-portal.jsonl'), 'utf8').catch(() => '');
    const syncs = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SyncLine)
      .filter((message) => message.dossierCode === code && message.service === 'DongBoHoSoMC');
    if (syncs.some((message) => message.version === version)) return syncs;
    if (Date.now() > deadline) throw new Error(`version ${version} of ${code} never reached the portal file`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('dossier routing on the embedded runtime', () => {
  let root: string;
  let office: EmbeddedBackOffice | undefined;
  afterAll(async () => {
    await office?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('routes an inter-agency dossier with a parallel consultation from intake to rating, across a restart during a human step', async () => {
    root = await mkdtemp(join(tmpdir(), 'motcua-routing-'));
    await writeFile(join(root, 'province.yaml'), await readFile('config/provinces/sample-province.yaml'));
    office = await startOffice(root);
    let as = await clients(office);
    let key = 0;
    const command = (extra: Record<string, unknown> = {}) => ({
      idempotencyKey: `routing-e2e-${String(++key).padStart(4, '0')}`,
      ...extra,
    });

    const { dossier: received } = await as.counter.receiveDossier({
      idempotencyKey: 'routing-e2e-intake',
      procedureCode: '1.009994',
      channel: 1,
      receivingUnitId: CENTRE,
      owner: { kind: 2, id: '0314409058', name: 'Công ty TNHH Xây dựng Minh Phát' },
    });
    const code = received.code;
    await office.whenIdle();
    let dossier = await as.construction.getDossier(code);
    expect(dossier.steps.map((step) => [step.stepId, step.state])).toEqual([
      ['0', 'completed'],
      ['1', 'waiting'],
      ['2.1', 'pending'],
      ['2.2', 'pending'],
      ['3', 'pending'],
      ['4', 'pending'],
      ['5', 'pending'],
    ]);

    // A step that is not open yet: 409 naming what the dossier allows at that step (nothing).
    const early = await as.fire
      .actOnDossier(code, 'accept', command({ stepId: '2.1' }))
      .catch((error: unknown) => error);
    expect(early).toBeInstanceOf(ApiError);
    expect(early).toMatchObject({ status: 409, code: 'TRANSITION_NOT_ALLOWED', allowed: [] });
    // Another agency's officer may not act on the construction department's step.
    await expect(as.fire.actOnDossier(code, 'complete', command({ stepId: '1' }))).rejects.toMatchObject({
      status: 403,
    });

    await as.construction.actOnDossier(code, 'accept', command({ stepId: '1' }));
    await as.construction.actOnDossier(code, 'complete', command({ stepId: '1', note: 'Hồ sơ hợp lệ' }));
    await office.whenIdle();
    dossier = await as.construction.getDossier(code);
    expect(dossier.status).toBe(4);
    expect(dossier.steps.filter((step) => step.state === 'waiting').map((step) => step.agencyId)).toEqual([
      FIRE_POLICE,
      LAND,
    ]);

    // A double click on the land office's opinion: one completion.
    const landOpinion = command({ stepId: '2.2', note: 'Phù hợp quy hoạch' });
    const clicks = await Promise.all([
      as.land.actOnDossier(code, 'complete', landOpinion),
      as.land.actOnDossier(code, 'complete', landOpinion),
    ]);
    expect(clicks.map((click) => click.status).sort()).toEqual([200, 201]);
    await office.whenIdle();
    dossier = await as.land.getDossier(code);
    expect(
      dossier.history.filter((event) => event.action === 'complete' && event.stepId === '2.2'),
    ).toHaveLength(1);

    // Restart while the fire police's step waits: nothing lost, nothing repeated.
    const before = await as.construction.getDossier(code);
    await office.stop();
    office = await startOffice(root);
    as = await clients(office);
    await office.whenIdle();
    const after = await as.construction.getDossier(code);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
    expect(after.steps.find((step) => step.stepId === '2.1')).toMatchObject({ state: 'waiting' });

    await as.fire.actOnDossier(code, 'complete', command({ stepId: '2.1', note: 'Đạt yêu cầu PCCC' }));
    await office.whenIdle();
    await as.construction.actOnDossier(code, 'complete', command({ stepId: '3' }));
    await office.whenIdle();
    const signed = await as.director.actOnDossier(code, 'complete', command({ stepId: '4' }));
    expect(signed.dossier.status).toBe(9);
    await office.whenIdle();
    // The result goes back at the counter that received the dossier.
    const returned = await as.counter.actOnDossier(code, 'complete', command({ stepId: '5' }));
    expect(returned.dossier.status).toBe(10);
    const rated = await as.counter.actOnDossier(code, 'rate', command({ score: 4 }));
    expect(rated.dossier.rating?.score).toBe(4);
    await office.whenIdle();

    const finished = await as.counter.getDossier(code);
    expect(finished.steps.every((step) => step.state === 'completed')).toBe(true);
    expect(
      finished.history.filter((event) => event.action === 'open-step').map((event) => event.stepId),
    ).toEqual(['1', '2.1', '2.2', '3', '4', '5']);
    expect(finished.history.filter((event) => event.action === 'transfer')).toHaveLength(1);

    // Every version went to the national portal once, in order; a replay sends nothing twice.
    const synced = await waitForPortal(root, code, finished.version);
    expect(synced.map((message) => message.version)).toEqual(
      [...synced.map((m) => m.version)].sort((a, b) => a - b),
    );
    expect(synced.at(-1)?.body).toMatchObject({ MaHoSo: code, TrangThaiHoSo: '10', MaTTHC: '1.009994' });
    expect(new Set(synced.map((message) => message.version)).size).toBe(synced.length);
    const admin = createApiClient(office.apiUrl, office.devToken);
    const replay = await admin.replayPortalSync({ dossierCode: code });
    expect(replay.replayed).toBeGreaterThan(synced.length);
    await expect(as.counter.replayPortalSync({ dossierCode: code })).rejects.toMatchObject({ status: 403 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await waitForPortal(root, code, finished.version)).toEqual(synced);
  }, 120_000);
});
