// Reading and writing the import spreadsheets: XLSX (exceljs) and CSV (UTF-8,
// comma or semicolon), as plain rows of text cells with their spreadsheet row
// numbers. Which columns mean what lives in columns.ts.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ImportIssue } from '../../signaling/site-import.js';

/** One sheet as read: header cells and data rows (1-based spreadsheet row numbers). */
export interface RawSheet {
  name: string;
  header: string[];
  rows: { row: number; cells: string[] }[];
}
export interface RawBook { sheets: RawSheet[]; format: 'xlsx' | 'csv' }
export type ReadResult = { ok: true; book: RawBook } | { ok: false; issue: ImportIssue };

const fileIssue = (message: string): ImportIssue => ({ sheet: '', row: 0, column: '', message });

export const WRONG_TYPE = 'Tệp không phải bảng tính XLSX hay CSV: hãy tải mẫu, điền rồi lưu dưới dạng .xlsx (Excel) hoặc .csv (UTF-8) và tải lên lại. / The file is not an XLSX or CSV spreadsheet: download the template, fill it in, save it as .xlsx or .csv (UTF-8) and upload it again.';

/** "A", "B", …, "AA" for a 0-based column index. */
export function colLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) {
    // a date typed into a cell: written back as dd/mm/yyyy HH:mm (the cell's own clock, which Excel keeps as UTC)
    const p = (n: number) => String(n).padStart(2, '0');
    return `${p(v.getUTCDate())}/${p(v.getUTCMonth() + 1)}/${v.getUTCFullYear()} ${p(v.getUTCHours())}:${p(v.getUTCMinutes())}`;
  }
  if (typeof v === 'object') {
    const o = v as unknown as Record<string, unknown>;
    if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((t) => t.text).join('');
    if ('result' in o) return cellText(o.result as ExcelJS.CellValue);
    if ('text' in o) return cellText(o.text as ExcelJS.CellValue);
    if ('error' in o) return String(o.error);
  }
  return String(v);
}

async function readXlsx(buf: Buffer): Promise<RawBook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const sheets: RawSheet[] = [];
  wb.eachSheet((ws) => {
    const out: RawSheet = { name: ws.name.trim(), header: [], rows: [] };
    ws.eachRow({ includeEmpty: false }, (r, n) => {
      const vals = r.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < vals.length; i++) cells.push(cellText(vals[i]).trim());
      if (!out.header.length && n >= 1 && cells.some((c) => c)) { out.header = cells; return; }
      if (cells.some((c) => c)) out.rows.push({ row: n, cells });
    });
    sheets.push(out);
  });
  return { sheets, format: 'xlsx' };
}

/** RFC 4180 CSV (quotes, doubled quotes, newlines inside quotes), comma or semicolon. */
export function parseCsv(text: string): string[][] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) { row.push(cell); cell = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function readCsv(buf: Buffer, sheetName: string): RawBook | null {
  if (buf.includes(0)) return null;
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { return null; }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const all = parseCsv(text);
  const sheet: RawSheet = { name: sheetName, header: [], rows: [] };
  all.forEach((cells, i) => {
    const t = cells.map((c) => c.trim());
    if (!t.some((c) => c)) return;
    if (!sheet.header.length) sheet.header = t;
    else sheet.rows.push({ row: i + 1, cells: t });
  });
  return { sheets: [sheet], format: 'csv' };
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Reads an uploaded file by its extension and its first bytes; a wrong type is one file-level issue. */
export async function readBook(filename: string, buf: Buffer, csvSheetName: string): Promise<ReadResult> {
  const ext = filename.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1] ?? '';
  const isZip = buf.subarray(0, 4).equals(ZIP);
  if (ext === 'xlsx' || (ext !== 'csv' && isZip)) {
    if (!isZip) return { ok: false, issue: fileIssue(WRONG_TYPE) };
    try { return { ok: true, book: await readXlsx(buf) }; } catch {
      return { ok: false, issue: fileIssue(`Không đọc được tệp XLSX (hỏng hoặc không phải bảng tính Excel): hãy mở bằng Excel, lưu lại dạng .xlsx rồi tải lên lại. / The XLSX file cannot be read (damaged or not an Excel workbook): open it in Excel, save it as .xlsx again and upload it.`) };
    }
  }
  if (ext === 'csv' || ext === 'txt') {
    const book = readCsv(buf, csvSheetName);
    if (!book) return { ok: false, issue: fileIssue('Tệp CSV không phải văn bản UTF-8: trong Excel chọn "Lưu dưới dạng" → "CSV UTF-8 (phân tách bằng dấu phẩy)" rồi tải lên lại. / The CSV file is not UTF-8 text: in Excel use "Save as" → "CSV UTF-8 (comma delimited)" and upload it again.') };
    return { ok: true, book };
  }
  return { ok: false, issue: fileIssue(WRONG_TYPE) };
}

// ---------------------------------------------------------------- writing

export interface OutSheet {
  name: string;
  header: string[];
  rows: (string | number)[][];
  /** Column widths (characters). */
  widths?: number[];
  /** 0-based columns written as text (codes keep their leading zeros). */
  textCols?: number[];
}

/** Writes the workbook row by row (exceljs's streaming writer): a 31,000-row tree without holding every cell object at once. */
export async function writeXlsx(sheets: OutSheet[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((res, rej) => { stream.on('end', res); stream.on('error', rej); });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  wb.creator = 'diemcau';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = s.header.map((h, i) => ({ header: h, width: s.widths?.[i] ?? Math.max(12, Math.min(40, h.length + 2)), ...(s.textCols?.includes(i) ? { style: { numFmt: '@' } } : {}) }));
    const head = ws.getRow(1);
    head.font = { bold: true };
    head.alignment = { wrapText: true, vertical: 'top' };
    head.commit();
    for (const r of s.rows) ws.addRow(r.map((v) => (v === '' ? null : v))).commit();
    ws.commit();
  }
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",;\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** UTF-8 with a byte order mark (Excel opens it with the diacritics right), CRLF. */
export function writeCsv(sheet: OutSheet): string {
  return `\uFEFF${[sheet.header, ...sheet.rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
