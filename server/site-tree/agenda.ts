// The agenda as a spreadsheet, the same way as the site tree: export (an empty
// agenda gives the template), check with errors by row and column, apply by
// replacing the agenda (the running item cannot go; store/agenda.ts).
import { AppError } from '../../signaling/common.js';
import { Id, type Agenda } from '../../signaling/control.js';
import type { AgendaImportPreview, ImportFileReq } from '../../signaling/site-import.js';
import type { Ctx } from '../context.js';
import { vnDateTime } from '../export.js';
import { getAgenda, replaceAgenda } from '../store/agenda.js';
import { withLock } from '../store/util.js';
import { readUpload } from './apply.js';
import { SHEET, headerOf, normHeader, type ColDef } from './columns.js';
import { colLetter, type OutSheet, type RawBook } from './sheet.js';

export const AGENDA_COLS: ColDef[] = [
  { key: 'id', vi: 'Mã mục', en: 'Item code', width: 10 },
  { key: 'title', vi: 'Nội dung', en: 'Title', required: true, width: 60 },
  { key: 'presenter', vi: 'Cơ quan trình bày', en: 'Presenter', required: true, width: 36 },
  { key: 'start', vi: 'Bắt đầu dự kiến', en: 'Planned start', required: true, width: 20 },
  { key: 'minutes', vi: 'Thời lượng (phút)', en: 'Duration (min)', required: true, width: 12 },
];

export function agendaSheet(a: Agenda): OutSheet {
  return {
    name: SHEET.agenda,
    header: AGENDA_COLS.map(headerOf),
    rows: a.items.map((i) => [i.id, i.title, i.presenter, vnDateTime(i.plannedStart, false), i.plannedDurationMin]),
    widths: AGENDA_COLS.map((c) => c.width ?? 14),
    textCols: [0, 3],
  };
}

const two = (s: string) => s.padStart(2, '0');

/** "28/09/2023 08:00" (Vietnam time) or an ISO time with offset → ISO with +07:00; null when neither. */
export function parseVnTime(s: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2})[:h](\d{2})(?::\d{2})?$/.exec(s.trim());
  if (m) {
    const [, d, mo, y, h, mi] = m;
    const iso = `${y}-${two(mo!)}-${two(d!)}T${two(h!)}:${mi}:00+07:00`;
    const t = Date.parse(iso);
    if (!Number.isFinite(t) || new Date(t + 7 * 3600_000).getUTCDate() !== Number(d) || Number(h) > 23) return null;
    return iso;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)$/.test(s.trim()) && Number.isFinite(Date.parse(s))) return s.trim();
  return null;
}

type Item = AgendaImportPreview['items'][number];

