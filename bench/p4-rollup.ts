// P4: time from a headcount change at a commune to the organizer's socket
// receiving the new roll-up, p50/p99, with 100 and with 11,300 simulated sites
// (socket.io clients on 127.0.0.1), in one run, with background churn, then
// during a burst where every site reports at once.
// Usage: node --import tsx bench/p4-rollup.ts [--scales 100,11300] [--samples 200] [--churn 0.02]
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379). Writes bench/results/p4-rollup.json.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deletePrefix } from '../test/support/redis.js';
import { io as ioClient, type Socket } from 'socket.io-client';
import { CONTROL_NAMESPACE, ControlEvents, ControlPushes, type RollupPush, type SiteInput } from '../signaling/control.js';
import { signToken } from '../signaling/token.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const SCALES = arg('scales', '100,11300').split(',').map(Number);
const SAMPLES = Number(arg('samples', '200'));
const CHURN = Number(arg('churn', '0.02')); // share of sites updating per second in the background
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(16).toString('hex');
const CONF = 'bench-p4';

/** root → provinces → districts → communes, `total` sites in all (national shape at 11,300). */
function tree(total: number): SiteInput[] {
  const provinces = total >= 1000 ? 63 : 1;
  const districts = total >= 1000 ? 700 : Math.max(1, Math.round(total / 11));
  const communes = total - 1 - provinces - districts;
  const sites: SiteInput[] = [{ id: 'root', parent: null, level: 'centre', name: 'Trung ương', mediaNode: 'centre' }];
  for (let p = 0; p < provinces; p++) sites.push({ id: `p${p}`, parent: 'root', level: 'province', name: `Tỉnh ${p}`, mediaNode: `n${p}` });
  for (let d = 0; d < districts; d++) sites.push({ id: `p${d % provinces}-d${d}`, parent: `p${d % provinces}`, level: 'district', name: `Huyện ${d}`, mediaNode: `n${d % provinces}` });
  for (let c = 0; c < communes; c++) {
    const d = c % districts;
    sites.push({ id: `p${d % provinces}-d${d}-c${c}`, parent: `p${d % provinces}-d${d}`, level: 'commune', name: `Xã ${c}`, mediaNode: `n${d % provinces}` });
  }
  return sites;
}

function startService(prefix: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CONTROL_PORT: '0', REDIS_URL, REDIS_PREFIX: prefix, TOKEN_SECRET: SECRET, LOG_LEVEL: 'warn', DATA_DIR: `.cache/bench-data/${prefix.slice(0, -1)}` },
  });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /control listening (\S+)/.exec(out);
      if (m) res({ child, url: m[1]! });
    });
    child.once('exit', (c) => rej(new Error(`service exited ${c}`)));
  });
}

async function call(url: string, tok: string, method: string, path: string, body: unknown) {
  const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await r.json()) as { ok: boolean };
  if (!j.ok) throw new Error(`${method} ${path}: ${JSON.stringify(j)}`);
}

