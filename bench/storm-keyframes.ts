// Keyframe storm: 1,000 halls join one node within 10 s. Two real media nodes
// (the root with the studio's camera, bench/lib/rtp-source.ts, and a child node
// the halls join, linked as in production); each hall joins as media/hall.ts
// makes it join (a consumer made paused, then resumed, which asks for a
// keyframe), over a plain RTP transport. Counts, per simulcast layer, the
// keyframe requests (PLI/FIR) the camera's producer sends the camera and the
// keyframes the camera sends back, with the worker's own timestamps, and the
// busiest second of each (a sliding window); and each hall's first frame: the
// first keyframe its consumer sends out, from the moment it was resumed. Twice,
// side by side: the camera's keyframe coalescing off (the default) and on at
// 1 s (MEDIA_KEYFRAME_COALESCE_MS, media/session.ts).
//
//   node --import tsx bench/storm-keyframes.ts [--halls 1000] [--seconds 10]
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { types as ms } from 'mediasoup';
import { pino } from 'pino';
import { startMediaNode, type MediaNode } from '../media/node.js';
import { keyframeCoalesceMs } from '../media/session.js';
import { quantile } from './lib/proc-cpu.js';
import { buildRawForwarder, freeUdpPort, runRaw } from './lib/raw-forwarder.js';
import { PROFILE, RtpSource, producerParams } from './lib/rtp-source.js';

