// CSV and XLSX renderings of the reports (Vietnamese headers first).
import ExcelJS from 'exceljs';
import type { CheckInRow, UpwardReport, WatchSessionRow } from '../signaling/control.js';

export interface Column<T> { key: string; header: string; get: (row: T) => string | number | undefined }

// Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset
// gives Vietnam time whatever the server's own time zone is.
const VN_OFFSET_MS = 7 * 3600_000;
const two = (n: number) => String(n).padStart(2, '0');

/** Calendar parts of an instant in Vietnam time (null when it is not a time). */
export function vnParts(at: number | string): { day: number; month: number; year: number; hh: string; mi: string; ss: string } | null {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + VN_OFFSET_MS);
  return { day: d.getUTCDate(), month: d.getUTCMonth() + 1, year: d.getUTCFullYear(), hh: two(d.getUTCHours()), mi: two(d.getUTCMinutes()), ss: two(d.getUTCSeconds()) };
}

/** dd/mm/yyyy HH:mm:ss in Vietnam time (HH:mm with seconds=false); '' for no time. */
export function vnDateTime(at?: number | string, seconds = true): string {
  if (at === undefined || at === '' || at === 0) return '';
  const p = vnParts(at);
  if (!p) return String(at);
  return `${two(p.day)}/${two(p.month)}/${p.year} ${p.hh}:${p.mi}${seconds ? `:${p.ss}` : ''}`;
}
const fmtTime = vnDateTime;
const EVENT_KIND: Record<string, string> = { join: 'vào', leave: 'rời' };

/**
 * A text cell a spreadsheet would run as a formula (= + - @, or a leading tab / return) is written
 * with a leading apostrophe: a site name typed by anyone must not become a formula on the
 * organizer's machine.
 */
