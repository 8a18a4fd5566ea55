// Replay attendance in the reports: per site and subtree, per kind, and one row
// per session for the workbook. Always beside the live figures, never summed
// into them. A site that held several sessions counts the people of each
// (people may differ from one session to the next; the sheet lists each).
import type { AgendaItem, DelegateGroup, ReplayFigures, Site, UpwardReplay, UpwardReport } from '../../signaling/control.js';
import type { ReplaySession } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { vnDateTime, type Column, type Sheet } from '../export.js';
import { getAgenda } from '../store/agenda.js';
import { listGroups, listSites } from '../store/conference.js';
import { getKinds } from '../site-tree/store.js';
import { dmy, listReplays } from './store.js';

/** Sheet names may not contain a slash, so the English name goes in brackets. */
export const REPLAY_SHEET = 'Học tập lại (Replay)';
export const LIVE_LABEL = 'Trực tiếp (Live)';
export const REPLAY_LABEL = 'Học tập lại (Replay)';

interface Acc { sessions: number; sites: Set<string>; present: Record<string, number> }
const acc = (): Acc => ({ sessions: 0, sites: new Set(), present: {} });
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

/** Replay figures of every site's own hall and of every subtree. */
export class ReplayIndex {
  private own = new Map<string, Acc>();
  private tree = new Map<string, Acc>();

  constructor(readonly sessions: ReplaySession[], sites: Site[]) {
    const byId = new Map(sites.map((s) => [s.id, s]));
    const add = (m: Map<string, Acc>, id: string, r: ReplaySession) => {
      let a = m.get(id);
      if (!a) m.set(id, (a = acc()));
      a.sessions++;
      a.sites.add(r.site);
      for (const [g, n] of Object.entries(r.counts)) a.present[g] = (a.present[g] ?? 0) + n;
    };
    for (const r of sessions) {
      add(this.own, r.site, r);
      // a site removed from the tree since keeps its own figures, out of every subtree
      for (const id of [...(byId.get(r.site)?.path ?? []), r.site]) add(this.tree, id, r);
    }
  }

  /** People of `group` at the site's own replay sessions (subtree with `subtree`). */
  count(site: string, group: string, subtree = false): number {
    return (subtree ? this.tree : this.own).get(site)?.present[group] ?? 0;
  }

  figures(site: string, subtree = true): ReplayFigures {
    const a = (subtree ? this.tree : this.own).get(site) ?? acc();
    return { site, sessions: a.sessions, sites: a.sites.size, present: { ...a.present }, totalPresent: total(a.present) };
  }
}

export async function replayIndex(ctx: Ctx, conf: string, sites?: Site[]): Promise<ReplayIndex> {
  const [sessions, all] = await Promise.all([listReplays(ctx, conf), sites ? Promise.resolve(sites) : listSites(ctx, conf)]);
  return new ReplayIndex(sessions, all);
}

/** The upward report's replay part: the root, the same units, and per kind (in the kinds' rank order). */
export async function upwardReplay(ctx: Ctx, conf: string, root: string, units: { id: string }[], sites: Site[]): Promise<UpwardReplay> {
  const [idx, { kinds }] = await Promise.all([replayIndex(ctx, conf, sites), getKinds(ctx, conf)]);
  const rank = new Map(kinds.map((k) => [k.id, k.rank]));
  const levelOf = new Map(sites.map((s) => [s.id, s.level]));
  const per = new Map<string, { sites: Set<string>; sessions: number; present: number }>();
  for (const r of idx.sessions) {
    const level = levelOf.get(r.site);
    if (!level) continue;
    const l = per.get(level) ?? { sites: new Set<string>(), sessions: 0, present: 0 };
    l.sites.add(r.site);
    l.sessions++;
    l.present += total(r.counts);
    per.set(level, l);
  }
  const levels = [...per].sort(([a], [b]) => (rank.get(a) ?? 99) - (rank.get(b) ?? 99) || a.localeCompare(b))
    .map(([level, l]) => ({ level, sites: l.sites.size, sessions: l.sessions, present: l.present }));
  return { root: idx.figures(root), units: units.map((u) => idx.figures(u.id)), levels };
}

