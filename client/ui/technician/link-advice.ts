// What the technician reads about the hall's link: the measured profile of the
// hall's video (bitrate, loss, RTT, simulcast layer, path) and, when it is weak,
// what to do about it, in Vietnamese first. Pure: the live-stats panel renders it.
import type { StreamStats } from '../../../signaling/media.js';
import { qualityOf, type LinkQuality } from '../../../signaling/watching.js';
import type { Text2 as Text } from '../i18n.js';

export interface LinkAdvice {
  quality: LinkQuality;
  /** One line of figures, e.g. "850 kbit/s · mất gói 3,2% · 160 ms · lớp 1/3 · kết nối trực tiếp". */
  profile: Text;
  /** What it means for the hall, and what to do (steps when weak). */
  summary: Text;
  steps: Text[];
}

const pct = (x: number) => (x * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 });

/**
 * The hall streams of `site` (hop 'hall', out towards the screen): the worst video one decides,
 * since a hall with one bad screen has a problem to fix. Null when no hall plays yet.
 */
export function linkAdvice(streams: readonly StreamStats[], site: string): LinkAdvice | null {
  const halls = streams.filter((x) => x.site === site && x.hop === 'hall' && x.kind === 'video');
  if (!halls.length) return null;
  const rank: Record<LinkQuality, number> = { poor: 3, fair: 2, unknown: 1, good: 0 };
  const q = (x: StreamStats) => qualityOf(x.lossRate * 100, x.rtt);
  const worst = halls.reduce((a, b) => (rank[q(b)] > rank[q(a)] ? b : a));
  const quality = q(worst);
  const kbps = Math.round(worst.bitrate / 1000);
  const layer = worst.spatialLayer !== undefined ? `${worst.spatialLayer + 1}/3` : null;
  const rtt = worst.rtt !== undefined ? `${Math.round(worst.rtt)} ms` : null;
  // the hall's own word on its path: through the TURN relay (firewall) or straight to the node
  const path = worst.relayed === undefined ? null : worst.relayed
    ? { vi: 'qua máy chủ chuyển tiếp (TURN)', en: 'through the TURN relay' }
    : { vi: 'kết nối trực tiếp', en: 'direct' };
  const profile: Text = {
    vi: [`${kbps} kbit/s`, `mất gói ${pct(worst.lossRate)}%`, rtt, layer ? `lớp hình ${layer}` : null, path?.vi].filter(Boolean).join(' · '),
    en: [`${kbps} kbit/s`, `loss ${(worst.lossRate * 100).toFixed(1)}%`, rtt, layer ? `layer ${layer}` : null, path?.en].filter(Boolean).join(' · '),
  };
  if (quality === 'good' || quality === 'unknown') {
    return { quality, profile, steps: [], summary: { vi: 'Đường truyền tốt: hội trường đang nhận hình và tiếng ổn định.', en: 'Good link: the hall receives picture and sound steadily.' } };
  }
  const steps: Text[] = [
    { vi: 'Dùng cáp mạng cho máy hội trường thay cho Wi-Fi.', en: 'Use a network cable for the hall computer instead of Wi-Fi.' },
    { vi: 'Tắt các máy, ứng dụng khác đang dùng mạng tại điểm cầu (tải tệp, xem video, cập nhật phần mềm).', en: 'Stop other computers and apps using the network at this site (downloads, videos, updates).' },
  ];
  if (worst.relayed) {
    steps.push({
      vi: 'Hình và tiếng đang đi vòng qua máy chủ chuyển tiếp vì tường lửa chặn kết nối trực tiếp: nhờ bộ phận quản trị mạng mở cổng UDP tới máy chủ truyền hình để đường truyền ngắn và nhanh hơn.',
      en: 'Picture and sound go the long way through the relay server because the firewall blocks a direct connection: ask the network administrators to open UDP to the media server for a shorter, faster path.',
    });
  }
  if (quality === 'poor') {
    steps.push(
      { vi: 'Gọi nhà mạng hoặc chuyển sang đường truyền dự phòng (4G/5G) nếu có.', en: 'Call the network provider, or switch to the backup link (4G/5G) if there is one.' },
      { vi: 'Nếu vẫn yếu, báo Ban tổ chức ở mục "Báo sự cố" để được hỗ trợ.', en: 'If it stays weak, tell the organisers under "Report a problem".' },
    );
  }
  const summary: Text = quality === 'fair'
    ? { vi: 'Đường truyền trung bình: hội trường vẫn xem được, có thể ở lớp hình thấp hơn.', en: 'Fair link: the hall still plays, possibly at a lower picture layer.' }
    : { vi: 'Đường truyền yếu: hội trường có thể chỉ còn lớp hình thấp nhất hoặc chỉ có tiếng; hình sẽ tự trở lại khi đường truyền tốt lên.', en: 'Weak link: the hall may get only the lowest picture layer or sound only; the picture comes back by itself when the link improves.' };
  return { quality, profile, summary, steps };
}
