// P3 without the browser: how long a hall waits for its first keyframe one and
// three relay hops below the camera. A chain of real media nodes (root → n1 →
// n2 → n3, linked as in production), the studio's camera at the root
// (bench/lib/rtp-source.ts answers every PLI/FIR with a keyframe on the next
// frame, as a browser does), halls joining one at a time as media/hall.ts makes
// them join (a consumer made paused, then resumed, which asks for a keyframe),
// over plain RTP, a little over a second after the last. What is left of the
// browser's first-frame time once the keyframe has arrived is the page's own
// (ICE, DTLS, decode, paint). Twice: the camera's keyframe coalescing off (the
// default) and on at 1 s (MEDIA_KEYFRAME_COALESCE_MS, media/session.ts), which is
// what a single join pays for it.
//
//   node --import tsx bench/p3-keyframe-hops.ts [--rounds 30]
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startMediaNode, type MediaNode } from '../media/node.js';
import { keyframeCoalesceMs } from '../media/session.js';
import { quantile } from './lib/proc-cpu.js';
import { buildRawForwarder, freeUdpPort, runRaw } from './lib/raw-forwarder.js';
import { RtpSource, producerParams } from './lib/rtp-source.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const ROUNDS = Number(values.rounds);
const CONF = 'bench-p3-hops';
const HERE = dirname(fileURLToPath(import.meta.url));
const log = pino({ level: 'warn' }, pino.destination(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const DEPTHS = { oneHop: 1, threeHops: 3 } as const;
type Which = keyof typeof DEPTHS;

const stat = (xs: number[]) => ({ n: xs.length, median: round(quantile(xs, 0.5)), p90: round(quantile(xs, 0.9)), max: round(quantile(xs, 1)) });
const mean = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length), 2);

async function phase(coalesceMs: number) {
  // read when the camera's producer is made, as media/hall.ts makes a studio's
  process.env.MEDIA_KEYFRAME_COALESCE_MS = String(coalesceMs);
  const tokenSecret = randomBytes(16).toString('hex');
  const nodeSecret = randomBytes(16).toString('hex');
  const raw = buildRawForwarder();
  const sinkPort = await freeUdpPort();
  const sink = await runRaw(raw.bin, ['sink', String(sinkPort)]);
  const nodes: MediaNode[] = [];
  let src: RtpSource | undefined;
  try {
    for (let i = 0; i <= 3; i++) {
      const sites = Array.from({ length: ROUNDS + 1 }, (_, k) => `n${i}-h${k}`);
      nodes.push(await startMediaNode({ nodeId: `n${i}`, sites, parent: i ? nodes[i - 1]!.url : null, workers: 1, tokenSecret, nodeSecret, log }));
    }
    const rs = await nodes[0]!.cascade.session(CONF);
    const { router } = await rs.router('n0-h0');
    const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const p = await ingest.produce({ kind: 'video', rtpParameters: producerParams().video, keyFrameRequestDelay: keyframeCoalesceMs() });
    const videoId = (await rs.addLocal('n0-h0', p, 'source')).producer.id;
    src = (await RtpSource.open({ ip: '127.0.0.1', port: ingest.tuple.localPort })).start();
    for (const n of nodes) {
      const deadline = Date.now() + 20_000;
      while (!n.cascade.ready.get(CONF)?.producers.has(videoId)) {
        if (Date.now() > deadline) throw new Error(`the programme never reached ${n.nodeId}`);
        await sleep(100);
      }
    }
    await sleep(3000);
    const samples: Record<Which, number[]> = { oneHop: [], threeHops: [] };
    const requests: Record<Which, number[]> = { oneHop: [], threeHops: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const order: Which[] = i % 2 ? ['threeHops', 'oneHop'] : ['oneHop', 'threeHops'];
      for (const which of order) {
        const node = nodes[DEPTHS[which]]!;
        const s = node.cascade.ready.get(CONF)!;
        const site = `${node.nodeId}-h${i + 1}`;
        const { router: r } = await s.router(site);
        const t = await r.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
        await t.connect({ ip: '127.0.0.1', port: sinkPort });
        const c = await t.consume({ producerId: await s.producerIdIn(site, videoId), rtpCapabilities: r.rtpCapabilities, paused: true });
        await c.enableTraceEvent(['keyframe']);
        const before = src.keyRequestTotal;
        const t0 = performance.now();
        const first = new Promise<number>((resolve) => c.on('trace', (ev) => { if (ev.type === 'keyframe' && ev.direction === 'out') resolve(performance.now() - t0); }));
        // as media/hall.ts: resuming asks for the keyframe
        await c.resume();
        const ms = await Promise.race([first, sleep(5000).then(() => 5000)]);
        samples[which].push(ms);
        // halls arriving one by one, a little over a second apart
        await sleep(1100);
        // what this join asked the camera for, a window's late request included
        requests[which].push(src.keyRequestTotal - before);
        t.close();
      }
    }
    const result = {
      coalesceMs,
      oneHop: stat(samples.oneHop),
      threeHops: stat(samples.threeHops),
      p90Ratio: round(quantile(samples.threeHops, 0.9) / quantile(samples.oneHop, 0.9), 2),
      // requests reaching the camera (all layers) from a join until the next, 1.1 s later
      keyRequestsAtCameraPerJoin: { oneHop: mean(requests.oneHop), threeHops: mean(requests.threeHops) },
      samples,
    };
    for (const w of ['oneHop', 'threeHops'] as const) console.log(`coalescing ${coalesceMs || 'off'} ${w.padEnd(9)} first keyframe ms: median ${result[w].median}  p90 ${result[w].p90}  max ${result[w].max}  (n=${result[w].n}); requests at the camera per join ${result.keyRequestsAtCameraPerJoin[w]}`);
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
    bench: 'p3-keyframe-hops',
    at: new Date().toISOString(),
    machine: { cpus: availableParallelism(), loadAvgAtStart: round(loadAtStart, 2), loadAvgAtEnd: round(loadavg()[0]!, 2) },
    what: 'hall consumer resumed (which asks for a keyframe) → first keyframe it sends out, ms; RTP-level halls, camera answering PLIs on its next frame (33 ms at 30 fps); the camera\'s keyframe coalescing off (the default) and at 1 s',
    rounds: ROUNDS,
    oneHop: off.oneHop,
    threeHops: off.threeHops,
    p90Ratio: off.p90Ratio,
    keyRequestsAtCameraPerJoin: off.keyRequestsAtCameraPerJoin,
    coalesced: { coalesceMs: on.coalesceMs, oneHop: on.oneHop, threeHops: on.threeHops, p90Ratio: on.p90Ratio, keyRequestsAtCameraPerJoin: on.keyRequestsAtCameraPerJoin },
    samples: { off: off.samples, on: on.samples },
  };
  mkdirSync(join(HERE, 'results'), { recursive: true });
  writeFileSync(join(HERE, 'results', 'p3-keyframe-hops.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/p3-keyframe-hops.json');
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
