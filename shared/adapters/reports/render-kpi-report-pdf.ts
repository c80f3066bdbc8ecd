/**
 * The KPI report as a PDF (pdf-lib with DejaVu Sans Condensed embedded, for Vietnamese
 * diacritics): landscape A4, the table split across pages with its header repeated on each, the
 * indicators' full labels listed under the table (a numbered legend, so they read in one line),
 * and page numbers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import {
  CELL_HEADINGS,
  formatReportMet,
  formatReportNumber,
  formatReportTarget,
  type KpiReportModel,
  type KpiReportRow,
} from '#shared/domain/kpi/kpi-report.ts';
import { formatInstant } from './render-kpi-report-xlsx.ts';

const require = createRequire(import.meta.url);
let fonts: { regular: Uint8Array; bold: Uint8Array } | undefined;

/** DejaVu Sans Condensed, read once (the Lambda bundle carries the package: see back-office-api.ts). */
function fontBytes() {
  fonts ??= {
    regular: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf')),
    bold: readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf')),
  };
  return fonts;
}

const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = 28;
const NUMBER_WIDTH = 22;
const NAME_WIDTH = 136;
/** Shares of an indicator's width: target, actual, met ("Không đạt" is the widest). */
const CELL_SHARES = [0.28, 0.32, 0.4];
const CELL_FONT = 6.5;
const HEADER_FONT = 6.5;
const LINE = 1.25;
const PAD = 2.5;
const BLACK = rgb(0, 0, 0);
const SHADE = rgb(0.92, 0.92, 0.92);

