// The child side of a relay hop measuring itself: every second, the loss and
// receive bitrate of each relayed simulcast video from the parent (the RTP
// stats of its pipe producer, per layer). Loss above a threshold that lasts
// means the hop cannot carry every layer: the child asks for the one layer that
// fits what arrived (hop-layers.ts), and steps lower if even that loses. Once
// the capped stream has been clean for a while it tries every layer again,
// waiting longer after each try that failed (as the halls' layer policy does),
// so a hop that recovers carries all layers again by itself.
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { cappedLayer, type HopLayers } from './hop-layers.js';
import type { Link } from './link.js';

export interface HopLayerOptions {
  /** false: never cap a hop (every layer over the pipe, as before). Default true. */
  enabled?: boolean;
  /** Loss (0..1) of a relayed video over the hop above which the hop is bad; default 0.05. */
  lossAbove?: number;
  /** Loss (0..1) at or below which a capped hop counts as clean; default 0.01. */
  cleanBelow?: number;
  /** Loss (0..1) above which a hop carrying every layer is capped at once, without waiting; default 0.2. */
  severeAbove?: number;
  /** How long the hop must stay bad before it is capped, or capped one layer lower (ms); default 3000. */
  downAfterMs?: number;
  /** First clean time before a capped hop tries every layer again (ms), doubled after a try that failed; default 10 000. */
  upAfterMs?: number;
  /** Longest wait between such tries (ms); default 60 000. */
  maxUpAfterMs?: number;
  /** Share of the bitrate that got through which the chosen layer may fill (0..1); default 0.8. */
  fill?: number;
  /** How often the hop is measured (ms); default 500. */
  checkMs?: number;
}

/** The options from the environment: MEDIA_HOP_LAYERS=off, MEDIA_HOP_LOSS, MEDIA_HOP_UP_AFTER_MS, MEDIA_HOP_DOWN_AFTER_MS. */
export function hopLayerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HopLayerOptions {
  const num = (v: string | undefined) => (v !== undefined && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : undefined);
  const o: HopLayerOptions = { enabled: env.MEDIA_HOP_LAYERS !== 'off' };
  const loss = num(env.MEDIA_HOP_LOSS);
  if (loss !== undefined && loss < 1) o.lossAbove = loss;
  const up = num(env.MEDIA_HOP_UP_AFTER_MS);
  if (up !== undefined) o.upAfterMs = up;
  const down = num(env.MEDIA_HOP_DOWN_AFTER_MS);
  if (down !== undefined) o.downAfterMs = down;
  return o;
}

type Counts = { count: number; lost: number };
const WINDOW = 3;

/** One relayed video's hop state. */
type Watch = {
  producer: ms.Producer | null;
  prev: Map<number, Counts>;
  /** The last samples of the whole stream (packets received, lost). */
  window: Counts[];
  /** The same samples per layer. */
  layers: LayerSample[][];
  badSince: number | null;
  cleanSince: number | null;
  layer: number | null;
  upAfter: number;
  lastUp: number;
  busy: boolean;
};

/** What the child reports of its hop to its parent, per relayed video (for /health and logs). */
export type HopState = { conf: string; producerId: string; layer: number | null; loss: number; kbps: number };

export class HopMonitor {
  private readonly watches = new Map<string, Watch>();
  private readonly timer: NodeJS.Timeout;
  private running = false;
  private closed = false;
  readonly states = new Map<string, HopState>();

