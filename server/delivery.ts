// Distribution of a material to each target site as a bullmq job: notify the
// site, wait for its receipt, retry with backoff, mark failed after N tries.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ControlPushes, type Delivery, type Material } from '../signaling/control.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';
import { forSite, getDelivery, getMaterial, listDeliveries, writeDelivery } from './store/materials.js';

interface JobData { conf: string; material: string; version: number; site: string }
export const DELIVERY_QUEUE = 'material-delivery';

export class DeliveryService {
  readonly queue: Queue<JobData>;
  private worker: Worker<JobData>;
  private conn: Redis;
  private inflight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private ctx: Ctx) {
    this.conn = ctx.redis.duplicate({ maxRetriesPerRequest: null, enableAutoPipelining: false });
    const prefix = ctx.keys.bullPrefix;
    this.queue = new Queue<JobData>(DELIVERY_QUEUE, { connection: this.conn, prefix });
    this.worker = new Worker<JobData>(DELIVERY_QUEUE, (job) => this.track(job), {
      connection: this.conn, prefix, concurrency: ctx.opts.delivery.concurrency,
      lockDuration: ctx.opts.delivery.lockMs, stalledInterval: ctx.opts.delivery.stalledIntervalMs,
      // after a Redis failover the worker fetches again in 2 s, not bullmq's default 15 s
      runRetryDelay: 2000,
    });
    this.worker.on('error', (e) => ctx.log.warn({ err: e }, 'delivery worker error'));
  }

  async start(conf: string, m: Material, sites: string[], round = 0) {
    const now = Date.now();
    const { attempts, backoffMs } = this.ctx.opts.delivery;
    for (const site of sites) {
      await writeDelivery(this.ctx, conf, { material: m.id, version: m.version, site, state: 'pending', attempts: 0, updatedAt: now }, true);
    }
    await this.queue.addBulk(sites.map((site) => ({
      name: 'deliver',
      data: { conf, material: m.id, version: m.version, site },
      opts: {
        jobId: `${conf}__${m.id}__v${m.version}__${site}__r${round}`,
        attempts, backoff: { type: 'exponential', delay: backoffMs },
        removeOnComplete: true, removeOnFail: { count: 10_000 },
      },
    })));
  }

  /** Starts a new round for failed sites (or the given ones). */
  async redeliver(conf: string, m: Material, sites?: string[]) {
    const ds = await listDeliveries(this.ctx, conf, m.id);
    const pick = sites ?? ds.filter((d) => d.version === m.version && d.state === 'failed').map((d) => d.site);
    if (pick.length) await this.start(conf, m, pick, Date.now());
  }

  private async track(job: Job<JobData>) {
    if (this.stopping) throw new Error('shutting down');
    const p = this.process(job);
    this.inflight.add(p);
    try {
      return await p;
    } finally {
      this.inflight.delete(p);
    }
  }

  /** First step of shutdown: running jobs stop writing once their wait is released. */
  beginClose() {
    this.stopping = true;
  }

  private async process(job: Job<JobData>) {
    const { conf, material, version, site } = job.data;
    const ctx = this.ctx;
    const m = await getMaterial(ctx, conf, material).catch(() => null);
    if (!m || m.version !== version) return 'superseded';
    const attempt = job.attemptsMade + 1;
    const last = attempt >= (job.opts.attempts ?? 1);
    const isDelivered = async () => {
      const d = await getDelivery(ctx, conf, material, site);
      return d?.state === 'delivered' && d.version === version;
    };
    const cur = await getDelivery(ctx, conf, material, site);
    if (cur?.state === 'delivered' && cur.version === version) return 'delivered';
    const base: Delivery = { material, version, site, state: 'notified', attempts: attempt, updatedAt: Date.now(), ...(cur?.lastError ? { lastError: cur.lastError } : {}) };
    await writeDelivery(ctx, conf, base);
    ctx.nsp?.to(rooms.site(conf, site)).emit(ControlPushes.materialNotify, { site, material: forSite(ctx, conf, m, site) });
    const ok = await ctx.receipts!.wait(`${conf}|${material}|${version}|${site}`, ctx.opts.delivery.receiptTimeoutMs, isDelivered);
    if (ok) return 'delivered';
    // shutting down: leave the job to be picked up again (stalled) by a live instance
    if (this.stopping) throw new Error('shutting down');
    const err = `no receipt after try ${attempt}`;
    await writeDelivery(ctx, conf, { ...base, state: last ? 'failed' : 'notified', updatedAt: Date.now(), lastError: err });
    throw new Error(err);
  }

  async counts() {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  async close() {
    this.stopping = true;
    const closing = this.worker.close(true).catch(() => undefined);
    await Promise.allSettled([...this.inflight]);
    await closing;
    await this.queue.close().catch(() => undefined);
    await this.conn.quit().catch(() => this.conn.disconnect());
  }
}
