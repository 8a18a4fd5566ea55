// A conference on a node has one router per worker, shared by all its sites:
// real mediasoup workers, a plain RTP producer, consumers on both workers
// receiving the media over real UDP.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { pino } from 'pino';
import { Session } from '../../media/session.js';
import { WorkerPool } from '../../media/workers.js';
import { waitFor } from './procs.js';

const log = pino({ level: 'warn' });
const IP = '127.0.0.1';
const SITES = Array.from({ length: 8 }, (_, i) => `site-${i}`);

describe('session routers', { timeout: 60_000 }, () => {
  let pool: WorkerPool;
  let session: Session;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    pool = await WorkerPool.create({ count: 2, rtcPort: 0, listenIp: IP, announcedIp: IP, logLevel: 'warn', log, onDied: () => undefined });
    session = await Session.create('conf-routers', SITES, pool);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await session?.close();
    await session?.close();
    pool?.close();
  });

  test('sites share one router per worker, spread evenly', async () => {
    const routers = await Promise.all(SITES.map((s) => session.router(s)));
    expect(new Set(routers.map((r) => r.router.id)).size).toBe(2);
    expect(new Set(routers.map((r) => r.pooled.worker.pid)).size).toBe(2);
    const perWorker = new Map<number, number>();
    for (const r of routers) perWorker.set(r.pooled.worker.pid, (perWorker.get(r.pooled.worker.pid) ?? 0) + 1);
    expect([...perWorker.values()].sort()).toEqual([4, 4]);
    // the home site is on the hub
    expect((await session.router(SITES[0]!)).router).toBe(session.hub.router);
  });

  test('a producer on the other worker reaches the hub once and plays on every site', async () => {
    let far = '';
    for (const s of SITES) if ((await session.router(s)).router !== session.hub.router) far = s;
    expect(far).not.toBe('');
    const { router } = await session.router(far);
    const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: true });
    const producer = await ingest.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 100 }], encodings: [{ ssrc: 4242 }] },
    });
    const hp = await session.addLocal(far, producer, 'source');
    expect(hp.producer.id).not.toBe(producer.id);
    // every site gets the media, from its own worker's router; the far worker's copy is the original
    const ids = await Promise.all(SITES.map((s) => session.producerIdIn(s, hp.producer.id)));
    expect(ids[0]).toBe(hp.producer.id);
    expect(ids[SITES.indexOf(far)]).toBe(producer.id);
    expect(new Set(ids).size).toBe(2);

    const got = new Map<string, number>();
    for (const site of [SITES[0]!, far]) {
      const rx = createSocket('udp4');
      sockets.push(rx);
      rx.on('message', () => got.set(site, (got.get(site) ?? 0) + 1));
      await new Promise<void>((r) => rx.bind(0, IP, () => r()));
      const { router: r } = await session.router(site);
      const out = await r.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: false });
      await out.connect({ ip: IP, port: rx.address().port });
      await out.consume({ producerId: await session.producerIdIn(site, hp.producer.id), rtpCapabilities: r.rtpCapabilities });
    }
    const tx = createSocket('udp4');
    sockets.push(tx);
    let seq = 0;
    const timer = setInterval(() => {
      const pkt = Buffer.alloc(12 + 80);
      pkt[0] = 0x80;
      pkt[1] = 100;
      pkt.writeUInt16BE(seq, 2);
      pkt.writeUInt32BE(seq++ * 960, 4);
      pkt.writeUInt32BE(4242, 8);
      tx.send(pkt, ingest.tuple.localPort, IP);
    }, 20);
    try {
      await waitFor('media on both workers', () => (got.get(SITES[0]!) ?? 0) > 10 && (got.get(far) ?? 0) > 10, 10_000);
    } finally {
      clearInterval(timer);
    }
  });
});
