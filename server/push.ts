// Coalesced pushes to subscribers. A change marks subtrees dirty; the first
// change after a quiet period is flushed at once, later ones are batched per
// interval, so thousands of sites updating together give a few messages per
// second per organizer, each carrying only what changed, and the sequence
// numbers of the changes it carries (`covers`), so a page can tell when it
// missed one; every few seconds each organizer also gets the sequence now
// from its own instance (`push:seq`), which needs no pub/sub to arrive.
import type { Delivery, Rollup, SeqCovers, SiteAttendance } from '../signaling/control.js';
import { ControlPushes } from '../signaling/control.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';
import { readAttendance, readRollups } from './store/attendance.js';
import { readPresence } from './store/presence.js';

/** One flush's roll-up changes of one conference, as every instance receives it on the bus. */
interface RollupMessage {
  conf: string; seq: number; at: number; rollups: Rollup[]; sites: SiteAttendance[]; covers: SeqCovers;
  /** Per site, the socket whose write this push carries last: its acknowledgement already told it. */
  from?: Record<string, string>;
}

/**
 * Bus handler: one flush's changes to the organizers and site consoles connected to this instance.
 * The organizers' push goes over the bus, not the socket.io adapter, so each instance decodes a
 * flush once (the adapter would encode it again and every instance decode it a second time: at
 * 31,000 sites reporting together that doubled the work of the instances with no organizer).
 */
export function deliverRollupPush(ctx: Ctx, raw: string) {
  const nsp = ctx.nsp;
  if (!nsp) return;
  const m = JSON.parse(raw) as RollupMessage;
  const local = nsp.adapter.rooms;
  if (local.get(rooms.org(m.conf))?.size) {
    nsp.local.to(rooms.org(m.conf)).emit(ControlPushes.rollup, { conf: m.conf, seq: m.seq, at: m.at, rollups: m.rollups, sites: m.sites, covers: m.covers });
  }
  // a site's console sees its own hall and subtree
  let ruBy: Map<string, Rollup> | null = null;
  for (const att of m.sites) {
    const room = rooms.siteCounts(m.conf, att.site);
    if (!local.get(room)?.size) continue;
    ruBy ??= new Map(m.rollups.map((r) => [r.site, r]));
    // the console that made the write has the figure from its acknowledgement: when every site reports
    // at once this spares one socket message per write (they are most of what a burst costs)
    const writer = m.from?.[att.site];
    const members = local.get(room)!;
    if (writer && members.size === 1 && members.has(writer)) continue;
    const ru = ruBy.get(att.site);
    (writer ? nsp.local.to(room).except(writer) : nsp.local.to(room))
      .emit(ControlPushes.rollup, { conf: m.conf, seq: m.seq, at: m.at, rollups: ru ? [ru] : [], sites: [att] });
  }
}

interface Dirty {
  ru: Set<string>;
  att: Set<string>;
  pres: Set<string>;
  dlv: Map<string, Delivery>;
  /** sequence numbers the roll-up push carries */
  ruSeqs: number[];
  /** per site, the socket that wrote it last here (none: the last write came another way) */
  from: Map<string, string>;
  /** sequence numbers the presence push carries */
  presSeqs: number[];
}

/** How often each instance tells its organizers the sequence now. */
export const SEQ_PUSH_MS = 3000;

/** Sorted, merged inclusive ranges of a list of sequence numbers. */
export function toRanges(seqs: number[]): SeqCovers {
  const out: SeqCovers = [];
  for (const n of [...seqs].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && n <= last[1] + 1) last[1] = Math.max(last[1], n);
    else out.push([n, n]);
  }
  return out;
}

export class Pusher {
  private dirty = new Map<string, Dirty>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private closed = false;
  private flushing: Promise<void> | null = null;
  private seqTimer: NodeJS.Timeout;

  constructor(private ctx: Ctx, private intervalMs: number, seqPushMs = SEQ_PUSH_MS) {
    this.seqTimer = setInterval(() => void this.pushSeq().catch((e) => this.ctx.log.warn({ err: e }, 'seq push failed')), seqPushMs);
    this.seqTimer.unref();
  }

