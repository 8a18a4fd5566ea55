// P8: Redis Sentinel failover as the sites see it. A control instance on Redis
// behind Sentinel (primary, replica, three sentinels; down-after 1 s) with
// every site write waiting for one replica; 20 consoles write headcounts 4
// times a second each; the primary is SIGKILLed. Per run: time from the kill
// to the sentinels' promotion, to the first and to the last console's next
// acknowledged write, writes refused meanwhile, acknowledged writes lost
// (must be 0). Beside it, the cost of the wait: write ack latency with
// REDIS_WAIT_REPLICAS 0 vs 1 on the same group, side by side.
// Usage: node --import tsx bench/p8-sentinel.ts [--runs 3]. Writes bench/results/p8-sentinel.json.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import { startControl } from '../server/app.js';
import { ControlEvents } from '../signaling/control.js';
import { api, CONF, connect, emit, SECRET, setupConference, token, uniquePrefix } from '../test/control/helpers.js';
import { deletePrefix } from '../test/support/redis.js';
import { startSentinelGroup, SENTINEL_NAME } from '../test/support/sentinel.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const RUNS = Number(arg('runs', '3'));
const CONSOLES = 20;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;
const round = (x: number) => Math.round(x * 10) / 10;

async function oneRun() {
  const group = await startSentinelGroup();
  const prefix = uniquePrefix('p8');
  const dataDir = `.cache/bench-data/${prefix.slice(0, -1)}`;
  const sentinel = { sentinels: group.sentinels, name: SENTINEL_NAME };
  const ctl = await startControl({ port: 0, tokenSecret: SECRET, redisPrefix: prefix, redisSentinel: sentinel, redisWaitReplicas: 1, dataDir, logLevel: 'error' });
  const socks: Socket[] = [];
  try {
    const { org, sites } = await setupConference(ctl.url, 4, 5);
    const communes = sites.filter((s) => s.level === 'commune').slice(0, CONSOLES);
    for (const s of communes) socks.push(await connect(ctl.url, token('technician', CONF, s.id), 'console', { reconnection: true, reconnectionDelay: 200 }));

    // ack latency with the wait (this instance) vs without (a second instance on the same Redis, no wait)
    const plain = await startControl({ port: 0, tokenSecret: SECRET, redisPrefix: prefix, redisSentinel: sentinel, redisWaitReplicas: 0, dataDir: `${dataDir}-b`, logLevel: 'error' });
    const plainSock = await connect(plain.url, token('technician', CONF, communes[0]!.id), 'console');
    const ackMs = { wait1: [] as number[], wait0: [] as number[] };
    for (let i = 0; i < 40; i++) {
      for (const [k, s] of [['wait1', socks[0]!], ['wait0', plainSock]] as const) {
        const t0 = performance.now();
        await emit(s, ControlEvents.headcount, { site: communes[0]!.id, group: 'c-a', present: i + 1 });
        ackMs[k].push(performance.now() - t0);
      }
      await new Promise((r) => setTimeout(r, 120)); // under the per-link write limit
    }
    plainSock.close();
    await plain.close();

    const state = communes.map(() => ({ sent: 100, acked: 0, lastAckAt: 0 }));
    let refused = 0;
    let running = true;
    const loops = communes.map(async (s, i) => {
      while (running) {
        const value = ++state[i]!.sent;
        const pace = new Promise((r) => setTimeout(r, 250));
        const r = socks[i]!.connected ? await emit(socks[i]!, ControlEvents.headcount, { site: s.id, group: 'c-a', present: value }, 3000).catch(() => null) : null;
        if (r?.ok) { state[i]!.acked = value; state[i]!.lastAckAt = Date.now(); } else refused++;
        await pace;
      }
    });
    await new Promise((r) => setTimeout(r, 2000));
    const before = await group.primaryPort();
    refused = 0;
    const tKill = Date.now();
    await group.killPrimary();
    await group.promoted(before, 60_000);
    const promotedMs = Date.now() - tKill;
    const back: number[] = [];
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const after = state.map((s) => s.lastAckAt).filter((t) => t > tKill + promotedMs);
      if (after.length === state.length) { back.push(...after.map((t) => t - tKill)); break; }
      await new Promise((r) => setTimeout(r, 20));
    }
    running = false;
    await Promise.all(loops);
    let lost = 0;
    for (const [i, s] of communes.entries()) {
      const r = await api(ctl.url, org, 'GET', `/api/conferences/${CONF}/attendance/${s.id}`);
      const stored = r.body.data?.present?.['c-a'] ?? 0;
      if (stored < state[i]!.acked) lost++;
    }
    return {
      promotedMs, firstWriteBackMs: Math.min(...back), allWritesBackMs: Math.max(...back), refusedWrites: refused, lostAcknowledgedWrites: lost,
      ackP50WithWaitMs: round(pct(ackMs.wait1, 50)), ackP50WithoutWaitMs: round(pct(ackMs.wait0, 50)),
    };
  } finally {
    for (const s of socks) s.close();
    await ctl.close();
    await deletePrefix(prefix, `redis://127.0.0.1:${await group.primaryPort().catch(() => 0)}`).catch(() => undefined);
    await group.close();
    await rm(resolve(ROOT, dataDir), { recursive: true, force: true });
    await rm(resolve(ROOT, `${dataDir}-b`), { recursive: true, force: true });
  }
}

const runs: Awaited<ReturnType<typeof oneRun>>[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = await oneRun();
  console.log(`P8 run ${i + 1}: promoted after ${r.promotedMs} ms; consoles writing again after ${r.firstWriteBackMs}–${r.allWritesBackMs} ms; ${r.refusedWrites} writes refused meanwhile, ${r.lostAcknowledgedWrites} acknowledged writes lost; ack p50 ${r.ackP50WithWaitMs} ms with WAIT 1 vs ${r.ackP50WithoutWaitMs} ms without`);
  runs.push(r);
}
const med = (k: keyof Awaited<ReturnType<typeof oneRun>>) => pct(runs.map((r) => r[k]), 50);
const out = {
  bench: 'P8 Redis Sentinel failover seen from the sites',
  at: new Date().toISOString(), cpus: cpus().length, node: process.version,
  method: `one control instance on Redis behind Sentinel (1 primary, 1 replica, 3 sentinels, down-after-milliseconds 1000, quorum 2), REDIS_WAIT_REPLICAS=1; ${CONSOLES} consoles each writing a headcount every 250 ms; the primary SIGKILLed; times from the kill; lost = a console's last acknowledged value missing afterwards`,
  runs, median: { promotedMs: med('promotedMs'), allWritesBackMs: med('allWritesBackMs'), ackP50WithWaitMs: med('ackP50WithWaitMs'), ackP50WithoutWaitMs: med('ackP50WithoutWaitMs') },
  lostAcknowledgedWrites: runs.reduce((a, r) => a + r.lostAcknowledgedWrites, 0),
};
await mkdir(resolve(ROOT, 'bench/results'), { recursive: true });
await writeFile(resolve(ROOT, 'bench/results/p8-sentinel.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote bench/results/p8-sentinel.json');
process.exit(0);
