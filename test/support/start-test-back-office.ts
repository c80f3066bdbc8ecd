import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedBackOffice, startEmbeddedBackOffice } from '#infra/local/start-embedded-back-office.ts';
import { type ApiClient, createApiClient, type DocumentView } from '../../scripts/lib/api-client.ts';

/** The one-stop agency of the sample province that integration tests upload for. */
export const TEST_AGENCY = '000.00.01.H99';

/** Options of {@link startTestBackOffice}. */
export interface TestBackOfficeOptions {
  /**
   * The sample province's upload size limit, replaced so that oversize cases stay light.
   * @default the sample province's own limit
   */
  maxBytes?: number;
  /** @default 2 */
  ocrWorkers?: number;
}

/** An embedded back office on a temporary folder, with an API client of its dev token. */
export interface TestBackOffice {
  backOffice: EmbeddedBackOffice;
  api: ApiClient;
  /** The temporary folder; removed by `stop()`. */
  dataDir: string;
  /** Uploads for {@link TEST_AGENCY} and waits until the document is archived, quarantined or in review. */
  uploadAndSettle(
    bytes: Uint8Array,
    mediaType: string,
    extra?: { declaredSize?: number; sha256?: string },
  ): Promise<DocumentView>;
  /** Downloads the archived, signed PDF of a document through its short-lived URL. */
  downloadSigned(documentId: string): Promise<Uint8Array>;
  stop(): Promise<void>;
}

/** Starts the embedded back office of the sample province on a fresh temporary folder. */
export async function startTestBackOffice(options: TestBackOfficeOptions = {}): Promise<TestBackOffice> {
  const dataDir = await mkdtemp(join(tmpdir(), 'motcua-e2e-'));
  const sample = await readFile('config/provinces/sample-province.yaml', 'utf8');
  const configPath = join(dataDir, 'province.yaml');
  await writeFile(
    configPath,
    options.maxBytes === undefined
      ? sample
      : sample.replace(/maxBytes: \d+.*/, `maxBytes: ${options.maxBytes}`),
  );
  let backOffice: EmbeddedBackOffice;
  try {
    backOffice = await startEmbeddedBackOffice({
      dataDir: join(dataDir, 'data'),
      apiPort: 0,
      provinceConfigPath: configPath,
      ocrWorkers: options.ocrWorkers ?? 2,
      quiet: true,
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const api = createApiClient(backOffice.apiUrl, backOffice.devToken);
  return {
    backOffice,
    api,
    dataDir,
    async uploadAndSettle(bytes, mediaType, extra = {}) {
      const ticket = await api.upload(bytes, { agencyId: TEST_AGENCY, mediaType, ...extra });
      return api.waitUntilSettled(ticket.documentId);
    },
    async downloadSigned(documentId) {
      const { downloadUrl } = await api.getDocument(documentId, { download: true });
      if (!downloadUrl) throw new Error(`document ${documentId} has no download URL`);
      return api.download(downloadUrl);
    },
    async stop() {
      await backOffice.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
