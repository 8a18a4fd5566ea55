// The printable report of a conference's results (A4 PDF), laid out as a
// Vietnamese administrative report the unit signs and sends up: issuing body
// and national/Party header, title with the plan number, attendance per level,
// unit and delegate group, agenda planned vs actual, incidents, the sending
// state and a signature block. Every time is Vietnam time; names, not ids.
import type { Conference } from '../signaling/control.js';
import { vnDateTime, vnParts } from './export.js';
import { contentWidth, ensureSpace, footers, MARGIN, newDoc, num, para, pct, table, toBuffer, type Doc } from './pdf-layout.js';
import type { ResultsData } from './reports.js';
import { replaySection } from './replay/pdf.js';

const COMMITTEE = /(Tỉnh|Thành|Huyện|Quận|Thị|Đảng)\s+(uỷ|ủy)(?=\s|$)/iu;
const LEVEL: Record<string, string> = { centre: 'Trung ương', province: 'Tỉnh', district: 'Huyện', commune: 'Xã' };
const SEVERITY: Record<string, string> = { low: 'Thấp', normal: 'Bình thường', high: 'Cao' };
const up = (s: string) => s.toLocaleUpperCase('vi');
const two = (n: number) => String(n).padStart(2, '0');
const at = (t: number | string) => vnDateTime(t, false);

export interface Issuer { parent?: string; body: string; place: string; party: boolean }

/** "Ban Tuyên giáo Tỉnh uỷ Lạng Sơn" → body "Ban Tuyên giáo" under "Tỉnh uỷ Lạng Sơn", place "Lạng Sơn", a Party body. */
export function issuer(c: Conference, provinceName?: string): Issuer {
  const org = c.organizer?.trim() || 'Ban Tổ chức hội nghị';
  const m = COMMITTEE.exec(org);
  const parent = m && m.index > 0 ? org.slice(m.index).trim() : undefined;
  const body = parent ? org.slice(0, m!.index).trim() : org;
  const own = (parent ?? (m ? org : '')).replace(COMMITTEE, '').trim();
  const place = own || provinceName?.replace(/^(Tỉnh|Thành phố)\s+/iu, '').trim() || '……';
  const party = /(uỷ|ủy|Đảng|Tuyên giáo|Dân vận)/iu.test(org) || /\/(TW|TƯ|TU|HU|ĐU|QU|TX)$/u.test(c.planNumber);
  return { ...(parent ? { parent } : {}), body, place, party };
}

/** "Lạng Sơn, ngày 02 tháng 10 năm 2023" (months 1 and 2 with a leading zero, as the rules ask). */
export function placeDate(place: string, t: number): string {
  const p = vnParts(t)!;
  return `${place}, ngày ${two(p.day)} tháng ${p.month < 3 ? two(p.month) : p.month} năm ${p.year}`;
}

function signer(body: string): string {
  if (/^Ban\s/iu.test(body)) return 'TRƯỞNG BAN';
  if (/^Văn phòng\s/iu.test(body)) return 'CHÁNH VĂN PHÒNG';
  return `T/M ${up(body)}`;
}

function header(doc: Doc, who: Issuer, when: number): void {
  const w = contentWidth(doc);
  const y0 = doc.y;
  const left = { x: MARGIN.left - 10, w: w * 0.44 };
  const right = { x: MARGIN.left + w * 0.4, w: w * 0.6 + 10 };
  const col = (x: number, cw: number, text: string, font: 'R' | 'B', size: number, o: { underline?: boolean; italic?: boolean } = {}) =>
    doc.font(font).fontSize(size).text(text, x, doc.y, { width: cw, align: 'center', underline: !!o.underline, oblique: o.italic ? 10 : false });
  doc.y = y0;
  if (who.parent) col(left.x, left.w, up(who.parent), 'R', 11);
  col(left.x, left.w, up(who.body), 'B', 11);
  col(left.x, left.w, '*', 'R', 11);
  col(left.x, left.w, 'Số:        -BC', 'R', 11);
  const leftEnd = doc.y;
  doc.y = y0;
  if (who.party) {
    col(right.x, right.w, 'ĐẢNG CỘNG SẢN VIỆT NAM', 'B', 12, { underline: true });
  } else {
    col(right.x, right.w, 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'B', 11);
    col(right.x, right.w, 'Độc lập - Tự do - Hạnh phúc', 'B', 12, { underline: true });
  }
  doc.moveDown(who.party ? 1.35 : 0.35);
  col(right.x, right.w, placeDate(who.place, when), 'R', 11, { italic: true });
  doc.x = MARGIN.left;
  doc.y = Math.max(leftEnd, doc.y) + 18;
}