/** Splits text into lines no wider than `width` at `size` (a word longer than a line stays whole). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && font.widthOfTextAtSize(candidate, size) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/** Renders the report to a PDF file's bytes. */
export async function renderKpiReportPdf(report: KpiReportModel): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const bytes = fontBytes();
  const regular = await pdf.embedFont(bytes.regular, { subset: true });
  const bold = await pdf.embedFont(bytes.bold, { subset: true });
  const producedAt = new Date(report.producedAt);
  pdf.setTitle(`${report.title} — ${report.provinceName}`);
  pdf.setAuthor(report.provinceName);
  pdf.setCreator('motcua');
  pdf.setProducer('motcua');
  pdf.setCreationDate(producedAt);
  pdf.setModificationDate(producedAt);

  const tableWidth = PAGE.width - 2 * MARGIN;
  const groupWidth = (tableWidth - NUMBER_WIDTH - NAME_WIDTH) / report.columns.length;
  const cellX = CELL_SHARES.map((_, index) =>
    CELL_SHARES.slice(0, index).reduce((sum, share) => sum + share * groupWidth, 0),
  );
  const cellWidth = CELL_SHARES.map((share) => share * groupWidth);
  const lineHeight = CELL_FONT * LINE;

  const pages: PDFPage[] = [];
  let page: PDFPage;
  let y = 0;

  const text = (value: string, x: number, top: number, options: { font?: PDFFont; size?: number } = {}) =>
    page.drawText(value, {
      x,
      y: top - (options.size ?? CELL_FONT),
      size: options.size ?? CELL_FONT,
      font: options.font ?? regular,
      color: BLACK,
    });
  const box = (x: number, top: number, width: number, height: number, fill = false) =>
    page.drawRectangle({
      x,
      y: top - height,
      width,
      height,
      borderColor: BLACK,
      borderWidth: 0.4,
      ...(fill ? { color: SHADE } : {}),
    });
  /** Lines centred in a box. */
  const centred = (lines: string[], x: number, top: number, width: number, font: PDFFont, size: number) => {
    lines.forEach((line, index) => {
      const fitted = fittedSize(line, font, size, width - 2);
      text(line, x + (width - font.widthOfTextAtSize(line, fitted)) / 2, top - PAD - index * size * LINE, {
        font,
        size: fitted,
      });
    });
  };

  const headerLines = report.columns.map((column, index) =>
    wrap(`(${index + 1}) ${column.label} (${column.unitLabel})`, bold, HEADER_FONT, groupWidth - 2 * PAD),
  );
  const labelHeight = Math.max(...headerLines.map((lines) => lines.length)) * HEADER_FONT * LINE + 2 * PAD;
  const subHeight = HEADER_FONT * LINE + 2 * PAD;

  const header = () => {
    const x0 = MARGIN;
    box(x0, y, NUMBER_WIDTH, labelHeight + subHeight, true);
    centred(['STT'], x0, y, NUMBER_WIDTH, bold, HEADER_FONT);
    box(x0 + NUMBER_WIDTH, y, NAME_WIDTH, labelHeight + subHeight, true);
    centred(['Đơn vị'], x0 + NUMBER_WIDTH, y, NAME_WIDTH, bold, HEADER_FONT);
    report.columns.forEach((_, index) => {
      const x = x0 + NUMBER_WIDTH + NAME_WIDTH + index * groupWidth;
      box(x, y, groupWidth, labelHeight, true);
      centred(headerLines[index] ?? [], x, y, groupWidth, bold, HEADER_FONT);
      CELL_HEADINGS.forEach((heading, offset) => {
        const [left, width] = [x + (cellX[offset] ?? 0), cellWidth[offset] ?? 0];
        box(left, y - labelHeight, width, subHeight, true);
        centred([heading], left, y - labelHeight, width, bold, HEADER_FONT);
      });
    });
    y -= labelHeight + subHeight;
  };

  const newPage = (first: boolean) => {
    page = pdf.addPage([PAGE.width, PAGE.height]);
    pages.push(page);
    y = PAGE.height - MARGIN;
    if (first) {
      text(report.provinceName.toLocaleUpperCase('vi-VN'), MARGIN, y, { font: bold, size: 9 });
      y -= 16;
      for (const line of wrap(report.title, bold, 12, tableWidth)) {
        text(line, (PAGE.width - bold.widthOfTextAtSize(line, 12)) / 2, y, { font: bold, size: 12 });
        y -= 15;
      }
      const subtitle = report.rolledUp
        ? `${report.periodLabel} (số liệu tổng hợp đến ${formatInstant(producedAt)})`
        : `${report.periodLabel} — chưa có số liệu tổng hợp của kỳ này`;
      text(subtitle, (PAGE.width - regular.widthOfTextAtSize(subtitle, 9)) / 2, y, { size: 9 });
      y -= 18;
    } else {
      const running = `${report.title} (tiếp theo)`;
      text(running, MARGIN, y, { font: bold, size: 8 });
      y -= 14;
    }
    header();
  };

  const rowHeight = (row: KpiReportRow) =>
    wrap(row.name, row.kind === 'unit' ? regular : bold, CELL_FONT, NAME_WIDTH - 2 * PAD).length *
      lineHeight +
    2 * PAD;

  const drawRow = (row: KpiReportRow) => {
    const font = row.kind === 'unit' ? regular : bold;
    const height = rowHeight(row);
    if (y - height < MARGIN + 14) newPage(false);
    const shaded = row.kind !== 'unit';
    box(MARGIN, y, NUMBER_WIDTH, height, shaded);
    centred([row.number], MARGIN, y, NUMBER_WIDTH, font, CELL_FONT);
    box(MARGIN + NUMBER_WIDTH, y, NAME_WIDTH, height, shaded);
    wrap(row.name, font, CELL_FONT, NAME_WIDTH - 2 * PAD).forEach((line, index) => {
      text(line, MARGIN + NUMBER_WIDTH + PAD, y - PAD - index * lineHeight, { font });
    });
    row.cells.forEach((cell, index) => {
      const x = MARGIN + NUMBER_WIDTH + NAME_WIDTH + index * groupWidth;
      const values = [
        formatReportTarget(cell),
        cell.actual === undefined ? '—' : formatReportNumber(cell.actual),
        formatReportMet(cell),
      ];
      values.forEach((value, offset) => {
        const [left, width] = [x + (cellX[offset] ?? 0), cellWidth[offset] ?? 0];
        box(left, y, width, height, shaded);
        centred([value], left, y, width, font, CELL_FONT);
      });
    });
    y -= height;
  };

  newPage(true);
  for (const row of report.rows) drawRow(row);

  const legend = [
    'Chú thích:',
    ...report.columns.map(
      (column, index) =>
        `(${index + 1}) ${column.label} (${column.unitLabel}), quy tắc ${column.ruleVersion}`,
    ),
    '"Chỉ tiêu" theo kế hoạch của tỉnh; "Đánh giá" để trống khi không có chỉ tiêu hoặc không có hồ sơ để đo; "—": không có số liệu.',
    'Dòng cấp (I, II, …) cộng tử số và mẫu số của các đơn vị trong cấp khi hệ thống chưa lưu số liệu của cấp.',
  ];
  y -= 10;
  for (const line of legend) {
    if (y - 10 < MARGIN + 14) {
      page = pdf.addPage([PAGE.width, PAGE.height]);
      pages.push(page);
      y = PAGE.height - MARGIN;
    }
    text(line, MARGIN, y, { size: 7.5, font: line === 'Chú thích:' ? bold : regular });
    y -= 10;
  }

  pages.forEach((current, index) => {
    page = current;
    const footer = `${report.provinceName} — ${report.periodLabel} — Trang ${index + 1}/${pages.length}`;
    text(footer, PAGE.width - MARGIN - regular.widthOfTextAtSize(footer, 7), MARGIN - 4, { size: 7 });
  });
  return pdf.save({ useObjectStreams: false });
}

/** The largest size up to `size` at which the text fits `width` (numbers never wrap). */
function fittedSize(text: string, font: PDFFont, size: number, width: number): number {
  const natural = font.widthOfTextAtSize(text, size);
  return natural <= width ? size : Math.max(4, (size * width) / natural);
}
