import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBackOffice, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import { makeScannedPdf, renderPaperPng, samplePaper } from '#test/support/make-test-scans.ts';
import { createApiClient } from '../../scripts/lib/api-client.ts';

const AGENCY = '000.00.01.H99';
let root: string;
const running: EmbeddedBackOffice[] = [];

async function start(dataDir: string): Promise<EmbeddedBackOffice> {
  const backOffice = await startEmbeddedBackOffice({ dataDir, apiPort: 0, ocrWorkers: 2, quiet: true });
  running.push(backOffice);
  return backOffice;
}

async function stop(backOffice: EmbeddedBackOffice): Promise<void> {
  running.splice(running.indexOf(backOffice), 1);
  await backOffice.stop();
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'motcua-restart-'));
});

afterAll(async () => {
  for (const backOffice of running) await backOffice.stop();
  await rm(root, { recursive: true, force: true });
});

describe('embedded runtime restarts', () => {
  it('finishes a document whose execution was cut off by a stop', async () => {
    const dataDir = join(root, 'interrupted');
    const first = await start(dataDir);
    const api = createApiClient(first.apiUrl, first.devToken);
    // Three pages keep the execution busy long enough to stop it half-way.
    const pdf = await makeScannedPdf([samplePaper('DKDN'), samplePaper('KS'), samplePaper('LLTP')]);
    const ticket = await api.upload(pdf, { agencyId: AGENCY, mediaType: 'application/pdf' });
    for (;;) {
      const { document } = await api.getDocument(ticket.documentId);
      if (document.status === 'PROCESSING') break;
      expect(document.status).toBe('AWAITING_UPLOAD');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stop(first);

    const second = await start(dataDir);
    const resumed = createApiClient(second.apiUrl, second.devToken);
    const { document } = await resumed.waitUntilSettled(ticket.documentId);
    expect(document).toMatchObject({ status: 'ARCHIVED', code: '0314409058.DKDN.01', pageCount: 3 });
    await stop(second);
  });

  it('picks up an object uploaded just before the back office went down', async () => {
    const dataDir = join(root, 'uploaded');
    const first = await start(dataDir);
    const api = createApiClient(first.apiUrl, first.devToken);
    const ticket = await api.requestUpload({
      agencyId: AGENCY,
      mediaType: 'image/png',
      ...(await pngUpload()),
    });
    // Stop everything but storage: the PUT lands, and nothing is there to react to it.
    const png = await renderPaperPng(samplePaper('KS'));
    const response = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: png });
    expect(response.status).toBe(200);
    await stop(first);

    const second = await start(dataDir);
    const resumed = createApiClient(second.apiUrl, second.devToken);
    const { document } = await resumed.waitUntilSettled(ticket.documentId);
    expect(document).toMatchObject({ status: 'ARCHIVED', code: '038319001234.KS.01' });
    await stop(second);
  });

  it('runs a second back office beside the first in the same process, each on its own servers', async () => {
    const first = await start(join(root, 'single'));
    const second = await start(join(root, 'other'));
    const answers = await Promise.all(
      [first, second].map(async (backOffice) =>
        createApiClient(backOffice.apiUrl, backOffice.devToken).listDocuments('ARCHIVED'),
      ),
    );
    expect(answers).toHaveLength(2);
    expect(first.runtimeConfig.aws.endpoints).not.toEqual(second.runtimeConfig.aws.endpoints);
    await stop(second);
    await stop(first);
  });
});

async function pngUpload(): Promise<{ size: number; sha256: string }> {
  const { createHash } = await import('node:crypto');
  const png = await renderPaperPng(samplePaper('KS'));
  return { size: png.byteLength, sha256: createHash('sha256').update(png).digest('hex') };
}
