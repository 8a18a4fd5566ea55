// P5: the root's egress, cascade vs star. Measured on one real 3-level tree of
// media nodes on this machine (root → 2 provinces → 2 communes each, one
// mediasoup worker per node, linked as in production) with dozens of RTP-level
// halls per node: the root's actual bytes out (its pipes to child nodes and its
// own halls), then the same halls all served by the root (star). The national
// figures are computed from the per-stream bitrates measured in the same run:
// a two-tier tree centre → 34 provinces → communes and agency sites, at 3,356
// sites (today) and 31,000 sites.
//
//   node --import tsx bench/p5-egress.ts [--halls 20] [--seconds 6]
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { pino } from 'pino';
import { startMediaNode, type MediaNode } from '../media/node.js';
import type { Session } from '../media/session.js';
import { buildRawForwarder, freeUdpPort, runRaw } from './lib/raw-forwarder.js';
import { PROFILE, RtpSource, producerParams } from './lib/rtp-source.js';

const { values } = parseArgs({ options: { halls: { type: 'string', default: '20' }, seconds: { type: 'string', default: '6' } } });
const HALLS = Number(values.halls);
const SECONDS = Number(values.seconds);
const CONF = 'bench-p5';
const HERE = dirname(fileURLToPath(import.meta.url));
const log = pino({ level: 'warn' }, pino.destination(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

const TREE = [
  { id: 'root', parent: null },
  { id: 'p1', parent: 'root' },
  { id: 'p2', parent: 'root' },
  { id: 'c11', parent: 'p1' },
  { id: 'c12', parent: 'p1' },
  { id: 'c21', parent: 'p2' },
  { id: 'c22', parent: 'p2' },
] as const;
const sitesOf = (id: string) => Array.from({ length: HALLS }, (_, i) => `${id}-h${i}`);

/** Transports made in each node's worker, seen through mediasoup's observer (the node's own objects). */
const transportsOf = new Map<string, ms.Transport[]>();
let starting = '';
mediasoup.observer.on('newworker', (w) => {
  const node = starting;
  w.observer.on('newrouter', (r) => r.observer.on('newtransport', (t) => {
    const list = transportsOf.get(node) ?? [];
    list.push(t);
    transportsOf.set(node, list);
  }));
});

/** Bytes sent so far by the live transports of `node`, by kind of transport. */
async function bytesOut(node: string): Promise<{ pipe: number; plain: number; total: number }> {
  let pipe = 0;
  let plain = 0;
  for (const t of transportsOf.get(node) ?? []) {
    if (t.closed) continue;
    const s = (await t.getStats().catch(() => []))[0] as { bytesSent?: number } | undefined;
    if (t.constructor.name === 'PipeTransportImpl' || t.constructor.name === 'PipeTransport') pipe += s?.bytesSent ?? 0;
    else plain += s?.bytesSent ?? 0;
  }
  return { pipe, plain, total: pipe + plain };
}

async function rate(node: string): Promise<{ pipeMbps: number; hallsMbps: number; totalMbps: number }> {
  const a = await bytesOut(node);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const b = await bytesOut(node);
  const secs = (performance.now() - t0) / 1000;
  const mbps = (x: number) => (x * 8) / secs / 1e6;
  return { pipeMbps: mbps(b.pipe - a.pipe), hallsMbps: mbps(b.plain - a.plain), totalMbps: mbps(b.total - a.total) };
}

/** A hall as its join makes it (media/hall.ts), with a plain RTP transport to a sink. */
async function addHall(s: Session, site: string, ids: string[], sinkPort: number): Promise<void> {
  const { router } = await s.router(site);
  const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, appData: { hall: true } });
  await t.connect({ ip: '127.0.0.1', port: sinkPort });
  for (const id of ids) {
    const c = await t.consume({ producerId: await s.producerIdIn(site, id), rtpCapabilities: router.rtpCapabilities, paused: true });
    await c.resume();
    if (c.kind === 'video') await c.requestKeyFrame();
  }
}

