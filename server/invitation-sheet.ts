// The printable invitation sheet (A4 PDF) the organizer sends down: a card per
// site with its name, a QR code and the short link (`…/l/abcd-efgh`) to type,
// what to do, in Vietnamese; six cards a page with dashed lines to cut along.
// The QR code is drawn as vector squares (qrcode's matrix), sharp at any size.
import QRCode from 'qrcode';
import type { Conference, SiteInviteRole } from '../signaling/control.js';
import { showShort } from '../signaling/setup.js';
import { vnDateTime } from './export.js';
import { newDoc, toBuffer, type Doc } from './pdf-layout.js';

export interface SheetCard {
  siteId: string;
  siteName: string;
  /** Name of the parent site (district, province …), to tell same-named communes apart. */
  parentName?: string;
  code: string;
  /** Expiry of the link, seconds since epoch. */
  exp: number;
}

const MM = 72 / 25.4;
const PAGE_MARGIN = 12 * MM;
const HEADER_H = 14 * MM;
const COLS = 2;
const ROWS = 3;

export const ROLE_TITLE: Record<SiteInviteRole, string> = {
  technician: 'Bàn điều khiển kỹ thuật của điểm cầu',
  viewer: 'Màn hình hội trường (trình chiếu hội nghị)',
  participant: 'Điểm danh đại biểu bằng điện thoại',
};

const ROLE_SHORT: Record<SiteInviteRole, string> = { technician: 'KỸ THUẬT VIÊN', viewer: 'MÀN HÌNH HỘI TRƯỜNG', participant: 'ĐIỂM DANH ĐẠI BIỂU' };

const STEPS: Record<SiteInviteRole, string[]> = {
  technician: [
    'Trên máy tính của hội trường (có camera, micro), mở Chrome hoặc Edge và gõ liên kết rút gọn ở trên, hoặc quét mã QR.',
    'Kiểm tra đường truyền; khi hội nghị bắt đầu, nhập số đại biểu có mặt theo từng thành phần.',
    'Có sự cố hoặc cần phát biểu (tham luận): báo ngay trên trang đó. Giữ kín phiếu này.',
  ],
  viewer: [
    'Trên máy tính nối với màn hình hoặc máy chiếu của hội trường, mở Chrome hoặc Edge và gõ liên kết rút gọn ở trên.',
    'Bấm F11 để xem toàn màn hình, rồi bấm “Bấm để bật âm thanh” một lần để có tiếng.',
    'Mất mạng thì trang tự kết nối lại; không cần bấm gì thêm.',
  ],
  participant: [
    'Đại biểu mở máy ảnh của điện thoại (hoặc Zalo) và quét mã QR, hoặc gõ liên kết rút gọn.',
    'Chọn thành phần, ghi họ tên rồi bấm “Điểm danh”.',
    'Khi ra về trước giờ kết thúc, mở lại trang và bấm “Ra về”.',
  ],
};

function qr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const m = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const quiet = 4; // the standard quiet zone: scanners find the code on a printed page
  const cell = size / (m.size + 2 * quiet);
  doc.save().fillColor('#000');
  for (let r = 0; r < m.size; r++) {
    for (let c = 0; c < m.size; c++) {
      if (m.data[r * m.size + c]) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell + 0.05, cell + 0.05);
    }
  }
  doc.fill().restore();
}

/** The largest size from `max` down to `min` at which `text` fits in `width`. */
function fitSize(doc: Doc, text: string, width: number, max: number, min: number): number {
  doc.font('B');
  for (let s = max; s > min; s -= 0.5) if (doc.fontSize(s).widthOfString(text) <= width) return s;
  return min;
}