  constructor(private readonly link: Link, private readonly hops: HopLayers, private readonly o: HopLayerOptions, private readonly log: Logger) {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = true;
      void this.check().catch((err) => this.log.debug({ err: String(err) }, 'hop check failed')).finally(() => { this.running = false; });
    }, o.checkMs ?? 500);
    this.timer.unref();
    link.onClose(() => this.close());
  }

  private async check(now = Date.now()): Promise<void> {
    for (const key of [...this.watches.keys()]) if (!this.link.in.has(key)) this.watches.delete(key);
    for (const [key, p] of this.link.in) {
      if (this.closed) return;
      if (p.closed || p.kind !== 'video' || p.paused) continue;
      const capped = cappedLayer(p);
      if (!capped && p.rtpParameters.encodings!.length < 2) continue;
      let w = this.watches.get(key);
      if (!w) {
        w = { producer: null, prev: new Map(), window: [], layers: [], badSince: null, cleanSince: null, layer: null, upAfter: this.o.upAfterMs ?? 10_000, lastUp: 0, busy: false };
        this.watches.set(key, w);
      }
      if (w.busy) continue;
      if (w.producer !== p) { w.producer = p; w.prev.clear(); w.window = []; w.layers = []; }
      const layers = await sample(p, w.prev);
      const got = layers.reduce((a, l) => a + l.count, 0);
      const lost = layers.reduce((a, l) => a + l.lost, 0);
      const [conf, producerId] = key.split(' ') as [string, string];
      if (got + lost === 0) continue; // nothing arrived (link down, first sample): no verdict
      // the loss counters move when the node writes a receiver report (about once a second, not in
      // step with this check): judged over the last few samples
      w.window.push({ count: got, lost });
      w.layers.push(layers);
      if (w.window.length > WINDOW) { w.window.shift(); w.layers.shift(); }
      const wGot = w.window.reduce((a, x) => a + x.count, 0);
      const wLost = w.window.reduce((a, x) => a + x.lost, 0);
      const loss = wLost / Math.max(1, wGot + wLost);
      const kbps = Math.round(layers.reduce((a, l) => a + l.bitrate, 0) / 1000);
      this.states.set(key, { conf, producerId, layer: capped ? w.layer : null, loss, kbps });
      const bad = loss > (this.o.lossAbove ?? 0.05);
      // a hop losing this much cannot wait: its node link (sharing it) is about to time out
      const severe = loss > (this.o.severeAbove ?? 0.2);
      const clean = loss <= (this.o.cleanBelow ?? 0.01);
      const downAfter = this.o.downAfterMs ?? 3000;
      w.badSince = bad ? (w.badSince ?? now) : null;
      w.cleanSince = clean ? (w.cleanSince ?? now) : null;
      if (!capped) {
        w.layer = null;
        if (w.lastUp && now - w.lastUp > 60_000) { w.upAfter = this.o.upAfterMs ?? 10_000; w.lastUp = 0; }
        if (!severe && (w.badSince === null || now - w.badSince < downAfter)) continue;
        // every layer again did not hold: wait longer before the next try
        if (w.lastUp && now - w.lastUp < w.upAfter + downAfter * 2) w.upAfter = Math.min(w.upAfter * 2, this.o.maxUpAfterMs ?? 60_000);
        await this.apply(w, key, conf, producerId, fitting(w.layers, this.o.fill ?? 0.8), { loss, kbps });
      } else if (w.badSince !== null && now - w.badSince >= downAfter && (w.layer ?? 0) > 0) {
        await this.apply(w, key, conf, producerId, (w.layer ?? 1) - 1, { loss, kbps });
      } else if (w.cleanSince !== null && now - w.cleanSince >= w.upAfter) {
        w.lastUp = now;
        await this.apply(w, key, conf, producerId, null, { loss, kbps });
      }
    }
  }

  private async apply(w: Watch, key: string, conf: string, producerId: string, layer: number | null, seen: { loss: number; kbps: number }): Promise<void> {
    w.busy = true;
    w.badSince = null;
    w.cleanSince = null;
    try {
      const from = w.layer;
      this.log.debug({ conf, producer: producerId, layer, lossPct: Math.round(seen.loss * 1000) / 10 }, 'asking the parent to change the hop\'s layers');
      await this.hops.setCap(this.link, conf, producerId, layer);
      w.layer = layer;
      const st = this.states.get(key);
      if (st) st.layer = layer;
      const lossPct = Math.round(seen.loss * 1000) / 10;
      if (layer === null) this.log.info({ conf, producer: producerId, from, nextTryMs: w.upAfter }, 'hop clean: asking the parent for every layer again');
      else this.log.warn({ conf, producer: producerId, layer, from, lossPct, kbps: seen.kbps }, 'hop cannot carry every layer: asking the parent for one');
    } catch (err) {
      this.log.warn({ conf, producer: producerId, layer, err: String(err) }, 'changing the hop\'s layers failed; tried again on the next check');
    } finally {
      w.busy = false;
    }
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
  }
}

type LayerSample = { count: number; lost: number; bitrate: number };

/** Per encoding (lowest first): packets received and lost since the last sample, and the bitrate now. */
async function sample(p: ms.Producer, prev: Map<number, Counts>): Promise<LayerSample[]> {
  const stats = (await p.getStats().catch(() => [])) as { ssrc: number; packetCount?: number; packetsLost?: number; bitrate?: number }[];
  return (p.rtpParameters.encodings ?? []).map((e) => {
    const st = stats.find((x) => x.ssrc === e.ssrc);
    if (!st || e.ssrc === undefined) return { count: 0, lost: 0, bitrate: 0 };
    const now = { count: st.packetCount ?? 0, lost: Math.max(0, st.packetsLost ?? 0) };
    const before = prev.get(e.ssrc);
    prev.set(e.ssrc, now);
    if (!before) return { count: 0, lost: 0, bitrate: st.bitrate ?? 0 };
    return { count: Math.max(0, now.count - before.count), lost: Math.max(0, now.lost - before.lost), bitrate: st.bitrate ?? 0 };
  });
}

/**
 * The highest layer that fits the hop: what got through is its capacity, and each layer's sending
 * rate is its received rate over what of it arrived.
 */
function fitting(samples: LayerSample[][], fill: number): number {
  const last = samples[samples.length - 1] ?? [];
  const capacity = last.reduce((a, l) => a + l.bitrate, 0);
  let best = 0;
  last.forEach((l, i) => {
    const count = samples.reduce((a, x) => a + (x[i]?.count ?? 0), 0);
    const lost = samples.reduce((a, x) => a + (x[i]?.lost ?? 0), 0);
    const arrived = count + lost > 0 ? count / (count + lost) : 1;
    const sent = l.bitrate / Math.max(0.05, arrived);
    if (l.bitrate > 0 && sent <= fill * capacity) best = i;
  });
  return best;
}
