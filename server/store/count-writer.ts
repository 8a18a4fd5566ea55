// Groups the count writes that arrive in the same turn of the event loop into
// one batched script call per conference (scripts.ts SET_COUNTS_BATCH). Each
// caller still gets its own answer only after its write is stored; a failed
// call rejects every write of that batch, none of which was applied (the
// script is atomic).
import type { Ctx } from '../context.js';

/** One site's counts of one kind, with the site's ancestor chain (root first, itself last). */
export interface CountWrite {
  conf: string;
  site: string;
  chain: string[];
  kind: 'p' | 'e';
  by: string;
  counts: Record<string, number>;
}
export interface CountResult { seq: number; flat: string[] }

interface Pending { w: CountWrite; resolve: (r: CountResult) => void; reject: (e: unknown) => void }

/** Writes per script call: bounds the time Redis spends in one atomic step. */
const MAX_BATCH = 500;

export class CountWriter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private ctx: Ctx) {}

  write(w: CountWrite): Promise<CountResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ w, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // after the I/O callbacks of this loop turn, so every event read together goes together
        setImmediate(() => this.flush());
      }
    });
  }

  private flush() {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    const byConf = new Map<string, Pending[]>();
    for (const p of all) {
      const l = byConf.get(p.w.conf);
      if (l) l.push(p);
      else byConf.set(p.w.conf, [p]);
    }
    for (const [conf, list] of byConf) {
      for (let i = 0; i < list.length; i += MAX_BATCH) void this.run(conf, list.slice(i, i + MAX_BATCH));
    }
  }

  private async run(conf: string, batch: Pending[]) {
    const k = this.ctx.keys;
    const keys = [k.attStream(conf), k.seq(conf)];
    const args: (string | number)[] = [Date.now()];
    for (const { w } of batch) {
      keys.push(k.att(conf, w.site), ...w.chain.map((s) => k.ru(conf, s)));
      const pairs = Object.entries(w.counts);
      args.push(w.kind, w.by, w.site, JSON.stringify(w.counts), w.chain.length, pairs.length);
      for (const [g, v] of pairs) args.push(g, v);
    }
    try {
      const out = await this.ctx.scripts.setCountsBatch(keys, args);
      batch.forEach((p, i) => p.resolve({ seq: Number(out[2 * i]), flat: out[2 * i + 1] as string[] }));
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
}

const writers = new WeakMap<Ctx, CountWriter>();
export function countWriter(ctx: Ctx): CountWriter {
  let w = writers.get(ctx);
  if (!w) writers.set(ctx, (w = new CountWriter(ctx)));
  return w;
}
