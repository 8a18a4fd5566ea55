// Checks an uploaded site tree against the conference and plans what applying
// it changes. Pure (no Redis): every problem is collected with its sheet, row
// and column, in Vietnamese then English; the plan is used only when there is none.
import { Id, type ConferenceState, type Counts, type DelegateGroup, type Site } from '../../signaling/control.js';
import type { ImportIssue, SiteKind, SiteImportPreview } from '../../signaling/site-import.js';
import { GROUP_COLS, GROUP_HEADER, KIND_COLS, SHEET, SITE_COLS, headerOf, normHeader, type ColDef } from './columns.js';
import { colLetter, type RawBook, type RawSheet } from './sheet.js';

export interface Current {
  rootSite: string;
  state: ConferenceState;
  kinds: SiteKind[];
  reportKind: string | null;
  groups: DelegateGroup[];
  sites: Site[];
  /** Expected counts per site (as stored). */
  expected: Map<string, Counts>;
  /** Sites with recorded attendance (a headcount or a check-in). */
  recorded: Set<string>;
}

export interface Plan {
  errors: ImportIssue[];
  rows: number;
  kinds: SiteKind[];
  reportKind: string | null;
  groups: DelegateGroup[];
  kindsChanged: boolean;
  groupsChanged: boolean;
  root: string;
  /** The whole new tree, parents first. */
  sites: Site[];
  /** Records to write (added and changed). */
  write: Site[];
  added: string[];
  changed: string[];
  removed: string[];
  /** New expected counts of every site (groups of its kind only). */
  expected: Map<string, Counts>;
}

export const MAX_ROWS = 50_000;
const MAX_COUNT = 100_000;

class Issues {
  list: ImportIssue[] = [];
  add(sheet: string, row: number, column: string, vi: string, en: string) {
    this.list.push({ sheet, row, column, message: `${vi} / ${en}` });
  }
}

/** Columns of a sheet by key, from its header; missing required columns are reported on row 1. */
function mapColumns(sheet: RawSheet, cols: ColDef[], issues: Issues): Map<string, number> | null {
  const at = new Map<string, number>();
  const want = new Map(cols.map((c) => [c.vi.toLocaleLowerCase('vi'), c]));
  sheet.header.forEach((h, i) => {
    const c = want.get(normHeader(h));
    if (!c) return;
    if (at.has(c.key)) issues.add(sheet.name, 1, `${colLetter(i)} (${h})`, `cột "${c.vi}" bị lặp (đã có ở cột ${colLetter(at.get(c.key)!)}); hãy xoá một cột`, `column "${c.en}" appears twice; delete one`);
    else at.set(c.key, i);
  });
  const missing = cols.filter((c) => c.required && !at.has(c.key));
  for (const c of missing) issues.add(sheet.name, 1, '', `thiếu cột "${headerOf(c)}"; hãy dùng dòng tiêu đề của tệp mẫu`, `the column "${c.en}" is missing; use the header row of the template`);
  return missing.length ? null : at;
}

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().trim();
const YES = new Set(['co', 'x', '1', 'true', 'yes', 'y', 'du', 'du dieu kien']);
const NO = new Set(['khong', '0', 'false', 'no', 'n', 'chua', 'chua du dieu kien', 'khong du dieu kien']);

function findSheet(book: RawBook, name: string): RawSheet | undefined {
  return book.sheets.find((s) => normHeader(s.name) === normHeader(name));
}

