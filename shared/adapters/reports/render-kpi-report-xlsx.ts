/**
 * The KPI report as an Excel workbook (exceljs): the province and title above, two header rows
 * (each indicator's label over its target, actual and met columns, merged), one row per unit with
 * level subtotals and the province in bold, numbers as numbers (Vietnamese labels with diacritics).
 */
import ExcelJS from 'exceljs';
import {
  CELL_HEADINGS,
  formatReportMet,
  formatReportTarget,
  type KpiReportModel,
} from '#shared/domain/kpi/kpi-report.ts';

/** The first row of the table's header; data starts two rows below. */
export const XLSX_HEADER_ROW = 5;

const THIN = { style: 'thin' as const };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** Renders the report to an XLSX file's bytes. */
export async function renderKpiReportXlsx(report: KpiReportModel): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const producedAt = new Date(report.producedAt);
  workbook.creator = 'motcua';
  workbook.created = producedAt;
  workbook.modified = producedAt;
  const sheet = workbook.addWorksheet(report.period, {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    views: [{ state: 'frozen', xSplit: 2, ySplit: XLSX_HEADER_ROW + 1 }],
  });
  const lastColumn = 2 + report.columns.length * CELL_HEADINGS.length;

  sheet.getCell(1, 1).value = report.provinceName.toLocaleUpperCase('vi-VN');
  sheet.getCell(1, 1).font = { bold: true };
  sheet.mergeCells(2, 1, 2, lastColumn);
  sheet.getCell(2, 1).value = report.title;
  sheet.getCell(2, 1).font = { bold: true, size: 14 };
  sheet.getCell(2, 1).alignment = { horizontal: 'center' };
  sheet.mergeCells(3, 1, 3, lastColumn);
  sheet.getCell(3, 1).value = report.rolledUp
    ? `${report.periodLabel} (số liệu tổng hợp đến ${formatInstant(producedAt)})`
    : `${report.periodLabel} — chưa có số liệu tổng hợp của kỳ này`;
  sheet.getCell(3, 1).alignment = { horizontal: 'center' };
  sheet.getCell(3, 1).font = { italic: true };

  const top = XLSX_HEADER_ROW;
  const heading = (row: number, column: number, text: string) => {
    const cell = sheet.getCell(row, column);
    cell.value = text;
    cell.font = { bold: true };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
  };
  sheet.mergeCells(top, 1, top + 1, 1);
  heading(top, 1, 'STT');
  sheet.mergeCells(top, 2, top + 1, 2);
  heading(top, 2, 'Đơn vị');
  report.columns.forEach((column, index) => {
    const first = 3 + index * CELL_HEADINGS.length;
    sheet.mergeCells(top, first, top, first + CELL_HEADINGS.length - 1);
    heading(top, first, `${column.label} (${column.unitLabel})`);
    CELL_HEADINGS.forEach((text, offset) => {
      heading(top + 1, first + offset, text);
    });
  });
  sheet.getRow(top).height = 75;

  report.rows.forEach((row, rowIndex) => {
    const r = top + 2 + rowIndex;
    const bold = row.kind !== 'unit';
    const put = (column: number, value: string | number | undefined, format?: string) => {
      const cell = sheet.getCell(r, column);
      if (value !== undefined && value !== '') cell.value = value;
      if (format) cell.numFmt = format;
      cell.font = { bold };
      cell.border = BORDER;
      cell.alignment = {
        vertical: 'middle',
        horizontal: column === 2 ? 'left' : 'center',
        wrapText: column === 2,
      };
    };
    put(1, row.number);
    put(2, row.name);
    row.cells.forEach((cell, index) => {
      const first = 3 + index * CELL_HEADINGS.length;
      put(first, formatReportTarget(cell));
      put(first + 1, cell.actual, '#,##0.0');
      put(first + 2, formatReportMet(cell));
    });
  });

  const notes = top + 3 + report.rows.length;
  const footnotes = [
    'Ghi chú: "Chỉ tiêu" theo kế hoạch của tỉnh; "Đánh giá" để trống khi không có chỉ tiêu hoặc không có hồ sơ để đo.',
    'Dòng cấp (I, II, …) cộng tử số và mẫu số của các đơn vị trong cấp khi hệ thống chưa lưu số liệu của cấp.',
    `Quy tắc tính: ${report.columns.map((column) => `${column.kpiId} ${column.ruleVersion}`).join('; ')}.`,
  ];
  footnotes.forEach((text, index) => {
    sheet.getCell(notes + index, 1).value = text;
    sheet.getCell(notes + index, 1).font = { italic: true, size: 9 };
  });

  sheet.getColumn(1).width = 6;
  sheet.getColumn(2).width = 42;
  for (let column = 3; column <= lastColumn; column++) sheet.getColumn(column).width = 11;
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

const INSTANT = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  dateStyle: 'short',
  timeStyle: 'short',
});

/** An instant in Vietnam time, as the reports print it. */
export const formatInstant = (instant: Date) => INSTANT.format(instant);