export function planAgenda(book: RawBook): { items: Item[]; errors: AgendaImportPreview['errors']; rows: number } {
  const errors: AgendaImportPreview['errors'] = [];
  const sheet = book.format === 'csv' ? book.sheets[0] : book.sheets.find((s) => normHeader(s.name) === normHeader(SHEET.agenda)) ?? book.sheets[0];
  const add = (row: number, column: string, vi: string, en: string) => errors.push({ sheet: sheet?.name ?? SHEET.agenda, row, column, message: `${vi} / ${en}` });
  if (!sheet || !sheet.header.length) { add(0, '', 'không thấy trang "Chương trình" có dòng tiêu đề; hãy tải tệp mẫu', 'no agenda sheet with a header row; download the template'); return { items: [], errors, rows: 0 }; }
  const at = new Map<string, number>();
  sheet.header.forEach((h, i) => { const c = AGENDA_COLS.find((x) => x.vi.toLocaleLowerCase('vi') === normHeader(h)); if (c && !at.has(c.key)) at.set(c.key, i); });
  const missing = AGENDA_COLS.filter((c) => c.required && !at.has(c.key));
  for (const c of missing) add(1, '', `thiếu cột "${headerOf(c)}"`, `the column "${c.en}" is missing`);
  if (missing.length) return { items: [], errors, rows: sheet.rows.length };
  if (sheet.rows.length > 100) add(0, '', `chương trình có ${sheet.rows.length} mục, tối đa 100`, `${sheet.rows.length} items, 100 at most`);
  const items: Item[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of sheet.rows) {
    const get = (k: string) => (at.has(k) ? cells[at.get(k)!] ?? '' : '');
    const col = (k: string) => `${colLetter(at.get(k)!)} (${AGENDA_COLS.find((c) => c.key === k)!.vi})`;
    let ok = true;
    const bad = (k: string, vi: string, en: string) => { add(row, col(k), vi, en); ok = false; };
    const id = (get('id') || `nd-${items.length + 1}`).toLowerCase();
    if (!Id.safeParse(id).success) bad('id', `mã mục "${id}" chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang`, `item code "${id}" may hold lower-case letters, digits and dashes only`);
    else if (seen.has(id)) bad('id', `mã mục "${id}" trùng với dòng ${seen.get(id)}`, `item code "${id}" repeats row ${seen.get(id)}`);
    const title = get('title');
    if (!title) bad('title', 'thiếu nội dung', 'the title is missing'); else if (title.length > 500) bad('title', 'nội dung dài quá 500 ký tự', 'the title is longer than 500 characters');
    const presenter = get('presenter');
    if (!presenter) bad('presenter', 'thiếu cơ quan trình bày', 'the presenter is missing'); else if (presenter.length > 300) bad('presenter', 'dài quá 300 ký tự', 'longer than 300 characters');
    const start = parseVnTime(get('start'));
    if (!start) bad('start', `giờ bắt đầu "${get('start')}" phải có dạng ngày/tháng/năm giờ:phút, ví dụ 28/09/2023 08:00`, `planned start "${get('start')}" must read dd/mm/yyyy HH:mm`);
    const min = get('minutes');
    if (!/^\d{1,3}$/.test(min) || Number(min) < 1 || Number(min) > 600) bad('minutes', `thời lượng phải là số phút từ 1 đến 600, không phải "${min}"`, `the duration must be 1–600 minutes, not "${min}"`);
    if (!ok) continue;
    seen.set(id, row);
    items.push({ id, title, presenter, plannedStart: start!, plannedDurationMin: Number(min) });
  }
  if (!sheet.rows.length) add(0, '', 'chương trình chưa có mục nào', 'the agenda has no items');
  return { items, errors, rows: sheet.rows.length };
}

export async function importAgenda(ctx: Ctx, conf: string, req: ImportFileReq & { apply: boolean }): Promise<AgendaImportPreview> {
  const cur = await getAgenda(ctx, conf);
  const { book, issue } = await readUpload(req, SHEET.agenda);
  const plan = book ? planAgenda(book) : { items: [], errors: [issue!], rows: 0 };
  const preview: AgendaImportPreview = { ok: plan.errors.length === 0, applied: false, errors: plan.errors.slice(0, 500), errorCount: plan.errors.length, rows: plan.rows, version: cur.version, items: plan.items };
  if (!req.apply) return preview;
  if (plan.errors.length) {
    throw new AppError('BAD_REQUEST', `Tệp có ${plan.errors.length} lỗi nên chưa thay đổi gì; hãy sửa rồi tải lên lại. / The file has ${plan.errors.length} error(s), nothing was changed.`,
      plan.errors.slice(0, 200).map((e) => ({ path: [e.sheet, e.row, e.column], message: e.message })));
  }
  const agenda = await withLock(ctx, `agenda-import:${conf}`, async () => {
    if (req.version !== undefined && (await getAgenda(ctx, conf)).version !== req.version) {
      throw new AppError('CONFLICT', 'Chương trình vừa được người khác thay đổi; hãy tải lại trang rồi làm lại. / The agenda was changed by someone else meanwhile; reload and try again.');
    }
    return replaceAgenda(ctx, conf, plan.items);
  });
  return { ...preview, applied: true, version: agenda.version, agenda };
}