function lowerFirst(s: string): string {
  return s ? s[0]!.toLocaleLowerCase('vi') + s.slice(1) : s;
}

function heading(doc: Doc, text: string): void {
  ensureSpace(doc, 60);
  doc.moveDown(0.3);
  para(doc, text, { bold: true, align: 'left', gap: 0.3 });
}

function attendance(doc: Doc, d: ResultsData): void {
  const r = d.report;
  heading(doc, 'II. KẾT QUẢ THAM DỰ');
  para(doc, `Tổng số đại biểu dự kiến ${num(r.root.totalExpected)}, có mặt ${num(r.root.totalPresent)} (${pct(r.root.totalPresent, r.root.totalExpected)}); ${num(r.root.reported)}/${num(r.root.sites)} điểm cầu đã báo số người dự.`);
  para(doc, '1. Theo cấp', { bold: true, size: 11, align: 'left' });
  const lv = d.levels;
  const sum = (k: 'sites' | 'reported' | 'expected' | 'present') => lv.reduce((a, l) => a + l[k], 0);
  table(doc, [
    { header: 'Cấp', width: 0.25 }, { header: 'Số điểm cầu', width: 0.15, align: 'right' }, { header: 'Đã báo số', width: 0.15, align: 'right' },
    { header: 'Dự kiến', width: 0.15, align: 'right' }, { header: 'Có mặt', width: 0.15, align: 'right' }, { header: 'Tỉ lệ', width: 0.15, align: 'right' },
  ], [
    ...lv.map((l) => [(d.kindNames[l.level] ?? LEVEL[l.level] ?? l.level), num(l.sites), num(l.reported), num(l.expected), num(l.present), pct(l.present, l.expected)]),
    ['Tổng cộng', num(sum('sites')), num(sum('reported')), num(sum('expected')), num(sum('present')), pct(sum('present'), sum('expected'))],
  ], new Set([lv.length]));
  para(doc, '2. Theo đơn vị (số liệu cả các điểm cầu trực thuộc)', { bold: true, size: 11, align: 'left' });
  table(doc, [
    { header: 'TT', width: 0.06, align: 'center' }, { header: 'Đơn vị', width: 0.3 }, { header: 'Cấp', width: 0.1 },
    { header: 'Điểm cầu', width: 0.1, align: 'right' }, { header: 'Đã báo số', width: 0.11, align: 'right' },
    { header: 'Dự kiến', width: 0.11, align: 'right' }, { header: 'Có mặt', width: 0.11, align: 'right' }, { header: 'Tỉ lệ', width: 0.11, align: 'right' },
  ], [
    ...r.units.map((u, i) => [String(i + 1), u.name, (d.kindNames[u.level] ?? LEVEL[u.level] ?? u.level), num(u.sites), num(u.reported), num(u.totalExpected), num(u.totalPresent), pct(u.totalPresent, u.totalExpected)]),
    ['', 'Toàn hội nghị', '', num(r.root.sites), num(r.root.reported), num(r.root.totalExpected), num(r.root.totalPresent), pct(r.root.totalPresent, r.root.totalExpected)],
  ], new Set([r.units.length]));
  para(doc, '3. Theo thành phần đại biểu', { bold: true, size: 11, align: 'left' });
  const order = ['centre', 'province', 'district', 'commune'];
  const groups = [...d.groups].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level) || a.order - b.order);
  table(doc, [
    { header: 'TT', width: 0.06, align: 'center' }, { header: 'Thành phần', width: 0.46 }, { header: 'Cấp', width: 0.12 },
    { header: 'Dự kiến', width: 0.12, align: 'right' }, { header: 'Có mặt', width: 0.12, align: 'right' }, { header: 'Tỉ lệ', width: 0.12, align: 'right' },
  ], groups.map((g, i) => {
    const e = r.root.expected[g.id] ?? 0, p = r.root.present[g.id] ?? 0;
    return [String(i + 1), g.name, (d.kindNames[g.level] ?? LEVEL[g.level] ?? g.level), num(e), num(p), pct(p, e)];
  }));
  // replay sessions ("học tập lại") in a part of their own, never in the live totals above
  replaySection(doc, { replay: d.replay, unitNames: r.units.map((u) => u.name), kindName: (l) => d.kindNames[l] ?? LEVEL[l] ?? l, ...(d.replaySince ? { since: d.replaySince } : {}) },
    '4. Học tập lại (Replay) — báo cáo riêng, không cộng vào số có mặt trực tiếp');
}

