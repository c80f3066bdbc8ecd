import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPaperPng, samplePaper } from '#test/support/make-test-scans.ts';
import { startTestBackOffice, type TestBackOffice } from '#test/support/start-test-back-office.ts';
import { ApiError } from '../../scripts/lib/api-client.ts';

const COMMUNE = '000.17.22.H99';
let office: TestBackOffice;

beforeAll(async () => {
  office = await startTestBackOffice();
});

afterAll(async () => {
  await office?.stop();
});

describe('dossier intake on the embedded runtime', () => {
  it('reuses the paper the pipeline archived for the owner, tickets the rest, and makes one dossier of a double POST', async () => {
    const paper = samplePaper('TTHN');
    const { document: archived } = await office.uploadAndSettle(await renderPaperPng(paper), 'image/png');
    expect(archived).toMatchObject({ status: 'ARCHIVED', code: `${paper.ownerId}.TTHN.01` });

    const request = {
      idempotencyKey: 'e2e-marriage-0001',
      procedureCode: '1.000894',
      channel: 1 as const,
      receivingUnitId: COMMUNE,
      owner: { kind: 1 as const, id: paper.ownerId, name: 'Nguyễn Thị Hoa' },
      files: { DDN: { mediaType: 'application/pdf', size: 2048, sha256: 'c'.repeat(64) } },
    };
    const [first, second] = await Promise.all([
      office.api.receiveDossier(request),
      // A double click a moment later: answered as the first, or told to retry while it runs.
      new Promise((resolve) => setTimeout(resolve, 50)).then(() =>
        office.api.receiveDossier(request).catch((error: unknown) => error),
      ),
    ]);
    expect(first.status).toBe(201);
    const { dossier, uploads } = first;
    expect(dossier.code).toMatch(/^000\.17\.22\.H99-\d{6}-0001$/);
    expect(dossier).toMatchObject({ status: 2, channel: 1, competentAgencyId: COMMUNE });
    expect(dossier.components).toEqual([
      expect.objectContaining({
        componentId: 'DDN',
        source: 'awaiting-upload',
        documentId: uploads[0]?.documentId,
      }),
      expect.objectContaining({
        componentId: 'TTHN',
        source: 'reused',
        digitisedCode: `${paper.ownerId}.TTHN.01`,
        documentId: archived.documentId,
      }),
    ]);
    expect(uploads).toHaveLength(1);
    const { document: requested } = await office.api.getDocument(uploads[0]?.documentId ?? '');
    expect(requested).toMatchObject({
      status: 'AWAITING_UPLOAD',
      dossierId: dossier.code,
      componentId: 'DDN',
    });

    if (second instanceof ApiError)
      expect(second).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    const replay = await office.api.receiveDossier(request);
    expect(replay.status).toBe(200);
    // The same dossier, which its routing has moved on since: transferred, its first step open.
    const { history, steps, version, ...received } = dossier;
    expect(replay.dossier).toMatchObject(received);
    expect(replay.uploads).toEqual(uploads);
    await office.backOffice.whenIdle();
    const routed = await office.api.getDossier(dossier.code);
    expect(routed).toMatchObject(received);
    expect(routed.history.map((event) => event.action)).toEqual(['receive', 'transfer', 'open-step']);
    expect(routed.steps.find((step) => step.stepId === '1')).toMatchObject({ state: 'waiting' });
    expect(routed.steps.find((step) => step.stepId === '1')).not.toHaveProperty('taskToken');
    expect(routed.version).toBeGreaterThan(version);
    expect(history).toHaveLength(1);
    expect(steps.every((step) => step.kind === 'intake' || step.state === 'pending')).toBe(true);

    const reused = await office.api
      .receiveDossier({ ...request, channel: 2 })
      .catch((error: unknown) => error);
    expect(reused).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
    const next = await office.api.receiveDossier({ ...request, idempotencyKey: 'e2e-marriage-0002' });
    expect(next.dossier.code).toBe(dossier.code.replace(/0001$/, '0002'));
    const missing = await office.api.getDossier(`${COMMUNE}-000101-0001`).catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404 });
  }, 240_000);
});