export function neutralise(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = typeof v === 'string' ? neutralise(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv<T>(rows: T[], cols: Column<T>[]): string {
  const lines = [cols.map((c) => csvCell(c.header)).join(','), ...rows.map((r) => cols.map((c) => csvCell(c.get(r))).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export interface Sheet { name: string; cols: Column<any>[]; rows: unknown[] }

export async function toXlsx(sheets: Sheet[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'diemcau';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.columns = s.cols.map((c) => ({ header: c.header, key: c.key, width: Math.max(10, Math.min(50, c.header.length + 4)) }));
    ws.getRow(1).font = { bold: true };
    for (const r of s.rows) ws.addRow(Object.fromEntries(s.cols.map((c) => [c.key, c.get(r as never) ?? null])));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Live and replay ("học tập lại") figures side by side, never in one column. */
export const PRESENT_LIVE = 'Có mặt — Trực tiếp (Live) / Present';
export const PRESENT_REPLAY = 'Có mặt — Học tập lại (Replay) / Present at replay';
export const REPLAY_SESSIONS = 'Số buổi học tập lại (Replay) / Replay sessions';

type A = {
  site: string; name: string; level: string; parent: string | null; parentName: string | null; group: string; groupName: string;
  expected: number; present: number; checkedIn: number; kind: string; replay?: number; replaySessions?: number;
};
// Codes stay beside the names (they are what a re-import matches on). "Có mặt" is
// the technician's headcount; "Đăng ký cá nhân" counts per-person check-ins and is
// shown beside it only, never added to it (many delegates never scan). Replay
// sessions ("học tập lại") have columns of their own, labelled apart from live.
export const attendanceCols: Column<A>[] = [
  { key: 'site', header: 'Mã điểm cầu / Site', get: (r) => r.site },
  { key: 'name', header: 'Tên / Name', get: (r) => r.name },
  { key: 'level', header: 'Cấp / Level', get: (r) => r.level },
  { key: 'parent', header: 'Mã trực thuộc / Parent code', get: (r) => r.parent ?? '' },
  { key: 'parentName', header: 'Tên trực thuộc / Parent name', get: (r) => r.parentName ?? '' },
  { key: 'group', header: 'Mã thành phần / Group code', get: (r) => r.group },
  { key: 'groupName', header: 'Tên thành phần / Group name', get: (r) => r.groupName },
  { key: 'expected', header: 'Dự kiến / Expected', get: (r) => r.expected },
  { key: 'present', header: PRESENT_LIVE, get: (r) => r.present },
  { key: 'replay', header: PRESENT_REPLAY, get: (r) => r.replay ?? 0 },
  { key: 'replaySessions', header: REPLAY_SESSIONS, get: (r) => r.replaySessions ?? 0 },
  { key: 'checkedIn', header: 'Đăng ký cá nhân / Checked in', get: (r) => r.checkedIn },
  { key: 'kind', header: 'Loại / Kind', get: (r) => (r.kind === 'own' ? 'tại điểm / own' : 'tổng hợp / rollup') },
];

/** Per-person check-ins; times in Vietnam time, an empty "out" while the person is still checked in. */
export const checkInCols: Column<CheckInRow>[] = [
  { key: 'site', header: 'Mã điểm cầu / Site', get: (r) => r.site },
  { key: 'siteName', header: 'Tên điểm cầu / Site name', get: (r) => r.siteName },
  { key: 'groupName', header: 'Tên thành phần / Group name', get: (r) => r.groupName },
  { key: 'name', header: 'Họ và tên / Person', get: (r) => r.name },
  { key: 'unit', header: 'Đơn vị công tác / Unit', get: (r) => r.unit ?? '' },
  { key: 'inAt', header: 'Giờ vào / In', get: (r) => fmtTime(r.inAt) },
  { key: 'outAt', header: 'Giờ ra / Out', get: (r) => fmtTime(r.outAt) },
  { key: 'minutes', header: 'Số phút có mặt / Minutes present', get: (r) => r.minutes },
];

type P = {
  site: string; name: string; level: string; online: boolean; joins: number; totalMs: number; lastJoin?: number; lastLeave?: number; events: { kind: string; at: number }[];
  watchState: string; watchedMs: number; watchJoins: number;
};
const WATCH_STATE: Record<string, string> = { playing: 'đang xem / playing', connected: 'đã kết nối, chưa có hình / connected, no picture', lost: 'mất tín hiệu / lost', none: 'chưa kết nối / never joined' };
const minutes = (ms: number) => Math.round(ms / 600) / 100;
export const presenceCols: Column<P>[] = [
  { key: 'site', header: 'Mã điểm cầu / Site', get: (r) => r.site },
  { key: 'name', header: 'Tên / Name', get: (r) => r.name },
  { key: 'level', header: 'Cấp / Level', get: (r) => r.level },
  { key: 'online', header: 'Trực tuyến / Online', get: (r) => (r.online ? 1 : 0) },
  { key: 'joins', header: 'Số lần kết nối / Joins', get: (r) => r.joins },
  { key: 'minutes', header: 'Thời gian kết nối (phút) / Connected (min)', get: (r) => Math.round(r.totalMs / 600) / 100 },
  { key: 'lastJoin', header: 'Vào lần cuối / Last join', get: (r) => fmtTime(r.lastJoin) },
  { key: 'lastLeave', header: 'Rời lần cuối / Last leave', get: (r) => fmtTime(r.lastLeave) },
  { key: 'events', header: 'Sự kiện / Events', get: (r) => r.events.map((e) => `${EVENT_KIND[e.kind] ?? e.kind} ${fmtTime(e.at)}`).join('; ') },
  // from the media nodes: what the halls really played
  { key: 'watchState', header: 'Trạng thái hình / Picture now', get: (r) => WATCH_STATE[r.watchState] ?? r.watchState },
  { key: 'watchJoins', header: 'Số lần màn hình vào / Hall joins', get: (r) => r.watchJoins },
  { key: 'watchedMin', header: 'Thời gian xem (phút) / Watched (min)', get: (r) => minutes(r.watchedMs) },
];

/** Each hall endpoint's session on its media node. */
export const watchingCols: Column<WatchSessionRow>[] = [
  { key: 'site', header: 'Mã điểm cầu / Site', get: (r) => r.site },
  { key: 'name', header: 'Tên / Name', get: (r) => r.name },
  { key: 'endpoint', header: 'Màn hình / Endpoint', get: (r) => r.endpoint },
  { key: 'node', header: 'Máy chủ truyền hình / Media node', get: (r) => r.node },
  { key: 'joinAt', header: 'Vào / Joined', get: (r) => fmtTime(r.joinAt) },
  { key: 'leaveAt', header: 'Rời / Left', get: (r) => fmtTime(r.leaveAt) },
  { key: 'watchedMin', header: 'Thời gian xem (phút) / Watched (min)', get: (r) => minutes(r.watchedMs) },
];

type G = { item: string; title: string; presenter: string; plannedStart: string; plannedDurationMin: number; actualStart?: number; actualEnd?: number; actualDurationMin?: number };
export const agendaCols: Column<G>[] = [
  { key: 'item', header: 'Mục / Item', get: (r) => r.item },
  { key: 'title', header: 'Nội dung / Title', get: (r) => r.title },
  { key: 'presenter', header: 'Cơ quan trình bày / Presenter', get: (r) => r.presenter },
  { key: 'plannedStart', header: 'Dự kiến bắt đầu / Planned start', get: (r) => fmtTime(r.plannedStart) },
  { key: 'plannedDurationMin', header: 'Dự kiến (phút) / Planned (min)', get: (r) => r.plannedDurationMin },
  { key: 'actualStart', header: 'Bắt đầu thực tế / Actual start', get: (r) => fmtTime(r.actualStart) },
  { key: 'actualEnd', header: 'Kết thúc thực tế / Actual end', get: (r) => fmtTime(r.actualEnd) },
  { key: 'actualDurationMin', header: 'Thực tế (phút) / Actual (min)', get: (r) => r.actualDurationMin },
];

type U = UpwardReport['units'][number] & { replayPresent?: number; replaySessions?: number; replaySites?: number };
export const rollupCols: Column<U>[] = [
  { key: 'site', header: 'Mã điểm cầu / Site', get: (r) => r.site },
  { key: 'name', header: 'Đơn vị / Unit', get: (r) => r.name },
  { key: 'level', header: 'Cấp / Level', get: (r) => r.level },
  { key: 'sites', header: 'Số điểm cầu / Sites', get: (r) => r.sites },
  { key: 'reported', header: 'Đã báo cáo / Reported', get: (r) => r.reported },
  { key: 'totalExpected', header: 'Dự kiến / Expected', get: (r) => r.totalExpected },
  { key: 'totalPresent', header: PRESENT_LIVE, get: (r) => r.totalPresent },
  { key: 'replayPresent', header: PRESENT_REPLAY, get: (r) => r.replayPresent ?? 0 },
  { key: 'replaySessions', header: REPLAY_SESSIONS, get: (r) => r.replaySessions ?? 0 },
  { key: 'replaySites', header: 'Điểm cầu học tập lại (Replay) / Sites with a replay', get: (r) => r.replaySites ?? 0 },
];
