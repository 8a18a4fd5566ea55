// How a site is doing, in words and colours shared by the tree, the overlay
// and the technician console.
import type { RehearsalResult, Site, SiteLevel } from '../../signaling/control.js';
import { T } from './i18n.js';

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

/** Link quality from the latest link test (loss and round-trip time). */
export function linkQuality(r: RehearsalResult | undefined): Quality {
  if (!r) return 'unknown';
  if (!r.passed) return 'poor';
  const loss = r.lossPct ?? 0, rtt = r.rttMs ?? 0;
  if (loss < 2 && rtt < 150) return 'good';
  if (loss < 8 && rtt < 400) return 'fair';
  return 'poor';
}

export function qualityText(q: Quality): string {
  return {
    good: T('Đường truyền tốt', 'Good link'),
    fair: T('Đường truyền trung bình', 'Fair link'),
    poor: T('Đường truyền kém', 'Poor link'),
    unknown: T('Chưa thử đường truyền', 'Link not tested'),
  }[q];
}

export function levelText(l: SiteLevel): string {
  return { centre: T('Trung ương', 'Centre'), province: T('Tỉnh', 'Province'), district: T('Huyện', 'District'), commune: T('Xã', 'Commune') }[l];
}

export function siteName(sites: Map<string, Site>, id: string | null | undefined): string {
  if (!id) return '';
  return sites.get(id)?.name ?? id;
}
