/**
 * The quarterly and yearly KPI reports: built from the stored figures of a quarter (`2026-Q4`) or a
 * year (`2026`), rendered to XLSX and PDF, and stored under keys that depend on the period only, so
 * that producing a period again replaces the same objects (the schedule on the 16th and a province
 * admin's request on demand both land there). A record next to them (`report.json`: period, kind,
 * keys, sizes, SHA-256, when produced) is what the API lists; downloads are presigned URLs,
 * recorded in the audit trail before they are handed out.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { authorizeRole, type Principal } from '#shared/auth/authorize.ts';
import type { ProvinceConfig } from '#shared/config/province-config.ts';
import { NotFoundError, ValidationError } from '#shared/domain/errors.ts';
import { type ParsedKpiPeriod, parseKpiPeriod, readKpiPeriod } from '#shared/domain/kpi/kpi-period-keys.ts';
import { buildKpiReport, KPI_LEVELS, type KpiReportModel } from '#shared/domain/kpi/kpi-report.ts';
import type { AuditSource, AuditTrail } from '#shared/ports/audit-trail.ts';
import {
  type KpiFigure,
  type KpiRollupStore,
  PROVINCE_SCOPE,
  reportedFigures,
} from '#shared/ports/kpi-rollup-store.ts';
import type { Clock, ObjectStore } from '#shared/ports.ts';
import { createAuditRecorder } from '../audit/record-audit.ts';
import { parseQuery } from '../parse-query.ts';

/** The key prefix of KPI reports in the exports bucket (outside `exports/`, so they do not expire). */
export const KPI_REPORTS_PREFIX = 'reports/kpi/';
/** Life of a download URL. @default 300 s */
const DOWNLOAD_URL_SECONDS = 300;

export const KPI_REPORT_FORMATS = ['xlsx', 'pdf'] as const;
export type KpiReportFormat = (typeof KPI_REPORT_FORMATS)[number];

const CONTENT_TYPES: Record<KpiReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** Where a period's report files and record live: the same keys every time it is produced. */
export const kpiReportKeys = (slug: string, period: string) => ({
  xlsx: `${KPI_REPORTS_PREFIX}${period}/bao-cao-kpi-${slug}-${period}.xlsx`,
  pdf: `${KPI_REPORTS_PREFIX}${period}/bao-cao-kpi-${slug}-${period}.pdf`,
  record: `${KPI_REPORTS_PREFIX}${period}/report.json`,
});

/** A produced report, as its record keeps it and the API lists it. */
export interface KpiReportRecord {
  period: string;
  kind: 'quarter' | 'year';
  periodLabel: string;
  /** Whether any figure of the period was stored when it was produced. */
  rolledUp: boolean;
  producedAt: string;
  files: Record<KpiReportFormat, { key: string; size: number; sha256: string; contentType: string }>;
}

export interface ProduceKpiReportDeps {
  config: Pick<ProvinceConfig, 'province' | 'agencies'>;
  store: Pick<KpiRollupStore, 'listFigures'>;
  objects: Pick<ObjectStore, 'put'>;
  clock: Clock;
  /** The bucket reports are written to (the exports bucket); without one, nothing is produced. */
  reportsBucket?: string;
}

