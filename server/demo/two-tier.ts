// The second built-in demo, of today's two-tier shape (since 1/7/2025: province →
// communes, no district): the centre, Lạng Sơn province, its 65 commune-level
// units (4 phường, 61 xã) and its party committees and agencies as sites of
// their own. Only the wards, party committees and agencies carry real names;
// the 61 xã are numbered ("Xã số NN"), which each row's note says. Codes are
// made up here (the national codes of the new units are not at hand), except
// 20, the province's own code. Expected counts are plausible figures, not data.
// The spreadsheet server/demo/langson-2026.xlsx is generated from this file
// (server/demo/make-sheets.ts) and loaded through the import like any user's.
import type { ConferenceInput, DelegateGroup, SiteInput } from '../../signaling/control.js';
import type { SiteKind } from '../../signaling/site-import.js';

export const TWO_TIER_CONF = 'ls-2026';
export const TWO_TIER_ROOT = 'tw';

export const twoTierConference: ConferenceInput = {
  title: 'Hội nghị toàn quốc nghiên cứu, học tập, quán triệt, tuyên truyền Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIV của Đảng — các điểm cầu tỉnh Lạng Sơn (dữ liệu minh hoạ)',
  planNumber: 'Minh hoạ 2026',
  date: '2026-02-07',
  plannedStart: '2026-02-07T07:30:00+07:00',
  plannedDurationMin: 240,
  maket: ['BAN CHẤP HÀNH TRUNG ƯƠNG', '*', 'HỘI NGHỊ TOÀN QUỐC', 'NGHIÊN CỨU, HỌC TẬP, QUÁN TRIỆT, TUYÊN TRUYỀN', 'NGHỊ QUYẾT ĐẠI HỘI ĐẠI BIỂU TOÀN QUỐC LẦN THỨ XIV CỦA ĐẢNG', 'Hà Nội, ngày 07 tháng 02 năm 2026'],
  rootSite: TWO_TIER_ROOT,
  reportsTo: 'Ban Thường vụ Tỉnh uỷ; Ban Tuyên giáo và Dân vận Trung ương',
  reportDeadline: '2026-02-27T17:00:00+07:00',
  organizer: 'Ban Tuyên giáo và Dân vận Tỉnh uỷ Lạng Sơn',
};

export const twoTierKinds: SiteKind[] = [
  { id: 'trung-uong', name: 'Trung ương', nameEn: 'Centre', rank: 0 },
  { id: 'tinh', name: 'Tỉnh, thành phố', nameEn: 'Province', rank: 1 },
  { id: 'xa', name: 'Xã', nameEn: 'Commune', rank: 2 },
  { id: 'phuong', name: 'Phường', nameEn: 'Ward', rank: 2 },
  { id: 'dang-uy', name: 'Đảng uỷ trực thuộc', nameEn: 'Party committee', rank: 2 },
  { id: 'co-quan', name: 'Cơ quan, sở, ngành', nameEn: 'Agency', rank: 2 },
];
/** Communes chart by province: the level the reports group by. */
export const TWO_TIER_REPORT_KIND = 'tinh';

export const twoTierGroups: DelegateGroup[] = [
  { id: 'tinh-1', level: 'tinh', order: 1, name: 'Ban Thường vụ Tỉnh uỷ', nameEn: 'Provincial Party Standing Committee' },
  { id: 'tinh-2', level: 'tinh', order: 2, name: 'Lãnh đạo các ban, sở, ngành, đoàn thể tỉnh; báo cáo viên Tỉnh uỷ', nameEn: 'Provincial commissions, departments, mass organisations; rapporteurs' },
  ...(['xa', 'phuong'] as const).flatMap((k) => [
    { id: `${k}-1`, level: k, order: 1, name: 'Toàn thể đảng viên trong Đảng bộ', nameEn: 'All Party members' },
    { id: `${k}-2`, level: k, order: 2, name: k === 'xa' ? 'Cán bộ, công chức xã' : 'Cán bộ, công chức phường', nameEn: 'Commune officials' },
    { id: `${k}-3`, level: k, order: 3, name: 'Đại biểu quần chúng ưu tú', nameEn: 'Selected outstanding citizens' },
  ]),
  { id: 'du-1', level: 'dang-uy', order: 1, name: 'Ban Chấp hành Đảng bộ', nameEn: 'Party executive committee' },
  { id: 'du-2', level: 'dang-uy', order: 2, name: 'Bí thư chi bộ, đảng viên', nameEn: 'Party cell secretaries, members' },
  { id: 'cq-1', level: 'co-quan', order: 1, name: 'Cán bộ, đảng viên cơ quan', nameEn: 'Agency staff and Party members' },
];

