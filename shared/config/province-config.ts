import { z } from 'zod';
import { checkProcedureCatalogue, procedureSchema } from '#shared/config/procedure-catalogue.ts';
import { provinceCalendarSchema } from '#shared/config/working-calendar-config.ts';

/** QCVN 102:2016 agency identifier, e.g. `000.00.00.H56` (province) or `000.17.22.H56`. */
export const AGENCY_ID_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

const agencySchema = z.strictObject({
  id: z.string().regex(AGENCY_ID_PATTERN, 'must be a QCVN 102 identifier such as 000.00.00.H56'),
  name: z.string().min(1),
  level: z.enum(['province', 'department', 'district', 'commune']),
  parentId: z.string().regex(AGENCY_ID_PATTERN).optional(),
  /** Has a one-stop department (Bộ phận Một cửa) that receives dossiers and uploads scans. */
  oneStop: z.boolean().default(true),
  /** Staff on counter duty, for intake productivity. */
  counterStaff: z.number().int().min(0).default(0),
});

const documentTypeSchema = z.strictObject({
  code: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,9}$/, 'must be 2–10 capital letters or digits, starting with a letter'),
  name: z.string().min(1),
  /** Title lines (Vietnamese, with diacritics) that identify the type on the first page. */
  titlePatterns: z.array(z.string().min(3)).min(1),
  owner: z.enum(['person', 'organisation']),
  /** Labels printed before the owner's identifier on the paper. */
  ownerLabels: z.array(z.string().min(2)).min(1),
  /** Years the archived copy is kept; `permanent` keeps it forever. */
  retention: z.union([z.number().int().min(1).max(100), z.literal('permanent')]),
  /** Decree 45/2020: results of earlier procedures and results must be digitised. */
  mustDigitise: z.boolean(),
  /**
   * Who may read archived copies (the archive's access level): `public`, `internal` (the
   * administration) or `restricted` (personal papers: the owner's agencies and auditors).
   * @default 'restricted'
   */
  accessLevel: z.enum(['public', 'internal', 'restricted']).default('restricted'),
});

