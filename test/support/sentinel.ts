// A Redis Sentinel group for tests and benches: a primary, one replica and
// three sentinels, each its own redis-server process on a free port in a
// temporary directory (redis-sentinel when installed, else redis-server in
// sentinel mode: the same program).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../infra/proc.js';
import { waitFor } from './wait.js';

/** The monitored primary's name in the sentinels. */
export const SENTINEL_NAME = 'diemcau';

export interface SentinelGroup {
  /** host:port of the three sentinels (REDIS_SENTINELS). */
  sentinels: { host: string; port: number }[];
  env: Record<string, string>;
  /** Port of the node that is primary now, as the sentinels say. */
  primaryPort(): Promise<number>;
  /** SIGKILLs the node that is primary now; returns its port. */
  killPrimary(): Promise<number>;
  /** Resolves with the new primary's port once the sentinels have promoted another node. */
  promoted(from: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

const hasSentinelBinary = () => spawnSync('sh', ['-c', 'command -v redis-sentinel'], { stdio: 'ignore' }).status === 0;

async function up(port: number) {
  await waitFor(`redis on ${port}`, async () => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined); // not up yet: polled again
    try { await r.connect(); return (await r.ping()) === 'PONG'; } catch { return false; } finally { r.disconnect(); }
  }, 10_000, 50);
}

/** Starts the group and waits until the replica is in sync and every sentinel sees it. */
export async function startSentinelGroup(): Promise<SentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-sentinel-'));
  const procs = new Map<number, ChildProcess>();
  const node = async (port: number, extra: string[]) => {
    const d = join(dir, String(port));
    rmSync(d, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', d]);
    procs.set(port, spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', d, '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' }));
    await up(port);
  };
  const p1 = await freePort();
  const p2 = await freePort();
  await node(p1, []);
  await node(p2, ['--replicaof', '127.0.0.1', String(p1)]);
  const sentinels: { host: string; port: number }[] = [];
  const useBinary = hasSentinelBinary();
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    // a sentinel rewrites its own file: each has its own
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${p1} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
      `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
      `sentinel parallel-syncs ${SENTINEL_NAME} 1`, '',
    ].join('\n'));
    procs.set(port, useBinary ? spawn('redis-sentinel', [conf], { stdio: 'ignore' }) : spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
    await up(port);
    sentinels.push({ host: '127.0.0.1', port });
  }
  const ask = async (): Promise<number> => {
    const s = new Redis({ ...sentinels[0]!, lazyConnect: true, maxRetriesPerRequest: 1 });
    s.on('error', () => undefined);
    try {
      await s.connect();
      const [, port] = (await s.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_NAME)) as [string, string];
      return Number(port);
    } finally { s.disconnect(); }
  };
  // every sentinel knows the replica and the other sentinels before a test kills anything
  await waitFor('sentinels ready', async () => {
    for (const s of sentinels) {
      const c = new Redis({ ...s, lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await c.connect();
        const m = (await c.call('SENTINEL', 'master', SENTINEL_NAME)) as string[];
        const f = (k: string) => m[m.indexOf(k) + 1];
        if (Number(f('num-slaves')) < 1 || Number(f('num-other-sentinels')) < 2) return false;
      } finally { c.disconnect(); }
    }
    const r = new Redis({ port: p2, host: '127.0.0.1', lazyConnect: true });
    try { await r.connect(); return /master_link_status:up/.test(await r.info('replication')); } finally { r.disconnect(); }
  }, 30_000, 200);
  return {
    sentinels,
    env: { REDIS_SENTINELS: sentinels.map((s) => `${s.host}:${s.port}`).join(','), REDIS_SENTINEL_NAME: SENTINEL_NAME },
    primaryPort: ask,
    async killPrimary() {
      const port = await ask();
      procs.get(port)?.kill('SIGKILL');
      procs.delete(port);
      return port;
    },
    promoted: (from, timeoutMs = 30_000) => waitFor('promotion', async () => {
      const now = await ask().catch(() => from);
      return now !== from ? now : null;
    }, timeoutMs, 50),
    async close() {
      for (const p of procs.values()) p.kill('SIGKILL');
      procs.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
