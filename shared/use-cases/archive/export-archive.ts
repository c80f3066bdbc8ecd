import { createHash } from 'node:crypto';
import { authorize, hasRoleFor, type Principal } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import type { DocumentRecord, SignatureInfo } from '#shared/domain/document.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import type {
  ManifestSigner,
  ManifestSignerIdentity,
  PackageEntry,
  ZipWriter,
} from '#shared/ports/archive-export.ts';
import type { AuditSource, AuditTrail } from '#shared/ports/audit-trail.ts';
import type { ArchiveEntry, Clock, DocumentRepository, IdGenerator, ObjectStore } from '#shared/ports.ts';
import { createAuditRecorder, recordedQuery } from '../audit/record-audit.ts';
import { type ArchiveCriteria, parseArchiveQuery } from './search-archive.ts';

/** Papers one export may pack. @default 200 */
export const MAX_EXPORT_PAPERS = 200;
/**
 * Bytes of archived files (signed copies and texts) one export may pack: the package is built
 * while the API request waits, within its function's timeout. @default 100 MiB
 */
export const MAX_EXPORT_BYTES = 100 * 1024 * 1024;
/** How long a package is kept (the exports bucket's lifecycle expires it). @default 7 days */
export const EXPORT_RETENTION_DAYS = 7;
/** Life of a download URL. @default 300 s */
const DOWNLOAD_URL_SECONDS = 300;
/** Papers' files opened ahead of the one being packed, so storage latency overlaps. @default 4 */
const LOOKAHEAD = 4;
/** The manifest's format, which readers check first. */
export const MANIFEST_FORMAT = 'motcua-archive-export/1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The key prefix of packages and their records in the exports bucket. */
export const EXPORTS_PREFIX = 'exports/';

/** Where a package and its record live in the exports bucket. */
export const exportKeys = (exportId: string) => ({
  package: `${EXPORTS_PREFIX}${exportId}/package.zip`,
  record: `${EXPORTS_PREFIX}${exportId}/export.json`,
});

/** One file of a paper in a package, as the manifest lists it. */
export interface ManifestFile {
  path: string;
  kind: 'signed-pdf' | 'ocr-text';
  size: number;
  /** SHA-256 (hex) of the file's bytes in the package. */
  sha256: string;
  /** The archived version the file was read from. */
  versionId?: string;
  /** For the signed copy: its hash equals the one recorded when it was signed. */
  matchesRecordedSha256?: boolean;
}

/** One paper in a package, as the manifest lists it. */
export interface ManifestPaper {
  code: string;
  documentId: string;
  docType: string;
  typeName?: string;
  title?: string;
  ownerId: string;
  agencyId: string;
  dossierId?: string;
  archivedAt: string;
  retention: { years?: number | 'permanent'; until: string };
  accessLevel?: string;
  /** The signature as recorded when the paper was signed. */
  signature?: SignatureInfo;
  files: ManifestFile[];
}

/** `manifest.json`: what the package holds, signed in `manifest.json.p7s`. */
export interface ExportManifest {
  format: typeof MANIFEST_FORMAT;
  exportId: string;
  createdAt: string;
  province: { slug: string; name: string };
  requestedBy: { userId: string; roles: string[]; agencyId?: string };
  criteria: Record<string, string>;
  papers: ManifestPaper[];
  signature: { file: string; format: string; signer: ManifestSignerIdentity };
}

/** An export as the API shows it (and as its record in the exports bucket keeps it, without the URL). */
export interface ExportView {
  exportId: string;
  createdAt: string;
  /** When the package is deleted from the exports bucket. */
  expiresAt: string;
  requestedBy: string;
  criteria: Record<string, string>;
  papers: number;
  codes: string[];
  package: { size: number; sha256: string; versionId?: string };
  manifestSha256: string;
  signer: ManifestSignerIdentity;
  /** A short-lived URL of the package; recorded as a download before it is handed out. */
  downloadUrl?: string;
}

export interface ExportArchiveDependencies {
  config: ProvinceConfig;
  repository: DocumentRepository;
  objects: ObjectStore;
  audit: AuditTrail;
  clock: Clock;
  ids: IdGenerator;
  zip: ZipWriter;
  signer: ManifestSigner;
  /** The bucket packages are written to; without one, exports fail (nothing is handed out). */
  exportsBucket?: string;
  /** @default MAX_EXPORT_PAPERS and MAX_EXPORT_BYTES */
  limits?: { maxPapers?: number; maxBytes?: number };
}

