// One Redis subscriber per instance for cross-instance signals (receipts
// arrived, site tree changed) and the flushed roll-up changes (push.ts).
import type { Redis } from 'ioredis';
import type { Ctx } from './context.js';

export class Bus {
  private sub: Redis;
  private handlers = new Map<string, Set<(msg: string) => void>>();

  constructor(private ctx: Ctx) {
    this.sub = ctx.redis.duplicate({ enableAutoPipelining: false });
    this.sub.on('message', (ch: string, msg: string) => {
      for (const h of this.handlers.get(ch) ?? []) h(msg);
    });
    this.sub.on('error', (e) => ctx.log.warn({ err: e }, 'bus subscriber error'));
  }

  async on(channel: string, handler: (msg: string) => void) {
    const set = this.handlers.get(channel) ?? new Set();
    if (!this.handlers.has(channel)) {
      this.handlers.set(channel, set);
      await this.sub.subscribe(channel);
    }
    set.add(handler);
  }

  publish(channel: string, msg: string): Promise<unknown> {
    return this.ctx.redis.publish(channel, msg);
  }

  async close() {
    this.handlers.clear();
    await this.sub.quit().catch(() => this.sub.disconnect());
  }
}
