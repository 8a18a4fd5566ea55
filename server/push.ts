// Coalesced pushes to subscribers. A change marks subtrees dirty; the first
// change after a quiet period is flushed at once, later ones are batched per
// interval, so thousands of sites updating together give a few messages per
// second per organizer, each carrying only what changed.
import type { Delivery, Rollup, SiteAttendance } from '../signaling/control.js';
import { ControlPushes } from '../signaling/control.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';
import { readAttendance, readRollups } from './store/attendance.js';
import { readPresence } from './store/presence.js';

interface SiteItem { att: SiteAttendance; ru: Rollup | null }
interface SiteMessage { conf: string; seq: number; at: number; items: SiteItem[] }

/** Bus handler: push changed sites' own figures to the site rooms of this instance. */
export function deliverSitePush(ctx: Ctx, raw: string) {
  const nsp = ctx.nsp;
  if (!nsp) return;
  const m = JSON.parse(raw) as SiteMessage;
  const local = nsp.adapter.rooms;
  for (const { att, ru } of m.items) {
    const room = rooms.site(m.conf, att.site);
    if (!local.get(room)?.size) continue;
    nsp.local.to(room).emit(ControlPushes.rollup, { conf: m.conf, seq: m.seq, at: m.at, rollups: ru ? [ru] : [], sites: [att] });
  }
}

interface Dirty {
  ru: Set<string>;
  att: Set<string>;
  pres: Set<string>;
  dlv: Map<string, Delivery>;
}

export class Pusher {
  private dirty = new Map<string, Dirty>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private closed = false;
  private flushing: Promise<void> | null = null;

  constructor(private ctx: Ctx, private intervalMs: number) {}

  private of(conf: string): Dirty {
    let d = this.dirty.get(conf);
    if (!d) this.dirty.set(conf, (d = { ru: new Set(), att: new Set(), pres: new Set(), dlv: new Map() }));
    return d;
  }

  /** A site's own counts changed; `chain` is its ancestors and itself. */
  rollup(conf: string, site: string, chain: string[]) {
    const d = this.of(conf);
    d.att.add(site);
    for (const s of chain) d.ru.add(s);
    this.schedule();
  }

  presence(conf: string, site: string) {
    this.of(conf).pres.add(site);
    this.schedule();
  }

  delivery(conf: string, dl: Delivery) {
    this.of(conf).dlv.set(`${dl.material}|${dl.site}`, dl);
    this.schedule();
  }

  private schedule() {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().catch((e) => this.ctx.log.warn({ err: e }, 'push flush failed')).finally(() => { this.flushing = null; });
    }, wait);
  }

  private async flush() {
    this.lastFlush = Date.now();
    const batch = this.dirty;
    this.dirty = new Map();
    const nsp = this.ctx.nsp;
    if (!nsp) return;
    for (const [conf, d] of batch) {
      if (d.ru.size || d.att.size) {
        // one round trip: on one connection the seq is still read before the figures
        const [rawSeq, rollups, sites] = await Promise.all([
          this.ctx.redis.get(this.ctx.keys.seq(conf)), readRollups(this.ctx, conf, [...d.ru]), readAttendance(this.ctx, conf, [...d.att]),
        ]);
        const seq = Number(rawSeq ?? 0);
        const at = Date.now();
        nsp.to(rooms.org(conf)).emit(ControlPushes.rollup, { conf, seq, at, rollups, sites });
        this.ctx.metrics.pushes.inc({ kind: 'rollup' });
        // a site's own screen sees its own hall and subtree: one bus message for
        // all changed sites, each instance delivers to the site rooms it hosts
        const ruBy = new Map(rollups.map((r) => [r.site, r]));
        const items: SiteItem[] = sites.map((s) => ({ att: s, ru: ruBy.get(s.site) ?? null }));
        await this.ctx.bus.publish(this.ctx.keys.sitePushChannel, JSON.stringify({ conf, seq, at, items }));
      }
      if (d.pres.size) {
        const changes = await readPresence(this.ctx, conf, [...d.pres]);
        nsp.to(rooms.org(conf)).emit(ControlPushes.presence, { conf, at: Date.now(), changes });
        this.ctx.metrics.pushes.inc({ kind: 'presence' });
      }
      if (d.dlv.size) {
        nsp.to(rooms.org(conf)).emit(ControlPushes.delivery, { conf, at: Date.now(), changes: [...d.dlv.values()] });
        this.ctx.metrics.pushes.inc({ kind: 'delivery' });
      }
    }
  }

  async close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
  }
}