/** An export's criteria: the archive search's, in a JSON body of strings, without paging. */
function parseCriteria(input: unknown): { criteria: ArchiveCriteria; recorded: Record<string, string> } {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('INVALID_EXPORT_REQUEST', 'send the search criteria as a JSON object');
  }
  const body = input as Record<string, unknown>;
  const paging = ['limit', 'cursor'].filter((name) => name in body);
  if (paging.length > 0) {
    throw new ValidationError('UNKNOWN_PARAMETER', `an export takes every match: no ${paging.join(', ')}`);
  }
  const criteria = parseArchiveQuery(body);
  return { criteria, recorded: recordedQuery(body as Record<string, string>) };
}

/** Runs `work` over `items`, at most `concurrency` at once, results in order. */
async function mapLimit<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Passes chunks through, hashing (SHA-256) and counting them; `done` is called at the end. */
async function* measured(
  chunks: AsyncIterable<Uint8Array>,
  done: (size: number, sha256: string) => void,
): AsyncIterable<Uint8Array> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.byteLength;
    yield chunk;
  }
  done(size, hash.digest('hex'));
}

/** How to check a package by hand, shipped in it. */
function readme(manifest: ExportManifest): string {
  return [
    `Gói lưu trữ ${manifest.exportId} — ${manifest.province.name}`,
    `Archive export ${manifest.exportId}, created ${manifest.createdAt}, ${manifest.papers.length} paper(s).`,
    '',
    'manifest.json lists every file with its SHA-256; manifest.json.p7s is its detached CMS signature.',
    'Check the signature (the signer certificate is inside the .p7s):',
    '  openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json -noverify -out /dev/null',
    'and compare the certificate fingerprint (SHA-256) with the one the province publishes:',
    `  ${manifest.signature.signer.certificateFingerprint}  (${manifest.signature.signer.subject})`,
    'Check each file:  sha256sum papers/*/*',
    'Each signed PDF also carries its agency PAdES signature (pdfsig, Adobe Reader).',
    '',
  ].join('\n');
}

/**
 * Exports of the archive for hand-over (auditors, province admins): every paper a search's
 * criteria match (at most 200, at most 100 MiB) packed into one ZIP in the exports bucket: each
 * paper's signed PDF (the exact archived version) and OCR text, and a manifest (code, type, owner,
 * agency, dossier, archived at, retention, the recorded signature, SHA-256 of each file) signed
 * with the province's key, so the package verifies offline. The export is recorded in the
 * audit trail (its criteria and codes) before anything is read; every download URL is recorded
 * as a download before it is handed out; refusals are recorded as denied.
 */
