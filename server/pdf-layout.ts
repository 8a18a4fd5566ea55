// A4 page, fonts with Vietnamese diacritics and a small table helper for the
// printed reports (pdfkit). Margins follow the usual administrative layout:
// 30 mm left, 20 mm right, top and bottom.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { AppError } from '../signaling/common.js';

export type Doc = PDFKit.PDFDocument;
const MM = 72 / 25.4;
export const MARGIN = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 20 * MM };

/** Where the DejaVu fonts live (Debian package fonts-dejavu-core); PDF_FONT_DIR overrides. */
const FONT_DIRS = [process.env.PDF_FONT_DIR, '/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu'].filter((d): d is string => !!d);
const FONT_FILES = { R: 'DejaVuSerif.ttf', B: 'DejaVuSerif-Bold.ttf' } as const;

function fontDir(): string {
  const dir = FONT_DIRS.find((d) => existsSync(join(d, FONT_FILES.R)) && existsSync(join(d, FONT_FILES.B)));
  if (!dir) {
    throw new AppError('UNAVAILABLE', 'Máy chủ chưa có phông chữ tiếng Việt để in PDF (gói fonts-dejavu-core). Hãy báo kỹ thuật viên cài gói đó, hoặc tải báo cáo dạng XLSX. / The server has no Vietnamese font for PDF (package fonts-dejavu-core). Ask the technician to install it, or download the XLSX report.');
  }
  return dir;
}

/** A new A4 document with fonts 'R' (regular) and 'B' (bold) registered and selected. */
export function newDoc(title: string, author: string): Doc {
  const dir = fontDir();
  const doc = new PDFDocument({ size: 'A4', margins: MARGIN, bufferPages: true, info: { Title: title, Author: author } });
  doc.registerFont('R', join(dir, FONT_FILES.R));
  doc.registerFont('B', join(dir, FONT_FILES.B));
  doc.font('R').fontSize(12);
  return doc;
}

export function toBuffer(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

export const contentWidth = (doc: Doc) => doc.page.width - MARGIN.left - MARGIN.right;
const bottom = (doc: Doc) => doc.page.height - MARGIN.bottom;

/** Starts a new page when less than `h` points are left. */
export function ensureSpace(doc: Doc, h: number): void {
  if (doc.y + h > bottom(doc)) doc.addPage();
}

/** A paragraph across the content width. */
export function para(doc: Doc, text: string, o: { bold?: boolean; size?: number; align?: 'left' | 'center' | 'justify' | 'right'; italic?: boolean; gap?: number; indent?: number } = {}): void {
  doc.font(o.bold ? 'B' : 'R').fontSize(o.size ?? 12);
  doc.text(text, MARGIN.left + (o.indent ?? 0), doc.y, { width: contentWidth(doc) - (o.indent ?? 0), align: o.align ?? 'justify', lineGap: 2, oblique: o.italic ? 10 : false });
  doc.moveDown(o.gap ?? 0.25);
}

export interface Col { header: string; width: number; align?: 'left' | 'right' | 'center' }

/**
 * A bordered table; widths are fractions of the content width. Rows that do
 * not fit start a new page, with the header repeated. `strong` rows are bold.
 */
export function table(doc: Doc, cols: Col[], rows: string[][], strong: Set<number> = new Set()): void {
  const pad = 3;
  const size = 9.5;
  const total = contentWidth(doc);
  const widths = cols.map((c) => c.width * total);
  const measure = (cells: string[], font: 'R' | 'B') => {
    doc.font(font).fontSize(size);
    return Math.max(...cells.map((t, i) => doc.heightOfString(t || ' ', { width: widths[i]! - 2 * pad, lineGap: 1 }))) + 2 * pad;
  };
  const draw = (cells: string[], font: 'R' | 'B', fill?: string) => {
    const h = measure(cells, font);
    if (doc.y + h > bottom(doc)) { doc.addPage(); if (!fill) drawHeader(); }
    const y = doc.y;
    let x = MARGIN.left;
    cells.forEach((t, i) => {
      const w = widths[i]!;
      if (fill) doc.rect(x, y, w, h).fillAndStroke(fill, '#000'); else doc.rect(x, y, w, h).stroke('#000');
      doc.fillColor('#000').font(font).fontSize(size).text(t, x + pad, y + pad, { width: w - 2 * pad, align: fill ? 'center' : cols[i]!.align ?? 'left', lineGap: 1 });
      x += w;
    });
    doc.x = MARGIN.left;
    doc.y = y + h;
  };
  const drawHeader = () => draw(cols.map((c) => c.header), 'B', '#e6e6e6');
  doc.lineWidth(0.5);
  ensureSpace(doc, measure(cols.map((c) => c.header), 'B') + (rows[0] ? measure(rows[0], 'R') : 0));
  drawHeader();
  rows.forEach((r, i) => draw(r, strong.has(i) ? 'B' : 'R'));
  doc.moveDown(0.6);
}

/** "Trang i/n" and a small line at the foot of every page. */
export function footers(doc: Doc, left: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const keep = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN.bottom + 14;
    doc.font('R').fontSize(8).fillColor('#555');
    doc.text(left, MARGIN.left, y, { width: contentWidth(doc) * 0.75, lineBreak: false });
    doc.text(`Trang ${i + 1}/${range.count}`, MARGIN.left, y, { width: contentWidth(doc), align: 'right', lineBreak: false });
    doc.fillColor('#000');
    doc.page.margins.bottom = keep;
  }
}

/** Percentage as people write it ("85%"), or "—" when nothing was expected. */
export function pct(part: number, whole: number): string {
  return whole ? `${Math.round((part / whole) * 100)}%` : '—';
}

/** 12.345 (Vietnamese thousands separator). */
export function num(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}