/** Plans the import of `book` over `cur`; errors, if any, are in `plan.errors` and nothing else is meaningful. */
export function planImport(book: RawBook, cur: Current): Plan {
  const is = new Issues();
  const known = new Set([SHEET.kinds, SHEET.groups, SHEET.help, SHEET.agenda].map(normHeader));
  const sitesSheet = book.format === 'csv' ? book.sheets[0]
    : findSheet(book, SHEET.sites) ?? book.sheets.find((s) => !known.has(normHeader(s.name)));
  const empty: Plan = {
    errors: is.list, rows: 0, kinds: cur.kinds, reportKind: cur.reportKind, groups: cur.groups, kindsChanged: false, groupsChanged: false,
    root: cur.rootSite, sites: [], write: [], added: [], changed: [], removed: [], expected: new Map(),
  };
  if (!sitesSheet || !sitesSheet.header.length) {
    is.add(sitesSheet?.name ?? SHEET.sites, 0, '', 'không thấy trang "Điểm cầu" có dòng tiêu đề; hãy tải tệp mẫu và điền vào đó', 'no "Điểm cầu" sheet with a header row; download the template and fill it in');
    return empty;
  }
  if (sitesSheet.rows.length > MAX_ROWS) {
    is.add(sitesSheet.name, 0, '', `tệp có ${sitesSheet.rows.length} dòng, quá giới hạn ${MAX_ROWS} dòng; hãy chia cây thành các hội nghị nhỏ hơn`, `the file has ${sitesSheet.rows.length} rows, over the limit of ${MAX_ROWS}`);
    return empty;
  }
  if (cur.state === 'ended') {
    is.add(sitesSheet.name, 0, '', 'hội nghị đã kết thúc, cây điểm cầu đã chốt nên không nhập lại được', 'the conference has ended; its site tree is frozen and cannot be imported again');
    return empty;
  }

  // ---- kinds (XLSX sheet, else the conference's)
  let kinds = cur.kinds;
  let reportKind = cur.reportKind;
  let kindsChanged = false;
  const kSheet = book.format === 'xlsx' ? findSheet(book, SHEET.kinds) : undefined;
  if (kSheet) {
    const at = mapColumns(kSheet, KIND_COLS, is);
    if (at) {
      const seen = new Map<string, number>();
      const out: SiteKind[] = [];
      let report: string | null = null;
      for (const { row, cells } of kSheet.rows) {
        const get = (k: string) => (at.has(k) ? cells[at.get(k)!] ?? '' : '');
        const col = (k: string) => `${colLetter(at.get(k)!)} (${KIND_COLS.find((c) => c.key === k)!.vi})`;
        const id = get('id').toLowerCase();
        const name = get('name');
        const rank = get('rank');
        let ok = true;
        if (!Id.safeParse(id).success) { ok = false; is.add(kSheet.name, row, col('id'), id ? `mã loại "${id}" chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang` : 'thiếu mã loại', id ? `kind code "${id}" may hold lower-case letters, digits and dashes only` : 'the kind code is missing'); }
        else if (seen.has(id)) { ok = false; is.add(kSheet.name, row, col('id'), `mã loại "${id}" trùng với dòng ${seen.get(id)}`, `kind code "${id}" repeats row ${seen.get(id)}`); }
        if (!name) { ok = false; is.add(kSheet.name, row, col('name'), 'thiếu tên loại', 'the kind name is missing'); }
        if (!/^\d{1,2}$/.test(rank) || Number(rank) > 50) { ok = false; is.add(kSheet.name, row, col('rank'), `cấp phải là số nguyên từ 0 đến 50 (0 là cấp cao nhất), không phải "${rank}"`, `the level must be a whole number 0–50, not "${rank}"`); }
        if (!ok) continue;
        seen.set(id, row);
        out.push({ id, name: name.slice(0, 100), ...(get('nameEn') ? { nameEn: get('nameEn').slice(0, 100) } : {}), rank: Number(rank) });
        if (get('report')) report = id;
      }
      if (!out.length) is.add(kSheet.name, 0, '', 'trang "Loại điểm cầu" không có loại nào', 'the kinds sheet lists no kind');
      kinds = out;
      reportKind = report;
      kindsChanged = JSON.stringify(canonKinds(kinds, reportKind)) !== JSON.stringify(canonKinds(cur.kinds, cur.reportKind));
    }
  }
  const kindById = new Map(kinds.map((k) => [k.id, k]));
  const kindByName = new Map(kinds.map((k) => [fold(k.name), k]));

  // ---- delegate groups (XLSX sheet, else the conference's)
  let groups = cur.groups;
  let groupsChanged = false;
  const gSheet = book.format === 'xlsx' ? findSheet(book, SHEET.groups) : undefined;
  if (gSheet) {
    const at = mapColumns(gSheet, GROUP_COLS, is);
    if (at) {
      const seen = new Map<string, number>();
      const out: DelegateGroup[] = [];
      for (const { row, cells } of gSheet.rows) {
        const get = (k: string) => (at.has(k) ? cells[at.get(k)!] ?? '' : '');
        const col = (k: string) => `${colLetter(at.get(k)!)} (${GROUP_COLS.find((c) => c.key === k)!.vi})`;
        const id = get('id').toLowerCase();
        const kindCell = get('kind');
        const kind = kindById.get(kindCell.toLowerCase()) ?? kindByName.get(fold(kindCell));
        let ok = true;
        if (!Id.safeParse(id).success) { ok = false; is.add(gSheet.name, row, col('id'), id ? `mã thành phần "${id}" chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang` : 'thiếu mã thành phần', id ? `group code "${id}" may hold lower-case letters, digits and dashes only` : 'the group code is missing'); }
        else if (seen.has(id)) { ok = false; is.add(gSheet.name, row, col('id'), `mã thành phần "${id}" trùng với dòng ${seen.get(id)}`, `group code "${id}" repeats row ${seen.get(id)}`); }
        if (!kind) { ok = false; is.add(gSheet.name, row, col('kind'), kindCell ? `loại điểm cầu "${kindCell}" không có trong trang "Loại điểm cầu"` : 'thiếu loại điểm cầu', kindCell ? `kind "${kindCell}" is not in the kinds sheet` : 'the kind is missing'); }
        if (!get('name')) { ok = false; is.add(gSheet.name, row, col('name'), 'thiếu tên thành phần', 'the group name is missing'); }
        const order = get('order');
        if (order && !/^\d{1,4}$/.test(order)) { ok = false; is.add(gSheet.name, row, col('order'), `thứ tự phải là số nguyên không âm, không phải "${order}"`, `the order must be a whole number, not "${order}"`); }
        if (!ok) continue;
        seen.set(id, row);
        out.push({ id, level: kind!.id, name: get('name').slice(0, 300), ...(get('nameEn') ? { nameEn: get('nameEn').slice(0, 300) } : {}), order: order ? Number(order) : out.filter((g) => g.level === kind!.id).length + 1 });
      }
      groups = out.sort((a, b) => a.level.localeCompare(b.level) || a.order - b.order);
      groupsChanged = JSON.stringify(groups) !== JSON.stringify(cur.groups);
    }
  } else if (kSheet) {
    for (const g of groups) if (!kindById.has(g.level)) is.add(SHEET.kinds, 0, '', `thành phần "${g.name}" thuộc loại "${g.level}" không còn trong trang "Loại điểm cầu"`, `delegate group "${g.id}" is of kind "${g.level}", which the kinds sheet no longer lists`);
  }
  if (reportKind && !kindById.has(reportKind)) reportKind = null;
  const groupById = new Map(groups.map((g) => [g.id, g]));

  // ---- site rows
  const sname = sitesSheet.name;
  const at = mapColumns(sitesSheet, SITE_COLS, is);
  if (!at) return { ...empty, rows: sitesSheet.rows.length };
  const countCols: { i: number; group: DelegateGroup }[] = [];
  sitesSheet.header.forEach((h, i) => {
    const m = GROUP_HEADER.exec(h.trim());
    if (!m) return;
    const g = groupById.get(m[1]!.toLowerCase());
    if (!g) is.add(sname, 1, `${colLetter(i)} (${h})`, `cột số dự kiến của thành phần "${m[1]}" nhưng không có thành phần nào mã đó; hãy sửa mã trong ngoặc vuông hoặc thêm thành phần ở trang "Thành phần"`, `expected-count column of group "${m[1]}", which does not exist`);
    else countCols.push({ i, group: g });
  });
  const colName = (k: string) => `${colLetter(at.get(k)!)} (${SITE_COLS.find((c) => c.key === k)!.vi})`;
  interface Rec { row: number; id: string; parent: string; kind: string; name: string; hall: string; address: string; techName: string; techPhone: string; eligible: boolean; mediaNode: string; order: number | null; note: string; counts: Counts }
  const recs: Rec[] = [];
  const firstRow = new Map<string, number>();
  for (const { row, cells } of sitesSheet.rows) {
    const get = (k: string) => (at.has(k) ? cells[at.get(k)!] ?? '' : '');
    let ok = true;
    const bad = (k: string, vi: string, en: string) => { is.add(sname, row, colName(k), vi, en); ok = false; };
    const id = get('id').toLowerCase();
    if (!id) bad('id', 'thiếu mã điểm cầu', 'the site code is missing');
    else if (!Id.safeParse(id).success) bad('id', `mã "${id}" chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 80 ký tự)`, `code "${id}" may hold lower-case letters, digits and dashes only (80 at most)`);
    else if (firstRow.has(id)) bad('id', `mã "${id}" trùng với dòng ${firstRow.get(id)}; mỗi điểm cầu một mã riêng`, `code "${id}" repeats row ${firstRow.get(id)}; each site needs its own code`);
    else firstRow.set(id, row);
    const name = get('name');
    if (!name) bad('name', 'thiếu tên điểm cầu', 'the site name is missing');
    else if (name.length > 200) bad('name', 'tên dài quá 200 ký tự', 'the name is longer than 200 characters');
    const parent = get('parent').toLowerCase();
    if (parent && !Id.safeParse(parent).success) bad('parent', `mã trực thuộc "${parent}" không đúng dạng mã`, `parent code "${parent}" is not a valid code`);
    const kindCell = get('kind');
    const kind = kindById.get(kindCell.toLowerCase()) ?? kindByName.get(fold(kindCell));
    if (!kindCell) bad('kind', 'thiếu loại điểm cầu', 'the kind is missing');
    else if (!kind) bad('kind', `loại "${kindCell}" không có trong danh sách loại điểm cầu (${kinds.map((k) => k.id).join(', ')})`, `kind "${kindCell}" is not one of the conference's kinds`);
    const el = fold(get('eligible'));
    if (el && !YES.has(el) && !NO.has(el)) bad('eligible', `ghi "Có" hoặc "Không", không phải "${get('eligible')}"`, `write "Có" (yes) or "Không" (no), not "${get('eligible')}"`);
    const node = get('mediaNode').toLowerCase();
    if (node && !Id.safeParse(node).success) bad('mediaNode', `mã máy chủ "${node}" chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang`, `media node "${node}" may hold lower-case letters, digits and dashes only`);
    const order = get('order');
    if (order && !/^\d{1,6}$/.test(order)) bad('order', `thứ tự phải là số nguyên không âm, không phải "${order}"`, `the order must be a whole number ≥ 0, not "${order}"`);
    for (const [k, max] of [['hall', 300], ['address', 300], ['techName', 200], ['note', 500]] as const) {
      if (get(k).length > max) bad(k, `ô dài quá ${max} ký tự`, `the cell is longer than ${max} characters`);
    }
    const phone = get('techPhone');
    if (phone && !/^[0-9+() .-]{3,40}$/.test(phone)) bad('techPhone', `số điện thoại "${phone}" chỉ gồm chữ số, dấu cách, + ( ) . -`, `phone "${phone}" may hold digits, spaces and + ( ) . - only`);
    const counts: Counts = {};
    for (const { i, group } of countCols) {
      const raw = (cells[i] ?? '').trim();
      if (!raw) continue;
      const where = `${colLetter(i)} (${sitesSheet.header[i]})`;
      const n = Number(raw.replace(/\.0+$/, ''));
      if (!/^-?\d+(\.0+)?$/.test(raw)) { is.add(sname, row, where, `số dự kiến "${raw}" không phải số nguyên`, `expected count "${raw}" is not a whole number`); ok = false; }
      else if (n < 0) { is.add(sname, row, where, `số dự kiến ${raw} là số âm`, `expected count ${raw} is negative`); ok = false; }
      else if (n > MAX_COUNT) { is.add(sname, row, where, `số dự kiến ${raw} lớn quá ${MAX_COUNT}`, `expected count ${raw} is over ${MAX_COUNT}`); ok = false; }
      else if (n > 0 && kind && group.level !== kind.id) { is.add(sname, row, where, `thành phần "${group.id}" dành cho loại "${group.level}", không dùng cho điểm cầu loại "${kind.id}"; hãy để trống`, `group "${group.id}" is for kind "${group.level}", not "${kind.id}"; leave it empty`); ok = false; }
      else if (n > 0) counts[group.id] = n;
    }
    // a row with a usable code takes part in the tree checks even when other cells are wrong (every error at once)
    if (ok || (id && firstRow.get(id) === row)) {
      recs.push({ row, id, parent, kind: kind?.id ?? '', name, hall: get('hall'), address: get('address'), techName: get('techName'), techPhone: phone,
        eligible: !el || YES.has(el), mediaNode: node, order: order ? Number(order) : null, note: get('note'), counts });
    }
  }
  const rows = sitesSheet.rows.length;
  if (!rows) is.add(sname, 0, '', 'trang "Điểm cầu" chưa có dòng nào', 'the sites sheet has no rows');

  // ---- tree: one root, known parents, no cycles
  const byId = new Map(recs.map((r) => [r.id, r]));
  const roots = recs.filter((r) => !r.parent);
  if (rows && !roots.length && recs.length) is.add(sname, 0, colName('parent'), 'không có điểm cầu gốc: đúng một dòng phải để trống ô "Mã trực thuộc"', 'no root: exactly one row must leave the parent code empty');
  for (const r of roots.slice(1)) is.add(sname, r.row, colName('parent'), `chỉ một điểm cầu gốc được để trống "Mã trực thuộc"; dòng ${roots[0]!.row} đã là gốc`, `only one root may leave the parent code empty; row ${roots[0]!.row} is the root`);
  for (const r of recs) {
    if (r.parent && Id.safeParse(r.parent).success && !byId.has(r.parent) && !firstRow.has(r.parent)) is.add(sname, r.row, colName('parent'), `mã trực thuộc "${r.parent}" không có trong tệp`, `parent code "${r.parent}" is not in the file`);
  }
  // cycles: walking up never reaches a root
  const state = new Map<string, 0 | 1 | 2>(); // 1 = on the walk, 2 = reaches a root (or a reported break)
  for (const r of recs) {
    const walk: Rec[] = [];
    let x: Rec | undefined = r;
    while (x && !state.get(x.id)) { state.set(x.id, 1); walk.push(x); x = x.parent ? byId.get(x.parent) : undefined; }
    if (x && state.get(x.id) === 1) {
      const loop = walk.slice(walk.indexOf(x));
      const text = [...loop.map((l) => l.id), x.id].join(' → ');
      for (const l of loop) is.add(sname, l.row, colName('parent'), `vòng lặp trực thuộc: ${text}; hãy sửa một mã trực thuộc để cây có một gốc`, `parent cycle: ${text}; correct one parent code`);
    }
    for (const w of walk) state.set(w.id, 2);
  }
  if (is.list.length) return { ...empty, rows, kinds, reportKind, groups, kindsChanged, groupsChanged };

  // ---- the new tree, parents first
  const root = roots[0]!;
  const kids = new Map<string, Rec[]>();
  for (const r of recs) if (r.parent) { const l = kids.get(r.parent); if (l) l.push(r); else kids.set(r.parent, [r]); }
  const sites: Site[] = [];
  const placed = new Map<string, Site>();
  const queue: [Rec, number][] = [[root, 0]];
  for (let qi = 0; qi < queue.length; qi++) {
    const [r, idx] = queue[qi]!;
    const parent = r.parent ? placed.get(r.parent)! : undefined;
    const s: Site = {
      id: r.id, parent: r.parent || null, level: r.kind, name: r.name, hall: r.hall,
      ...(r.address ? { address: r.address } : {}),
      ...(r.techName || r.techPhone ? { technician: { name: r.techName, ...(r.techPhone ? { phone: r.techPhone } : {}) } } : {}),
      eligible: r.eligible, mediaNode: r.mediaNode || parent?.mediaNode || 'centre', order: r.order ?? idx,
      ...(r.note ? { note: r.note } : {}),
      path: parent ? [...parent.path, parent.id] : [],
    };
    sites.push(s);
    placed.set(s.id, s);
    (kids.get(r.id) ?? []).forEach((k, i) => queue.push([k, i]));
  }

  // ---- what changes
  const old = new Map(cur.sites.map((s) => [s.id, s]));
  const expected = new Map(recs.map((r) => [r.id, r.counts]));
  const added: string[] = [];
  const changed: string[] = [];
  const write: Site[] = [];
  for (const s of sites) {
    const o = old.get(s.id);
    if (!o) { added.push(s.id); write.push(s); continue; }
    const recordChanged = canonSite(o) !== canonSite(s);
    if (recordChanged || canonCounts(cur.expected.get(s.id), groups, s.level) !== canonCounts(expected.get(s.id), groups, s.level)) changed.push(s.id);
    if (recordChanged) write.push(s);
  }
  const removed = cur.sites.filter((s) => !placed.has(s.id)).map((s) => s.id);
  const live = cur.state === 'live';
  if (live && root.id !== cur.rootSite) {
    is.add(sname, root.row, colName('id'), `hội nghị đang diễn ra nên không đổi được điểm cầu gốc (đang là "${cur.rootSite}")`, `the conference is live: its root site ("${cur.rootSite}") cannot change`);
  }
  if (live) {
    for (const id of removed) {
      if (!cur.recorded.has(id)) continue;
      const o = old.get(id)!;
      is.add(sname, 0, '', `điểm cầu "${o.name}" (mã ${id}) không có trong tệp nhưng đã có số liệu điểm danh trong hội nghị đang diễn ra, nên không xoá được; hãy giữ lại dòng của điểm cầu này`,
        `site "${id}" is missing from the file but has recorded attendance in a live conference, so it cannot be removed; keep its row`);
    }
  }
  return { errors: is.list, rows, kinds, reportKind, groups, kindsChanged, groupsChanged, root: root.id, sites, write, added, changed, removed, expected };
}

