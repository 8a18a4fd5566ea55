// Who is really watching, from the media nodes' word (signaling/watching.ts).
// Each node reports its hall endpoints every second; per site this keeps, in
// Redis (so any instance can take a node over, and a control restart loses
// nothing), the endpoints seen last, the site's state and watched time, and
// the join / play / stop / leave events per endpoint. Only changes are written
// and pushed (coalesced) to the organizers.
import { ControlPushes } from '../signaling/control.js';
import { qualityOf, type HallEndpoint, type SiteWatch, type WatchEvent } from '../signaling/watching.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';
import { listSites, siteRecord } from './store/conference.js';

/** A node silent this long (link down, process gone) has lost its halls as far as control can tell. */
export const NODE_SILENT_MS = 4000;
const PUSH_EVERY_MS = 250;
/** Figures (fps, bitrate) are refreshed at most this often when nothing else changed. */
const FIGURES_EVERY_MS = 5000;
const EVENTS_KEPT = 2000;

type Ep = { since: number; playing: boolean; node: string; audioOnly?: boolean };

/**
 * A hall follows the programme when its page plays the picture, or when the node gives it sound only
 * (a link too thin for the lowest picture) and its page still receives media: it hears the conference.
 */
export function follows(h: HallEndpoint): boolean {
  return h.state === 'playing' || (h.audioOnly === true && (h.bitrateKbps ?? 0) > 0);
}
/** What is stored per site: the public view plus the endpoints seen last. */
type Stored = SiteWatch & { eps: Record<string, Ep>; playingSince?: number; writtenAt: number };

export class Watching {
  private readonly silent = new Map<string, NodeJS.Timeout>();
  private dirty = new Map<string, Map<string, SiteWatch>>();
  private timer: NodeJS.Timeout | null = null;
  /** Per node, the work in flight: reports of one node are applied in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly ctx: Ctx) {}

  /** A node's full list of hall endpoints now. */
  report(nodeId: string, halls: HallEndpoint[]): Promise<void> {
    this.armSilence(nodeId);
    return this.enqueue(nodeId, () => this.apply(nodeId, halls));
  }

  /** The node's link is gone: unless it reports again soon, its halls are lost. */
  nodeUnlinked(nodeId: string): void {
    this.armSilence(nodeId);
  }

  close(): void {
    this.closed = true;
    for (const t of this.silent.values()) clearTimeout(t);
    this.silent.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private armSilence(nodeId: string): void {
    clearTimeout(this.silent.get(nodeId));
    if (this.closed) return;
    const t = setTimeout(() => {
      this.silent.delete(nodeId);
      void this.enqueue(nodeId, () => this.apply(nodeId, []));
    }, NODE_SILENT_MS);
    t.unref();
    this.silent.set(nodeId, t);
  }

  private enqueue(nodeId: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(nodeId) ?? Promise.resolve()).then(fn).catch((err) => this.ctx.log.warn({ nodeId, err: String(err) }, 'watching report not applied'));
    this.chains.set(nodeId, next);
    void next.finally(() => { if (this.chains.get(nodeId) === next) this.chains.delete(nodeId); });
    return next;
  }

