// The import format of the site tree: sheets, columns and their Vietnamese
// headers, and the export of a tree into that same format (so export → import
// changes nothing). Validation is in validate.ts.
import type { Counts, DelegateGroup, Site } from '../../signaling/control.js';
import type { SiteKind } from '../../signaling/site-import.js';
import type { OutSheet } from './sheet.js';

export const SHEET = { sites: 'Điểm cầu', kinds: 'Loại điểm cầu', groups: 'Thành phần', help: 'Hướng dẫn', agenda: 'Chương trình' } as const;

export interface ColDef { key: string; vi: string; en: string; required?: boolean; width?: number }

export const SITE_COLS: ColDef[] = [
  { key: 'id', vi: 'Mã điểm cầu', en: 'Site code', required: true, width: 18 },
  { key: 'name', vi: 'Tên điểm cầu', en: 'Name', required: true, width: 34 },
  { key: 'parent', vi: 'Mã trực thuộc', en: 'Parent code', width: 18 },
  { key: 'kind', vi: 'Loại điểm cầu', en: 'Kind', required: true, width: 14 },
  { key: 'hall', vi: 'Hội trường', en: 'Hall', width: 34 },
  { key: 'address', vi: 'Địa chỉ', en: 'Address', width: 30 },
  { key: 'techName', vi: 'Kỹ thuật viên', en: 'Technician', width: 26 },
  { key: 'techPhone', vi: 'Điện thoại kỹ thuật viên', en: 'Technician phone', width: 16 },
  { key: 'eligible', vi: 'Đủ điều kiện', en: 'Eligible', width: 12 },
  { key: 'mediaNode', vi: 'Máy chủ truyền hình', en: 'Media node', width: 16 },
  { key: 'order', vi: 'Thứ tự', en: 'Order', width: 8 },
  { key: 'note', vi: 'Ghi chú', en: 'Note', width: 30 },
];
export const KIND_COLS: ColDef[] = [
  { key: 'id', vi: 'Mã loại', en: 'Kind code', required: true, width: 14 },
  { key: 'name', vi: 'Tên loại', en: 'Name', required: true, width: 24 },
  { key: 'nameEn', vi: 'Tên tiếng Anh', en: 'English name', width: 20 },
  { key: 'rank', vi: 'Cấp', en: 'Level', required: true, width: 8 },
  { key: 'report', vi: 'Cấp báo cáo', en: 'Report level', width: 14 },
];
export const GROUP_COLS: ColDef[] = [
  { key: 'id', vi: 'Mã thành phần', en: 'Group code', required: true, width: 14 },
  { key: 'kind', vi: 'Loại điểm cầu', en: 'Kind', required: true, width: 14 },
  { key: 'name', vi: 'Tên thành phần', en: 'Name', required: true, width: 50 },
  { key: 'nameEn', vi: 'Tên tiếng Anh', en: 'English name', width: 40 },
  { key: 'order', vi: 'Thứ tự', en: 'Order', width: 8 },
];

export const headerOf = (c: ColDef) => `${c.vi} / ${c.en}`;
/** "Dự kiến [xa-1] Toàn thể đảng viên…": the code in brackets is what the import reads. */
export const groupHeader = (g: DelegateGroup) => `Dự kiến [${g.id}] ${g.name}`;
export const GROUP_HEADER = /^dự kiến\s*\[([a-z0-9][a-z0-9-]{0,79})\]/i;

/** Lower case, composed, single spaces, the Vietnamese part before " / ". */
export function normHeader(h: string): string {
  return h.normalize('NFC').split(' / ')[0]!.replace(/\s+/g, ' ').trim().toLocaleLowerCase('vi');
}

export const YES = 'Có';
export const NO = 'Không';

