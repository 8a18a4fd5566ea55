// Reading back the CSV and XLSX exports the way a spreadsheet would, and their
// Vietnam-time cells, without trusting the service's own formatter.
import assert from 'node:assert/strict';
import type ExcelJS from 'exceljs';

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF), without the UTF-8 BOM. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && src[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** dd/mm/yyyy HH:mm:ss (Vietnam time) → epoch ms. */
export function fromVnTime(s: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  assert.ok(m, `"${s}" is dd/mm/yyyy HH:mm:ss`);
  return Date.parse(`${m[3]}-${m[2]}-${m[1]}T${m[4]}:${m[5]}:${m[6]}+07:00`);
}

/** A worksheet's rows as objects keyed by the header row; `empty` stands for a blank cell. */
export function sheetRows(ws: ExcelJS.Worksheet, empty: unknown = undefined): Record<string, unknown>[] {
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const v = (row.values as unknown[]).slice(1);
    out.push(Object.fromEntries(header.map((h, i) => [h, empty === undefined ? v[i] : v[i] ?? empty])));
  });
  return out;
}