  private async apply(nodeId: string, halls: HallEndpoint[]): Promise<void> {
    if (this.closed) return;
    const k = this.ctx.keys;
    const now = Date.now();
    const bySite = new Map<string, HallEndpoint[]>();
    for (const h of halls) {
      const key = `${h.conf}|${h.site}`;
      bySite.set(key, [...(bySite.get(key) ?? []), h]);
    }
    // the sites this node had halls at last time, and the ones it has now
    const before = await this.ctx.redis.smembers(k.watchNode(nodeId));
    const keys = [...new Set([...before, ...bySite.keys()])];
    if (!keys.length) return;
    const stored = await Promise.all(keys.map(async (key) => {
      const [conf, site] = key.split('|') as [string, string];
      const raw = await this.ctx.redis.hget(k.watch(conf), site);
      return raw ? (JSON.parse(raw) as Stored) : null;
    }));
    const multi = this.ctx.redis.multi();
    for (const [i, key] of keys.entries()) {
      const [conf, site] = key.split('|') as [string, string];
      // a site reported by a node that does not serve it (or of an unknown conference) is ignored
      if (bySite.has(key) && !(await siteRecord(this.ctx, conf, site).then((s) => s.mediaNode === nodeId || !s.mediaNode).catch(() => false))) {
        bySite.delete(key);
        if (!stored[i]) continue;
      }
      const next = this.next(site, nodeId, stored[i], bySite.get(key) ?? [], now);
      if (next.events.length) {
        multi.rpush(k.watchEvents(conf, site), ...next.events.map((e) => JSON.stringify(e)));
        multi.ltrim(k.watchEvents(conf, site), -EVENTS_KEPT, -1);
      }
      if (next.write) {
        multi.hset(k.watch(conf), site, JSON.stringify(next.rec));
        this.mark(conf, publicView(next.rec, now));
      }
    }
    multi.del(k.watchNode(nodeId));
    if (bySite.size) multi.sadd(k.watchNode(nodeId), ...bySite.keys());
    await multi.exec();
  }

  /** The site's next record from its stored one and the node's endpoints for it now. */
  private next(site: string, nodeId: string, prev: Stored | null, halls: HallEndpoint[], now: number): { rec: Stored; events: WatchEvent[]; write: boolean } {
    const events: WatchEvent[] = [];
    const eps: Record<string, Ep> = {};
    // endpoints of this site on other nodes (a site moved mid-session) are kept as they are
    for (const [id, ep] of Object.entries(prev?.eps ?? {})) if (ep.node !== nodeId) eps[id] = ep;
    for (const h of halls) {
      const old = prev?.eps[h.id];
      const playing = follows(h);
      if (!old) events.push({ site, endpoint: h.id, kind: 'join', at: h.since, node: nodeId });
      if (playing && !old?.playing) events.push({ site, endpoint: h.id, kind: 'play', at: now, node: nodeId });
      if (!playing && old?.playing) events.push({ site, endpoint: h.id, kind: 'stop', at: now, node: nodeId });
      eps[h.id] = { since: h.since, playing, node: nodeId, ...(playing && h.audioOnly ? { audioOnly: true } : {}) };
    }
    for (const [id, old] of Object.entries(prev?.eps ?? {})) {
      if (old.node !== nodeId || eps[id]) continue;
      if (old.playing) events.push({ site, endpoint: id, kind: 'stop', at: now, node: nodeId });
      events.push({ site, endpoint: id, kind: 'leave', at: now, node: nodeId });
    }
    const all = Object.values(eps);
    const playingN = all.filter((e) => e.playing).length;
    const audioOnlyN = all.filter((e) => e.playing && e.audioOnly).length;
    const state: SiteWatch['state'] = playingN ? 'playing' : all.length ? 'connected' : prev ? 'lost' : 'none';
    // the best playing hall speaks for the site's link (a second screen on a worse link does not)
    const best = halls.filter(follows).sort((a, b) => (a.lossPct ?? 0) - (b.lossPct ?? 0) || (a.rttMs ?? 0) - (b.rttMs ?? 0))[0] ?? halls[0];
    let watchedMs = prev?.watchedMs ?? 0;
    let playingSince = prev?.playingSince;
    if (playingSince !== undefined && !playingN) { watchedMs += now - playingSince; playingSince = undefined; }
    if (playingSince === undefined && playingN) playingSince = now;
    const rec: Stored = {
      site,
      state,
      since: prev && prev.state === state ? prev.since : now,
      endpoints: all.length,
      playing: playingN,
      quality: best ? qualityOf(best.lossPct, best.rttMs) : 'unknown',
      ...(best?.fps !== undefined ? { fps: Math.round(best.fps) } : {}),
      ...(best?.bitrateKbps !== undefined ? { bitrateKbps: Math.round(best.bitrateKbps) } : {}),
      ...(best?.lossPct !== undefined ? { lossPct: Math.round(best.lossPct * 10) / 10 } : {}),
      ...(best?.rttMs !== undefined ? { rttMs: Math.round(best.rttMs) } : {}),
      ...(best?.layer !== undefined ? { layer: best.layer } : {}),
      node: nodeId,
      ...(audioOnlyN ? { audioOnly: audioOnlyN } : {}),
      watchedMs,
      eps,
      ...(playingSince !== undefined ? { playingSince } : {}),
      writtenAt: now,
    };
    const changed = !prev || events.length > 0 || prev.state !== rec.state || prev.quality !== rec.quality || prev.layer !== rec.layer || prev.endpoints !== rec.endpoints || prev.audioOnly !== rec.audioOnly;
    const stale = !!prev && halls.length > 0 && now - prev.writtenAt >= FIGURES_EVERY_MS;
    if (!changed && !stale) return { rec: prev!, events, write: false };
    return { rec, events, write: true };
  }

