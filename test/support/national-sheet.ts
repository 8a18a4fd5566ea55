// A generated national-size site tree in the import format, as on 7/2/2026:
// the centre and its ministries, 34 provinces, 3,321 commune-level units
// (2,621 xã, 687 phường, 13 đặc khu) and party and agency sites, 31,000 rows
// in all by default. Names are numbered (generated data, not real units).
// Used by test/control/site-import.test.ts and bench/import.ts.
import type { SiteKind } from '../../signaling/site-import.js';
import type { DelegateGroup } from '../../signaling/control.js';
import { groupsSheet, kindsSheet, SHEET, SITE_COLS, headerOf, groupHeader } from '../../server/site-tree/columns.js';
import { writeXlsx, writeCsv, type OutSheet } from '../../server/site-tree/sheet.js';

export const NATIONAL_KINDS: SiteKind[] = [
  { id: 'trung-uong', name: 'Trung ương', nameEn: 'Centre', rank: 0 },
  { id: 'tinh', name: 'Tỉnh, thành phố', nameEn: 'Province', rank: 1 },
  { id: 'bo-nganh', name: 'Bộ, ngành Trung ương', nameEn: 'Ministry', rank: 1 },
  { id: 'xa', name: 'Xã', nameEn: 'Commune', rank: 2 },
  { id: 'phuong', name: 'Phường', nameEn: 'Ward', rank: 2 },
  { id: 'dac-khu', name: 'Đặc khu', nameEn: 'Special zone', rank: 2 },
  { id: 'co-quan', name: 'Cơ quan, sở, ngành', nameEn: 'Agency', rank: 2 },
  { id: 'chi-bo', name: 'Chi bộ, đảng bộ cơ sở', nameEn: 'Party cell', rank: 3 },
];
export const NATIONAL_GROUPS: DelegateGroup[] = [
  { id: 'tu-1', level: 'trung-uong', name: 'Lãnh đạo Đảng, Nhà nước', order: 1 },
  { id: 'bo-1', level: 'bo-nganh', name: 'Lãnh đạo bộ, ngành', order: 1 },
  { id: 'tinh-1', level: 'tinh', name: 'Ban Thường vụ Tỉnh uỷ', order: 1 },
  { id: 'tinh-2', level: 'tinh', name: 'Lãnh đạo sở, ban, ngành', order: 2 },
  ...(['xa', 'phuong', 'dac-khu'] as const).flatMap((k) => [
    { id: `${k}-1`, level: k, name: 'Toàn thể đảng viên', order: 1 },
    { id: `${k}-2`, level: k, name: 'Cán bộ, công chức', order: 2 },
    { id: `${k}-3`, level: k, name: 'Đại biểu quần chúng ưu tú', order: 3 },
  ]),
  { id: 'cq-1', level: 'co-quan', name: 'Cán bộ, đảng viên cơ quan', order: 1 },
  { id: 'cb-1', level: 'chi-bo', name: 'Đảng viên chi bộ', order: 1 },
];

export interface NationalTree {
  rows: (string | number)[][];
  /** Expected delegates of every row summed, and per province subtree. */
  total: number;
  perProvince: Map<string, number>;
  sites: number;
}

const COMMUNES = { xa: 2621, phuong: 687, 'dac-khu': 13 };

export function nationalTree(totalRows = 31_000): NationalTree {
  const groups = NATIONAL_GROUPS;
  const rows: (string | number)[][] = [];
  const perProvince = new Map<string, number>();
  let total = 0;
  const row = (id: string, name: string, parent: string, kind: string, node: string, counts: Record<string, number>, province?: string) => {
    const sum = Object.values(counts).reduce((a, b) => a + b, 0);
    total += sum;
    if (province) perProvince.set(province, (perProvince.get(province) ?? 0) + sum);
    rows.push([id, name, parent, kind, `Hội trường ${name}`, '', '', '', 'Có', node, '', '', ...groups.map((g) => (g.level === kind ? counts[g.id] ?? 0 : ''))]);
  };
  const n = (i: number, w: number) => String(i).padStart(w, '0');
  row('tw', 'Trung ương (Hội trường Diên Hồng)', '', 'trung-uong', 'centre', { 'tu-1': 500 });
  const provinces = Array.from({ length: 34 }, (_, i) => n(i + 1, 2));
  // commune-level units spread over the provinces, kinds in their national proportions
  const communeKinds = Object.entries(COMMUNES).flatMap(([k, c]) => Array.from({ length: c }, () => k));
  const fixed = 1 + 34 + communeKinds.length;
  const agenciesPerProvince = 31;
  const cellsBudget = totalRows - fixed - 34 * agenciesPerProvince;
  const cellsPerCommune = Math.max(0, Math.floor(cellsBudget / communeKinds.length));
  for (const [pi, p] of provinces.entries()) {
    row(p, `Tỉnh số ${p}`, 'tw', 'tinh', `n-${p}`, { 'tinh-1': 15 + (pi % 7), 'tinh-2': 60 + pi }, p);
    for (let a = 1; a <= agenciesPerProvince; a++) row(`${p}-cq${n(a, 2)}`, `Sở số ${a} tỉnh ${p}`, p, 'co-quan', `n-${p}`, { 'cq-1': 20 + (a % 9) }, p);
  }
  communeKinds.forEach((k, ci) => {
    const p = provinces[ci % 34]!;
    const code = n(ci + 1, 5);
    const label = k === 'xa' ? 'Xã' : k === 'phuong' ? 'Phường' : 'Đặc khu';
    row(code, `${label} số ${code}`, p, k, `n-${p}`, { [`${k}-1`]: 40 + (ci % 90), [`${k}-2`]: 15 + (ci % 11), [`${k}-3`]: 5 + (ci % 7) }, p);
    for (let c = 1; c <= cellsPerCommune; c++) row(`${code}-cb${n(c, 2)}`, `Chi bộ số ${c} ${label.toLowerCase()} ${code}`, code, 'chi-bo', `n-${p}`, { 'cb-1': 18 + ((ci + c) % 40) }, p);
  });
  // ministries under the centre fill up to the row count
  for (let m = 1; rows.length < totalRows; m++) row(`bo-${n(m, 3)}`, `Bộ, ngành số ${m}`, 'tw', 'bo-nganh', 'centre', { 'bo-1': 30 + (m % 20) });
  return { rows, total, perProvince, sites: rows.length };
}

export function nationalSheets(t: NationalTree, reportKind = 'tinh'): OutSheet[] {
  const sites: OutSheet = { name: SHEET.sites, header: [...SITE_COLS.map(headerOf), ...NATIONAL_GROUPS.map(groupHeader)], rows: t.rows, textCols: [0, 2, 3, 9] };
  return [sites, kindsSheet(NATIONAL_KINDS, reportKind), groupsSheet(NATIONAL_GROUPS)];
}

export async function nationalXlsx(t: NationalTree): Promise<Buffer> {
  return writeXlsx(nationalSheets(t));
}

export function nationalCsv(t: NationalTree): string {
  return writeCsv(nationalSheets(t)[0]!);
}
