// The control service's Redis connection: one URL, or the primary that Redis
// Sentinel names (every duplicate — socket.io adapter, bus, bullmq — inherits
// the sentinels and follows a failover), and the wait for replicas that makes
// an acknowledged site write survive the loss of the primary.
import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../signaling/common.js';
import type { ResolvedOptions } from './config.js';

/** Parses REDIS_SENTINELS ("host:port,host:port"); empty or unset = none. */
export function parseSentinels(raw: string | undefined): { host: string; port: number }[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const i = s.lastIndexOf(':');
    const port = Number(s.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port)) throw new Error(`REDIS_SENTINELS: "${s}" is not host:port; write it as 10.0.0.5:26379 and start again.`);
    return { host: s.slice(0, i), port };
  });
}

/** A connection to the configured Redis (not yet connected: lazyConnect). */
export function newRedis(opts: ResolvedOptions, extra: RedisOptions = {}): Redis {
  const base: RedisOptions = { lazyConnect: true, ...extra };
  if (!opts.redisSentinel) return new Redis(opts.redisUrl, base);
  const u = new URL(opts.redisUrl);
  return new Redis({
    ...base,
    sentinels: opts.redisSentinel.sentinels,
    name: opts.redisSentinel.name,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    // ask the sentinels again soon: a promotion takes a few seconds, not minutes
    sentinelRetryStrategy: (n) => Math.min(100 * n, 1000),
    // no failoverDetector: its disconnect on "+switch-master" can land while a connection is
    // still looking for the new primary, and ioredis then ends that connection for good (every
    // later command "Connection is closed."; seen on the bullmq connection, which stopped the
    // reminders and refused conference edits until a restart). A promotion closes the clients of
    // both the old and the new primary anyway, and that is what the connections follow.
  });
}

/**
 * Waits until the writes made so far on `redis` have reached `replicas`
 * replicas (Redis WAIT). Callers of the same loop turn share one WAIT, so a
 * burst of thousands of site writes costs a few WAITs, not thousands.
 * A primary with fewer replicas attached than asked for (the promoted one,
 * until the old primary comes back as its replica) waits for those it has:
 * with no replica there is nothing to fail over to, so refusing every write
 * would stop the conference without protecting anything.
 */
export class ReplicaWait {
  private waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private redis: Redis, private replicas: number, private timeoutMs: number) {}

  /** Resolves once every write this connection made before the call is on the replicas. */
  durable(): Promise<void> {
    if (this.replicas <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private async replicasConnected(): Promise<number> {
    return Number(/connected_slaves:(\d+)/.exec(await this.redis.info('replication'))?.[1] ?? 0);
  }

  private async flush() {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    try {
      const need = Math.min(this.replicas, await this.replicasConnected());
      const got = need > 0 ? Number(await this.redis.wait(need, this.timeoutMs)) : 0;
      if (got < need) {
        throw new AppError('UNAVAILABLE', 'Máy chủ dữ liệu dự phòng chưa xác nhận; hãy gửi lại sau vài giây. / The standby database has not confirmed the write; send it again in a few seconds.');
      }
      for (const w of batch) w.resolve();
    } catch (e) {
      for (const w of batch) w.reject(e);
    }
  }
}
