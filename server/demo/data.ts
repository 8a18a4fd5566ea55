// The built-in demo conference: Lạng Sơn Provincial Party Committee, Plan
// 135-KH/TU (19/9/2023), online conference on Conclusion 57-KL/TW.
// Commune-level units are numbered per district (about 200 in total, counts
// per district approximate); only Thành phố Lạng Sơn's wards and communes
// carry real names here. Expected counts are plausible figures, not data.
import type { ConferenceInput, DelegateGroup, SiteInput } from '../../signaling/control.js';

export const DEMO_CONF = 'ls-135';
export const DEMO_ROOT = 'tw';

export const demoConference: ConferenceInput = {
  title: 'Hội nghị trực tuyến nghiên cứu, học tập, quán triệt, triển khai Kết luận số 57-KL/TW của Bộ Chính trị về tiếp tục nâng cao chất lượng, hiệu quả công tác thông tin đối ngoại trong tình hình mới',
  planNumber: '135-KH/TU',
  date: '2023-09-28',
  plannedStart: '2023-09-28T08:00:00+07:00',
  plannedDurationMin: 240,
  maket: [
    'BAN CHẤP HÀNH TRUNG ƯƠNG',
    'BAN CHỈ ĐẠO CÔNG TÁC THÔNG TIN ĐỐI NGOẠI',
    '*',
    'HỘI NGHỊ TOÀN QUỐC',
    'NGHIÊN CỨU, TRIỂN KHAI KẾT LUẬN SỐ 57-KL/TW CỦA BỘ CHÍNH TRỊ',
    'VỀ TIẾP TỤC NÂNG CAO CHẤT LƯỢNG, HIỆU QUẢ CÔNG TÁC',
    'THÔNG TIN ĐỐI NGOẠI TRONG TÌNH HÌNH MỚI',
    '….., ngày... tháng 9 năm 2023',
  ],
  rootSite: DEMO_ROOT,
  reportsTo: 'Ban Thường vụ Tỉnh uỷ; Ban Tuyên giáo Trung ương',
  reportDeadline: '2023-10-02T17:00:00+07:00',
  organizer: 'Ban Tuyên giáo Tỉnh uỷ Lạng Sơn',
};

export const demoGroups: DelegateGroup[] = [
  { id: 'tinh-1', level: 'province', order: 1, name: 'Đại diện Thường trực Tỉnh uỷ', nameEn: 'Provincial Party Standing Committee' },
  { id: 'tinh-2', level: 'province', order: 2, name: 'Lãnh đạo các ban xây dựng Đảng Tỉnh uỷ; cán bộ, chuyên viên Ban Tuyên giáo Tỉnh uỷ', nameEn: 'Party-building commissions; Propaganda Commission staff' },
  { id: 'tinh-3', level: 'province', order: 3, name: 'Thành viên Ban Chỉ đạo công tác thông tin đối ngoại tỉnh', nameEn: 'Provincial Steering Committee for external information' },
  { id: 'tinh-4', level: 'province', order: 4, name: 'Lãnh đạo các sở, ban, ngành, đoàn thể, cơ quan báo chí; báo cáo viên Tỉnh uỷ', nameEn: 'Departments, agencies, mass organisations, press; provincial rapporteurs' },
  { id: 'huyen-1', level: 'district', order: 1, name: 'Uỷ viên Ban Chấp hành Đảng bộ huyện', nameEn: 'District Party executive committee' },
  { id: 'huyen-2', level: 'district', order: 2, name: 'Lãnh đạo các cơ quan, MTTQ, các tổ chức chính trị - xã hội huyện', nameEn: 'District offices, Fatherland Front, socio-political organisations' },
  { id: 'huyen-3', level: 'district', order: 3, name: 'Lãnh đạo các cơ quan ngành dọc Trung ương, tỉnh đóng trên địa bàn', nameEn: 'Vertical agencies located in the district' },
  { id: 'huyen-4', level: 'district', order: 4, name: 'Báo cáo viên; lãnh đạo Ban Tuyên giáo, Trung tâm Chính trị huyện', nameEn: 'Rapporteurs; district propaganda commission and political centre' },
  { id: 'huyen-5', level: 'district', order: 5, name: 'Thành phần khác do đơn vị lựa chọn', nameEn: 'Others designated by the unit' },
  { id: 'xa-1', level: 'commune', order: 1, name: 'Toàn thể đảng viên trong Đảng bộ, chi bộ', nameEn: 'All Party members of the Party committee/cell' },
  { id: 'xa-2', level: 'commune', order: 2, name: 'Cán bộ xã, phường, thị trấn', nameEn: 'Commune/ward/town officials' },
  { id: 'xa-3', level: 'commune', order: 3, name: 'Đại biểu quần chúng ưu tú', nameEn: 'Selected outstanding citizens' },
];

/** id suffix, name, approximate number of commune-level units, media node. */
const DISTRICTS: [string, string, number, string][] = [
  ['tpls', 'Thành phố Lạng Sơn', 8, 'langson'],
  ['trangdinh', 'Tràng Định', 22, 'd-trangdinh'],
  ['vanlang', 'Văn Lãng', 17, 'langson'],
  ['vanquan', 'Văn Quan', 17, 'langson'],
  ['binhgia', 'Bình Gia', 19, 'langson'],
  ['bacson', 'Bắc Sơn', 17, 'langson'],
  ['huulung', 'Hữu Lũng', 24, 'langson'],
  ['chilang', 'Chi Lăng', 20, 'langson'],
  ['caoloc', 'Cao Lộc', 22, 'd-caoloc'],
  ['locbinh', 'Lộc Bình', 21, 'langson'],
  ['dinhlap', 'Đình Lập', 12, 'langson'],
];
const TPLS_UNITS = ['Phường Chi Lăng', 'Phường Đông Kinh', 'Phường Hoàng Văn Thụ', 'Phường Tam Thanh', 'Phường Vĩnh Trại', 'Xã Hoàng Đồng', 'Xã Mai Pha', 'Xã Quảng Lạc'];
const NUMBERED = 'Đánh số theo huyện, chưa có tên thật / numbered, real name not at hand';

