import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_HEADER_ROW } from '#shared/adapters/reports/render-kpi-report-xlsx.ts';
import { loadProvinceConfig } from '#shared/config/load-province-config.ts';
import { parseKpiPeriod } from '#shared/domain/kpi/kpi-period-keys.ts';
import { buildKpiReport, REPORT_KPIS } from '#shared/domain/kpi/kpi-report.ts';
import type { KpiFigure } from '#shared/ports/kpi-rollup-store.ts';
import { kpiReportKeys, produceKpiReport } from '#shared/use-cases/kpi/produce-kpi-report.ts';
import { createInMemoryKpiRollupStore } from '#test/support/in-memory-kpi-rollup-store.ts';
import { createInMemoryObjectStore } from '#test/support/in-memory-ports.ts';
import { quarterFigures, rateFigure, UNITS } from '#test/support/kpi-report-figures.ts';

const config = loadProvinceConfig('config/provinces/sample-province.yaml');
const PERIOD = '2026-Q4';
const ON_TIME = REPORT_KPIS.indexOf('on-time');
const ON_TIME_LABEL = 'Tỷ lệ hồ sơ giải quyết trước và đúng hạn';

const byScope = (figures: KpiFigure[]) => {
  const map = new Map<string, KpiFigure[]>();
  for (const figure of figures) map.set(figure.scope, [...(map.get(figure.scope) ?? []), figure]);
  return map;
};

function model(figures: KpiFigure[], period = PERIOD) {
  return buildKpiReport({
    period: parseKpiPeriod(period) as never,
    province: config.province,
    agencies: config.agencies,
    figures: byScope(figures),
    producedAt: new Date('2026-12-16T02:00:00Z'),
  });
}

describe('the KPI report model', () => {
  it('has one row per unit, a subtotal heading each level, and the province last', () => {
    const report = model(quarterFigures(PERIOD));
    expect(report.title).toBe(
      'BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH QUÝ IV NĂM 2026',
    );
    expect(report.rows.filter((row) => row.kind === 'unit').map((row) => row.scope)).toEqual(
      [...config.agencies]
        .sort(
          (a, b) =>
            ['province', 'department', 'district', 'commune'].indexOf(a.level) -
            ['province', 'department', 'district', 'commune'].indexOf(b.level),
        )
        .map((agency) => agency.id),
    );
    const levels = report.rows.filter((row) => row.kind === 'level');
    expect(levels.map((row) => [row.number, row.name])).toEqual([
      ['I', 'Cấp tỉnh'],
      ['II', 'Sở, ban, ngành'],
      ['III', 'Cấp xã'],
    ]);
    expect(report.rows.at(-1)).toMatchObject({ kind: 'province', scope: 'PROVINCE' });
    const commune = report.rows.findIndex((row) => row.scope === 'LEVEL#commune');
    expect(report.rows.slice(commune + 1, commune + 3).map((row) => row.name)).toEqual([
      'Ủy ban nhân dân xã Hòa Bình',
      'Ủy ban nhân dân phường Đông Thành',
    ]);
    expect(report.columns[ON_TIME]?.label).toBe(ON_TIME_LABEL);
  });

  it('shows each unit’s target, actual and met flag, and sums a level the rollup did not store', () => {
    const report = model(quarterFigures(PERIOD));
    const cell = (scope: string) => report.rows.find((row) => row.scope === scope)?.cells[ON_TIME];
    expect(cell(UNITS.hoaBinh)).toEqual({ target: 80, comparison: 'at-least', actual: 90, met: true });
    expect(cell(UNITS.dongThanh)).toEqual({ target: 80, comparison: 'at-least', actual: 60, met: false });
    // (45 + 30) ÷ (50 + 50): summed terms, no target of its own.
    expect(cell('LEVEL#commune')).toEqual({ actual: 75 });
    expect(report.rows.find((row) => row.scope === 'LEVEL#commune')?.source).toBe('summed');
    expect(cell('PROVINCE')).toMatchObject({ actual: (265 / 300) * 100, met: true });
    // No figure stored: an empty cell, not 0.
    expect(cell('000.00.06.H99')).toEqual({});
    expect(report.rolledUp).toBe(true);
  });

  it('takes a level’s stored figures (with their target) over the sum of its units', () => {
    const report = model([
      ...quarterFigures(PERIOD),
      rateFigure('LEVEL#commune', PERIOD, 'on-time', 70, 100, { atLeast: 80 }),
    ]);
    const row = report.rows.find((candidate) => candidate.scope === 'LEVEL#commune');
    expect(row?.source).toBe('stored');
    expect(row?.cells[ON_TIME]).toEqual({ target: 80, comparison: 'at-least', actual: 70, met: false });
  });

  it('says a period is not rolled up when no figure is stored', () => {
    const report = model([], '2026');
    expect(report.rolledUp).toBe(false);
    expect(report.periodLabel).toBe('Năm 2026');
    expect(report.rows.every((row) => row.cells.every((cell) => Object.keys(cell).length === 0))).toBe(true);
  });
});

