// The results PDF's replay part ("học tập lại"): its own numbered paragraph and
// table after the live attendance, saying in words that the figures are not in
// the live totals above.
import type { UpwardReplay } from '../../signaling/control.js';
import { num, para, table, type Doc } from '../pdf-layout.js';

export interface ReplayPdfData {
  /** The report's replay figures (frozen with the report once sent). */
  replay: UpwardReplay;
  /** Unit names in the report's order (same order as replay.units). */
  unitNames: string[];
  kindName: (level: string) => string;
  /** Sessions recorded after a sent report was frozen: sessions and people. */
  since?: { sessions: number; present: number };
}

export function replaySection(doc: Doc, d: ReplayPdfData, heading: string): void {
  const r = d.replay;
  para(doc, heading, { bold: true, size: 11, align: 'left' });
  if (r.root.sessions === 0) {
    para(doc, 'Chưa có điểm cầu nào báo cáo buổi học tập lại (xem lại bản ghi hoặc tài liệu hội nghị).');
  } else {
    para(doc, `${num(r.root.sites)} điểm cầu đã tổ chức ${num(r.root.sessions)} buổi học tập lại với ${num(r.root.totalPresent)} lượt đại biểu. Số liệu này báo cáo riêng, không cộng vào số đại biểu có mặt trực tiếp ở trên.`);
    table(doc, [
      { header: 'Cấp', width: 0.4 }, { header: 'Số điểm cầu', width: 0.2, align: 'right' },
      { header: 'Số buổi', width: 0.2, align: 'right' }, { header: 'Số lượt đại biểu', width: 0.2, align: 'right' },
    ], r.levels.map((l) => [d.kindName(l.level), num(l.sites), num(l.sessions), num(l.present)]));
    const units = r.units.map((u, i) => ({ u, name: d.unitNames[i] ?? u.site })).filter(({ u }) => u.sessions > 0);
    if (units.length) {
      table(doc, [
        { header: 'TT', width: 0.08, align: 'center' }, { header: 'Đơn vị (cả các điểm cầu trực thuộc)', width: 0.44 },
        { header: 'Điểm cầu', width: 0.16, align: 'right' }, { header: 'Số buổi', width: 0.14, align: 'right' }, { header: 'Số lượt', width: 0.18, align: 'right' },
      ], units.map(({ u, name }, i) => [String(i + 1), name, num(u.sites), num(u.sessions), num(u.totalPresent)]));
    }
  }
  if (d.since && d.since.sessions > 0) {
    para(doc, `Sau khi gửi báo cáo, các điểm cầu báo thêm ${num(d.since.sessions)} buổi học tập lại với ${num(d.since.present)} lượt đại biểu (chưa có trong số liệu đã gửi).`, { italic: true });
  }
}
