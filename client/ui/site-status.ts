// How a site is doing, in words and colours shared by the tree, the overlay
// and the technician console.
import { kindName } from './kinds.js';
import { qualityOf, type LinkQuality, type RehearsalResult, type Site, type SiteLevel, type SiteWatch, type WatchState } from '../../signaling/control.js';
import { T } from './i18n.js';

export type Quality = LinkQuality;

/** Link quality from the latest link test (loss and round-trip time), as for a playing hall. */
export function linkQuality(r: RehearsalResult | undefined): Quality {
  if (!r) return 'unknown';
  if (!r.passed) return 'poor';
  return qualityOf(r.lossPct ?? 0, r.rttMs ?? 0);
}

export function qualityText(q: Quality): string {
  return {
    good: T('Đường truyền tốt', 'Good link'),
    fair: T('Đường truyền trung bình', 'Fair link'),
    poor: T('Đường truyền kém', 'Poor link'),
    unknown: T('Chưa thử đường truyền', 'Link not tested'),
  }[q];
}

/** Short words for the tree's narrow column. */
export function watchShort(s: WatchState): string {
  return {
    playing: T('Đang xem', 'Playing'),
    connected: T('Chưa có hình', 'No picture'),
    lost: T('Mất tín hiệu', 'Lost'),
    none: T('Chưa vào', 'Not joined'),
  }[s];
}

/** What a site's halls really play, in words: the organizer's tree and the filter use these. */
export function watchText(s: WatchState): string {
  return {
    playing: T('Đang xem', 'Playing'),
    connected: T('Đã kết nối, chưa có hình', 'Connected, no picture'),
    lost: T('Mất tín hiệu', 'Signal lost'),
    none: T('Chưa kết nối', 'Not joined'),
  }[s];
}

/** A one-line detail of the best hall: frames per second, bitrate, loss, round trip, layer. */
export function watchDetail(w: SiteWatch | undefined): string {
  if (!w || w.state === 'none') return '';
  const parts = [
    w.endpoints > 1 ? `${w.playing}/${w.endpoints} ${T('màn hình', 'screens')}` : '',
    w.fps !== undefined ? `${w.fps} fps` : '',
    w.bitrateKbps !== undefined ? `${w.bitrateKbps} kbit/s` : '',
    w.lossPct !== undefined ? `${T('mất gói', 'loss')} ${w.lossPct}%` : '',
    w.rttMs !== undefined ? `RTT ${w.rttMs} ms` : '',
    w.layer !== undefined ? `${T('lớp', 'layer')} ${w.layer + 1}/3` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** A site's kind by its name in the conference's kinds (client/ui/kinds.ts). */
export function levelText(l: SiteLevel): string {
  return kindName(l);
}

export function siteName(sites: Map<string, Site>, id: string | null | undefined): string {
  if (!id) return '';
  return sites.get(id)?.name ?? id;
}