  private of(conf: string): Dirty {
    let d = this.dirty.get(conf);
    if (!d) this.dirty.set(conf, (d = { ru: new Set(), att: new Set(), pres: new Set(), dlv: new Map(), ruSeqs: [], presSeqs: [], from: new Map() }));
    return d;
  }

  /**
   * A site's own counts changed; `chain` is its ancestors and itself; `seq` is the change's sequence
   * number; `origin` the socket that wrote it, which its acknowledgement answered.
   */
  rollup(conf: string, site: string, chain: string[], seq?: number, origin?: string) {
    const d = this.of(conf);
    d.att.add(site);
    if (origin) d.from.set(site, origin);
    else d.from.delete(site);
    for (const s of chain) d.ru.add(s);
    if (seq !== undefined) d.ruSeqs.push(seq);
    this.schedule();
  }

  /** A site's connections changed; `seq` only when the presence push is what carries the change (no roll-up moved). */
  presence(conf: string, site: string, seq?: number) {
    const d = this.of(conf);
    d.pres.add(site);
    if (seq !== undefined) d.presSeqs.push(seq);
    this.schedule();
  }

  delivery(conf: string, dl: Delivery) {
    this.of(conf).dlv.set(`${dl.material}|${dl.site}`, dl);
    this.schedule();
  }

  private schedule() {
    // one flush at a time: under a burst a flush can take longer than the interval, and flushes
    // started side by side would each re-read the same ancestors and queue behind one another in
    // Redis; what changes meanwhile waits and goes in the next one, started as this one ends
    if (this.timer || this.closed || this.flushing) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flush().catch((e) => this.ctx.log.warn({ err: e }, 'push flush failed')).finally(() => {
        this.flushing = null;
        if (this.dirty.size) this.schedule();
      });
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
        const msg: RollupMessage = { conf, seq, at: Date.now(), rollups, sites, covers: toRanges(d.ruSeqs), ...(d.from.size ? { from: Object.fromEntries(d.from) } : {}) };
        await this.ctx.bus.publish(this.ctx.keys.rollupPushChannel, JSON.stringify(msg));
        this.ctx.metrics.pushes.inc({ kind: 'rollup' });
      }
      if (d.pres.size) {
        const changes = await readPresence(this.ctx, conf, [...d.pres]);
        nsp.to(rooms.org(conf)).emit(ControlPushes.presence, { conf, at: Date.now(), changes, covers: toRanges(d.presSeqs) });
        this.ctx.metrics.pushes.inc({ kind: 'presence' });
      }
      if (d.dlv.size) {
        nsp.to(rooms.org(conf)).emit(ControlPushes.delivery, { conf, at: Date.now(), changes: [...d.dlv.values()] });
        this.ctx.metrics.pushes.inc({ kind: 'delivery' });
      }
    }
  }

  /**
   * The sequence now to the organizers connected here (local rooms only: this must arrive when pub/sub
   * does not). A page that knows of a number it has not seen the effect of re-reads its snapshot.
   */
  private async pushSeq() {
    const nsp = this.ctx.nsp;
    if (!nsp || this.closed) return;
    const prefix = rooms.org('');
    const confs: string[] = [];
    for (const [room, members] of nsp.adapter.rooms) if (room.startsWith(prefix) && members.size) confs.push(room.slice(prefix.length));
    if (!confs.length) return;
    const seqs = await this.ctx.redis.mget(confs.map((c) => this.ctx.keys.seq(c)));
    const at = Date.now();
    confs.forEach((conf, i) => nsp.local.to(rooms.org(conf)).emit(ControlPushes.seq, { conf, seq: Number(seqs[i] ?? 0), at }));
  }

  async close() {
    this.closed = true;
    clearInterval(this.seqTimer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    // what changed since the last flush (the writes acknowledged just before, the presence of the
    // sites this instance drops at shutdown) still goes out: the pages need not wait for their gap check
    if (this.dirty.size) await this.flush().catch((e) => this.ctx.log.warn({ err: e }, 'last push flush failed'));
  }
}