export const provinceConfigSchema = z
  .strictObject({
    province: z.strictObject({
      /** Short stable slug used in resource names, e.g. `sample`. */
      slug: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'must be lowercase letters, digits and dashes'),
      name: z.string().min(1),
      /** QCVN 102 province suffix, e.g. `H56`. */
      code: z.string().regex(/^[A-Z]\d{2}$/, 'must be a letter and two digits, e.g. H56'),
      timeZone: z.literal('Asia/Ho_Chi_Minh').default('Asia/Ho_Chi_Minh'),
    }),
    deployment: z
      .strictObject({
        account: z
          .string()
          .regex(/^\d{12}$/, 'must be a 12-digit AWS account ID')
          .optional(),
        region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as ap-southeast-1'),
      })
      .default({ region: 'ap-southeast-1' }),
    agencies: z.array(agencySchema).min(1),
    documentTypes: z.array(documentTypeSchema).min(1),
    signing: z.strictObject({
      /** KMS key spec in AWS; the embedded runtime generates the same kind of key. */
      keySpec: z.enum(['RSA_2048', 'RSA_3072', 'ECC_NIST_P256']).default('RSA_2048'),
      organisation: z.string().min(1),
      country: z.literal('VN').default('VN'),
      /**
       * The RFC 3161 time-stamping authority that timestamps every signature (PAdES B-T), so that
       * it stays verifiable after its certificate expires. Absent: signatures in AWS stay B-B
       * (verifiable only while the certificate is valid); the embedded runtime uses its local TSA.
       */
      timestampAuthority: z
        .strictObject({
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
          /** Abandon one request after this long. @default 10000 */
          timeoutMs: z.number().int().min(100).max(60_000).optional(),
          /** Attempts in all when the authority is unreachable or answers 5xx. @default 3 */
          attempts: z.number().int().min(1).max(10).optional(),
          /** The policy OID to ask for; the authority's tokens must follow it. */
          policy: z
            .string()
            .regex(/^[0-2](\.\d+)+$/, 'must be an OID such as 1.2.3.4')
            .optional(),
        })
        .optional(),
    }),
    dossiers: z
      .strictObject({
        /**
         * How the clock resumes once a supplement is answered: `pause` continues the time that was
         * left, `restart` counts the full limit again from the answer (as some provinces apply the decree).
         */
        supplementResume: z.enum(['pause', 'restart']).default('pause'),
        /**
         * The near window of the overdue sweep's attention lists, in working days after today: an
         * open dossier or step due before that day ends is near due. 0 is today only. @default 1
         */
        nearDueWorkingDays: z.number().int().min(0).max(30).default(1),
      })
      .default({ supplementResume: 'pause', nearDueWorkingDays: 1 }),
    portal: z
      .strictObject({
        /**
         * The national public-service portal's endpoint for this province's dossier sync (each
         * message is POSTed to `{endpoint}/{service}`). Absent: messages wait in the outbox (the
         * embedded runtime writes them to `{dataDir}/national-portal.jsonl`).
         */
        endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
        /** Status codes sent as another code (some provinces send 5, 6 and 8 differently). */
        statusMap: z
          .partialRecord(
            z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']),
            z.union([z.string(), z.number()]),
          )
          .default({}),
        /** Non-zero `error_code` values the portal documents as transient (retried, not rejected). */
        retryableErrorCodes: z.array(z.union([z.string(), z.number()])).default([]),
      })
      .default({ statusMap: {}, retryableErrorCodes: [] }),
    ocr: z
      .strictObject({
        /**
         * `auto` runs native Tesseract when a `tesseract` 5+ is on the PATH (the OCR function's
         * container image has one), tesseract.js otherwise; `tesseract-native` and `tesseract-wasm`
         * force one (native fails at start without the binary); `tesseract` is the older spelling
         * of `auto`. Textract has no Vietnamese: choose it only for papers in its languages.
         */
        engine: z
          .enum(['auto', 'tesseract-native', 'tesseract-wasm', 'textract', 'tesseract'])
          .default('auto'),
        /**
         * Tesseract's `best_int` model (the npm package's, most accurate) or `fast` (Debian's
         * `tesseract-ocr-vie`: faster, a little less accurate; README "Measured here").
         */
        model: z.enum(['best_int', 'fast']).default('best_int'),
        language: z.string().default('vie'),
        /** Below this classifier confidence (0..1) a document goes to review. */
        minConfidence: z.number().min(0).max(1).default(0.6),
        /** Pages are rasterised at this resolution before OCR. */
        dpi: z.number().int().min(150).max(600).default(300),
      })
      .default({ engine: 'auto', model: 'best_int', language: 'vie', minConfidence: 0.6, dpi: 300 }),
    uploads: z
      .strictObject({
        maxBytes: z
          .number()
          .int()
          .min(1)
          .max(5 * 1024 ** 3)
          .default(25 * 1024 ** 2),
        maxPages: z.number().int().min(1).max(1000).default(100),
        /** Decompression-bomb guard: largest decoded page, in pixels. */
        maxPixelsPerPage: z.number().int().min(1).default(60_000_000),
        /**
         * The largest PDF a step holds in memory: an upload (pdfjs parses whole files, so a larger
         * PDF is quarantined as TOO_LARGE) and the merged searchable copy that is signed. Images are
         * streamed and need no such cap. @default 100 MiB
         */
        maxInMemoryPdfBytes: z
          .number()
          .int()
          .min(1024 ** 2)
          .max(1024 ** 3)
          .default(100 * 1024 ** 2),
        urlExpirySeconds: z.number().int().min(60).max(3600).default(900),
        /** Days a quarantined upload is kept for inspection before the ingest bucket expires it. */
        quarantineRetentionDays: z.number().int().min(1).max(3650).default(90),
        /**
         * Browser origins (the province's console) allowed to call the API and PUT scans; `*` allows
         * any, which is safe but loose since every call carries a bearer token or a presigned URL.
         */
        allowedOrigins: z
          .array(
            z.union([
              z.literal('*'),
              z
                .string()
                .regex(
                  /^https:\/\/[a-z0-9.-]+(:\d+)?$/,
                  'must be an https origin such as https://motcua.example.gov.vn',
                ),
            ]),
          )
          .min(1)
          .default(['*']),
      })
      .default({
        maxBytes: 25 * 1024 ** 2,
        maxPages: 100,
        maxPixelsPerPage: 60_000_000,
        maxInMemoryPdfBytes: 100 * 1024 ** 2,
        urlExpirySeconds: 900,
        quarantineRetentionDays: 90,
        allowedOrigins: ['*'],
      }),
    archive: z
      .strictObject({
        /** Object Lock default retention (compliance mode) on the archive bucket. */
        defaultRetentionYears: z.number().int().min(1).max(100).default(10),
      })
      .default({ defaultRetentionYears: 10 }),
    /** The procedure catalogue (danh mục TTHC), versioned by effective date; see procedure-catalogue.ts. */
    procedures: z.array(procedureSchema).default([]),
    /** Changes to the national working calendar and how the dossier clock runs (default: none, `pause`). */
    calendar: provinceCalendarSchema,
  })
  .superRefine((config, ctx) => {
    const agencyIds = new Set<string>();
    config.agencies.forEach((agency, index) => {
      if (agencyIds.has(agency.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agencies', index, 'id'],
          message: `duplicate agency id ${agency.id}`,
        });
      }
      agencyIds.add(agency.id);
      if (!agency.id.endsWith(config.province.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agencies', index, 'id'],
          message: `must end with the province code ${config.province.code}`,
        });
      }
    });
    config.agencies.forEach((agency, index) => {
      if (agency.parentId && !agencyIds.has(agency.parentId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agencies', index, 'parentId'],
          message: `no agency with id ${agency.parentId}`,
        });
      }
    });
    const typeCodes = new Set<string>();
    config.documentTypes.forEach((type, index) => {
      if (typeCodes.has(type.code)) {
        ctx.addIssue({
          code: 'custom',
          path: ['documentTypes', index, 'code'],
          message: `duplicate document type ${type.code}`,
        });
      }
      typeCodes.add(type.code);
    });
  })
  .check((payload) => {
    // Procedures are checked against valid agencies and document types only, so that one bad
    // agency or type is reported once, not again on every procedure that names it.
    const broken = payload.issues.some(
      (issue) => issue.path?.[0] === 'agencies' || issue.path?.[0] === 'documentTypes',
    );
    if (broken) return;
    checkProcedureCatalogue(payload.value, (path, message) => {
      payload.issues.push({ code: 'custom', input: payload.value, path, message });
    });
  });

export type ProvinceConfig = z.infer<typeof provinceConfigSchema>;
export type AgencyConfig = ProvinceConfig['agencies'][number];
export type DocumentTypeConfig = ProvinceConfig['documentTypes'][number];
export type ProcedureConfig = ProvinceConfig['procedures'][number];

/**
 * The agency whose key speaks for the province (it signs the audit trail's anchors): the
 * province-level one-stop agency, else the first one-stop agency (only those have signing keys).
 */
export function provinceSigningAgencyId(config: Pick<ProvinceConfig, 'agencies'>): string {
  const oneStop = config.agencies.filter((agency) => agency.oneStop);
  const agency = oneStop.find((candidate) => candidate.level === 'province') ?? oneStop[0];
  if (!agency) throw new Error('the province has no one-stop agency, so no signing key');
  return agency.id;
}
