// What a node reports of its load (the operator's node list): CPU over the
// last interval of this process and its mediasoup workers (% of one core), and
// their resident memory.
import type { WorkerPool } from './workers.js';

export class LoadMeter {
  private last: { at: number; cpuMs: number } | null = null;

  constructor(private readonly pool: WorkerPool) {}

  async sample(): Promise<{ cpuPercent: number; memoryMb: number }> {
    const own = process.cpuUsage();
    let cpuMs = (own.user + own.system) / 1000;
    let rssKb = process.memoryUsage().rss / 1024;
    for (const w of this.pool.workers) {
      const ru = await w.worker.getResourceUsage().catch(() => null);
      if (!ru) continue;
      cpuMs += ru.ru_utime + ru.ru_stime;
      rssKb += ru.ru_maxrss;
    }
    const now = Date.now();
    const prev = this.last;
    this.last = { at: now, cpuMs };
    const cpuPercent = prev && now > prev.at ? Math.max(0, ((cpuMs - prev.cpuMs) / (now - prev.at)) * 100) : 0;
    return { cpuPercent: Math.round(cpuPercent * 10) / 10, memoryMb: Math.round(rssKb / 102.4) / 10 };
  }
}