function agenda(doc: Doc, d: ResultsData): void {
  heading(doc, 'III. CHƯƠNG TRÌNH HỘI NGHỊ: DỰ KIẾN VÀ THỰC TẾ');
  const rows = d.report.agenda;
  if (!rows.length) { para(doc, 'Chưa có chương trình.'); return; }
  table(doc, [
    { header: 'TT', width: 0.06, align: 'center' }, { header: 'Nội dung — cơ quan trình bày', width: 0.42 },
    { header: 'Dự kiến', width: 0.18 }, { header: 'Thực tế', width: 0.2 }, { header: 'Chênh lệch', width: 0.14, align: 'right' },
  ], rows.map((a, i) => {
    const planned = `${at(a.plannedStart)}\n${a.plannedDurationMin} phút`;
    const sameDay = a.actualStart && a.actualEnd && at(a.actualStart).slice(0, 10) === at(a.actualEnd).slice(0, 10);
    const actual = !a.actualStart ? 'Chưa thực hiện'
      : !a.actualEnd ? `${at(a.actualStart)} – (đang diễn ra)`
      : `${at(a.actualStart)} – ${sameDay ? at(a.actualEnd).slice(11) : at(a.actualEnd)}\n${Math.round(a.actualDurationMin ?? 0)} phút`;
    const diff = a.actualDurationMin === undefined ? '' : Math.round(a.actualDurationMin - a.plannedDurationMin);
    return [String(i + 1), `${a.title}\n— ${a.presenter}`, planned, actual, diff === '' ? '' : `${diff > 0 ? '+' : ''}${diff} phút`];
  }));
}

function incidents(doc: Doc, d: ResultsData): void {
  heading(doc, 'IV. SỰ CỐ, VẤN ĐỀ PHÁT SINH');
  const list = d.incidents;
  const handled = list.filter((i) => i.state === 'handled').length;
  if (!list.length) { para(doc, 'Không có sự cố, vấn đề phát sinh nào được báo cáo.'); return; }
  para(doc, `Có ${list.length} sự cố, vấn đề phát sinh được báo cáo: ${handled} đã xử lý, ${list.length - handled} chưa xử lý.`);
  table(doc, [
    { header: 'Thời gian', width: 0.17 }, { header: 'Điểm cầu', width: 0.2 }, { header: 'Nội dung', width: 0.3 },
    { header: 'Mức độ', width: 0.11 }, { header: 'Xử lý', width: 0.22 },
  ], list.map((i) => [
    at(i.createdAt), i.siteName, i.detail ? `${i.title}: ${i.detail}` : i.title, SEVERITY[i.severity] ?? i.severity,
    i.state === 'handled' ? `Đã xử lý lúc ${at(i.handledAt ?? i.createdAt)}${i.handledNote ? `: ${i.handledNote}` : ''}` : 'Chưa xử lý',
  ]));
}

function sending(doc: Doc, d: ResultsData): void {
  const r = d.report;
  heading(doc, 'V. BÁO CÁO TỔNG HỢP LÊN CẤP TRÊN');
  const deadline = at(r.deadline);
  if (r.sentAt) {
    const late = r.sentAt > Date.parse(r.deadline);
    para(doc, `Đã gửi báo cáo tổng hợp tới ${r.reportsTo} lúc ${at(r.sentAt)} (giờ Việt Nam), ${late ? 'sau' : 'trong'} hạn ${deadline}. Số liệu tham dự trong báo cáo này là số liệu đã chốt khi gửi.`);
  } else {
    para(doc, `Chưa gửi báo cáo tổng hợp tới ${r.reportsTo}; hạn gửi: ${deadline} (giờ Việt Nam). Số liệu trên lập lúc ${at(r.generatedAt)}, là bản xem trước và còn thay đổi.`);
  }
  if (r.note) para(doc, `Ý kiến, kiến nghị: ${r.note}`);
}

