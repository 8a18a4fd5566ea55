// Recording one conference at its root: CPU and memory of forwarding alone
// next to forwarding while recording, in the same run, and the recording's
// quality figures (A/V offset on flashes and beeps, duration error).
//
// One mediasoup worker, a session, an ffmpeg feed (VP8 + Opus RTP, a white
// flash and a 1 kHz beep every second) through the ingest, and three "halls"
// (PlainTransport consumers sending to a socket here). Phase 1: forwarding only.
// Phase 2: a fresh feed of 60 s, the same halls, and the recorder (GStreamer,
// VP8 stored as sent). Phase 3: the same with an H.264 feed (a hardware
// encoder), which the recorder decodes and encodes to VP8. CPU is read from
// /proc/<pid>/stat over the same window of each phase: the worker and this
// process, plus the pipeline in phases 2 and 3.
//
//   node --import tsx bench/recording.ts [--window 20] [--seconds 60] [--size 1280x720]
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { types as ms } from 'mediasoup';
import { createIngest, type Ingest } from '../media/ingest.js';
import { Recorder } from '../media/recorder.js';
import type { SegmentFile } from '../media/recording-files.js';
import { Session } from '../media/session.js';
import { StatsRegistry } from '../media/stats.js';
import { WorkerPool } from '../media/workers.js';
import { avOffsets, concat, decode, FlashFeed, median } from '../test/media/recording-support.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const WINDOW = Number(args.get('window') ?? 20);
const SECONDS = Number(args.get('seconds') ?? 60);
const HALLS = 3;
/** The feed's picture size: a studio camera's 720p by default (the H.264 re-encode scales with it). */
const SIZE = args.get('size') ?? '1280x720';
const IP = '127.0.0.1';
const HERE = dirname(fileURLToPath(import.meta.url));
const WORK = join(HERE, '..', '.cache', 'bench-recording');
const TICK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}
/** CPU % (of one core) of each process over `seconds`. */
async function measure(pids: Record<string, number>, seconds: number): Promise<Record<string, number>> {
  const t0 = process.hrtime.bigint();
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
  await sleep(seconds * 1000);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, Math.round(((cpuSeconds(p) - before[k]!) / wall) * 1000) / 10]));
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0];
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const log = pino({ level: 'warn' }, pino.destination(2));
  const pool = await WorkerPool.create({ count: 1, rtcPort: 0, listenIp: IP, announcedIp: IP, logLevel: 'warn', log, onDied: (err) => { throw err; } });
  const worker = pool.workers[0]!.worker.pid;
  const stats = new StatsRegistry('bench');
  const session = await Session.create('bench-rec', ['tw'], pool);
  const sink = createSocket('udp4');
  let received = 0;
  sink.on('message', (m) => { received += m.length; });
  await new Promise<void>((r) => sink.bind(0, IP, () => r()));

  /** Halls: every programme producer consumed over a PlainTransport to the sink. */
  const halls = async (): Promise<ms.PlainTransport[]> => {
    const ts: ms.PlainTransport[] = [];
    for (let h = 0; h < HALLS; h++) {
      for (const p of session.programme().producers) {
        const t = await session.hub.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: false });
        await t.connect({ ip: IP, port: sink.address().port });
        await t.consume({ producerId: p.id, rtpCapabilities: session.hub.router.rtpCapabilities });
        ts.push(t);
      }
    }
    return ts;
  };
  const source = async (codec: 'VP8' | 'H264' = 'VP8'): Promise<Ingest> =>
    createIngest({ session, site: 'tw', tag: 'source', streams: [{ kind: 'video', codec }, { kind: 'audio' }], listenIp: IP, announcedIp: IP, stats });

  // phase 1: forwarding only
  const in1 = await source();
  const f1 = new FlashFeed(in1.res, { colour: 'blue', seconds: WINDOW + 6, size: SIZE }).start();
  const h1 = await halls();
  await sleep(3000);
  const forward = await measure({ worker, node: process.pid }, WINDOW);
  const forwardRss = { worker: rssMb(worker) };
  await f1.done;
  for (const t of h1) t.close();
  in1.close();
  console.log(`forwarding: worker ${forward.worker} %, this process ${forward.node} % (${received} bytes to ${HALLS} halls)`);

  /** Phases 2 and 3: the same forwarding, and the recorder, on a fresh feed of `codec`. */
  const recordPhase = async (codec: 'VP8' | 'H264') => {
    const dir = join(WORK, codec);
    mkdirSync(dir, { recursive: true });
    const segments: SegmentFile[] = [];
    const recorder = new Recorder({ session, recording: `bench-${codec.toLowerCase()}`, root: dir, segmentMs: 10_000, minFreeBytes: 1 << 20, onSegment: (s) => segments.push(s), log });
    const input = await source(codec);
    for (let i = 0; i < 100 && !recorder.pid; i++) await sleep(100);
    if (!recorder.pid) throw new Error('the recorder did not start');
    const h = await halls();
    const feed = new FlashFeed(input.res, { colour: 'blue', seconds: SECONDS, size: SIZE, codec }).start();
    await sleep(3000);
    const gst = recorder.pid;
    const cpu = await measure({ worker, node: process.pid, pipeline: gst }, WINDOW);
    const rss = { worker: rssMb(worker), pipeline: rssMb(gst) };
    await feed.done;
    await sleep(1000);
    await recorder.close();
    for (const t of h) t.close();
    input.close();
    segments.sort((a, b) => a.meta.startedAt - b.meta.startedAt);
    const total = segments.reduce((n, s) => n + s.meta.durationMs, 0) / 1000;
    const whole = join(dir, 'whole.webm');
    await concat(segments.map((s) => s.file), whole);
    const offsets = avOffsets(await decode(whole));
    const r = {
      /** median audio − video offset on the flashes and beeps (ms); the largest in avOffsetMaxMs */
      avOffsetMs: median(offsets),
      avOffsetMaxMs: Math.max(...offsets.map(Math.abs)),
      pairs: offsets.length,
      durationErrorPct: Math.round((Math.abs(total - SECONDS) / SECONDS) * 10_000) / 100,
      recordedSeconds: total,
      segments: segments.length,
      /** CPU % of one core: mediasoup worker + this process + the GStreamer pipeline */
      cpuPct: Math.round((cpu.worker! + cpu.node! + cpu.pipeline!) * 10) / 10,
      cpu,
      rss,
    };
    console.log(`recording ${codec}: worker ${cpu.worker} %, this process ${cpu.node} %, pipeline ${cpu.pipeline} % (RSS ${rss.pipeline} MB)`);
    console.log(`  A/V offset median ${r.avOffsetMs} ms (max ${r.avOffsetMaxMs} ms, ${offsets.length} pairs); ${total.toFixed(2)} s recorded of ${SECONDS} s: error ${r.durationErrorPct} %`);
    return r;
  };
  const vp8 = await recordPhase('VP8');
  const h264 = await recordPhase('H264');
  const result = {
    bench: 'recording',
    at: new Date().toISOString(),
    params: { windowSeconds: WINDOW, recordedSeconds: SECONDS, halls: HALLS, size: SIZE, cpus: availableParallelism(), loadAvgAtStart: loadAtStart, segmentMs: 10_000 },
    // the VP8 recording's figures at the top level, as before
    avOffsetMs: vp8.avOffsetMs,
    avOffsetMaxMs: vp8.avOffsetMaxMs,
    pairs: vp8.pairs,
    durationErrorPct: vp8.durationErrorPct,
    recordedSeconds: vp8.recordedSeconds,
    segments: vp8.segments,
    /** CPU % of one core: mediasoup worker + this process (+ the GStreamer pipeline when recording) */
    forwardCpuPct: Math.round((forward.worker! + forward.node!) * 10) / 10,
    recordCpuPct: vp8.cpuPct,
    /** the same with an H.264 source, re-encoded to VP8 by the pipeline */
    recordH264CpuPct: h264.cpuPct,
    h264PipelineToVp8Pipeline: Math.round((h264.cpu.pipeline! / Math.max(0.1, vp8.cpu.pipeline!)) * 10) / 10,
    cpuByProcess: { forward, record: vp8.cpu, recordH264: h264.cpu },
    rssMb: { forward: forwardRss, record: vp8.rss, recordH264: h264.rss },
    h264: { avOffsetMs: h264.avOffsetMs, avOffsetMaxMs: h264.avOffsetMaxMs, pairs: h264.pairs, durationErrorPct: h264.durationErrorPct, recordedSeconds: h264.recordedSeconds, segments: h264.segments },
  };
  console.log(`CPU forwarding ${result.forwardCpuPct} % vs recording VP8 ${result.recordCpuPct} % vs recording H.264 → VP8 ${result.recordH264CpuPct} % (of one core)`);
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'recording.json'), `${JSON.stringify(result, null, 2)}\n`);
  sink.close();
  await session.close();
  stats.close();
  pool.close();
  rmSync(WORK, { recursive: true, force: true });
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
