// Recording one conference at its root: CPU and memory of forwarding alone
// next to forwarding while recording, in the same run, and the recording's
// quality figures (A/V offset on flashes and beeps, duration error).
//
// One mediasoup worker, a session, an ffmpeg feed (VP8 + Opus RTP, a white
// flash and a 1 kHz beep every second) through the ingest, and three "halls"
// (PlainTransport consumers sending to a socket here). Phase 1: forwarding only.
// Phase 2: a fresh feed of 60 s, the same halls, and the recorder (GStreamer,
// no re-encoding). CPU is read from /proc/<pid>/stat over the same window of
// each phase: the worker and this process, plus the pipeline in phase 2.
//
//   node --import tsx bench/recording.ts [--window 20] [--seconds 60]
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
  const source = async (): Promise<Ingest> =>
    createIngest({ session, site: 'tw', tag: 'source', streams: [{ kind: 'video' }, { kind: 'audio' }], listenIp: IP, announcedIp: IP, stats });

  // phase 1: forwarding only
  const in1 = await source();
  const f1 = new FlashFeed(in1.res, { colour: 'blue', seconds: WINDOW + 6 }).start();
  const h1 = await halls();
  await sleep(3000);
  const forward = await measure({ worker, node: process.pid }, WINDOW);
  const forwardRss = { worker: rssMb(worker) };
  await f1.done;
  for (const t of h1) t.close();
  in1.close();
  console.log(`forwarding: worker ${forward.worker} %, this process ${forward.node} % (${received} bytes to ${HALLS} halls)`);

  // phase 2: the same forwarding, and the recorder
  const segments: SegmentFile[] = [];
  const recorder = new Recorder({ session, recording: 'bench', root: WORK, segmentMs: 10_000, minFreeBytes: 1 << 20, onSegment: (s) => segments.push(s), log });
  const in2 = await source();
  for (let i = 0; i < 100 && !recorder.pid; i++) await sleep(100);
  if (!recorder.pid) throw new Error('the recorder did not start');
  const h2 = await halls();
  const f2 = new FlashFeed(in2.res, { colour: 'blue', seconds: SECONDS }).start();
  await sleep(3000);
  const gst = recorder.pid;
  const record = await measure({ worker, node: process.pid, pipeline: gst }, WINDOW);
  const recordRss = { worker: rssMb(worker), pipeline: rssMb(gst) };
  await f2.done;
  await sleep(1000);
  await recorder.close();
  for (const t of h2) t.close();
  in2.close();
  console.log(`recording: worker ${record.worker} %, this process ${record.node} %, pipeline ${record.pipeline} %`);

  segments.sort((a, b) => a.meta.startedAt - b.meta.startedAt);
  const total = segments.reduce((n, s) => n + s.meta.durationMs, 0) / 1000;
  const durationErrorPct = Math.round((Math.abs(total - SECONDS) / SECONDS) * 10_000) / 100;
  const whole = join(WORK, 'whole.webm');
  await concat(segments.map((s) => s.file), whole);
  const d = await decode(whole);
  const offsets = avOffsets(d);
  const result = {
    bench: 'recording',
    at: new Date().toISOString(),
    params: { windowSeconds: WINDOW, recordedSeconds: SECONDS, halls: HALLS, cpus: availableParallelism(), loadAvgAtStart: loadAtStart, segmentMs: 10_000 },
    /** median audio − video offset on the flashes and beeps (ms); the largest in avOffsetMaxMs */
    avOffsetMs: median(offsets),
    avOffsetMaxMs: Math.max(...offsets.map(Math.abs)),
    pairs: offsets.length,
    durationErrorPct,
    recordedSeconds: total,
    segments: segments.length,
    /** CPU % of one core: mediasoup worker + this process (+ the GStreamer pipeline when recording) */
    forwardCpuPct: Math.round((forward.worker! + forward.node!) * 10) / 10,
    recordCpuPct: Math.round((record.worker! + record.node! + record.pipeline!) * 10) / 10,
    cpuByProcess: { forward, record },
    rssMb: { forward: forwardRss, record: recordRss },
  };
  console.log(`A/V offset median ${result.avOffsetMs} ms (max ${result.avOffsetMaxMs} ms, ${offsets.length} pairs); ${total.toFixed(2)} s recorded of ${SECONDS} s: error ${durationErrorPct} %`);
  console.log(`CPU forwarding ${result.forwardCpuPct} % vs recording ${result.recordCpuPct} %`);
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