  private mark(conf: string, w: SiteWatch): void {
    let d = this.dirty.get(conf);
    if (!d) this.dirty.set(conf, (d = new Map()));
    d.set(w.site, w);
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const batch = this.dirty;
      this.dirty = new Map();
      for (const [c, changes] of batch) {
        this.ctx.nsp?.to(rooms.org(c)).emit(ControlPushes.watch, { conf: c, at: Date.now(), changes: [...changes.values()] });
        this.ctx.metrics.pushes.inc({ kind: 'watch' });
      }
    }, PUSH_EVERY_MS);
    this.timer.unref();
  }
}

/** The organizer's view of a stored record (watched time includes the current stretch). */
function publicView(r: Stored, now = Date.now()): SiteWatch {
  const { eps: _eps, playingSince, writtenAt: _w, ...view } = r;
  return { ...view, watchedMs: r.watchedMs + (playingSince !== undefined ? now - playingSince : 0) };
}

/** Every site's watching state (sites no hall ever joined: 'none'). */
export async function listWatch(ctx: Ctx, conf: string): Promise<SiteWatch[]> {
  const [sites, all] = await Promise.all([listSites(ctx, conf), ctx.redis.hgetall(ctx.keys.watch(conf))]);
  const now = Date.now();
  return sites.map((s) => {
    const raw = all[s.id];
    return raw ? publicView(JSON.parse(raw) as Stored, now) : { site: s.id, state: 'none', since: 0, endpoints: 0, playing: 0, quality: 'unknown', watchedMs: 0 };
  });
}

export async function watchEvents(ctx: Ctx, conf: string, site: string): Promise<WatchEvent[]> {
  await siteRecord(ctx, conf, site);
  return (await ctx.redis.lrange(ctx.keys.watchEvents(conf, site), 0, -1)).map((s) => JSON.parse(s) as WatchEvent);
}

/** Per hall endpoint: when it joined and left, and how long it played (from its events). */
export function watchSessions(events: WatchEvent[], now = Date.now()): { endpoint: string; node: string; joinAt: number; leaveAt?: number; watchedMs: number }[] {
  const open = new Map<string, { endpoint: string; node: string; joinAt: number; leaveAt?: number; watchedMs: number; playAt?: number }>();
  const done: { endpoint: string; node: string; joinAt: number; leaveAt?: number; watchedMs: number; playAt?: number }[] = [];
  for (const e of events) {
    let s = open.get(e.endpoint);
    if (!s) {
      s = { endpoint: e.endpoint, node: e.node ?? '', joinAt: e.at, watchedMs: 0 };
      open.set(e.endpoint, s);
    }
    if (e.kind === 'play') s.playAt = e.at;
    if ((e.kind === 'stop' || e.kind === 'leave') && s.playAt !== undefined) { s.watchedMs += Math.max(0, e.at - s.playAt); s.playAt = undefined; }
    if (e.kind === 'leave') { s.leaveAt = e.at; done.push(s); open.delete(e.endpoint); }
  }
  for (const s of open.values()) {
    if (s.playAt !== undefined) s.watchedMs += Math.max(0, now - s.playAt);
    done.push(s);
  }
  return done.map(({ playAt: _p, ...s }) => s).sort((a, b) => a.joinAt - b.joinAt);
}