function connect(url: string, tok: string, client: string): Promise<Socket> {
  const s = ioClient(url + CONTROL_NAMESPACE, { auth: { token: tok, client }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 60_000 });
  return new Promise((res, rej) => {
    s.once('connect', () => res(s));
    s.once('connect_error', rej);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;

async function runScale(total: number) {
  const prefix = `bench-p4-${total}-${Date.now().toString(36)}:`;
  const { child, url } = await startService(prefix);
  const sockets: Socket[] = [];
  try {
    const org = signToken(SECRET, { role: 'organizer', conf: CONF });
    await call(url, org, 'PUT', `/api/conferences/${CONF}`, {
      title: 'Hội nghị đo tải', planNumber: 'P4', date: '2030-01-01', plannedStart: '2030-01-01T08:00:00+07:00', plannedDurationMin: 120,
      maket: [], rootSite: 'root', reportsTo: 'Trung ương', reportDeadline: '2030-01-05T17:00:00+07:00',
    });
    await call(url, org, 'PUT', `/api/conferences/${CONF}/groups`, { groups: [
      { id: 'c1', level: 'commune', name: 'Đảng viên', order: 1 }, { id: 'd1', level: 'district', name: 'Huyện uỷ', order: 1 },
      { id: 'p1', level: 'province', name: 'Tỉnh uỷ', order: 1 },
    ] });
    const sites = tree(total);
    await call(url, org, 'PUT', `/api/conferences/${CONF}/sites`, { sites });
    const techSites = sites.filter((s) => s.level !== 'centre');
    const t0 = Date.now();
    const bySite = new Map<string, Socket>();
    for (let i = 0; i < techSites.length; i += 250) {
      const batch = techSites.slice(i, i + 250);
      const socks = await Promise.all(batch.map((s) => connect(url, signToken(SECRET, { role: 'technician', conf: CONF, site: s.id }), 'console')));
      batch.forEach((s, k) => bySite.set(s.id, socks[k]!));
      sockets.push(...socks);
    }
    const connectMs = Date.now() - t0;
    const orgSock = await connect(url, org, 'organizer');
    sockets.push(orgSock);
    const sub = (await orgSock.timeout(60_000).emitWithAck(ControlEvents.subscribe, { conf: CONF })) as { ok: boolean };
    if (!sub.ok) throw new Error('subscribe failed');

    const waiting = new Map<string, { value: number; t0: number; done: (ms: number) => void }>();
    let pushes = 0;
    orgSock.on(ControlPushes.rollup, (p: RollupPush) => {
      pushes++;
      const now = performance.now();
      for (const s of p.sites) {
        const w = waiting.get(s.site);
        if (w && s.present.c1 === w.value) { waiting.delete(s.site); w.done(now - w.t0); }
      }
    });

    // background churn: CHURN × sites updates per second, spread evenly
    const communes = techSites.filter((s) => s.level === 'commune');
    const perTick = (CHURN * techSites.length) / 20;
    let carry = 0;
    let churned = 0;
    const churn = setInterval(() => {
      carry += perTick;
      for (; carry >= 1; carry--) {
        const s = techSites[Math.floor(Math.random() * techSites.length)]!;
        const g = s.level === 'commune' ? 'c1' : s.level === 'district' ? 'd1' : 'p1';
        if (waiting.has(s.id)) continue;
        bySite.get(s.id)!.emit(ControlEvents.headcount, { site: s.id, group: g, present: 1000 + Math.floor(Math.random() * 1000) }, () => undefined);
        churned++;
      }
    }, 50);

    const sample = async (n: number, spacingMs: number, offset: number) => {
      const lat: number[] = [];
      const all: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const s = communes[((i + offset) * 7919) % communes.length]!;
        if (waiting.has(s.id)) continue;
        const value = (seqValue++ % 900) + 1; // distinct from churn values (≥ 1000)
        all.push(new Promise<void>((done) => {
          const timer = setTimeout(() => { waiting.delete(s.id); done(); }, 10_000);
          waiting.set(s.id, { value, t0: performance.now(), done: (ms) => { clearTimeout(timer); lat.push(ms); done(); } });
          bySite.get(s.id)!.emit(ControlEvents.headcount, { site: s.id, group: 'c1', present: value }, () => undefined);
        }));
        await new Promise((r) => setTimeout(r, spacingMs));
      }
      await Promise.all(all);
      return lat;
    };
    let seqValue = 0;
    const tStart = Date.now();
    const lat = await sample(SAMPLES, 50, 0);
    clearInterval(churn);
    const secs = (Date.now() - tStart) / 1000;
    const pushesSteady = pushes;

    // burst: every site sends a headcount within ~1 s (doors open), while 50 communes are timed
    const tBurst = Date.now();
    const burstDone = (async () => {
      for (let i = 0; i < techSites.length; i += 500) {
        for (const s of techSites.slice(i, i + 500)) {
          if (waiting.has(s.id)) continue;
          const g = s.level === 'commune' ? 'c1' : s.level === 'district' ? 'd1' : 'p1';
          bySite.get(s.id)!.emit(ControlEvents.headcount, { site: s.id, group: g, present: 2000 + (i % 500) }, () => undefined);
        }
        await new Promise((r) => setTimeout(r, Math.max(1, Math.floor(1000 / Math.ceil(techSites.length / 500)))));
      }
    })();
    const burstLat = await sample(50, 20, SAMPLES);
    await burstDone;
    const burstSecs = (Date.now() - tBurst) / 1000;
    const stats = (xs: number[]) => ({
      samples: xs.length, p50Ms: round(pct(xs, 50)), p90Ms: round(pct(xs, 90)), p99Ms: round(pct(xs, 99)), maxMs: round(Math.max(...xs)),
      meanMs: round(xs.reduce((a, b) => a + b, 0) / xs.length),
    });
    const steady = stats(lat);
    const result = {
      sites: sites.length, connected: sockets.length - 1, connectMs,
      ...steady, lost: SAMPLES - lat.length,
      backgroundUpdatesPerSec: round(churned / secs), organizerPushesPerSec: round(pushesSteady / secs),
      burst: { ...stats(burstLat), updates: techSites.length, seconds: round(burstSecs), organizerPushesPerSec: round((pushes - pushesSteady) / burstSecs) },
    };
    console.log(`P4 ${result.sites} sites: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (${result.samples} samples, ${result.backgroundUpdatesPerSec} bg updates/s, ${result.organizerPushesPerSec} pushes/s to the organizer, connect ${connectMs} ms)`);
    console.log(`   burst (every site at once, ${result.burst.seconds} s): p50 ${result.burst.p50Ms} ms, p99 ${result.burst.p99Ms} ms, max ${result.burst.maxMs} ms, ${result.burst.organizerPushesPerSec} pushes/s`);
    return result;
  } finally {
    for (const s of sockets) s.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await deletePrefix(prefix, REDIS_URL);
    await rm(resolve(ROOT, `.cache/bench-data/${prefix.slice(0, -1)}`), { recursive: true, force: true });
  }
}

const results = [];
for (const n of SCALES) results.push(await runScale(n));
const out = {
  bench: 'P4 headcount change → organizer roll-up push latency',
  at: new Date().toISOString(), cpus: cpus().length, node: process.version,
  method: 'one control process; technician socket.io clients from this process on 127.0.0.1; a commune emits attendance:headcount, time until the organizer socket receives push:rollup containing the new value; background churn of random sites meanwhile; then a burst where every site sends a headcount within about a second while 50 more communes are timed',
  samplesPerScale: SAMPLES, churnShare: CHURN, results,
};
await mkdir(resolve(ROOT, 'bench/results'), { recursive: true });
await writeFile(resolve(ROOT, 'bench/results/p4-rollup.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log('wrote bench/results/p4-rollup.json');
process.exit(0);
