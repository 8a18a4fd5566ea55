// Lets a delivery job wait for a site's receipt, whichever instance receives
// it: receipts are announced on a Redis channel.
import type { Bus } from './bus.js';
import type { Ctx } from './context.js';

export class ReceiptWaiter {
  private waiting = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(private ctx: Ctx, private bus: Bus) {}

  async init() {
    await this.bus.on(this.ctx.keys.receiptChannel, (key) => this.wake(key));
  }

  private wake(key: string) {
    const set = this.waiting.get(key);
    if (!set) return;
    this.waiting.delete(key);
    for (const f of set) f();
  }

  announce(key: string): Promise<unknown> {
    return this.bus.publish(this.ctx.keys.receiptChannel, key);
  }

  /** Resolves true when `check()` is true, now or after an announcement, false after timeoutMs. */
  async wait(key: string, timeoutMs: number, check: () => Promise<boolean>): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      let wake!: () => void;
      const woke = new Promise<'woke'>((r) => (wake = () => r('woke')));
      const set = this.waiting.get(key) ?? new Set();
      set.add(wake);
      this.waiting.set(key, set);
      let timer: NodeJS.Timeout | undefined;
      try {
        if (await check()) return true;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), left)));
        if ((await Promise.race([woke, timedOut])) === 'timeout') return check();
      } finally {
        clearTimeout(timer);
        this.waiting.get(key)?.delete(wake);
      }
    }
    return false;
  }

  /** Releases every waiter (they re-check and give up). */
  async close() {
    this.closed = true;
    for (const key of [...this.waiting.keys()]) this.wake(key);
  }
}