function canonKinds(kinds: SiteKind[], report: string | null) {
  return [[...kinds].sort((a, b) => a.id.localeCompare(b.id)).map((k) => [k.id, k.name, k.nameEn ?? '', k.rank]), report];
}

/** A site record as the sheet shows it (what decides "changed"). */
export function canonSite(s: Site): string {
  return JSON.stringify([s.name, s.parent, s.level, s.hall ?? '', s.address ?? '', s.technician?.name ?? '', s.technician?.phone ?? '', s.eligible !== false, s.mediaNode, s.order ?? 0, s.note ?? '']);
}

function canonCounts(c: Counts | undefined, groups: DelegateGroup[], kind: string): string {
  return groups.filter((g) => g.level === kind).map((g) => c?.[g.id] ?? 0).join(',');
}

/** The preview a person reads before applying. */
export function previewOf(plan: Plan, version: number, applied: boolean): SiteImportPreview {
  const n = new Map<string, number>();
  for (const s of plan.sites) n.set(s.level, (n.get(s.level) ?? 0) + 1);
  const kinds = [...plan.kinds].sort((a, b) => a.rank - b.rank || a.id.localeCompare(b.id))
    .map((k) => ({ kind: k.id, name: k.name, rank: k.rank, sites: n.get(k.id) ?? 0 })).filter((k) => k.sites > 0);
  // subtree sizes, bottom up (parents come first in plan.sites)
  const size = new Map<string, number>();
  const kids = new Map<string, number>();
  for (let i = plan.sites.length - 1; i >= 0; i--) {
    const s = plan.sites[i]!;
    size.set(s.id, (size.get(s.id) ?? 0) + 1);
    if (s.parent) { size.set(s.parent, (size.get(s.parent) ?? 0) + size.get(s.id)!); kids.set(s.parent, (kids.get(s.parent) ?? 0) + 1); }
  }
  const shallow = plan.sites.filter((s) => s.path.length <= 2).slice(0, 200);
  // children listed under their parent (plan.sites is breadth-first)
  const under = new Map<string | null, Site[]>();
  for (const s of shallow) { const l = under.get(s.parent); if (l) l.push(s); else under.set(s.parent, [s]); }
  const ordered: SiteImportPreview['top'] = [];
  const walk = (p: string | null) => {
    for (const s of under.get(p) ?? []) {
      ordered.push({ id: s.id, name: s.name, kind: s.level, depth: s.path.length, children: kids.get(s.id) ?? 0, subtree: size.get(s.id) ?? 1 });
      walk(s.id);
    }
  };
  walk(null);
  let expectedTotal = 0;
  for (const c of plan.expected.values()) for (const v of Object.values(c)) expectedTotal += v;
  // errors sheet by sheet (in the order met), then by row
  const sheetAt = new Map<string, number>();
  for (const e of plan.errors) if (!sheetAt.has(e.sheet)) sheetAt.set(e.sheet, sheetAt.size);
  const errors = [...plan.errors].sort((a, b) => sheetAt.get(a.sheet)! - sheetAt.get(b.sheet)! || a.row - b.row);
  return {
    ok: plan.errors.length === 0, applied, errors: errors.slice(0, 500), errorCount: plan.errors.length, rows: plan.rows, version,
    kinds, top: ordered, added: plan.added.length, changed: plan.changed.length, removed: plan.removed.length,
    addedIds: plan.added.slice(0, 100), changedIds: plan.changed.slice(0, 100), removedIds: plan.removed.slice(0, 100),
    kindsChanged: plan.kindsChanged, groupsChanged: plan.groupsChanged, expectedTotal,
  };
}