const { values } = parseArgs({ options: { halls: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } } });
const HALLS = Number(values.halls);
const SECONDS = Number(values.seconds);
const CONF = 'bench-storm';
const HERE = dirname(fileURLToPath(import.meta.url));
const log = pino({ level: 'warn' }, pino.destination(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const LAYERS = PROFILE.video.map((l) => ({ ssrc: l.ssrc, name: `${l.width}x${l.height}` }));

/** The most events in any 1-second window (sliding, from each event); `times` sorted, ms. */
function busiestSecond(times: number[]): number {
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j]! - times[i]! < 1000) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

type Event = { ssrc: number; at: number };
/** Per layer: how many, the busiest second, and the shortest gap between two (ms; the worker's clock has whole ms). */
function perLayer(events: Event[]) {
  const out: Record<string, { total: number; busiestSecond: number; minGapMs: number | null }> = {};
  for (const l of LAYERS) {
    const ts = events.filter((e) => e.ssrc === l.ssrc).map((e) => e.at).sort((a, b) => a - b);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    out[l.name] = { total: ts.length, busiestSecond: busiestSecond(ts), minGapMs: gaps.length ? Math.min(...gaps) : null };
  }
  return out;
}

async function phase(coalesceMs: number) {
  process.env.MEDIA_KEYFRAME_COALESCE_MS = String(coalesceMs);
  const tokenSecret = randomBytes(16).toString('hex');
  const nodeSecret = randomBytes(16).toString('hex');
  const raw = buildRawForwarder();
  const sinkPort = await freeUdpPort();
  const sink = await runRaw(raw.bin, ['sink', String(sinkPort)]);
  const sites = Array.from({ length: HALLS }, (_, i) => `hall-${i}`);
  const nodes: MediaNode[] = [];
  let src: RtpSource | undefined;
  try {
    nodes.push(await startMediaNode({ nodeId: 'root', sites: ['studio'], parent: null, workers: 1, tokenSecret, nodeSecret, log }));
    nodes.push(await startMediaNode({ nodeId: 'n1', sites, parent: nodes[0]!.url, workers: 1, tokenSecret, nodeSecret, log }));
    const rs = await nodes[0]!.cascade.session(CONF);
    const { router } = await rs.router('studio');
    const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    // the camera's producer, coalescing as media/hall.ts sets a studio's
    const p = await ingest.produce({ kind: 'video', rtpParameters: producerParams().video, keyFrameRequestDelay: keyframeCoalesceMs() });
    // what the producer asks the camera for and what comes back, timed by the worker (ms)
    const asked: Event[] = [];
    const keyframes: Event[] = [];
    await p.enableTraceEvent(['pli', 'fir', 'keyframe']);
    p.on('trace', (ev) => {
      const info = ev.info as { ssrc?: number; rtpPacket?: { ssrc?: number } } | undefined;
      if ((ev.type === 'pli' || ev.type === 'fir') && ev.direction === 'out') asked.push({ ssrc: Number(info?.ssrc), at: ev.timestamp });
      if (ev.type === 'keyframe' && ev.direction === 'in') keyframes.push({ ssrc: Number(info?.rtpPacket?.ssrc), at: ev.timestamp });
    });
    const videoId = (await rs.addLocal('studio', p, 'source')).producer.id;
    src = (await RtpSource.open({ ip: '127.0.0.1', port: ingest.tuple.localPort })).start();
    const deadline = Date.now() + 20_000;
    while (!nodes[1]!.cascade.ready.get(CONF)?.producers.has(videoId)) {
      if (Date.now() > deadline) throw new Error('the programme never reached n1');
      await sleep(100);
    }
    const s = nodes[1]!.cascade.ready.get(CONF)!;
    await sleep(3000);

    const requestsBefore = src.keyRequestTimes.length;
    const askedBefore = asked.length;
    const keyframesBefore = keyframes.length;
    const t0 = performance.now();
    const firstFrameMs: number[] = [];
    const pending: Promise<void>[] = [];
    const consumers: ms.Consumer[] = [];
    let failed = 0;
    for (let i = 0; i < HALLS; i++) {
      const at = t0 + (i * SECONDS * 1000) / HALLS;
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push((async () => {
        const site = sites[i]!;
        const { router: r } = await s.router(site);
        const t = await r.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
        await t.connect({ ip: '127.0.0.1', port: sinkPort });
        const c = await t.consume({ producerId: await s.producerIdIn(site, videoId), rtpCapabilities: r.rtpCapabilities, paused: true });
        consumers.push(c);
        await c.enableTraceEvent(['keyframe']);
        let resumedAt = 0;
        c.on('trace', (ev) => {
          if (ev.type === 'keyframe' && ev.direction === 'out' && resumedAt && c.appData.first === undefined) {
            c.appData.first = true;
            firstFrameMs.push(performance.now() - resumedAt);
            // the hall's later keyframes are not needed: spare the bench their events
            c.enableTraceEvent([]).catch(() => undefined);
          }
        });
        resumedAt = performance.now();
        // as media/hall.ts: resuming asks for the keyframe
        await c.resume();
      })().catch(() => { failed++; }));
    }
    await Promise.all(pending);
    const joinSeconds = (performance.now() - t0) / 1000;
    // every hall's first frame (or 5 s), then a window's late request
    const until = performance.now() + 5000;
    while (firstFrameMs.length < HALLS - failed && performance.now() < until) await sleep(100);
    await sleep(1500);
    const windowEnd = performance.now();
    const times = src.keyRequestTimes.slice(requestsBefore).filter((t) => t >= t0 && t <= windowEnd);
    const spanSeconds = (windowEnd - t0) / 1000;
    const askedNow = asked.slice(askedBefore);
    const ff = firstFrameMs;
    const result = {
      coalesceMs,
      joinedInSeconds: round(joinSeconds, 2),
      failedJoins: failed,
      overSeconds: round(spanSeconds, 1),
      // what the camera was asked for: all layers together, then per layer (worker timestamps)
      requestsToCamera: { total: askedNow.length, busiestSecond: busiestSecond(askedNow.map((e) => e.at).sort((a, b) => a - b)), perLayer: perLayer(askedNow) },
      keyframesFromCamera: { perLayer: perLayer(keyframes.slice(keyframesBefore)) },
      // the same requests as the camera's socket counted them (Node's clock)
      requestsAtCameraSocket: { total: times.length, busiestSecond: busiestSecond(times) },
      firstFrameMs: { n: ff.length, median: round(quantile(ff, 0.5)), p90: round(quantile(ff, 0.9)), p99: round(quantile(ff, 0.99)), max: round(quantile(ff, 1)) },
      hallsWithoutFrame: HALLS - ff.length,
    };
    const layers = (x: ReturnType<typeof perLayer>) => Object.entries(x).map(([k, v]) => `${k} ${v.total} (busiest s ${v.busiestSecond}, min gap ${v.minGapMs} ms)`).join(', ');
    console.log(`coalescing ${coalesceMs ? `${coalesceMs} ms` : 'off'}: ${HALLS} halls joined n1 in ${round(joinSeconds, 1)} s (${failed} failed)`);
    console.log(`  requests to the camera: ${askedNow.length} over ${round(spanSeconds, 1)} s, busiest second ${result.requestsToCamera.busiestSecond}; per layer ${layers(result.requestsToCamera.perLayer)}`);
    console.log(`  keyframes from the camera per layer: ${layers(result.keyframesFromCamera.perLayer)}`);
    console.log(`  first frame after resume (ms): median ${result.firstFrameMs.median}  p90 ${result.firstFrameMs.p90}  p99 ${result.firstFrameMs.p99}  max ${result.firstFrameMs.max}  (n=${ff.length}, ${result.hallsWithoutFrame} without)`);
    return result;
  } finally {
    src?.close();
    for (const n of nodes.reverse()) await n.close();
    sink.removeAllListeners('exit');
    sink.kill();
    raw.dispose();
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const off = await phase(0);
  const on = await phase(1000);
  const result = {
    bench: 'storm-keyframes',
    at: new Date().toISOString(),
    machine: { cpus: availableParallelism(), loadAvgAtStart: round(loadAtStart, 2), loadAvgAtEnd: round(loadavg()[0]!, 2) },
    params: { halls: HALLS, joinWithinSeconds: SECONDS, nodes: 'root (camera) → n1 (the halls)', hallKind: 'plain RTP, video only, one site each' },
    what: 'per simulcast layer: keyframe requests (PLI/FIR) the camera was asked for and keyframes it sent, total and in the busiest second (sliding); first frame = resume → first keyframe the hall\'s consumer sends, ms',
    off,
    on,
    sideBySide: {
      busiestSecondRequestsPerLayer: { off: Object.fromEntries(Object.entries(off.requestsToCamera.perLayer).map(([k, v]) => [k, v.busiestSecond])), on: Object.fromEntries(Object.entries(on.requestsToCamera.perLayer).map(([k, v]) => [k, v.busiestSecond])) },
      busiestSecondKeyframesPerLayer: { off: Object.fromEntries(Object.entries(off.keyframesFromCamera.perLayer).map(([k, v]) => [k, v.busiestSecond])), on: Object.fromEntries(Object.entries(on.keyframesFromCamera.perLayer).map(([k, v]) => [k, v.busiestSecond])) },
      firstFrameMs: { off: { p50: off.firstFrameMs.median, p90: off.firstFrameMs.p90 }, on: { p50: on.firstFrameMs.median, p90: on.firstFrameMs.p90 } },
    },
  };
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'storm-keyframes.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/storm-keyframes.json');
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
