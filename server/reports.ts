// Report builders: attendance (own and roll-up rows), per-person check-ins,
// presence per endpoint, agenda planned vs actual, and the roll-up report to
// the level above.
//
// Check-ins and the headcount: the technician's headcount ("có mặt") stays the
// one figure every total and the upward report use; check-ins never change it.
// The hall count is authoritative, since many delegates never scan (and one
// person may scan twice). The attendance rows carry `checkedIn` beside
// `present`, so an organizer sees the gap per site and group.
import { AppError } from '../signaling/common.js';
import type { z } from 'zod';
import type { AgendaRow, AttendanceRow, CheckInRow, Conference, DelegateGroup, Incident, PresenceReportRow, SiteLevel, UpwardReport, WatchSessionRow } from '../signaling/control.js';
import type { Ctx } from './context.js';
import { getAgenda } from './store/agenda.js';
import { listCheckIns, readAttendance, readRollups } from './store/attendance.js';
import { getConference, listGroups, listSites } from './store/conference.js';
import { listIncidents } from './store/incidents.js';
import { listDeliveries, listMaterials, summarize } from './store/materials.js';
import { presenceEvents, readPresence } from './store/presence.js';
import { getJson } from './store/util.js';
import { getKinds } from './site-tree/store.js';
import { listWatch, watchEvents, watchSessions } from './watching.js';
import { replayIndex, upwardReplay } from './replay/report.js';

type ARow = z.infer<typeof AttendanceRow>;
type PRow = z.infer<typeof PresenceReportRow>;
type GRow = z.infer<typeof AgendaRow>;

export async function attendanceRows(ctx: Ctx, conf: string): Promise<ARow[]> {
  const [sites, groups, checkIns] = await Promise.all([listSites(ctx, conf), listGroups(ctx, conf), listCheckIns(ctx, conf)]);
  const ids = sites.map((s) => s.id);
  const [own, ru, rp] = await Promise.all([readAttendance(ctx, conf, ids), readRollups(ctx, conf, ids), replayIndex(ctx, conf, sites)]);
  const hasChildren = new Set(sites.map((s) => s.parent).filter((p): p is string => !!p));
  const names = new Map(sites.map((s) => [s.id, s.name]));
  const byId = new Map(sites.map((s) => [s.id, s]));
  // check-ins per "site|group": own hall, and summed into every ancestor for the roll-up rows
  const ciOwn = new Map<string, number>();
  const ciTree = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const c of checkIns) {
    bump(ciOwn, `${c.site}|${c.group}`);
    for (const s of [...(byId.get(c.site)?.path ?? []), c.site]) bump(ciTree, `${s}|${c.group}`);
  }
  const rows: ARow[] = [];
  sites.forEach((s, i) => {
    const base = { site: s.id, name: s.name, level: s.level, parent: s.parent, parentName: s.parent ? names.get(s.parent) ?? s.parent : null };
    // replay ("học tập lại") beside the live headcount, in columns of its own
    const ownSessions = rp.figures(s.id, false).sessions;
    for (const g of groups.filter((g) => g.level === s.level)) {
      rows.push({
        ...base, group: g.id, groupName: g.name, expected: own[i]!.expected[g.id] ?? 0, present: own[i]!.present[g.id] ?? 0,
        checkedIn: ciOwn.get(`${s.id}|${g.id}`) ?? 0, kind: 'own', replay: rp.count(s.id, g.id), replaySessions: ownSessions,
      });
    }
    if (hasChildren.has(s.id)) {
      const treeSessions = rp.figures(s.id).sessions;
      for (const g of groups) {
        const e = ru[i]!.expected[g.id] ?? 0;
        const p = ru[i]!.present[g.id] ?? 0;
        const ci = ciTree.get(`${s.id}|${g.id}`) ?? 0;
        const r = rp.count(s.id, g.id, true);
        if (e || p || ci || r) rows.push({ ...base, group: g.id, groupName: g.name, expected: e, present: p, checkedIn: ci, kind: 'rollup', replay: r, replaySessions: treeSessions });
      }
    }
  });
  return rows;
}

