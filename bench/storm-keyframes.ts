// Keyframe storm: 1,000 halls join one node within 10 s. Two real media nodes
// (the root with the studio's camera, bench/lib/rtp-source.ts, and a child node
// the halls join, linked as in production); each hall joins as media/hall.ts
// makes it join (a consumer made paused, resumed, a keyframe asked for), over a
// plain RTP transport. Counts the keyframe requests (PLI/FIR) that reach the
// camera, per second, and each hall's first frame: the first keyframe its
// consumer sends out, from the moment it was resumed. Twice, side by side: the
// relays' keyframe coalescing off (the default) and on at 1 s
// (MEDIA_KEYFRAME_COALESCE_MS, media/cascade.ts).
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
import { quantile } from './lib/proc-cpu.js';
import { buildRawForwarder, freeUdpPort, runRaw } from './lib/raw-forwarder.js';
import { RtpSource, producerParams } from './lib/rtp-source.js';

const { values } = parseArgs({ options: { halls: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } } });
const HALLS = Number(values.halls);
const SECONDS = Number(values.seconds);
const CONF = 'bench-storm';
const HERE = dirname(fileURLToPath(import.meta.url));
const log = pino({ level: 'warn' }, pino.destination(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

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
    const p = await ingest.produce({ kind: 'video', rtpParameters: producerParams().video });
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
          }
        });
        resumedAt = performance.now();
        await c.resume();
        await c.requestKeyFrame();
      })().catch(() => { failed++; }));
    }
    await Promise.all(pending);
    const joinSeconds = (performance.now() - t0) / 1000;
    await sleep(3000);
    const windowEnd = performance.now();
    const times = src.keyRequestTimes.slice(requestsBefore).filter((t) => t >= t0 && t <= windowEnd);
    // the busiest 1-second window (sliding, from each request)
    let maxPerSecond = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && times[j]! - times[i]! < 1000) j++;
      maxPerSecond = Math.max(maxPerSecond, j - i);
    }
    const spanSeconds = (windowEnd - t0) / 1000;
    const ff = firstFrameMs;
    const result = {
      coalesceMs,
      joinedInSeconds: round(joinSeconds, 2),
      failedJoins: failed,
      sourceKeyRequests: { total: times.length, overSeconds: round(spanSeconds, 1), perSecondMean: round(times.length / spanSeconds, 2), perSecondMax: maxPerSecond, bySsrc: Object.fromEntries(src.keyRequests) },
      firstFrameMs: { n: ff.length, median: round(quantile(ff, 0.5)), p90: round(quantile(ff, 0.9)), p99: round(quantile(ff, 0.99)), max: round(quantile(ff, 1)) },
      hallsWithoutFrame: HALLS - ff.length,
    };
    console.log(`coalescing ${coalesceMs ? `${coalesceMs} ms` : 'off'}: ${HALLS} halls joined n1 in ${round(joinSeconds, 1)} s (${failed} failed)`);
    console.log(`  keyframe requests reaching the camera: ${times.length} over ${round(spanSeconds, 1)} s, busiest second ${maxPerSecond}, mean ${result.sourceKeyRequests.perSecondMean}/s`);
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
    off,
    on,
  };
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'storm-keyframes.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/storm-keyframes.json');
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