/** A quarter or a year. @throws ValidationError INVALID_REPORT_PERIOD otherwise. */
function reportPeriod(key: string): ParsedKpiPeriod & { kind: 'quarter' | 'year' } {
  const period = readKpiPeriod(key);
  if (!period || (period.kind !== 'quarter' && period.kind !== 'year')) {
    throw new ValidationError(
      'INVALID_REPORT_PERIOD',
      `period ${JSON.stringify(key)}: reports are of a quarter (yyyy-Qn) or a year (yyyy)`,
    );
  }
  return period as ParsedKpiPeriod & { kind: 'quarter' | 'year' };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Builds, renders and stores the report of a quarter or a year, replacing what an earlier run
 * stored for the period; a period not rolled up yet gives a report that says so (and no values).
 * The scheduled production (the 16th of a quarter's last month, 16 December) calls this.
 * @throws ValidationError INVALID_REPORT_PERIOD for a period that is not a quarter or a year.
 */
export async function produceKpiReport(
  deps: ProduceKpiReportDeps,
  request: { period: string },
): Promise<KpiReportRecord & { model: KpiReportModel }> {
  const period = reportPeriod(request.period);
  if (!deps.reportsBucket) throw new Error('EXPORTS_BUCKET is not set: no KPI reports');
  const scopes = [
    ...deps.config.agencies.map((agency) => agency.id),
    ...KPI_LEVELS.map((level) => `LEVEL#${level}`),
    PROVINCE_SCOPE,
  ];
  const figures = new Map<string, KpiFigure[]>();
  for (const scope of scopes)
    figures.set(scope, reportedFigures(await deps.store.listFigures(scope, period.key)));
  const model = buildKpiReport({
    period,
    province: deps.config.province,
    agencies: deps.config.agencies,
    figures,
    producedAt: deps.clock.now(),
  });
  // The renderers (exceljs, pdf-lib) load only when a report is produced, not with every API call.
  const [{ renderKpiReportXlsx }, { renderKpiReportPdf }] = await Promise.all([
    import('#shared/adapters/reports/render-kpi-report-xlsx.ts'),
    import('#shared/adapters/reports/render-kpi-report-pdf.ts'),
  ]);
  const rendered: Record<KpiReportFormat, Uint8Array> = {
    xlsx: await renderKpiReportXlsx(model),
    pdf: await renderKpiReportPdf(model),
  };
  const keys = kpiReportKeys(deps.config.province.slug, period.key);
  const files = {} as KpiReportRecord['files'];
  for (const format of KPI_REPORT_FORMATS) {
    const bytes = rendered[format];
    await deps.objects.put(deps.reportsBucket, keys[format], bytes, { contentType: CONTENT_TYPES[format] });
    files[format] = {
      key: keys[format],
      size: bytes.byteLength,
      sha256: sha256(bytes),
      contentType: CONTENT_TYPES[format],
    };
  }
  const record: KpiReportRecord = {
    period: period.key,
    kind: period.kind,
    periodLabel: model.periodLabel,
    rolledUp: model.rolledUp,
    producedAt: model.producedAt,
    files,
  };
  // Written last: a listed report always has both files.
  await deps.objects.put(
    deps.reportsBucket,
    keys.record,
    new TextEncoder().encode(JSON.stringify(record, null, 2)),
    { contentType: 'application/json' },
  );
  return { ...record, model };
}

const PRODUCE_REQUEST = z.strictObject({
  period: z.string({ error: 'is required: a quarter yyyy-Qn or a year yyyy' }),
});

/** A report as the API shows it: its record, and a download URL when one was asked for. */
export type KpiReportView = KpiReportRecord & { downloadUrl?: string };

/**
 * The KPI report routes: produce on demand (province admins), list and download (province admins
 * and auditors: a report shows every unit of the province).
 */
export function createKpiReports(
  deps: ProduceKpiReportDeps & {
    objects: Pick<ObjectStore, 'put' | 'get' | 'head' | 'list' | 'presignGet'>;
    audit: AuditTrail;
  },
) {
  const audit = createAuditRecorder(deps);
  const bucket = () => {
    if (!deps.reportsBucket) throw new Error('EXPORTS_BUCKET is not set: no KPI reports');
    return deps.reportsBucket;
  };
  async function readRecord(period: string): Promise<KpiReportRecord | undefined> {
    const key = kpiReportKeys(deps.config.province.slug, period).record;
    if (!(await deps.objects.head(bucket(), key))) return undefined;
    return JSON.parse(new TextDecoder().decode(await deps.objects.get(bucket(), key))) as KpiReportRecord;
  }
  return {
    /** `POST /kpis/reports` {period}: produces (or produces again) a quarter's or a year's report. */
    async produce(principal: Principal, input: unknown): Promise<KpiReportRecord> {
      authorizeRole(principal, 'kpi:report');
      const { period } = parseQuery(PRODUCE_REQUEST, input ?? {});
      const { model: _model, ...record } = await produceKpiReport(deps, { period });
      return record;
    },

    /** `GET /kpis/reports`: every produced report, newest period first. */
    async list(principal: Principal, input: Record<string, string | undefined>): Promise<KpiReportRecord[]> {
      authorizeRole(principal, 'kpi:report-read');
      parseQuery(z.strictObject({}), input);
      const periods: string[] = [];
      for await (const object of deps.objects.list(bucket(), KPI_REPORTS_PREFIX)) {
        const match = /^reports\/kpi\/([^/]+)\/report\.json$/.exec(object.key);
        if (match?.[1]) periods.push(match[1]);
      }
      const records = await Promise.all(periods.map(readRecord));
      return records
        .filter((record): record is KpiReportRecord => record !== undefined)
        .sort((a, b) => (a.period < b.period ? 1 : a.period > b.period ? -1 : 0));
    },

    /**
     * `GET /kpis/reports/{period}/{format}`: the report's record with a 5-minute URL of the file,
     * recorded as a download before it is handed out (a refused role is recorded as denied).
     */
    async download(
      principal: Principal,
      period: string,
      format: string,
      source?: AuditSource,
    ): Promise<KpiReportView> {
      const target = { report: `kpi/${period}.${format}` };
      try {
        authorizeRole(principal, 'kpi:report-read');
      } catch (error) {
        await audit.denied(principal, 'download', target, 'FORBIDDEN', source);
        throw error;
      }
      reportPeriod(parseKpiPeriod(period).key);
      if (!(KPI_REPORT_FORMATS as readonly string[]).includes(format)) {
        throw new ValidationError(
          'INVALID_FORMAT',
          `format ${format}: one of ${KPI_REPORT_FORMATS.join(', ')}`,
        );
      }
      const record = await readRecord(period);
      if (!record)
        throw new NotFoundError(`no KPI report of ${period}: produce it first (POST /kpis/reports)`);
      await audit.allowed(principal, 'download', target, source);
      const file = record.files[format as KpiReportFormat];
      return {
        ...record,
        downloadUrl: await deps.objects.presignGet(bucket(), file.key, DOWNLOAD_URL_SECONDS),
      };
    },
  };
}