const SOURCE: Record<ReplaySession['source'], string> = { recording: 'Bản ghi hội nghị / Recording', materials: 'Tài liệu / Materials', other: 'Khác / Other' };
function enteredBy(by: string): string {
  const role = by.split(/[:#]/)[0];
  return role === 'organizer' ? 'Ban tổ chức / Organiser' : role === 'technician' ? 'Kỹ thuật viên / Technician' : role ?? '';
}

export interface ReplayRow { session: ReplaySession; siteName: string; level: string; parentName: string; items: string }

/** One row per replay session, tree order then date, with the items watched by their titles. */
export async function replaySheet(ctx: Ctx, conf: string): Promise<Sheet> {
  const [sessions, sites, groups, agenda] = await Promise.all([listReplays(ctx, conf), listSites(ctx, conf), listGroups(ctx, conf), getAgenda(ctx, conf)]);
  const byId = new Map(sites.map((s, i) => [s.id, { s, i }]));
  const items = new Map(agenda.items.map((it) => [it.id, it]));
  const itemText = (r: ReplaySession) => r.items === 'all' ? 'Toàn bộ hội nghị / Whole conference'
    : r.items.map((id) => { const it: AgendaItem | undefined = items.get(id); return it ? `${it.order + 1}. ${it.title}` : id; }).join('; ');
  const rank = (id: string) => byId.get(id)?.i ?? Number.MAX_SAFE_INTEGER;
  const rows: ReplayRow[] = [...sessions].sort((a, b) => rank(a.site) - rank(b.site) || a.date.localeCompare(b.date) || a.createdAt - b.createdAt).map((r) => {
    const s = byId.get(r.site)?.s;
    return { session: r, siteName: s?.name ?? r.site, level: s?.level ?? '', parentName: s?.parent ? byId.get(s.parent)?.s.name ?? s.parent : '', items: itemText(r) };
  });
  return { name: REPLAY_SHEET, cols: replayCols(groups, sessions, sites), rows };
}

/** Columns: one per delegate group of the kinds that held a replay (every group when none did). */
export function replayCols(groups: DelegateGroup[], sessions: ReplaySession[], sites: Site[]): Column<ReplayRow>[] {
  const levelOf = new Map(sites.map((s) => [s.id, s.level]));
  const used = new Set(sessions.flatMap((r) => [levelOf.get(r.site), ...Object.keys(r.counts).map((g) => groups.find((x) => x.id === g)?.level)]));
  const shown = sessions.length ? groups.filter((g) => used.has(g.level)) : groups;
  return [
    { key: 'site', header: 'Mã điểm cầu / Site', get: (r) => r.session.site },
    { key: 'name', header: 'Tên điểm cầu / Site name', get: (r) => r.siteName },
    { key: 'level', header: 'Cấp / Level', get: (r) => r.level },
    { key: 'parentName', header: 'Tên trực thuộc / Parent name', get: (r) => r.parentName },
    { key: 'date', header: 'Ngày học tập lại / Date', get: (r) => dmy(r.session.date) },
    { key: 'items', header: 'Nội dung đã xem / Items watched', get: (r) => r.items },
    ...shown.map((g): Column<ReplayRow> => ({ key: `g-${g.id}`, header: `${g.name} (${g.id})`, get: (r) => r.session.counts[g.id] ?? (levelOf.get(r.session.site) === g.level ? 0 : undefined) })),
    { key: 'total', header: `Tổng số người — ${REPLAY_LABEL} / Total`, get: (r) => total(r.session.counts) },
    { key: 'source', header: 'Nguồn / Source', get: (r) => SOURCE[r.session.source] },
    { key: 'recording', header: 'Bản ghi / Recording', get: (r) => r.session.recording ?? '' },
    { key: 'note', header: 'Ghi chú / Note', get: (r) => r.session.note },
    { key: 'by', header: 'Người nhập / Entered by', get: (r) => enteredBy(r.session.by) },
    { key: 'createdAt', header: 'Nhập lúc / Entered at', get: (r) => vnDateTime(r.session.createdAt) },
  ];
}

/** The workbook's summary rows (the whole conference, then the units), replay figures beside the live ones. */
export function summaryRows(up: UpwardReport) {
  const rp = new Map((up.replay ? [up.replay.root, ...up.replay.units] : []).map((f) => [f.site, f]));
  const withReplay = <T extends { site: string }>(r: T) => {
    const f = rp.get(r.site);
    return { ...r, replayPresent: f?.totalPresent ?? 0, replaySessions: f?.sessions ?? 0, replaySites: f?.sites ?? 0 };
  };
  return [withReplay({ ...up.root, name: 'Toàn hội nghị / Whole conference', level: 'centre' }), ...up.units.map(withReplay)];
}