export function demoSites(): SiteInput[] {
  const sites: SiteInput[] = [
    { id: 'tw', parent: null, level: 'centre', name: 'Trung ương', hall: 'Điểm cầu Trung ương (Hà Nội)', mediaNode: 'centre', eligible: true, order: 0 },
    { id: 'ls', parent: 'tw', level: 'province', name: 'Tỉnh Lạng Sơn', hall: 'Hội trường Thành uỷ - Uỷ ban nhân dân thành phố Lạng Sơn', mediaNode: 'langson', eligible: true, order: 0,
      technician: { name: 'Kỹ thuật viên Sở Thông tin và Truyền thông' } },
  ];
  DISTRICTS.forEach(([suffix, name, n, node], di) => {
    const id = `ls-${suffix}`;
    const isCity = suffix === 'tpls';
    sites.push({ id, parent: 'ls', level: 'district', name: isCity ? name : `Huyện ${name}`, hall: isCity ? 'Hội trường Thành uỷ Lạng Sơn' : `Hội trường Huyện uỷ ${name}`,
      mediaNode: node, eligible: true, order: di, technician: { name: `Kỹ thuật viên Viettel ${name}` } });
    for (let i = 1; i <= n; i++) {
      const nn = String(i).padStart(2, '0');
      const real = isCity ? TPLS_UNITS[i - 1] : undefined;
      sites.push({
        id: `${id}-${nn}`, parent: id, level: 'commune', name: real ?? `Xã số ${nn} (${name})`,
        hall: `Hội trường UBND ${real ?? `xã số ${nn}`}`, mediaNode: node, order: i,
        // a few halls lack link or room ("chưa đủ điều kiện"): they study later from the materials
        eligible: (di * 7 + i) % 13 !== 0,
        ...(real ? {} : { note: NUMBERED }),
      });
    }
  });
  return sites;
}

/** Deterministic "random" in [lo, hi] from a string. */
function pick(seed: string, lo: number, hi: number): number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return lo + (Math.abs(h) % (hi - lo + 1));
}

export function demoExpected(site: SiteInput): Record<string, number> {
  switch (site.level) {
    case 'province':
      return { 'tinh-1': 4, 'tinh-2': 24, 'tinh-3': 17, 'tinh-4': 85 };
    case 'district':
      return { 'huyen-1': pick(site.id + 1, 27, 35), 'huyen-2': pick(site.id + 2, 12, 20), 'huyen-3': pick(site.id + 3, 6, 12), 'huyen-4': pick(site.id + 4, 5, 10), 'huyen-5': pick(site.id + 5, 3, 10) };
    case 'commune':
      return { 'xa-1': pick(site.id + 1, 35, 140), 'xa-2': pick(site.id + 2, 15, 25), 'xa-3': pick(site.id + 3, 5, 15) };
    default:
      return {};
  }
}

const AGENDA: [string, string, number][] = [
  ['Báo cáo tổng kết 10 năm thực hiện Kết luận số 16-KL/TW về Chiến lược phát triển thông tin đối ngoại', 'Ban Chỉ đạo công tác thông tin đối ngoại Trung ương', 25],
  ['Nội dung cốt lõi và hướng dẫn triển khai Kết luận số 57-KL/TW', 'Ban Tuyên giáo Trung ương', 30],
  ['Thông tin đối ngoại trong công tác đối ngoại Đảng và đối ngoại nhân dân', 'Ban Đối ngoại Trung ương', 20],
  ['Tình hình thế giới, khu vực và những vấn đề đặt ra đối với công tác thông tin đối ngoại', 'Bộ Ngoại giao', 25],
  ['Dự thảo đề cương Chương trình hành động của Chính phủ thực hiện Kết luận số 57-KL/TW', 'Bộ Thông tin và Truyền thông', 20],
  ['Công tác thông tin đối ngoại về an ninh đối ngoại trong lĩnh vực quốc phòng', 'Bộ Quốc phòng', 20],
  ['Thông tin đối ngoại đấu tranh với thông tin sai lệch, thù địch, nhất là trên không gian mạng', 'Bộ Công an', 25],
  ['Thông tin đối ngoại phục vụ phát triển công nghiệp văn hoá', 'Bộ Văn hoá, Thể thao và Du lịch', 20],
  ['Báo cáo chuyên đề, tham luận của các cơ quan thành viên, địa phương, cơ quan đại diện ở nước ngoài', 'Các cơ quan, địa phương', 40],
];

export function demoAgenda() {
  let t = Date.parse(demoConference.plannedStart);
  return AGENDA.map(([title, presenter, min], i) => {
    // planned times written in Vietnam time (+07:00)
    const local = new Date(t + 7 * 3600_000).toISOString().slice(0, 19);
    t += min * 60_000;
    return { id: `nd-${i + 1}`, title, presenter, plannedStart: `${local}+07:00`, plannedDurationMin: min };
  });
}