/** Every per-person check-in with its site and group names: tree order of sites, then group order, then time of check-in. */
export async function checkInRows(ctx: Ctx, conf: string, now = Date.now()): Promise<CheckInRow[]> {
  const [sites, groups, checkIns] = await Promise.all([listSites(ctx, conf), listGroups(ctx, conf), listCheckIns(ctx, conf)]);
  const siteIdx = new Map(sites.map((s, i) => [s.id, i]));
  const groupIdx = new Map(groups.map((g, i) => [g.id, i]));
  const rank = (m: Map<string, number>, k: string) => m.get(k) ?? Number.MAX_SAFE_INTEGER;
  return checkIns
    .sort((a, b) => rank(siteIdx, a.site) - rank(siteIdx, b.site) || rank(groupIdx, a.group) - rank(groupIdx, b.group) || a.inAt - b.inAt)
    .map((c) => {
      const s = sites[siteIdx.get(c.site) ?? -1];
      const g = groups[groupIdx.get(c.group) ?? -1];
      const end = c.outAt ?? Math.max(now, c.inAt);
      return {
        id: c.id, site: c.site, siteName: s?.name ?? c.site, group: c.group, groupName: g?.name ?? c.group,
        name: c.name, ...(c.unit ? { unit: c.unit } : {}), inAt: c.inAt, ...(c.outAt ? { outAt: c.outAt } : {}),
        minutes: Math.round((end - c.inAt) / 600) / 100,
      };
    });
}

/** Per site: control connections (technician consoles, hall overlays) beside what the media nodes saw the halls play. */
export async function presenceRows(ctx: Ctx, conf: string): Promise<PRow[]> {
  const sites = await listSites(ctx, conf);
  const [pres, watch] = await Promise.all([readPresence(ctx, conf, sites.map((s) => s.id)), listWatch(ctx, conf)]);
  return Promise.all(sites.map(async (s, i) => {
    const w = watch[i]!;
    const joins = w.state === 'none' ? 0 : (await watchEvents(ctx, conf, s.id)).filter((e) => e.kind === 'join').length;
    return { ...pres[i]!, name: s.name, level: s.level, events: await presenceEvents(ctx, conf, s.id), watchState: w.state, watchedMs: w.watchedMs, watchJoins: joins };
  }));
}

/** Per hall endpoint session (from the media nodes' reports): joined, left, time it played. */
export async function watchingRows(ctx: Ctx, conf: string): Promise<WatchSessionRow[]> {
  const [sites, watch] = await Promise.all([listSites(ctx, conf), listWatch(ctx, conf)]);
  const now = Date.now();
  const out: WatchSessionRow[] = [];
  for (const [i, s] of sites.entries()) {
    if (watch[i]!.state === 'none') continue;
    for (const x of watchSessions(await watchEvents(ctx, conf, s.id), now)) out.push({ site: s.id, name: s.name, ...x });
  }
  return out;
}

export async function agendaRows(ctx: Ctx, conf: string): Promise<GRow[]> {
  const a = await getAgenda(ctx, conf);
  return a.items.map((it) => ({
    item: it.id, title: it.title, presenter: it.presenter, plannedStart: it.plannedStart, plannedDurationMin: it.plannedDurationMin,
    ...(it.actualStart ? { actualStart: it.actualStart } : {}),
    ...(it.actualEnd ? { actualEnd: it.actualEnd } : {}),
    ...(it.actualStart && it.actualEnd ? { actualDurationMin: Math.round((it.actualEnd - it.actualStart) / 600) / 100 } : {}),
  }));
}

type Levels = NonNullable<UpwardReport['levels']>;

/** Each site's own hall summed per kind (in the kinds' rank order): sites, sites that reported, expected, present. */
export async function levelTotals(ctx: Ctx, conf: string, sites?: Awaited<ReturnType<typeof listSites>>): Promise<Levels> {
  const all = sites ?? await listSites(ctx, conf);
  const [own, { kinds }] = await Promise.all([readAttendance(ctx, conf, all.map((s) => s.id)), getKinds(ctx, conf)]);
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const rank = new Map(kinds.map((k) => [k.id, k.rank]));
  const levels: SiteLevel[] = [...new Set(all.map((s) => s.level))].sort((a, b) => (rank.get(a) ?? 99) - (rank.get(b) ?? 99) || a.localeCompare(b));
  return levels.map((level) => {
    const rows = all.flatMap((s, i) => (s.level === level ? [own[i]!] : []));
    return { level, sites: rows.length, reported: rows.filter((r) => r.reported).length, expected: rows.reduce((a, r) => a + sum(r.expected), 0), present: rows.reduce((a, r) => a + sum(r.present), 0) };
  }).filter((l) => l.sites > 0);
}

