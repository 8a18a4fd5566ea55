// P1: one-way latency added by each relay hop of the media cascade, next to a
// raw Node UDP forwarder hop measured in the same run.
//
// A chain of media nodes (root → n1 → n2 → n3, one mediasoup worker each) relays
// an RTP audio stream ingested at the root through a PlainTransport. A
// PlainTransport consumer on every node sends it back to this process, so one
// packet gives the latency after 0, 1, 2 and 3 relay hops. The same packets go
// straight to a receiver and through a chain of 3 UDP forwarder processes.
// Timestamps are this process's monotonic clock written in the RTP payload.
//
//   node --import tsx bench/p1-hop-latency.ts [--hops 3] [--seconds 20]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startMediaNode, type MediaNode } from '../media/node.js';
import { IngestRes } from '../signaling/media.js';
import { signToken } from '../signaling/token.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const HOPS = Number(args.get('hops') ?? 3);
const SECONDS = Number(args.get('seconds') ?? 20);
const PPS = 50;
const CONF = 'bench-p1';
const HERE = dirname(fileURLToPath(import.meta.url));

type Summary = { hops: number; received: number; lost: number; p50: number; p95: number; p99: number; mean: number; min: number };

function summarize(hops: number, samples: number[], sent: number): Summary {
  const s = samples.slice().sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN);
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    hops,
    received: s.length,
    lost: sent - s.length,
    p50: round(q(0.5)),
    p95: round(q(0.95)),
    p99: round(q(0.99)),
    mean: round(s.reduce((a, b) => a + b, 0) / (s.length || 1)),
    min: round(s[0] ?? NaN),
  };
}

/** Reads our send time back out of an RTP packet (skips CSRCs and header extensions). */
function sentAt(msg: Buffer): bigint | undefined {
  if (msg.length < 12 || msg[0]! >> 6 !== 2) return undefined;
  let off = 12 + (msg[0]! & 0x0f) * 4;
  if (msg[0]! & 0x10) off += 4 + msg.readUInt16BE(off + 2) * 4;
  if (msg.length < off + 16 || msg.readUInt32BE(off + 4) !== 0xd1e3ca00) return undefined;
  return msg.readBigUInt64BE(off + 8);
}

function receiver(onSample: (ms: number) => void): Promise<{ sock: Socket; port: number }> {
  const sock = createSocket('udp4');
  sock.on('message', (m) => {
    const t = sentAt(m);
    if (t !== undefined) onSample(Number(process.hrtime.bigint() - t) / 1e6);
  });
  return new Promise((r) => sock.bind(0, '127.0.0.1', () => r({ sock, port: sock.address().port })));
}

/** A UDP forwarder in its own process, sending everything to `to`. */
function forwarder(to: number): Promise<{ proc: ChildProcess; port: number }> {
  const code = `const d=require('node:dgram');const s=d.createSocket('udp4');s.on('message',m=>s.send(m,${to},'127.0.0.1'));s.bind(0,'127.0.0.1',()=>console.log(s.address().port));`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((r) => proc.stdout!.once('data', (b: Buffer) => r({ proc, port: Number(b.toString().trim()) })));
}

