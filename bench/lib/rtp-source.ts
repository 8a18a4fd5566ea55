// A synthetic camera + microphone over plain RTP, shaped like a studio page:
// VP8 simulcast in 3 layers (320x180 150 kb/s, 640x360 500 kb/s, 1280x720
// 1.7 Mb/s, 30 fps each, one temporal layer) and Opus (20 ms, ~32 kb/s).
// Packets carry real VP8 payload descriptors (picture id, TL0PICIDX, TID) so
// mediasoup switches layers as it does for a browser; a keyframe goes out on a
// layer whenever a PLI or FIR for it arrives (counted: what reaches the source).
import { createSocket, type Socket } from 'node:dgram';
import type { types as ms } from 'mediasoup';

export type SourceLayer = { ssrc: number; kbps: number; width: number; height: number };

/** The programme's shape (ssrcs are fixed so a raw forwarder can pick the same streams). */
export const PROFILE = {
  fps: 30,
  video: [
    { ssrc: 11110001, kbps: 150, width: 320, height: 180 },
    { ssrc: 11110002, kbps: 500, width: 640, height: 360 },
    { ssrc: 11110003, kbps: 1700, width: 1280, height: 720 },
  ] as SourceLayer[],
  audio: { ssrc: 22220001, kbps: 32, ptimeMs: 20 },
  /** Largest VP8 payload per packet (what a browser's packetizer keeps under). */
  maxPayload: 1150,
  videoPt: 101,
  audioPt: 100,
} as const;

/** What to hand `transport.produce` for the two streams. */
export function producerParams(): { video: ms.RtpParameters; audio: ms.RtpParameters } {
  return {
    video: {
      codecs: [{
        mimeType: 'video/VP8', clockRate: 90000, payloadType: PROFILE.videoPt,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      }],
      encodings: PROFILE.video.map((l) => ({ ssrc: l.ssrc, scalabilityMode: 'L1T1' })),
      rtcp: { cname: 'bench-source', reducedSize: true },
    },
    audio: {
      codecs: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: PROFILE.audioPt }],
      encodings: [{ ssrc: PROFILE.audio.ssrc }],
      rtcp: { cname: 'bench-source', reducedSize: true },
    },
  };
}

type LayerState = { seq: number; pictureId: number; tl0: number; wantKey: boolean };

export class RtpSource {
  /** PLIs and FIRs that reached the source, per SSRC. */
  readonly keyRequests = new Map<number, number>();
  /** Times (ms, monotonic) each keyframe request arrived. */
  readonly keyRequestTimes: number[] = [];
  packetsSent = 0;
  bytesSent = 0;
  private readonly sock: Socket;
  private readonly layers = new Map<number, LayerState>();
  private audioSeq = 0;
  private timers: NodeJS.Timeout[] = [];
  private started = performance.now();
  private closed = false;

  private constructor(sock: Socket, private target: { ip: string; port: number }) {
    this.sock = sock;
    for (const l of PROFILE.video) this.layers.set(l.ssrc, { seq: 0, pictureId: 0, tl0: 0, wantKey: true });
    sock.on('message', (m) => this.onRtcp(m));
  }

