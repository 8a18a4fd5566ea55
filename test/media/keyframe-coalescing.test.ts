// Keyframe requests of many halls joining one node, coalesced at the camera when
// its node is set to (MEDIA_KEYFRAME_COALESCE_MS, media/session.ts): two real
// media nodes in this process (root with a camera, n1 with the halls, linked as
// in production), a camera on plain RTP that answers every PLI/FIR with a
// keyframe on its next frame, forty halls joining n1 within half a second, with
// and without; and one hall joining alone, which asks the camera once.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { types as ms } from 'mediasoup';
import { pino } from 'pino';
import { startMediaNode, type MediaNode } from '../../media/node.js';
import { keyframeCoalesceMs } from '../../media/session.js';
import { sleep, waitFor } from './procs.js';

const IP = '127.0.0.1';
const SSRC = 7001;
const HALLS = 40;
const log = pino({ level: 'warn' });

/** A VP8 camera: an interframe every 33 ms, a keyframe instead after each PLI or FIR. */
class Camera {
  requests = 0;
  private wantKey = true;
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly sock: Socket, port: number) {
    sock.on('message', (m) => {
      for (let off = 0; off + 12 <= m.length; off += (m.readUInt16BE(off + 2) + 1) * 4) {
        const fmt = m[off]! & 0x1f;
        if (m[off + 1] === 206 && (fmt === 1 || fmt === 4)) {
          this.requests++;
          this.wantKey = true;
        }
      }
    });
    this.timer = setInterval(() => {
      const key = this.wantKey;
      this.wantKey = false;
      const pkt = Buffer.alloc(12 + 1 + 400);
      pkt[0] = 0x80;
      pkt[1] = 0x80 | 101;
      pkt.writeUInt16BE(this.seq & 0xffff, 2);
      pkt.writeUInt32BE((this.seq++ * 3000) >>> 0, 4);
      pkt.writeUInt32BE(SSRC, 8);
      pkt[12] = 0x10; // VP8 descriptor: start of partition 0
      if (key) Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00]).copy(pkt, 13);
      else pkt[13] = 0x11; // P=1: an interframe
      sock.send(pkt, port, IP);
    }, 33);
  }
  close(): void {
    clearInterval(this.timer);
  }
}

describe('keyframe requests through a relay', { timeout: 90_000 }, () => {
  const nodes: MediaNode[] = [];
  const cameras: Camera[] = [];
  const sockets: Socket[] = [];
  const saved = process.env.MEDIA_KEYFRAME_COALESCE_MS;

  beforeAll(async () => {
    const tokenSecret = randomBytes(16).toString('hex');
    const nodeSecret = randomBytes(16).toString('hex');
    nodes.push(await startMediaNode({ nodeId: 'root', sites: ['studio'], parent: null, workers: 1, tokenSecret, nodeSecret, log }));
    const sites = Array.from({ length: HALLS }, (_, i) => `hall-${i}`);
    nodes.push(await startMediaNode({ nodeId: 'n1', sites, parent: nodes[0]!.url, workers: 1, tokenSecret, nodeSecret, log }));
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.MEDIA_KEYFRAME_COALESCE_MS; else process.env.MEDIA_KEYFRAME_COALESCE_MS = saved;
    for (const c of cameras) c.close();
    for (const s of sockets) s.close();
    for (const n of nodes.reverse()) await n.close();
  });

  /** A conference with its own camera; `halls` halls join n1 one every 10 ms. Returns the requests the camera got. */
  async function storm(conf: string, coalesceMs: string, halls = HALLS): Promise<{ asked: number; framed: number }> {
    // read when the camera's producer is made, as media/hall.ts makes a studio's
    process.env.MEDIA_KEYFRAME_COALESCE_MS = coalesceMs;
    const rs = await nodes[0]!.cascade.session(conf);
    const { router } = await rs.router('studio');
    const ingest = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: true });
    const p = await ingest.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', clockRate: 90000, payloadType: 101, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }],
        encodings: [{ ssrc: SSRC }],
        rtcp: { cname: 'camera' },
      },
      keyFrameRequestDelay: keyframeCoalesceMs(),
    });
    const videoId = (await rs.addLocal('studio', p, 'source')).producer.id;
    const sock = createSocket('udp4');
    sockets.push(sock);
    await new Promise<void>((r) => sock.bind(0, IP, () => r()));
    const camera = new Camera(sock, ingest.tuple.localPort);
    cameras.push(camera);
    await waitFor('the programme on n1', () => nodes[1]!.cascade.ready.get(conf)?.producers.has(videoId));
    // let the relay's own start-up requests (and a window they opened) settle first
    await sleep(2500);
    const s = nodes[1]!.cascade.ready.get(conf)!;
    const rx = createSocket('udp4');
    sockets.push(rx);
    await new Promise<void>((r) => rx.bind(0, IP, () => r()));
    const consumers: ms.Consumer[] = [];
    const framed = new Set<string>();
    for (let i = 0; i < halls; i++) {
      const site = `hall-${i}`;
      const { router: r } = await s.router(site);
      const t = await r.createPlainTransport({ listenInfo: { protocol: 'udp', ip: IP }, rtcpMux: true, comedia: false });
      await t.connect({ ip: IP, port: rx.address().port });
      const c = await t.consume({ producerId: await s.producerIdIn(site, videoId), rtpCapabilities: r.rtpCapabilities, paused: true });
      await c.enableTraceEvent(['keyframe']);
      c.on('trace', (ev) => { if (ev.type === 'keyframe' && ev.direction === 'out') framed.add(c.id); });
      consumers.push(c);
    }
    const before = camera.requests;
    // one hall every 10 ms (each keyframe comes back well within that), each as media/hall.ts
    // does on a hall's resume: resuming alone asks for the keyframe
    for (const c of consumers) {
      await c.resume();
      await sleep(10);
    }
    await waitFor('a keyframe for every hall', () => framed.size === halls, 10_000);
    // a request coalesced by the link goes up at the end of its window: let it arrive before counting
    await sleep(1500);
    return { asked: camera.requests - before, framed: framed.size };
  }

  test('coalesced: forty halls joining within half a second reach the camera as at most three requests, and every hall gets a keyframe', async () => {
    const on = await storm('conf-coalesced', '1000');
    expect(on.framed).toBe(HALLS);
    // one at once, one at the end of the window for the halls that came after, and at most one
    // more when n1, having waited a second for that keyframe, asks again (mediasoup's retry)
    expect(on.asked).toBeGreaterThanOrEqual(1);
    expect(on.asked).toBeLessThanOrEqual(3);
  });

  test('coalesced: a hall joining alone asks the camera once, and no second request follows at the end of the window', async () => {
    const one = await storm('conf-alone', '1000', 1);
    expect(one.framed).toBe(1);
    expect(one.asked).toBe(1);
  });

  test('not coalesced (the default): the same joins ask the camera again each time a keyframe has come back', async () => {
    const off = await storm('conf-plain', '0');
    expect(off.framed).toBe(HALLS);
    expect(off.asked).toBeGreaterThan(3);
  });
});