async function main(): Promise<void> {
  const tokenSecret = randomBytes(16).toString('hex');
  const nodeSecret = randomBytes(16).toString('hex');
  const log = pino({ level: 'warn' }, pino.destination(2));
  const nodes: MediaNode[] = [];
  const forwarders: ChildProcess[] = [];
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i <= HOPS; i++) {
      nodes.push(
        await startMediaNode({
          nodeId: `n${i}`,
          sites: [`site-${i}`],
          parent: i === 0 ? null : nodes[i - 1]!.url,
          workers: 1,
          tokenSecret,
          nodeSecret,
          log,
        }),
      );
    }
    const org = signToken(tokenSecret, { role: 'organizer', conf: CONF });
    const r = await fetch(`${nodes[0]!.url}/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org}`, 'content-type': 'application/json' },
      body: JSON.stringify({ site: 'site-0', streams: [{ kind: 'audio' }] }),
    });
    const ingest = IngestRes.parse(await r.json());
    const stream = ingest.streams[0]!;

    // a PlainTransport consumer per node, back to one receiver each
    const samples: number[][] = [];
    for (let i = 0; i <= HOPS; i++) {
      const bucket: number[] = [];
      samples.push(bucket);
      const rx = await receiver((ms) => bucket.push(ms));
      sockets.push(rx.sock);
      const deadline = Date.now() + 20_000;
      let s = nodes[i]!.cascade.ready.get(CONF);
      while (!s?.producers.has(stream.producerId)) {
        if (Date.now() > deadline) throw new Error(`producer never reached n${i}`);
        await new Promise((res) => setTimeout(res, 100));
        s = nodes[i]!.cascade.ready.get(CONF);
      }
      const { router } = await s.router(`site-${i}`);
      const out = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
      await out.connect({ ip: '127.0.0.1', port: rx.port });
      await out.consume({ producerId: stream.producerId, rtpCapabilities: router.rtpCapabilities });
    }

    // raw UDP: direct, and through HOPS forwarder processes
    const direct: number[] = [];
    const chained: number[] = [];
    const rxDirect = await receiver((ms) => direct.push(ms));
    const rxChain = await receiver((ms) => chained.push(ms));
    sockets.push(rxDirect.sock, rxChain.sock);
    let next = rxChain.port;
    for (let i = 0; i < HOPS; i++) {
      const f = await forwarder(next);
      forwarders.push(f.proc);
      next = f.port;
    }
    const chainIn = next;

    const tx = createSocket('udp4');
    sockets.push(tx);
    await new Promise<void>((res) => tx.bind(0, '127.0.0.1', () => res()));
    let seq = 0;
    const total = SECONDS * PPS;
    const warmup = PPS; // first second: let everything settle, not counted
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        if (seq >= total + warmup) {
          clearInterval(timer);
          setTimeout(done, 500);
          return;
        }
        const pkt = Buffer.alloc(12 + 120);
        pkt[0] = 0x80;
        pkt[1] = stream.payloadType & 0x7f;
        pkt.writeUInt16BE(seq & 0xffff, 2);
        pkt.writeUInt32BE((seq * 960) >>> 0, 4);
        pkt.writeUInt32BE(stream.ssrc >>> 0, 8);
        pkt[12] = 0x78; // an Opus TOC byte
        pkt.writeUInt32BE(0xd1e3ca00, 16);
        pkt.writeBigUInt64BE(process.hrtime.bigint(), 20);
        const counted = seq >= warmup;
        if (!counted) pkt.writeUInt32BE(0, 16); // warm-up packets carry no marker
        seq++;
        tx.send(pkt, stream.port, stream.ip);
        tx.send(pkt, rxDirect.port, '127.0.0.1');
        tx.send(pkt, chainIn, '127.0.0.1');
      }, 1000 / PPS);
    });

    const mediasoupRows = samples.map((s, i) => summarize(i, s, total));
    const udpRows = [summarize(0, direct, total), summarize(HOPS, chained, total)];
    const perHop = (rows: Summary[], key: 'p50' | 'mean') => Math.round(((rows.at(-1)![key] - rows[0]![key]) / HOPS) * 1000) / 1000;
    const result = {
      bench: 'p1-hop-latency',
      at: new Date().toISOString(),
      params: { hops: HOPS, seconds: SECONDS, packetsPerSecond: PPS, payloadBytes: 120, cpus: availableParallelism(), workersPerNode: 1, srtp: true, rtx: true },
      mediasoup: { rows: mediasoupRows, perHopMs: { p50: perHop(mediasoupRows, 'p50'), mean: perHop(mediasoupRows, 'mean') } },
      udpForwarder: { rows: udpRows, perHopMs: { p50: perHop(udpRows, 'p50'), mean: perHop(udpRows, 'mean') } },
    };
    console.log('one-way latency (ms), same packets, same run');
    console.log('path                      received   p50     p95     mean');
    for (const row of mediasoupRows) console.log(`mediasoup ${row.hops} relay hop(s)     ${String(row.received).padStart(5)}   ${row.p50.toFixed(3)}   ${row.p95.toFixed(3)}   ${row.mean.toFixed(3)}`);
    for (const row of udpRows) console.log(`udp ${row.hops} forwarder hop(s)      ${String(row.received).padStart(5)}   ${row.p50.toFixed(3)}   ${row.p95.toFixed(3)}   ${row.mean.toFixed(3)}`);
    console.log(`added per relay hop: mediasoup p50 ${result.mediasoup.perHopMs.p50} ms (mean ${result.mediasoup.perHopMs.mean}); udp forwarder p50 ${result.udpForwarder.perHopMs.p50} ms (mean ${result.udpForwarder.perHopMs.mean})`);
    const outDir = join(HERE, 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'p1-hop-latency.json'), JSON.stringify(result, null, 2) + '\n');
    console.log('wrote bench/results/p1-hop-latency.json');
  } finally {
    for (const s of sockets) s.close();
    for (const f of forwarders) f.kill();
    for (const n of nodes.reverse()) await n.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