  static async open(target: { ip: string; port: number }): Promise<RtpSource> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    return new RtpSource(sock, target);
  }

  get keyRequestTotal(): number {
    let n = 0;
    for (const v of this.keyRequests.values()) n += v;
    return n;
  }

  start(): this {
    this.started = performance.now();
    this.timers.push(setInterval(() => this.videoFrame(), 1000 / PROFILE.fps));
    this.timers.push(setInterval(() => this.audioPacket(), PROFILE.audio.ptimeMs));
    // sender reports tie each layer's RTP clock to wall time: a forwarder needs them to switch layers
    this.timers.push(setInterval(() => this.senderReports(), 500));
    setTimeout(() => this.senderReports(), 50);
    return this;
  }

  /** Sends where the next packet goes (e.g. the same feed to another forwarder). */
  retarget(target: { ip: string; port: number }): void {
    this.target = target;
  }

  private send(pkt: Buffer): void {
    if (this.closed) return;
    this.packetsSent++;
    this.bytesSent += pkt.length;
    this.sock.send(pkt, this.target.port, this.target.ip);
  }

  private rtpHeader(pt: number, seq: number, ts: number, ssrc: number, marker: boolean): Buffer {
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(seq & 0xffff, 2);
    h.writeUInt32BE(ts >>> 0, 4);
    h.writeUInt32BE(ssrc >>> 0, 8);
    return h;
  }

  private videoFrame(): void {
    const ts = Math.round(((performance.now() - this.started) / 1000) * 90000);
    for (const layer of PROFILE.video) {
      const st = this.layers.get(layer.ssrc)!;
      const key = st.wantKey;
      st.wantKey = false;
            // one temporal layer: every frame is TL0 (a plain transport has no bandwidth estimate to
      // move a hall between temporal layers, so all of them would be forwarded anyway)
      const tid = 0;
      st.tl0 = (st.tl0 + 1) & 0xff;
      st.pictureId = (st.pictureId + 1) & 0x7fff;
      const frameBytes = Math.round(((layer.kbps * 1000) / 8 / PROFILE.fps) * (key ? 4 : 1));
      const packets = Math.max(1, Math.ceil(frameBytes / PROFILE.maxPayload));
      const per = Math.ceil(frameBytes / packets);
      for (let i = 0; i < packets; i++) {
        const first = i === 0;
        // extended descriptor: X, S on the first packet; I (15-bit picture id), L, T
        const desc = Buffer.from([
          0x80 | (first ? 0x10 : 0), 0xe0,
          0x80 | ((st.pictureId >> 8) & 0x7f), st.pictureId & 0xff,
          st.tl0, tid << 6,
        ]);
        const body = Buffer.alloc(per);
        if (first) {
          if (key) {
            // frame tag with P=0 (keyframe), start code, then width and height
            body[0] = 0x10; body[1] = 0x02; body[2] = 0x00; body[3] = 0x9d; body[4] = 0x01; body[5] = 0x2a;
            body.writeUInt16LE(layer.width, 6);
            body.writeUInt16LE(layer.height, 8);
          } else {
            body[0] = 0x11; // P=1: an interframe
          }
        }
        this.send(Buffer.concat([this.rtpHeader(PROFILE.videoPt, st.seq++, ts, layer.ssrc, i === packets - 1), desc, body]));
      }
    }
  }

  private senderReports(): void {
    const now = performance.now();
    const wall = performance.timeOrigin + now;
    const ntpSec = Math.floor(wall / 1000) + 2208988800;
    const ntpFrac = Math.floor(((wall % 1000) / 1000) * 2 ** 32);
    const secs = (now - this.started) / 1000;
    const streams = [...PROFILE.video.map((l) => ({ ssrc: l.ssrc, rate: 90000 })), { ssrc: PROFILE.audio.ssrc, rate: 48000 }];
    for (const st of streams) {
      const sr = Buffer.alloc(28);
      sr[0] = 0x80;
      sr[1] = 200;
      sr.writeUInt16BE(6, 2);
      sr.writeUInt32BE(st.ssrc >>> 0, 4);
      sr.writeUInt32BE(ntpSec >>> 0, 8);
      sr.writeUInt32BE(ntpFrac >>> 0, 12);
      sr.writeUInt32BE(Math.round(secs * st.rate) >>> 0, 16);
      if (!this.closed) this.sock.send(sr, this.target.port, this.target.ip);
    }
  }

  private audioPacket(): void {
    const ts = Math.round(((performance.now() - this.started) / 1000) * 48000);
    const body = Buffer.alloc(Math.round((PROFILE.audio.kbps * 1000) / 8 / (1000 / PROFILE.audio.ptimeMs)));
    body[0] = 0x78; // an Opus TOC byte
    this.send(Buffer.concat([this.rtpHeader(PROFILE.audioPt, this.audioSeq++, ts, PROFILE.audio.ssrc, false), body]));
  }

  /** RTCP from the forwarder: PLI (PT 206, FMT 1) and FIR (FMT 4) ask for a keyframe. */
  private onRtcp(m: Buffer): void {
    let off = 0;
    while (off + 4 <= m.length) {
      const fmt = m[off]! & 0x1f;
      const pt = m[off + 1]!;
      const len = (m.readUInt16BE(off + 2) + 1) * 4;
      if (pt === 206 && (fmt === 1 || fmt === 4) && off + 12 <= m.length) {
        const ssrc = fmt === 1 ? m.readUInt32BE(off + 8) : off + 16 <= m.length ? m.readUInt32BE(off + 12) : 0;
        const st = this.layers.get(ssrc);
        if (st) {
          st.wantKey = true;
          this.keyRequests.set(ssrc, (this.keyRequests.get(ssrc) ?? 0) + 1);
          this.keyRequestTimes.push(performance.now());
        }
      }
      off += len;
    }
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.sock.close();
  }
}