function signature(doc: Doc, who: Issuer, reportsTo: string): void {
  ensureSpace(doc, 150);
  doc.moveDown(0.8);
  const w = contentWidth(doc);
  const y0 = doc.y;
  doc.font('B').fontSize(11).text('Nơi nhận:', MARGIN.left, y0, { width: w * 0.45, oblique: 10 });
  doc.font('R').fontSize(10);
  for (const to of reportsTo.split(/[;,]\s*/).filter(Boolean)) doc.text(`- ${to} (báo cáo),`, { width: w * 0.45 });
  doc.text('- Lưu văn phòng.', { width: w * 0.45 });
  doc.y = y0;
  const x = MARGIN.left + w * 0.45;
  doc.font('B').fontSize(12).text(signer(who.body), x, y0, { width: w * 0.55, align: 'center' });
  doc.font('R').fontSize(11).text('(Ký, ghi rõ họ tên và đóng dấu)', x, doc.y, { width: w * 0.55, align: 'center', oblique: 10 });
  doc.x = MARGIN.left;
}

export async function resultsPdf(d: ResultsData): Promise<Buffer> {
  const { conference: c, report: r } = d;
  const who = issuer(c, d.provinceName);
  const now = Date.now();
  const doc = newDoc(`Báo cáo kết quả hội nghị ${c.planNumber}`, c.organizer ?? 'Ban Tổ chức hội nghị');
  header(doc, who, r.sentAt ?? now);
  para(doc, 'BÁO CÁO', { bold: true, size: 14, align: 'center', gap: 0.1 });
  para(doc, `KẾT QUẢ ${up(c.title)}`, { bold: true, size: 12, align: 'center', gap: 0.1 });
  para(doc, `(Thực hiện Kế hoạch số ${c.planNumber})`, { size: 12, align: 'center', italic: true, gap: 0.1 });
  const mid = MARGIN.left + contentWidth(doc) / 2;
  doc.moveTo(mid - 40, doc.y + 2).lineTo(mid + 40, doc.y + 2).lineWidth(0.7).stroke('#000');
  doc.moveDown(0.6);
  if (!r.sentAt) para(doc, '(BẢN XEM TRƯỚC — CHƯA GỬI LÊN CẤP TRÊN)', { size: 10, align: 'center', italic: true });
  para(doc, `Kính gửi: ${r.reportsTo}`, { align: 'center', gap: 0.6 });
  const org = c.organizer ?? 'Ban Tổ chức hội nghị';
  para(doc, `Thực hiện Kế hoạch số ${c.planNumber}, ${org} đã tổ chức ${lowerFirst(c.title)}. ${who.body} báo cáo kết quả như sau:`, { indent: 0 });
  heading(doc, 'I. THỜI GIAN, HÌNH THỨC, ĐIỂM CẦU');
  const p = vnParts(c.plannedStart)!;
  para(doc, `- Thời gian: ngày ${two(p.day)}/${two(p.month)}/${p.year}, bắt đầu lúc ${p.hh}:${p.mi} (giờ Việt Nam), dự kiến ${c.plannedDurationMin} phút.`);
  const starts = r.agenda.flatMap((a) => (a.actualStart ? [a.actualStart] : []));
  const ends = r.agenda.flatMap((a) => (a.actualEnd ? [a.actualEnd] : []));
  if (starts.length) para(doc, `- Thực tế: bắt đầu ${at(Math.min(...starts))}${ends.length ? `, kết thúc ${at(Math.max(...ends))}` : ''}.`);
  para(doc, `- Hình thức: trực tuyến từ điểm cầu ${d.rootName} tới ${num(Math.max(0, d.siteCount - 1))} điểm cầu các cấp.`);
  attendance(doc, d);
  agenda(doc, d);
  incidents(doc, d);
  sending(doc, d);
  signature(doc, who, r.reportsTo);
  footers(doc, `${c.planNumber} · Lập lúc ${at(now)} (giờ Việt Nam)`);
  return toBuffer(doc);
}