/** Site rows in tree order: each parent before its children, siblings by order then code. */
export function treeOrder(sites: Site[]): Site[] {
  const kids = new Map<string | null, Site[]>();
  for (const s of sites) {
    const l = kids.get(s.parent);
    if (l) l.push(s); else kids.set(s.parent, [s]);
  }
  for (const l of kids.values()) l.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  const out: Site[] = [];
  const stack = [...(kids.get(null) ?? [])].reverse();
  while (stack.length) {
    const s = stack.pop()!;
    out.push(s);
    const c = kids.get(s.id);
    if (c) for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]!);
  }
  return out;
}

export function siteRow(s: Site, groups: DelegateGroup[], expected: Counts | undefined): (string | number)[] {
  return [
    s.id, s.name, s.parent ?? '', s.level, s.hall ?? '', s.address ?? '', s.technician?.name ?? '', s.technician?.phone ?? '',
    s.eligible === false ? NO : YES, s.mediaNode, s.order ?? 0, s.note ?? '',
    ...groups.map((g) => (g.level === s.level ? expected?.[g.id] ?? 0 : '')),
  ];
}

export function sitesSheet(sites: Site[], groups: DelegateGroup[], expected: Map<string, Counts>): OutSheet {
  return {
    name: SHEET.sites,
    header: [...SITE_COLS.map(headerOf), ...groups.map(groupHeader)],
    rows: treeOrder(sites).map((s) => siteRow(s, groups, expected.get(s.id))),
    widths: [...SITE_COLS.map((c) => c.width ?? 14), ...groups.map(() => 16)],
    textCols: [0, 2, 3, 9],
  };
}

export function kindsSheet(kinds: SiteKind[], reportKind: string | null): OutSheet {
  return {
    name: SHEET.kinds,
    header: KIND_COLS.map(headerOf),
    rows: [...kinds].sort((a, b) => a.rank - b.rank).map((k) => [k.id, k.name, k.nameEn ?? '', k.rank, k.id === reportKind ? 'x' : '']),
    widths: KIND_COLS.map((c) => c.width ?? 14),
    textCols: [0],
  };
}

export function groupsSheet(groups: DelegateGroup[]): OutSheet {
  return {
    name: SHEET.groups,
    header: GROUP_COLS.map(headerOf),
    rows: groups.map((g) => [g.id, g.level, g.name, g.nameEn ?? '', g.order]),
    widths: GROUP_COLS.map((c) => c.width ?? 14),
    textCols: [0, 1],
  };
}

export const HELP_ROWS: string[][] = [
  ['Cách điền / How to fill in'],
  ['Mỗi dòng của trang "Điểm cầu" là một điểm cầu. Mã điểm cầu: mã đơn vị hành chính quốc gia nếu có (ví dụ 20 là tỉnh Lạng Sơn), nếu không thì tự đặt; chỉ chữ thường không dấu, chữ số và dấu gạch ngang.'],
  ['Mã trực thuộc: mã của điểm cầu cấp trên; để trống ở đúng một dòng: điểm cầu gốc. Cây có thể sâu bao nhiêu cấp cũng được.'],
  ['Loại điểm cầu: mã hoặc tên một loại ở trang "Loại điểm cầu". Thành phần đại biểu theo từng loại ở trang "Thành phần"; mỗi cột "Dự kiến [mã]" là số đại biểu dự kiến của thành phần đó (để trống = 0).'],
  ['Đủ điều kiện: Có / Không. Máy chủ truyền hình: để trống thì dùng máy chủ của điểm cầu cấp trên. Thứ tự: để trống thì theo thứ tự dòng.'],
  ['Tải lên: hệ thống kiểm tra toàn bộ tệp, liệt kê mọi lỗi theo dòng và cột, cho xem trước; chỉ khi bấm "Áp dụng" mới thay đổi, và thay đổi tất cả cùng lúc hoặc không gì cả.'],
  ['One row per site. The site code is the national administrative unit code where there is one. Parent code empty on exactly one row (the root). Any depth. Kind: a code or name from the "Loại điểm cầu" sheet; one "Dự kiến [code]" column of expected delegates per group. Upload checks the whole file and lists every error by row and column; nothing changes until you apply, and then everything changes at once.'],
];