describe('producing the report files', () => {
  let dir: string;
  let xlsx: Uint8Array;
  let pdf: Uint8Array;
  const objects = createInMemoryObjectStore();
  const store = createInMemoryKpiRollupStore();
  const deps = {
    config,
    store,
    objects,
    clock: { now: () => new Date('2026-12-16T02:00:00Z') },
    reportsBucket: 'exports',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kpi-report-'));
    await store.putFigures(quarterFigures(PERIOD));
    const record = await produceKpiReport(deps, { period: PERIOD });
    xlsx = await objects.get('exports', record.files.xlsx.key);
    pdf = await objects.get('exports', record.files.pdf.key);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores both files and a record under the period’s keys, replacing them when produced again', async () => {
    const keys = kpiReportKeys('sample', PERIOD);
    expect(keys.pdf).toBe('reports/kpi/2026-Q4/bao-cao-kpi-sample-2026-Q4.pdf');
    const record = JSON.parse(new TextDecoder().decode(await objects.get('exports', keys.record)));
    expect(record).toMatchObject({
      period: PERIOD,
      kind: 'quarter',
      rolledUp: true,
      files: {
        xlsx: { key: keys.xlsx, size: xlsx.byteLength },
        pdf: { key: keys.pdf, size: pdf.byteLength },
      },
    });
    const again = await produceKpiReport(deps, { period: PERIOD });
    expect(again.files.pdf.sha256).toBe(record.files.pdf.sha256);
    const keysStored: string[] = [];
    for await (const object of objects.list('exports', 'reports/')) keysStored.push(object.key);
    expect(keysStored.sort()).toEqual([keys.pdf, keys.record, keys.xlsx].sort());
  });

  it('refuses a period that is not a quarter or a year', async () => {
    await expect(produceKpiReport(deps, { period: '2026-11' })).rejects.toMatchObject({
      code: 'INVALID_REPORT_PERIOD',
    });
  });

  it('writes an XLSX whose cells hold the Vietnamese labels and the values', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(xlsx) as never);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no worksheet');
    expect(sheet.getCell(2, 1).value).toBe(
      'BÁO CÁO KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH QUÝ IV NĂM 2026',
    );
    const column = 3 + ON_TIME * 3;
    expect(sheet.getCell(XLSX_HEADER_ROW, column).value).toBe(`${ON_TIME_LABEL} (%)`);
    expect([0, 1, 2].map((offset) => sheet.getCell(XLSX_HEADER_ROW + 1, column + offset).value)).toEqual([
      'Chỉ tiêu',
      'Thực hiện',
      'Đánh giá',
    ]);
    const rowOf = (name: string) => {
      for (let r = XLSX_HEADER_ROW + 2; r <= sheet.rowCount; r++) {
        if (sheet.getCell(r, 2).value === name) return r;
      }
      throw new Error(`no row ${name}`);
    };
    const dongThanh = rowOf('Ủy ban nhân dân phường Đông Thành');
    expect([0, 1, 2].map((offset) => sheet.getCell(dongThanh, column + offset).value)).toEqual([
      '≥ 80',
      60,
      'Không đạt',
    ]);
    const hoaBinh = rowOf('Ủy ban nhân dân xã Hòa Bình');
    expect(sheet.getCell(hoaBinh, column + 2).value).toBe('Đạt');
    expect(sheet.getCell(rowOf('Cấp xã'), column + 1).value).toBe(75);
  });

  it('writes a PDF whose pages render and whose text keeps the diacritics', async () => {
    const file = join(dir, 'report.pdf');
    await writeFile(file, pdf);
    execFileSync('pdftoppm', ['-r', '50', '-png', file, join(dir, 'page')]);
    const pages = (await readdir(dir)).filter((name) => name.startsWith('page') && name.endsWith('.png'));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain(ON_TIME_LABEL);
    expect(text).toContain('Ủy ban nhân dân phường Đông Thành');
    expect(text).toContain('Không đạt');
    expect(text).toContain('QUÝ IV NĂM 2026');
  });

  it('splits a long table across pages, repeating the header on each', async () => {
    const communes = Array.from({ length: 80 }, (_, index) => ({
      id: `000.17.${String(30 + index).padStart(2, '0')}.H99`,
      name: `Ủy ban nhân dân xã Số ${index + 1}`,
      level: 'commune' as const,
    }));
    const figures = communes.map((unit, index) =>
      rateFigure(unit.id, PERIOD, 'on-time', index, 80, { atLeast: 80 }),
    );
    const large = buildKpiReport({
      period: parseKpiPeriod(PERIOD) as never,
      province: config.province,
      agencies: communes,
      figures: byScope(figures),
      producedAt: new Date('2026-12-16T02:00:00Z'),
    });
    const { renderKpiReportPdf } = await import('#shared/adapters/reports/render-kpi-report-pdf.ts');
    const file = join(dir, 'large.pdf');
    await writeFile(file, await renderKpiReportPdf(large));
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    const pageCount = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pageCount).toBeGreaterThan(1);
    expect(info).toMatch(/Page size:\s+841\.89 x 595\.28/);
    for (let page = 1; page <= pageCount; page++) {
      const text = execFileSync('pdftotext', ['-f', String(page), '-l', String(page), file, '-'], {
        encoding: 'utf8',
      });
      expect(text, `page ${page}`).toContain(`Trang ${page}/${pageCount}`);
      if (page < pageCount) expect(text, `page ${page}`).toContain('Đơn vị');
    }
    const all = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(all).toContain('Ủy ban nhân dân xã Số 80');
  });
});