const WARDS = ['Đông Kinh', 'Lương Văn Tri', 'Tam Thanh', 'Kỳ Lừa'];
const PARTY = ['Đảng uỷ các cơ quan Đảng tỉnh', 'Đảng uỷ Uỷ ban nhân dân tỉnh', 'Đảng uỷ Quân sự tỉnh', 'Đảng uỷ Công an tỉnh', 'Đảng uỷ Bộ đội Biên phòng tỉnh'];
const AGENCIES = [
  'Văn phòng Uỷ ban nhân dân tỉnh', 'Sở Nội vụ', 'Sở Tài chính', 'Sở Tư pháp', 'Sở Công Thương', 'Sở Nông nghiệp và Môi trường', 'Sở Xây dựng',
  'Sở Khoa học và Công nghệ', 'Sở Văn hoá, Thể thao và Du lịch', 'Sở Giáo dục và Đào tạo', 'Sở Y tế', 'Sở Ngoại vụ', 'Sở Dân tộc và Tôn giáo', 'Thanh tra tỉnh',
];
const NUMBERED = 'Đánh số, chưa có tên thật / numbered, real name not at hand';
const COMMUNES = 61;

export function twoTierSites(): SiteInput[] {
  const two = (n: number) => String(n).padStart(2, '0');
  const sites: SiteInput[] = [
    { id: 'tw', parent: null, level: 'trung-uong', name: 'Trung ương', hall: 'Hội trường Diên Hồng, Nhà Quốc hội (Hà Nội)', mediaNode: 'centre', eligible: true, order: 0 },
    { id: '20', parent: 'tw', level: 'tinh', name: 'Tỉnh Lạng Sơn', hall: 'Hội trường Tỉnh uỷ Lạng Sơn', mediaNode: 'langson', eligible: true, order: 0 },
  ];
  WARDS.forEach((w, i) => sites.push({ id: `20-p${two(i + 1)}`, parent: '20', level: 'phuong', name: `Phường ${w}`, hall: `Hội trường Đảng uỷ phường ${w}`, mediaNode: 'langson', eligible: true, order: i }));
  for (let i = 1; i <= COMMUNES; i++) {
    sites.push({ id: `20-x${two(i)}`, parent: '20', level: 'xa', name: `Xã số ${two(i)}`, hall: `Hội trường Đảng uỷ xã số ${two(i)}`, mediaNode: 'langson', order: WARDS.length + i - 1,
      eligible: i % 17 !== 0, note: NUMBERED });
  }
  PARTY.forEach((p, i) => sites.push({ id: `20-du${two(i + 1)}`, parent: '20', level: 'dang-uy', name: p, hall: `Hội trường ${p}`, mediaNode: 'langson', eligible: true, order: 100 + i }));
  AGENCIES.forEach((a, i) => sites.push({ id: `20-cq${two(i + 1)}`, parent: '20', level: 'co-quan', name: a, hall: `Phòng họp ${a}`, mediaNode: 'langson', eligible: true, order: 200 + i }));
  return sites;
}

/** Deterministic figures from the site code. */
function pick(seed: string, lo: number, hi: number): number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return lo + (Math.abs(h) % (hi - lo + 1));
}

export function twoTierExpected(s: SiteInput): Record<string, number> {
  switch (s.level) {
    case 'tinh': return { 'tinh-1': 16, 'tinh-2': 120 };
    case 'xa': case 'phuong': return { [`${s.level}-1`]: pick(`${s.id}1`, 60, 260), [`${s.level}-2`]: pick(`${s.id}2`, 18, 30), [`${s.level}-3`]: pick(`${s.id}3`, 5, 20) };
    case 'dang-uy': return { 'du-1': pick(`${s.id}1`, 25, 40), 'du-2': pick(`${s.id}2`, 30, 90) };
    case 'co-quan': return { 'cq-1': pick(`${s.id}1`, 20, 60) };
    default: return {};
  }
}
