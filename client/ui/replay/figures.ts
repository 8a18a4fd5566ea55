// Replay figures ("học tập lại") per site and subtree from the sessions the
// screen holds, for the organizer's attendance view. Same sums as the
// reports (server/replay/report.ts): people of every session, per group.
import type { Site } from '../../../signaling/control.js';
import type { ReplaySession } from '../../../signaling/recording.js';

export interface ReplaySums { sessions: number; sites: Set<string>; present: Record<string, number>; total: number }
const empty = (): ReplaySums => ({ sessions: 0, sites: new Set(), present: {}, total: 0 });

/** Subtree sums: every session counts at its site and at each of its ancestors. */
export function replayTree(sessions: ReplaySession[], sites: Map<string, Site>): Map<string, ReplaySums> {
  const out = new Map<string, ReplaySums>();
  for (const r of sessions) {
    for (const id of [...(sites.get(r.site)?.path ?? []), r.site]) {
      let a = out.get(id);
      if (!a) out.set(id, (a = empty()));
      a.sessions++;
      a.sites.add(r.site);
      for (const [g, n] of Object.entries(r.counts)) { a.present[g] = (a.present[g] ?? 0) + n; a.total += n; }
    }
  }
  return out;
}

export const noReplay: ReplaySums = empty();

/** Items watched as people read them: "Cả hội nghị" or "Nội dung 2, 3". */
export function itemsText(items: ReplaySession['items'], order: Map<string, number>, T: (vi: string, en: string) => string): string {
  if (items === 'all') return T('Cả hội nghị', 'Whole conference');
  const nums = items.map((id) => (order.has(id) ? String(order.get(id)! + 1) : id));
  return `${T('Nội dung', 'Items')} ${nums.join(', ')}`;
}

export function sourceText(source: ReplaySession['source'], T: (vi: string, en: string) => string): string {
  return source === 'recording' ? T('Bản ghi hội nghị', 'Recording') : source === 'materials' ? T('Tài liệu', 'Materials') : T('Khác', 'Other');
}
