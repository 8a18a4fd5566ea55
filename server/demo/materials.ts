// The six demo materials, generated as small Vietnamese Markdown documents.
// They describe the real documents; they are not their text.
import { demoAgenda, demoConference } from './data.js';

export interface DemoMaterial { id: string; title: string; filename: string; mime: string; body: string }

const head = (title: string) =>
  `# ${title}\n\n_${demoConference.planNumber} — Tỉnh uỷ Lạng Sơn. Tài liệu trình diễn do hệ thống tạo ra; không phải văn bản gốc._\n\n`;

export function demoMaterials(): DemoMaterial[] {
  const agenda = demoAgenda().map((a, i) => `${i + 1}. ${a.title} — ${a.presenter} (${a.plannedStart.slice(11, 16)}, ${a.plannedDurationMin} phút)`).join('\n');
  const docs: [string, string, string][] = [
    ['Chương trình Hội nghị', 'chuong-trinh-hoi-nghi.md',
      `Thời gian: ½ ngày, ngày 28/9/2023 (dự kiến).\nHình thức: trực tuyến từ Trung ương, kết nối đến điểm cầu cấp tỉnh, huyện, xã.\n\n## Nội dung\n\n${agenda}\n`],
    ['Kết luận số 57-KL/TW của Bộ Chính trị', 'ket-luan-57-kl-tw.md',
      'Kết luận số 57-KL/TW, ngày 15/6/2023 của Bộ Chính trị về tiếp tục nâng cao chất lượng, hiệu quả công tác thông tin đối ngoại trong tình hình mới.\n\nBản trình diễn: đại biểu nhận toàn văn tại điểm cầu theo hướng dẫn của Ban Tổ chức.\n'],
    ['Hướng dẫn nghiên cứu, học tập, quán triệt Kết luận số 57-KL/TW (kèm đề cương)', 'huong-dan-hoc-tap-kl-57.md',
      'Căn cứ Hướng dẫn số 111-HD/BTGTW, ngày 11/8/2023 của Ban Tuyên giáo Trung ương.\n\n## Yêu cầu\n- Nghiêm túc, thiết thực, hiệu quả.\n- Tăng cường kiểm tra, giám sát việc học tập, quán triệt.\n\n## Ghi chép học tập\n- Nội dung cốt lõi:\n- Điểm mới:\n- Liên hệ với nhiệm vụ của đơn vị:\n'],
    ['Dự thảo đề cương Chương trình hành động của Chính phủ', 'du-thao-chuong-trinh-hanh-dong.md',
      'Dự thảo đề cương Chương trình hành động của Chính phủ thực hiện Kết luận số 57-KL/TW — do Bộ Thông tin và Truyền thông trình bày tại Hội nghị.\n'],
    ['Báo cáo tổng kết 10 năm thực hiện Kết luận số 16-KL/TW', 'bao-cao-10-nam-kl-16.md',
      'Báo cáo tổng kết 10 năm thực hiện Kết luận số 16-KL/TW về Chiến lược phát triển thông tin đối ngoại — Ban Chỉ đạo công tác thông tin đối ngoại Trung ương.\n'],
    ['Các báo cáo chuyên đề, tham luận', 'bao-cao-chuyen-de-tham-luan.md',
      'Tập hợp các báo cáo chuyên đề, tham luận của các cơ quan thành viên, địa phương và cơ quan đại diện Việt Nam ở nước ngoài do Ban Tổ chức chuẩn bị.\n'],
  ];
  return docs.map(([title, filename, body], i) => ({ id: `tl-${i + 1}`, title, filename, mime: 'text/markdown', body: head(title) + body }));
}
