// P2: forwarding cost of one mediasoup worker next to a raw C UDP fan-out, side
// by side in one run. One producer with the studio's profile (VP8 simulcast in 3
// layers + Opus, bench/lib/rtp-source.ts) → N plain-RTP hall consumers on one
// worker, in two layouts:
//   - perHall: every hall site has its own router, fed from the hub router by
//     pipeToRouter (the node's layout until this bench, one site = one hall),
//   - oneRouter: every hall consumes from the conference's router on its
//     worker (media/session.ts now, the same calls a hall's join makes).
// The raw forwarder (bench/raw-forwarder.c, compiled here with cc) sends each
// hall the same streams (the simulcast layer mediasoup's consumers settled on,
// + audio: with no bandwidth estimate on a plain transport mediasoup picks the
// layer itself, so the raw forwarder copies its choice). CPU is the forwarding process's
// user+system time from /proc/<pid>/stat; packets out are the consumers' own
// counters (the raw forwarder counts its sendmmsg results).
//
//   node --import tsx bench/p2-forwarding.ts [--runs 5] [--halls 100] [--sweep 200,400] [--seconds 5]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { types as ms } from 'mediasoup';
import { pino } from 'pino';
import { Session } from '../media/session.js';
import { WorkerPool, mediaCodecs } from '../media/workers.js';
import { cpuSeconds, median } from './lib/proc-cpu.js';
import { buildRawForwarder, freeUdpPort, runRaw } from './lib/raw-forwarder.js';
import { PROFILE, RtpSource, producerParams } from './lib/rtp-source.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    halls: { type: 'string', default: '100' },
    sweep: { type: 'string', default: '200,400' },
    seconds: { type: 'string', default: '5' },
  },
});
const RUNS = Number(values.runs);
const HALLS = Number(values.halls);
const SWEEP = values.sweep!.split(',').filter(Boolean).map(Number);
const SECONDS = Number(values.seconds);
const WARMUP_MS = 2500;
const HERE = dirname(fileURLToPath(import.meta.url));
const log = pino({ level: 'warn' }, pino.destination(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Layout = 'raw' | 'oneRouter' | 'perHall';
type Trial = { layout: Layout; halls: number; cpuPct: number; packetsOutPerSec: number; packetsPerCpuSecond: number; layers: Record<string, number> };

/** The spatial layer the last oneRouter trial's halls mostly played (the raw forwarder sends the same). */
let hallLayer = 1;

/** Samples CPU and packets over the window, after the warm-up. */
async function measure(pid: number, packets: () => Promise<number>): Promise<{ cpuPct: number; pps: number }> {
  await sleep(WARMUP_MS);
  const c0 = cpuSeconds(pid);
  const p0 = await packets();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const c1 = cpuSeconds(pid);
  const p1 = await packets();
  const secs = (performance.now() - t0) / 1000;
  return { cpuPct: ((c1 - c0) / secs) * 100, pps: (p1 - p0) / secs };
}

async function rawTrial(bin: string, sinkPort: number, halls: number): Promise<Trial> {
  const port = await freeUdpPort();
  let sent = 0;
  const layer = PROFILE.video[hallLayer]!.ssrc;
  const fwd = await runRaw(bin, ['fwd', String(port), '127.0.0.1', String(sinkPort), String(halls), `${layer},${PROFILE.audio.ssrc}`], (l) => {
    const m = /^sent (\d+)/.exec(l);
    if (m) sent = Number(m[1]);
  });
  const src = (await RtpSource.open({ ip: '127.0.0.1', port })).start();
  try {
    // the forwarder prints its count once a second: read it on a print
    const counted = async () => { const before = sent; while (sent === before) await sleep(20); return sent; };
    const r = await measure(fwd.pid!, counted);
    return { layout: 'raw', halls, cpuPct: r.cpuPct, packetsOutPerSec: r.pps, packetsPerCpuSecond: r.pps / (r.cpuPct / 100), layers: { [hallLayer]: halls } };
  } finally {
    src.close();
    fwd.removeAllListeners('exit');
    fwd.kill();
  }
}

async function mediasoupTrial(layout: 'oneRouter' | 'perHall', sinkPort: number, halls: number): Promise<Trial> {
  const pool = await WorkerPool.create({ count: 1, rtcPort: 0, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', logLevel: 'error', log, onDied: () => undefined });
  const sites = ['hub', ...Array.from({ length: halls }, (_, i) => `hall-${i}`)];
  const session = await Session.create('bench-p2', sites, pool);
  let src: RtpSource | undefined;
  try {
    const { router } = await session.router('hub');
    const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const params = producerParams();
    const hubIds: string[] = [];
    for (const kind of ['video', 'audio'] as const) {
      const p = await ingest.produce({ kind, rtpParameters: params[kind] });
      hubIds.push((await session.addLocal('hub', p, 'source')).producer.id);
    }
    src = (await RtpSource.open({ ip: '127.0.0.1', port: ingest.tuple.localPort })).start();
    const consumers: ms.Consumer[] = [];
    for (let i = 0; i < halls; i++) {
      const site = `hall-${i}`;
      // oneRouter: the calls a hall's join makes (media/hall.ts), with a plain transport instead of WebRTC;
      // perHall: a router of the site's own, each programme producer piped into it from the hub
      const r = layout === 'oneRouter' ? (await session.router(site)).router : await pool.workers[0]!.worker.createRouter({ mediaCodecs });
      const t = await r.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
      await t.connect({ ip: '127.0.0.1', port: sinkPort });
      for (const hubId of hubIds) {
        const producerId = layout === 'oneRouter'
          ? await session.producerIdIn(site, hubId)
          : (await router.pipeToRouter({ producerId: hubId, router: r, keepId: false, enableSctp: false })).pipeProducer!.id;
        const c = await t.consume({ producerId, rtpCapabilities: r.rtpCapabilities, paused: true });
        await c.resume();
        consumers.push(c);
      }
    }
    const packets = async () => {
      let n = 0;
      for (const c of consumers) for (const s of await c.getStats()) if (s.type === 'outbound-rtp') n += s.packetCount;
      return n;
    };
    const r = await measure(pool.workers[0]!.worker.pid, packets);
    const layers: Record<string, number> = {};
    for (const c of consumers) if (c.kind === 'video') layers[String(c.currentLayers?.spatialLayer ?? 'none')] = (layers[String(c.currentLayers?.spatialLayer ?? 'none')] ?? 0) + 1;
    const modal = Object.entries(layers).filter(([k]) => k !== 'none').sort((a, b) => b[1] - a[1])[0];
    if (modal && layout === 'oneRouter') hallLayer = Number(modal[0]);
    return { layout, halls, cpuPct: r.cpuPct, packetsOutPerSec: r.pps, packetsPerCpuSecond: r.pps / (r.cpuPct / 100), layers };
  } finally {
    src?.close();
    await session.close();
    pool.close();
  }
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function summarize(trials: Trial[]) {
  return {
    halls: trials[0]!.halls,
    runs: trials.length,
    cpuPct: round(median(trials.map((t) => t.cpuPct))),
    packetsOutPerSec: Math.round(median(trials.map((t) => t.packetsOutPerSec))),
    packetsPerCpuSecond: Math.round(median(trials.map((t) => t.packetsPerCpuSecond))),
    cpuMsPerHallSecond: round((median(trials.map((t) => t.cpuPct)) * 10) / trials[0]!.halls, 3),
    packetsPerHallPerSec: round(median(trials.map((t) => t.packetsOutPerSec)) / trials[0]!.halls),
    layers: trials.map((t) => t.layers),
  };
}

async function main(): Promise<void> {
  const build = buildRawForwarder();
  const bin = build.bin;
  const sinkPort = await freeUdpPort();
  const sink = await runRaw(bin, ['sink', String(sinkPort)]);
  const loadAtStart = loadavg()[0]!;
  const trials: Trial[] = [];
  try {
    // alternate the layouts within each run so drifting load falls on all of them
    for (let run = 0; run < RUNS; run++) {
      // the raw forwarder last: it copies the layer the halls of this run settled on
      const order: Layout[] = run % 2 ? ['perHall', 'oneRouter', 'raw'] : ['oneRouter', 'raw', 'perHall'];
      for (const layout of order) {
        const t = layout === 'raw' ? await rawTrial(bin, sinkPort, HALLS) : await mediasoupTrial(layout, sinkPort, HALLS);
        trials.push(t);
        console.log(`run ${run + 1} ${layout.padEnd(9)} ${HALLS} halls: cpu ${t.cpuPct.toFixed(1)} %  out ${Math.round(t.packetsOutPerSec)} pkt/s  → ${Math.round(t.packetsPerCpuSecond)} pkt per cpu-s  (halls per layer: ${JSON.stringify(t.layers)})`);
      }
    }
    // consumers per worker: oneRouter at more halls, fitted as cpu = base + perHall × halls
    for (const n of SWEEP) {
      for (let run = 0; run < Math.max(3, Math.ceil(RUNS / 2)); run++) {
        const t = await mediasoupTrial('oneRouter', sinkPort, n);
        trials.push(t);
        console.log(`sweep oneRouter ${n} halls: cpu ${t.cpuPct.toFixed(1)} %  out ${Math.round(t.packetsOutPerSec)} pkt/s  → ${Math.round(t.packetsPerCpuSecond)} pkt per cpu-s`);
      }
    }
  } finally {
    sink.removeAllListeners('exit');
    sink.kill();
    build.dispose();
  }
  const at = (layout: Layout, halls: number) => summarize(trials.filter((t) => t.layout === layout && t.halls === halls));
  const raw = at('raw', HALLS);
  const one = at('oneRouter', HALLS);
  const per = at('perHall', HALLS);
  const points = [HALLS, ...SWEEP].map((n) => at('oneRouter', n));
  // least squares over the medians
  const xs = points.map((p) => p.halls);
  const ys = points.map((p) => p.cpuPct);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const base = my - slope * mx;
  const consumersPerWorkerAt80 = Math.floor((80 - base) / slope);
  const packetsPerHall = one.packetsOutPerSec / HALLS;
  // a hall on the top layer (720p) + audio, from the profile: what a real hall plays
  const topLayer = PROFILE.video[PROFILE.video.length - 1]!;
  const topPacketsPerHall = PROFILE.fps * Math.ceil((topLayer.kbps * 1000) / 8 / PROFILE.fps / PROFILE.maxPayload) + 1000 / PROFILE.audio.ptimeMs;
  const topLayerHallsPerWorkerAt80 = Math.floor((0.8 * one.packetsPerCpuSecond) / topPacketsPerHall);
  const result = {
    bench: 'p2-forwarding',
    at: new Date().toISOString(),
    machine: { cpus: availableParallelism(), loadAvgAtStart: round(loadAtStart, 2), loadAvgAtEnd: round(loadavg()[0]!, 2) },
    params: {
      runs: RUNS, halls: HALLS, sweep: SWEEP, windowSeconds: SECONDS,
      profile: { video: PROFILE.video.map((l) => `${l.width}x${l.height} ${l.kbps} kb/s`), fps: PROFILE.fps, temporalLayers: 3, audio: `Opus ${PROFILE.audio.kbps} kb/s` },
      transport: 'plain RTP to the halls (no SRTP); WebRTC halls add SRTP encryption per packet',
      hallStreams: 'one simulcast layer (mediasoup\'s choice, see layouts.*.layers: 0 = 180p, 1 = 360p, 2 = 720p) + audio per hall; the raw forwarder sends the same two SSRCs',
    },
    mediasoupPacketsPerCpuSecond: one.packetsPerCpuSecond,
    rawPacketsPerCpuSecond: raw.packetsPerCpuSecond,
    consumersPerWorkerAt80,
    hallsPerWorkerAt80: consumersPerWorkerAt80,
    consumersNote: 'halls (one video + one audio consumer each) one worker core carries at 80 % CPU, oneRouter layout, from a linear fit of CPU over the halls measured',
    topLayerHallsPerWorkerAt80,
    topLayerNote: `halls on the 720p layer + audio (${topPacketsPerHall} packets/s each) one worker core carries at 80 %, from the packets per CPU-second measured`,
    fit: { baseCpuPct: round(base, 2), cpuPctPerHall: round(slope, 4), packetsPerHallPerSec: round(packetsPerHall) },
    layouts: { raw, oneRouter: one, perHall: per, oneRouterSweep: points },
    perHallVsOneRouter: { cpuRatio: round(per.cpuPct / one.cpuPct, 2), packetsPerCpuSecondRatio: round(one.packetsPerCpuSecond / per.packetsPerCpuSecond, 2) },
    anchors: {
      livekit: '1 publisher → 3,000 subscribers at 92 % of 16 vCPU: 560,962 packets/s, ≈ 38,000 packets/s per vCPU (WebRTC, SRTP)',
      mediasoup: '~500 consumers per worker (mediasoup scalability guidance)',
      livekitPacketsPerVcpu: 38_000,
      mediasoupConsumersPerWorker: 500,
    },
    trials,
  };
  console.log(`\n${HALLS} halls, medians of ${RUNS} runs (same run, side by side):`);
  for (const [name, s] of Object.entries({ raw, oneRouter: one, perHall: per })) {
    console.log(`  ${name.padEnd(9)} cpu ${s.cpuPct} %  out ${s.packetsOutPerSec} pkt/s  ${s.packetsPerCpuSecond} pkt per cpu-s  ${s.cpuMsPerHallSecond} cpu-ms per hall-second`);
  }
  console.log(`perHall / oneRouter CPU: ${result.perHallVsOneRouter.cpuRatio}×`);
  console.log(`720p halls (${topPacketsPerHall} pkt/s each) per worker core at 80 %: ${topLayerHallsPerWorkerAt80}`);
  console.log(`oneRouter fit: ${round(base, 2)} % + ${round(slope, 4)} % per hall → ${consumersPerWorkerAt80} halls per worker core at 80 %`);
  console.log('anchors: LiveKit ≈ 38k pkt/s per vCPU (WebRTC); mediasoup guidance ~500 consumers per worker');
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'p2-forwarding.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/p2-forwarding.json');
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