export function createExportArchive(deps: ExportArchiveDependencies) {
  const audit = createAuditRecorder(deps);
  const maxPapers = deps.limits?.maxPapers ?? MAX_EXPORT_PAPERS;
  const maxBytes = deps.limits?.maxBytes ?? MAX_EXPORT_BYTES;
  const bucket = () => {
    if (!deps.exportsBucket) throw new Error('EXPORTS_BUCKET is not set: no exports');
    return deps.exportsBucket;
  };

  async function matchingPapers(criteria: ArchiveCriteria): Promise<ArchiveEntry[]> {
    const hits: ArchiveEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.repository.searchArchive({ ...criteria, limit: 100, cursor });
      hits.push(...page.items);
      cursor = page.cursor;
    } while (cursor && hits.length <= maxPapers);
    if (hits.length === 0) throw new ValidationError('NOTHING_TO_EXPORT', 'no archived paper matches');
    if (hits.length > maxPapers) {
      throw new ValidationError(
        'EXPORT_TOO_LARGE',
        `more than ${maxPapers} papers match: narrow the criteria (an agency, a type, a shorter range)`,
      );
    }
    return hits;
  }

  async function archived(hit: ArchiveEntry) {
    const record = await deps.repository.get(hit.documentId);
    const archive = record?.archive;
    if (record?.status !== 'ARCHIVED' || !archive) {
      throw new Error(`the archive index lists ${hit.code}, but document ${hit.documentId} is not archived`);
    }
    const [pdf, text] = await Promise.all([
      deps.objects.head(archive.bucket, archive.signedPdfKey, { versionId: archive.versions?.signedPdf }),
      deps.objects.head(archive.bucket, archive.textKey, { versionId: archive.versions?.text }),
    ]);
    if (!pdf || !text) throw new Error(`the archived files of ${hit.code} are missing`);
    return { hit, record, archive, bytes: pdf.size + text.size };
  }

  function describe(hit: ArchiveEntry, record: DocumentRecord, files: ManifestFile[]): ManifestPaper {
    const classification = record.classification;
    const type = deps.config.documentTypes.find((candidate) => candidate.code === hit.docType);
    return {
      code: hit.code,
      documentId: hit.documentId,
      docType: hit.docType,
      ...(type?.name && { typeName: type.name }),
      ...(classification?.title && { title: classification.title }),
      ownerId: hit.ownerId,
      agencyId: hit.agencyId,
      ...(hit.dossierId && { dossierId: hit.dossierId }),
      archivedAt: hit.archivedAt,
      retention: {
        ...(type?.retention !== undefined && { years: type.retention }),
        until: record.archive?.retainUntil ?? hit.retainUntil ?? '',
      },
      ...(type?.accessLevel && { accessLevel: type.accessLevel }),
      ...(record.signature && { signature: record.signature }),
      files,
    };
  }

  async function readRecord(exportId: string): Promise<ExportView | undefined> {
    const key = exportKeys(exportId).record;
    if (!(await deps.objects.head(bucket(), key))) return undefined;
    return JSON.parse(new TextDecoder().decode(await deps.objects.get(bucket(), key))) as ExportView;
  }

  return {
    /** Packs the papers the criteria match; the view carries a 5-minute download URL. */
    async createExport(principal: Principal, input: unknown, source?: AuditSource): Promise<ExportView> {
      const asked = Object.fromEntries(
        Object.entries(input && typeof input === 'object' ? input : {}).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '',
        ),
      );
      if (!hasRoleFor(principal, 'archive:export')) {
        await audit.denied(principal, 'export', { query: asked }, 'FORBIDDEN', source);
        throw new ForbiddenError('no role of this user may archive:export');
      }
      authorize(principal, 'archive:export');
      const { criteria, recorded } = parseCriteria(input);
      const papers = await mapLimit(await matchingPapers(criteria), 8, archived);
      const total = papers.reduce((sum, paper) => sum + paper.bytes, 0);
      if (total > maxBytes) {
        throw new ValidationError(
          'EXPORT_TOO_LARGE',
          `the ${papers.length} papers hold ${total} bytes, more than ${maxBytes} per export: narrow the criteria`,
        );
      }
      const exportId = deps.ids.newId();
      const createdAt = deps.clock.now();
      const codes = papers.map((paper) => paper.hit.code);
      // Recorded before anything is read for the package, let alone handed out.
      await audit.allowed(
        principal,
        'export',
        { query: recorded, hits: papers.length, exportId, codes },
        source,
      );

      const signerIdentity = await deps.signer.identity();
      const files = papers.flatMap(({ hit, archive }) => {
        const path = `papers/${hit.code}/${hit.code}`;
        return [
          {
            path: `${path}.pdf`,
            kind: 'signed-pdf' as const,
            key: archive.signedPdfKey,
            bucket: archive.bucket,
            versionId: archive.versions?.signedPdf,
          },
          {
            path: `${path}.txt`,
            kind: 'ocr-text' as const,
            key: archive.textKey,
            bucket: archive.bucket,
            versionId: archive.versions?.text,
          },
        ];
      });
      const measuredFiles = new Map<string, { size: number; sha256: string }>();
      const opened = new Map<number, Promise<AsyncIterable<Uint8Array>>>();
      const openAhead = (index: number) => {
        for (let ahead = index; ahead < Math.min(files.length, index + LOOKAHEAD); ahead++) {
          const file = files[ahead];
          if (file && !opened.has(ahead) && !measuredFiles.has(file.path)) {
            opened.set(ahead, deps.objects.getStream(file.bucket, file.key, { versionId: file.versionId }));
          }
        }
      };
      let manifestBytes: Uint8Array | undefined;
      let signature: Uint8Array | undefined;
      const manifestOf = (): ExportManifest => ({
        format: MANIFEST_FORMAT,
        exportId,
        createdAt: createdAt.toISOString(),
        province: { slug: deps.config.province.slug, name: deps.config.province.name },
        requestedBy: {
          userId: principal.userId,
          roles: [...principal.roles].sort(),
          ...(principal.agencyId && { agencyId: principal.agencyId }),
        },
        criteria: recorded,
        papers: papers.map(({ hit, record }) =>
          describe(
            hit,
            record,
            files
              .filter((file) => file.path.startsWith(`papers/${hit.code}/`))
              .map((file) => {
                const measuredFile = measuredFiles.get(file.path);
                if (!measuredFile) throw new Error(`${file.path} was not packed`);
                return {
                  path: file.path,
                  kind: file.kind,
                  size: measuredFile.size,
                  sha256: measuredFile.sha256,
                  ...(file.versionId && { versionId: file.versionId }),
                  ...(file.kind === 'signed-pdf' && {
                    matchesRecordedSha256: measuredFile.sha256 === record.signature?.signedPdfSha256,
                  }),
                };
              }),
          ),
        ),
        signature: {
          file: 'manifest.json.p7s',
          format:
            'CMS SignedData, detached, DER (CAdES-BES: contentType, messageDigest, signingCertificateV2)',
          signer: signerIdentity,
        },
      });
      const entries: PackageEntry[] = [
        ...files.map((file, index) => ({
          name: file.path,
          compress: file.kind === 'ocr-text',
          open: async () => {
            openAhead(index);
            const stream = opened.get(index);
            opened.delete(index);
            if (!stream) throw new Error(`${file.path} was not opened`);
            return measured(await stream, (size, sha256) => measuredFiles.set(file.path, { size, sha256 }));
          },
        })),
        {
          name: 'manifest.json',
          compress: true,
          open: async () => {
            manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifestOf(), null, 2)}\n`);
            signature = (await deps.signer.sign(manifestBytes)).signature;
            return manifestBytes;
          },
        },
        {
          name: 'manifest.json.p7s',
          compress: false,
          open: async () => {
            if (!signature) throw new Error('the manifest was not signed');
            return signature;
          },
        },
        {
          name: 'README.txt',
          compress: true,
          open: async () => new TextEncoder().encode(readme(manifestOf())),
        },
      ];

      const keys = exportKeys(exportId);
      let packageHash = '';
      let written: { versionId?: string; size: number };
      try {
        written = await deps.objects.putStream(
          bucket(),
          keys.package,
          measured(deps.zip.zip(entries, { modifiedAt: createdAt }), (_, sha256) => {
            packageHash = sha256;
          }),
          { contentType: 'application/zip', metadata: { 'requested-by': principal.userId } },
        );
      } finally {
        // Files opened ahead of a failure hold connections: close them.
        for (const stream of opened.values()) {
          stream.then((chunks) => chunks[Symbol.asyncIterator]().return?.()).catch(() => undefined);
        }
      }
      if (!manifestBytes) throw new Error('the package has no manifest');
      const view: ExportView = {
        exportId,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + EXPORT_RETENTION_DAYS * 86_400_000).toISOString(),
        requestedBy: principal.userId,
        criteria: recorded,
        papers: papers.length,
        codes,
        package: {
          size: written.size,
          sha256: packageHash,
          ...(written.versionId && { versionId: written.versionId }),
        },
        manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
        signer: signerIdentity,
      };
      await deps.objects.put(bucket(), keys.record, new TextEncoder().encode(JSON.stringify(view)), {
        contentType: 'application/json',
      });
      return {
        ...view,
        downloadUrl: await deps.objects.presignGet(bucket(), keys.package, DOWNLOAD_URL_SECONDS, {
          versionId: written.versionId,
        }),
      };
    },

    /**
     * An export of the caller's, with a fresh 5-minute URL of its package (recorded as a download
     * first); someone else's export, or one past its retention, is a 404.
     */
    async readExport(principal: Principal, exportId: string, source?: AuditSource): Promise<ExportView> {
      const target = { exportId };
      if (!hasRoleFor(principal, 'archive:export')) {
        await audit.denied(principal, 'download', target, 'FORBIDDEN', source);
        throw new ForbiddenError('no role of this user may archive:export');
      }
      if (!UUID.test(exportId))
        throw new ValidationError('INVALID_EXPORT_ID', `${exportId} is not an export id`);
      const view = await readRecord(exportId);
      if (!view || view.requestedBy !== principal.userId) {
        if (view) await audit.denied(principal, 'download', target, 'NOT_FOUND', source);
        throw new NotFoundError(`no export ${exportId}`);
      }
      await audit.allowed(principal, 'download', target, source);
      return {
        ...view,
        downloadUrl: await deps.objects.presignGet(
          bucket(),
          exportKeys(exportId).package,
          DOWNLOAD_URL_SECONDS,
          { versionId: view.package.versionId },
        ),
      };
    },
  };
}
