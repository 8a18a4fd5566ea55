// P4: time from a headcount change at a commune to the organizer's socket
// receiving the new roll-up, p50/p99, at several sizes in one run (default
// 100, 31,000 and 50,000 sites): steady (background churn) and during a burst
// where every site reports within one second. Each site's hall screen and
// technician console are held by several load-generator processes
// (bench/lib/p4-loadgen.ts, bare protocol clients), each bound to its own
// 127.0.0.x source address; control runs as several instances behind the
// Redis adapter. The probes and the organizer use the real socket.io client.
// Usage: node --import tsx bench/p4-rollup.ts [--scales 100,31000,50000] [--samples 200] [--churn 0.02]
//   P4_QUICK=1 runs 100 and 2,000 sites with fewer samples and writes nothing (a check that the bench works).
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379). Writes bench/results/p4-rollup.json.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as ioClient, type Socket } from 'socket.io-client';
import { CONTROL_NAMESPACE, ControlEvents, ControlPushes, type RollupPush, type SiteInput } from '../signaling/control.js';
import { signToken } from '../signaling/token.js';
import { deletePrefix } from '../test/support/redis.js';
import { groupOf, type LoadCommand, type LoadReport, type LoadSite } from './lib/p4-loadgen.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const QUICK = process.env.P4_QUICK === '1';
const SCALES = arg('scales', QUICK ? '100,2000' : '100,31000,50000').split(',').map(Number);
const SAMPLES = Number(arg('samples', QUICK ? '60' : '200'));
const BURST_SAMPLES = QUICK ? 30 : 100;
const CHURN = Number(arg('churn', '0.02')); // share of sites updating per second in the background
/** Sockets one control instance or one load generator holds: under the 20,000 open files per process. */
const SOCKETS_PER_PROCESS = Number(arg('per-process', '16000'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Node flags of each control instance: the production unit's (infra/deploy/systemd); P4_CONTROL_FLAGS to compare others. */
const CONTROL_FLAGS = process.env.P4_CONTROL_FLAGS ?? '--max-semi-space-size=64';
const SECRET = randomBytes(16).toString('hex');
const CONF = 'bench-p4';
/** The bulk site route takes at most this many sites per request. */
const BULK_CHUNK = 20_000;

/** root → provinces → districts → communes, `total` sites in all (national shape from 1,000 up). */
function tree(total: number): SiteInput[] {
  const provinces = total >= 1000 ? 34 : 1;
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

function startService(prefix: string, i: number): Promise<{ child: ChildProcess; url: string }> {
  // P4_PROFILE_DIR: each instance writes a V8 CPU profile there (read with the burst window printed below)
  const prof = process.env.P4_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.P4_PROFILE_DIR}`] : [];
  const flags = CONTROL_FLAGS.split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...prof, '--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CONTROL_PORT: '0', CONTROL_HOST: '127.0.0.1', REDIS_URL, REDIS_PREFIX: prefix, TOKEN_SECRET: SECRET, LOG_LEVEL: 'warn', DATA_DIR: `.cache/bench-data/${prefix.slice(0, -1)}-${i}` },
  });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /control listening (\S+)/.exec(out);
      if (m) res({ child, url: m[1]!.replace('localhost', '127.0.0.1') });
    });
    child.once('exit', (c) => rej(new Error(`service exited ${c}`)));
  });
}

async function call(url: string, tok: string, method: string, path: string, body: unknown) {
  const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await r.json()) as { ok: boolean };
  if (!j.ok) throw new Error(`${method} ${path}: ${JSON.stringify(j).slice(0, 500)}`);
}

function connect(url: string, tok: string, client: string): Promise<Socket> {
  const s = ioClient(url + CONTROL_NAMESPACE, { auth: { token: tok, client }, transports: ['websocket'], forceNew: true, reconnection: false, timeout: 120_000 });
  return new Promise((res, rej) => {
    s.once('connect', () => res(s));
    s.once('connect_error', rej);
  });
}

/** A load-generator child and a way to wait for its next report of a kind. */
class Generator {
  readonly child: ChildProcess;
  private waiters: { type: LoadReport['type']; done: (m: LoadReport) => void }[] = [];
  constructor() {
    this.child = fork(resolve(ROOT, 'bench/lib/p4-loadgen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: LoadReport) => {
      if (m.type === 'error') throw new Error(`load generator: ${m.message}`);
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.done(m);
    });
  }
  send(m: LoadCommand) { this.child.send(m); }
  next<T extends LoadReport['type']>(type: T): Promise<Extract<LoadReport, { type: T }>> {
    return new Promise((done) => this.waiters.push({ type, done: done as (m: LoadReport) => void }));
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const round = (x: number) => Math.round(x * 100) / 100;
const stats = (xs: number[]) => ({
  samples: xs.length, p50Ms: round(pct(xs, 50)), p90Ms: round(pct(xs, 90)), p99Ms: round(pct(xs, 99)), maxMs: round(Math.max(...xs)),
});
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
const cpuTicks = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };

/** The local Redis server's pid when it runs on this machine (its CPU time is part of the figures). */
async function redisProcessId(): Promise<number | null> {
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const info = await r.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    return pid && existsSync(`/proc/${pid}/stat`) ? pid : null;
  } catch { return null; } finally { r.disconnect(); }
}

async function runScale(total: number) {
  const prefix = `bench-p4-${total}-${Date.now().toString(36)}:`;
  const sockets = 2 * total;
  const nInst = Math.max(2, Math.ceil(sockets / SOCKETS_PER_PROCESS));
  const nGen = Math.max(1, Math.ceil(sockets / SOCKETS_PER_PROCESS));
  const services = await Promise.all(Array.from({ length: nInst }, (_, i) => startService(prefix, i)));
  const urls = services.map((s) => s.url);
  const gens: Generator[] = [];
  const own: Socket[] = [];
  try {
    const org = signToken(SECRET, { role: 'organizer', conf: CONF });
    await call(urls[0]!, org, 'PUT', `/api/conferences/${CONF}`, {
      title: 'Hội nghị đo tải', planNumber: 'P4', date: '2030-01-01', plannedStart: '2030-01-01T08:00:00+07:00', plannedDurationMin: 120,
      maket: [], rootSite: 'root', reportsTo: 'Trung ương', reportDeadline: '2030-01-05T17:00:00+07:00',
    });
    await call(urls[0]!, org, 'PUT', `/api/conferences/${CONF}/groups`, { groups: [
      { id: 'c1', level: 'commune', name: 'Đảng viên', order: 1 }, { id: 'd1', level: 'district', name: 'Huyện uỷ', order: 1 },
      { id: 'p1', level: 'province', name: 'Tỉnh uỷ', order: 1 },
    ] });
    const sites = tree(total);
    const tCreate = Date.now();
    // parents come first in the list, so each chunk's parents exist once the earlier chunks are in
    for (let i = 0; i < sites.length; i += BULK_CHUNK) await call(urls[0]!, org, 'PUT', `/api/conferences/${CONF}/sites`, { sites: sites.slice(i, i + BULK_CHUNK) });
    const createMs = Date.now() - tCreate;

    // probes: communes whose console this process holds, to time them here on one clock
    const reporting: LoadSite[] = sites.filter((s) => s.level !== 'centre').map((s) => ({ id: s.id, level: s.level }));
    const communes = reporting.filter((s) => s.level === 'commune');
    const nProbes = Math.min(communes.length, SAMPLES + BURST_SAMPLES);
    const probes = Array.from({ length: nProbes }, (_, i) => communes[Math.floor((i * communes.length) / nProbes)]!);
    const probeIds = new Set(probes.map((p) => p.id));
    const rest = reporting.filter((s) => !probeIds.has(s.id));

    const t0 = Date.now();
    const per = Math.ceil(rest.length / nGen);
    for (let g = 0; g < nGen; g++) {
      const gen = new Generator();
      gens.push(gen);
      gen.send({ type: 'init', urls, localAddress: `127.0.0.${10 + g}`, secret: SECRET, conf: CONF, sites: rest.slice(g * per, (g + 1) * per), offset: g * per });
    }
    const probeSocks = new Map<string, Socket>();
    for (let i = 0; i < probes.length; i += 100) {
      await Promise.all(probes.slice(i, i + 100).map(async (p, k) => {
        const [tech, hall] = await Promise.all([
          connect(urls[(i + k) % nInst]!, signToken(SECRET, { role: 'technician', conf: CONF, site: p.id }), 'console'),
          connect(urls[(i + k + 1) % nInst]!, signToken(SECRET, { role: 'viewer', conf: CONF, site: p.id }), 'hall'),
        ]);
        own.push(tech, hall);
        probeSocks.set(p.id, tech);
        await tech.timeout(120_000).emitWithAck(ControlEvents.subscribe, { conf: CONF });
      }));
    }
    const ready = await Promise.all(gens.map((g) => g.next('ready')));
    const connectMs = Date.now() - t0;
    const connected = own.length + ready.reduce((a, r) => a + r.sockets, 0);
    const unsubscribed = ready.reduce((a, r) => a + r.unsubscribed, 0);

    const orgSock = await connect(urls[0]!, org, 'organizer');
    own.push(orgSock);
    const sub = (await orgSock.timeout(120_000).emitWithAck(ControlEvents.subscribe, { conf: CONF })) as { ok: boolean };
    if (!sub.ok) throw new Error('subscribe failed');
    await new Promise((r) => setTimeout(r, 2000)); // let the presence of the last joins settle

    const waiting = new Map<string, { value: number; t0: number; done: (ms: number) => void }>();
    let pushes = 0;
    let pushedSites = 0;
    orgSock.on(ControlPushes.rollup, (p: RollupPush) => {
      pushes++;
      pushedSites += p.sites.length;
      const now = performance.now();
      for (const s of p.sites) {
        const w = waiting.get(s.site);
        if (w && s.present.c1 === w.value) { waiting.delete(s.site); w.done(now - w.t0); }
      }
    });

    let seqValue = 0;
    let lost = 0;
    let next = 0;
    const sample = async (n: number, spacingMs: number) => {
      const lat: number[] = [];
      const all: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const s = probes[next++ % probes.length]!;
        const value = (seqValue++ % 900) + 1; // distinct from churn (1000+) and burst (2000+) values
        all.push(new Promise<void>((done) => {
          const timer = setTimeout(() => { waiting.delete(s.id); lost++; done(); }, 15_000);
          waiting.set(s.id, { value, t0: performance.now(), done: (ms) => { clearTimeout(timer); lat.push(ms); done(); } });
          probeSocks.get(s.id)!.emit(ControlEvents.headcount, { site: s.id, group: 'c1', present: value }, () => undefined);
        }));
        await new Promise((r) => setTimeout(r, spacingMs));
      }
      await Promise.all(all);
      return lat;
    };

    const cpu0 = services.map((s) => cpuTicks(s.child.pid!));
    const redisPid = await redisProcessId();
    // where the machine's time goes during the burst: control, load generators, Redis
    const burstCpu = () => ({
      control: services.reduce((a, s) => a + cpuTicks(s.child.pid!), 0),
      loadGenerators: gens.reduce((a, g) => a + cpuTicks(g.child.pid!), 0),
      redis: redisPid ? cpuTicks(redisPid) : 0,
      bench: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 10_000),
    });
    for (const g of gens) g.send({ type: 'churn', perSec: (CHURN * rest.length) / nGen });
    const tStart = Date.now();
    const steady = await sample(SAMPLES, 50);
    const churnDone = Promise.all(gens.map((g) => g.next('churned')));
    for (const g of gens) g.send({ type: 'churn', perSec: 0 });
    const churned = (await churnDone).reduce((a, c) => a + c.updates, 0);
    const secs = (Date.now() - tStart) / 1000;
    const pushesSteady = pushes;
    await new Promise((r) => setTimeout(r, 1000));

    // burst: every site reports within ~1 s (doors open) while probes are timed
    const p0 = pushes;
    const s0 = pushedSites;
    const tBurst = Date.now();
    const c0 = burstCpu();
    const burstDone = Promise.all(gens.map((g) => g.next('burstDone')));
    for (const g of gens) g.send({ type: 'burst', withinMs: 1000, value: 2000 });
    const burst = await sample(BURST_SAMPLES, 1000 / BURST_SAMPLES);
    const done = await burstDone;
    const burstSecs = (Date.now() - tBurst) / 1000;
    // the burst on the system's monotonic clock (µs), the clock of V8's CPU profiles
    const monoUs = () => Number(process.hrtime.bigint() / 1000n);
    console.log(`   burst window (monotonic µs): ${monoUs() - Math.round(burstSecs * 1e6)}–${monoUs()}`);
    const c1 = burstCpu();
    const cpuSecondsInBurst = Object.fromEntries(Object.keys(c1).map((k) => [k, round((c1[k as keyof typeof c1] - c0[k as keyof typeof c0]) / 100)]));
    const cpuSecs = services.reduce((a, s, i) => a + (cpuTicks(s.child.pid!) - cpu0[i]!), 0) / 100;
    const st = stats(steady);
    const bs = stats(burst);
    const result = {
      sites: sites.length, instances: nInst, loadGenerators: nGen, connected, unsubscribed, createMs, connectMs,
      steadyP99Ms: st.p99Ms, burstP99Ms: bs.p99Ms,
      steady: { ...st, backgroundUpdatesPerSec: round(churned / secs), organizerPushesPerSec: round(pushesSteady / secs) },
      burst: {
        ...bs, updates: done.reduce((a, d) => a + d.sent, 0) + probes.length, acked: done.reduce((a, d) => a + d.acked, 0), failed: done.reduce((a, d) => a + d.failed, 0),
        errors: done.reduce<Record<string, number>>((a, d) => { for (const [k, v] of Object.entries(d.errors)) a[k] = (a[k] ?? 0) + v; return a; }, {}),
        // connections the service ended during the run, by close code and reason (none expected)
        connectionsEnded: done.reduce<Record<string, number>>((a, d) => { for (const [k, v] of Object.entries(d.ended)) a[k] = (a[k] ?? 0) + v; return a; }, {}),
        seconds: round(burstSecs), organizerPushes: pushes - p0, organizerSitesPushed: pushedSites - s0, cpuSeconds: cpuSecondsInBurst,
      },
      lost, controlCpuSeconds: round(cpuSecs), controlRssMb: services.map((s) => rssMb(s.child.pid!)),
    };
    console.log(`P4 ${result.sites} sites (${nInst} instances, ${nGen} load generators, ${connected} sockets, connect ${connectMs} ms): steady p50 ${st.p50Ms} ms p99 ${st.p99Ms} ms; ${result.steady.backgroundUpdatesPerSec} bg updates/s`);
    console.log(`   burst CPU seconds: ${JSON.stringify(cpuSecondsInBurst)}`);
    console.log(`   burst (${result.burst.updates} updates in ${result.burst.seconds} s, ${result.burst.failed} failed ${JSON.stringify(result.burst.errors)}, connections ended ${JSON.stringify(result.burst.connectionsEnded)}): p50 ${bs.p50Ms} ms, p99 ${bs.p99Ms} ms, max ${bs.maxMs} ms; ${result.burst.organizerPushes} pushes; lost ${lost}; control RSS ${result.controlRssMb.join('/')} MB`);
    return result;
  } finally {
    for (const s of own) s.close();
    for (const g of gens) g.send({ type: 'close' });
    await Promise.all(gens.map((g) => new Promise((r) => (g.child.exitCode !== null ? r(null) : g.child.once('exit', r)))));
    for (const s of services) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)))));
    await deletePrefix(prefix, REDIS_URL);
    for (let i = 0; i < nInst; i++) await rm(resolve(ROOT, `.cache/bench-data/${prefix.slice(0, -1)}-${i}`), { recursive: true, force: true });
  }
}

const results = [];
for (const n of SCALES) results.push(await runScale(n));
const base = results[0]!;
const out = {
  bench: 'P4 headcount change → organizer roll-up push latency',
  at: new Date().toISOString(), cpus: cpus().length, node: process.version, quick: QUICK,
  method: 'several control instances on one Redis (socket.io Redis adapter), each site\'s hall screen and technician console (the console subscribed: it gets the site\'s figures) spread over the instances, held by several load-generator processes on their own 127.0.0.x source addresses with a bare socket.io protocol client (bench/lib/wire-client.ts) so that the generators cost little CPU beside the service; a probe commune whose console is in the measuring process emits attendance:headcount, time until the organizer socket (on instance 0) receives push:rollup with the new value; steady = background churn of random sites meanwhile; burst = every site sends a headcount within about a second while probes are timed',
  samplesPerScale: SAMPLES, burstSamples: BURST_SAMPLES, churnShare: CHURN, controlNodeFlags: CONTROL_FLAGS,
  results,
  ratios: results.slice(1).map((r) => ({ sites: r.sites, steadyP99VsBase: round(r.steadyP99Ms / base.steadyP99Ms), burstP99VsBase: round(r.burstP99Ms / base.burstP99Ms) })),
};
// a quick run only checks that the bench works: it prints and keeps the recorded figures
if (!QUICK) {
  await mkdir(resolve(ROOT, 'bench/results'), { recursive: true });
  await writeFile(resolve(ROOT, 'bench/results/p4-rollup.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log('wrote bench/results/p4-rollup.json');
} else console.log(JSON.stringify(out.ratios));
process.exit(0);