export async function buildUpward(ctx: Ctx, conf: string): Promise<UpwardReport> {
  const c = await getConference(ctx, conf);
  const sites = await listSites(ctx, conf);
  // the units: the root's children and every site of the report level (by default provinces and districts)
  const { reportKind } = await getKinds(ctx, conf);
  const units = sites.filter((s) => s.parent === c.rootSite || (reportKind ? s.level === reportKind : s.level === 'district' || s.level === 'province'));
  const uniq = [...new Map(units.map((s) => [s.id, s])).values()];
  const [rootRu, unitRu] = await Promise.all([readRollups(ctx, conf, [c.rootSite]), readRollups(ctx, conf, uniq.map((s) => s.id))]);
  const incidents = await listIncidents(ctx, conf);
  const mats = await listMaterials(ctx, conf);
  const replay = await upwardReplay(ctx, conf, c.rootSite, uniq, sites);
  return {
    conference: c.id, title: c.title, planNumber: c.planNumber, reportsTo: c.reportsTo, deadline: c.reportDeadline,
    generatedAt: Date.now(),
    root: rootRu[0]!,
    units: uniq.map((s, i) => ({ ...unitRu[i]!, name: s.name, level: s.level })),
    agenda: await agendaRows(ctx, conf),
    incidents: { open: incidents.filter((i) => i.state === 'open').length, handled: incidents.filter((i) => i.state === 'handled').length },
    materials: await Promise.all(mats.map(async (m) => summarize(m, await listDeliveries(ctx, conf, m.id)))),
    levels: await levelTotals(ctx, conf, sites),
    replay,
  };
}

/** The sent report if any, else a fresh preview. */
export async function getUpward(ctx: Ctx, conf: string): Promise<UpwardReport> {
  return (await getJson<UpwardReport>(ctx, ctx.keys.upward(conf))) ?? buildUpward(ctx, conf);
}

const ALREADY_SENT = 'Báo cáo đã được gửi và số liệu đã chốt; không gửi lại được. Hãy tải lại trang để xem bản đã gửi. / The report was already sent and its figures are frozen; it cannot be sent again. Reload the page to see the sent copy.';

export async function sendUpward(ctx: Ctx, conf: string, note?: string): Promise<UpwardReport> {
  if (await ctx.redis.exists(ctx.keys.upward(conf))) throw new AppError('CONFLICT', ALREADY_SENT);
  const r: UpwardReport = { ...(await buildUpward(ctx, conf)), ...(note ? { note } : {}), sentAt: Date.now() };
  const ok = await ctx.redis.set(ctx.keys.upward(conf), JSON.stringify(r), 'NX');
  if (!ok) throw new AppError('CONFLICT', ALREADY_SENT);
  return r;
}

/** Everything the printed results report shows: the sent report (frozen figures) or a fresh preview, plus names. */
export interface ResultsData {
  conference: Conference;
  report: UpwardReport;
  levels: Levels;
  groups: DelegateGroup[];
  rootName: string;
  siteCount: number;
  /** First province-level site's name (for the place line when the organizer does not say). */
  provinceName?: string;
  incidents: (Incident & { siteName: string })[];
  /** Kind id → its Vietnamese name (the conference's kinds). */
  kindNames: Record<string, string>;
  /** Replay sessions ("học tập lại") as in the report (a report sent before they existed: as now). */
  replay: NonNullable<UpwardReport['replay']>;
  /** Sessions and people recorded after the report was sent. */
  replaySince?: { sessions: number; present: number };
}

export async function resultsData(ctx: Ctx, conf: string): Promise<ResultsData> {
  const [conference, report, sites, groups, incidents, kinds] = await Promise.all([
    getConference(ctx, conf), getUpward(ctx, conf), listSites(ctx, conf), listGroups(ctx, conf), listIncidents(ctx, conf), getKinds(ctx, conf),
  ]);
  const names = new Map(sites.map((s) => [s.id, s.name]));
  // a sent report keeps its replay figures; what came after is said apart
  const now = await upwardReplay(ctx, conf, conference.rootSite, report.units.map((u) => ({ id: u.site })), sites);
  const replay = report.replay ?? now;
  const since = report.sentAt ? { sessions: now.root.sessions - replay.root.sessions, present: now.root.totalPresent - replay.root.totalPresent } : undefined;
  return {
    replay, ...(since ? { replaySince: since } : {}),
    conference, report, groups, kindNames: Object.fromEntries(kinds.kinds.map((k) => [k.id, k.name])),
    levels: report.levels ?? await levelTotals(ctx, conf, sites),
    rootName: names.get(conference.rootSite) ?? conference.rootSite,
    siteCount: sites.length,
    provinceName: sites.find((s) => s.level === 'province')?.name,
    incidents: incidents.sort((a, b) => a.createdAt - b.createdAt).map((i) => ({ ...i, siteName: names.get(i.site) ?? i.site })),
  };
}