async function main(): Promise<void> {
  const tokenSecret = randomBytes(16).toString('hex');
  const nodeSecret = randomBytes(16).toString('hex');
  const nodes = new Map<string, MediaNode>();
  // a receiver that never reads: the kernel drops what the halls get
  const raw = buildRawForwarder();
  const sinkPort = await freeUdpPort();
  const sink = await runRaw(raw.bin, ['sink', String(sinkPort)]);
  let src: RtpSource | undefined;
  const loadAtStart = loadavg()[0]!;
  try {
    for (const n of TREE) {
      starting = n.id;
      nodes.set(n.id, await startMediaNode({ nodeId: n.id, sites: sitesOf(n.id), parent: n.parent ? nodes.get(n.parent)!.url : null, workers: 1, tokenSecret, nodeSecret, log }));
    }
    starting = '';
    // the studio at the root: the 3-layer camera + microphone on the root's home site
    const root = nodes.get('root')!;
    const rs = await root.cascade.session(CONF);
    const { router } = await rs.router(sitesOf('root')[0]!);
    const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const params = producerParams();
    const ids: string[] = [];
    const producers: ms.Producer[] = [];
    for (const kind of ['video', 'audio'] as const) {
      const p = await ingest.produce({ kind, rtpParameters: params[kind] });
      producers.push(p);
      ids.push((await rs.addLocal(sitesOf('root')[0]!, p, 'source')).producer.id);
    }
    src = (await RtpSource.open({ ip: '127.0.0.1', port: ingest.tuple.localPort })).start();
    await sleep(2500);
    // every node: wait for the programme to arrive, then its halls join
    for (const n of TREE) {
      const node = nodes.get(n.id)!;
      const deadline = Date.now() + 20_000;
      let s = node.cascade.ready.get(CONF);
      while (!s || !ids.every((id) => s!.producers.has(id))) {
        if (Date.now() > deadline) throw new Error(`the programme never reached ${n.id}`);
        await sleep(100);
        s = node.cascade.ready.get(CONF);
      }
      for (const site of sitesOf(n.id)) await addHall(s, site, ids, sinkPort);
    }
    await sleep(3000);
    const streamStats = await producers[0]!.getStats();
    const audioStats = await producers[1]!.getStats();
    const cascade = await rate('root');
    const perNode: Record<string, { pipeMbps: number; hallsMbps: number; totalMbps: number }> = {};
    for (const n of TREE) if (n.id !== 'root') perNode[n.id] = await rate(n.id);

    // star: the children go, and the root serves every hall itself
    for (const n of [...TREE].reverse()) if (n.id !== 'root') await nodes.get(n.id)!.close();
    for (const n of [...TREE].reverse()) if (n.id !== 'root') nodes.delete(n.id);
    const rootSites = sitesOf('root');
    for (let i = 0; i < (TREE.length - 1) * HALLS; i++) await addHall(rs, rootSites[i % HALLS]!, ids, sinkPort);
    await sleep(3000);
    const star = await rate('root');

    const links = TREE.filter((n) => n.parent === 'root').length;
    const linkMbps = cascade.pipeMbps / links;
    const hallMbpsMeasured = cascade.hallsMbps / HALLS;
    // a hall on the 720p layer: that layer's measured bitrate + audio, with the same packet overhead as measured
    const bitrateOf = (ssrc: number) => (streamStats.find((s) => s.ssrc === ssrc)?.bitrate ?? 0) / 1e6;
    const layerMbps = PROFILE.video.map((l) => round(bitrateOf(l.ssrc), 3));
    const audioMbps = (audioStats[0]?.bitrate ?? 0) / 1e6;
    const hallMbps720 = layerMbps[2]! + audioMbps;
    const national = (sites: number, provinces = 34) => {
      const perProvince = (sites - 1 - provinces) / provinces;
      return {
        sites,
        provinces,
        cascadeRootMbps: round(provinces * linkMbps + hallMbps720),
        starRootMbps: round((sites - 1) * hallMbps720),
        provinceNodeMbps: round(linkMbps + perProvince * hallMbps720 + hallMbps720),
        sitesPerProvince: Math.round(perProvince),
      };
    };
    const today = national(3_356);
    const at31k = national(31_000);
    const result = {
      bench: 'p5-egress',
      at: new Date().toISOString(),
      machine: { cpus: availableParallelism(), loadAvgAtStart: round(loadAtStart), loadAvgAtEnd: round(loadavg()[0]!) },
      params: { hallsPerNode: HALLS, nodes: TREE.length, levels: 3, windowSeconds: SECONDS, profile: PROFILE.video.map((l) => `${l.width}x${l.height} ${l.kbps} kb/s`), halls: 'plain RTP (no SRTP), one per site, sites sharing their worker\'s router' },
      cascadeRootMbps: at31k.cascadeRootMbps,
      starRootMbps: at31k.starRootMbps,
      national: { today, at31k },
      measured: {
        streamMbps: { layers: layerMbps, audio: round(audioMbps, 3) },
        linkMbps: round(linkMbps, 3),
        hallMbps: round(hallMbpsMeasured, 3),
        hallMbps720: round(hallMbps720, 3),
        tree: { root: cascade, children: perNode, halls: TREE.length * HALLS, predictedRootMbps: round(links * linkMbps + HALLS * hallMbpsMeasured) },
        star: { root: star, halls: TREE.length * HALLS },
      },
    };
    console.log(`3-level tree, ${TREE.length} nodes × ${HALLS} halls (${TREE.length * HALLS} halls), root egress measured:`);
    console.log(`  cascade: ${round(cascade.totalMbps)} Mb/s (pipes to ${links} nodes ${round(cascade.pipeMbps)}, own ${HALLS} halls ${round(cascade.hallsMbps)})`);
    console.log(`  star:    ${round(star.totalMbps)} Mb/s (all ${TREE.length * HALLS} halls)`);
    console.log(`per stream: layers ${layerMbps.join(' / ')} Mb/s, audio ${round(audioMbps, 3)}; one node link ${round(linkMbps, 3)} Mb/s; one hall as played ${round(hallMbpsMeasured, 3)}, at 720p ${round(hallMbps720, 3)}`);
    for (const r of [today, at31k]) console.log(`national ${r.sites} sites: root cascade ${r.cascadeRootMbps} Mb/s vs star ${r.starRootMbps} Mb/s; a province node ${r.provinceNodeMbps} Mb/s (${r.sitesPerProvince} sites under it)`);
    mkdirSync(join(HERE, 'results'), { recursive: true });
    writeFileSync(join(HERE, 'results', 'p5-egress.json'), JSON.stringify(result, null, 2) + '\n');
    console.log('wrote bench/results/p5-egress.json');
  } finally {
    src?.close();
    for (const n of [...nodes.values()].reverse()) await n.close();
    sink.removeAllListeners('exit');
    sink.kill();
    raw.dispose();
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