function card(doc: Doc, c: SheetCard, role: SiteInviteRole, origin: string, x: number, y: number, w: number, h: number): void {
  const pad = 10;
  const inner = w - 2 * pad;
  doc.save().lineWidth(0.6).dash(4, { space: 3 }).strokeColor('#888').rect(x, y, w, h).stroke().undash().restore();
  let cy = y + pad;
  doc.fillColor('#000').font('B').fontSize(12).text(c.siteName, x + pad, cy, { width: inner, height: 30, ellipsis: true, lineGap: 0 });
  cy = Math.max(doc.y, cy + 15);
  const sub = [ROLE_TITLE[role], c.parentName].filter(Boolean).join(' · ');
  doc.font('R').fontSize(8.5).fillColor('#444').text(sub, x + pad, cy + 1, { width: inner, height: 22, ellipsis: true });
  cy = doc.y + 4;
  const link = `${origin}/l/${showShort(c.code)}`;
  const qrSize = 100;
  qr(doc, link, x + pad - 8, cy - 4, qrSize);
  const rx = x + pad + qrSize + 2;
  const rw = x + w - pad - rx;
  doc.fillColor('#000').font('R').fontSize(8.5).text('Gõ liên kết rút gọn:', rx, cy + 8, { width: rw });
  const display = link.replace(/^https?:\/\//, '');
  doc.font('B').fontSize(fitSize(doc, display, rw, 13, 7)).text(display, rx, doc.y + 2, { width: rw, lineBreak: false });
  doc.font('R').fontSize(8.5).text('hoặc quét mã QR bên trái.', rx, doc.y + 4, { width: rw });
  doc.fontSize(8).fillColor('#444').text(`Dùng được đến ${vnDateTime(c.exp * 1000, false)}`, rx, doc.y + 6, { width: rw });
  doc.text(`Mã điểm cầu: ${c.siteId}`, rx, doc.y + 1, { width: rw });
  cy += qrSize - 4;
  doc.fillColor('#000').font('B').fontSize(8.5).text('Cách làm:', x + pad, cy, { width: inner });
  doc.font('R').fontSize(8);
  STEPS[role].forEach((s, i) => {
    doc.text(`${i + 1}. ${s}`, x + pad, doc.y + 1, { width: inner, lineGap: 0.5, height: y + h - pad - doc.y, ellipsis: true });
  });
}

/** The sheet: six cards a page, a header with the conference on each page. */
export async function invitationSheet(conf: Conference, role: SiteInviteRole, origin: string, cards: SheetCard[]): Promise<Buffer> {
  const doc = newDoc(`Phiếu kết nối điểm cầu — ${conf.title}`, conf.organizer ?? 'Điểm Cầu');
  const margins = { top: PAGE_MARGIN, bottom: PAGE_MARGIN / 2, left: PAGE_MARGIN, right: PAGE_MARGIN };
  const perPage = COLS * ROWS;
  const pages = Math.max(1, Math.ceil(cards.length / perPage));
  for (let p = 0; p < pages; p++) {
    if (p === 0) doc.page.margins = margins; else doc.addPage({ size: 'A4', margins });
    const W = doc.page.width - 2 * PAGE_MARGIN;
    const heading = `PHIẾU KẾT NỐI ĐIỂM CẦU — ${ROLE_SHORT[role]}`;
    doc.fillColor('#000').font('B').fontSize(fitSize(doc, heading, W * 0.8, 11, 7)).text(heading, PAGE_MARGIN, PAGE_MARGIN, { width: W * 0.8, lineBreak: false });
    doc.font('R').fontSize(9).text(`Trang ${p + 1}/${pages}`, PAGE_MARGIN, PAGE_MARGIN, { width: W, align: 'right', lineBreak: false });
    doc.fontSize(9).text(`${conf.title} (${conf.planNumber}) · ${vnDateTime(conf.plannedStart, false)}`, PAGE_MARGIN, PAGE_MARGIN + 15, { width: W, height: 12, ellipsis: true });
    const top = PAGE_MARGIN + HEADER_H;
    const cw = W / COLS;
    const ch = (doc.page.height - top - PAGE_MARGIN) / ROWS;
    cards.slice(p * perPage, (p + 1) * perPage).forEach((c, i) => {
      card(doc, c, role, origin, PAGE_MARGIN + (i % COLS) * cw, top + Math.floor(i / COLS) * ch, cw, ch);
    });
    if (!cards.length) doc.font('R').fontSize(11).text('Chưa có liên kết nào để in.', PAGE_MARGIN, top, { width: W });
  }
  return toBuffer(doc);
}
