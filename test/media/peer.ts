// A hall as a Node WebRTC peer: mediasoup-client over @roamhq/wrtc (libwebrtc),
// speaking the /hall protocol. Re-consumes on every programme push and, after
// losing its node, reconnects and re-joins by itself (socket.io reconnection).
import wrtc from '@roamhq/wrtc';
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../signaling/common.js';
import {
  HALL_NAMESPACE,
  HallEvents,
  type ConsumeProgrammeRes,
  type JoinRes,
  type Programme,
  type TransportInfo,
} from '../../signaling/media.js';

Object.assign(globalThis, {
  RTCPeerConnection: wrtc.RTCPeerConnection,
  RTCSessionDescription: wrtc.RTCSessionDescription,
  RTCIceCandidate: wrtc.RTCIceCandidate,
  MediaStream: wrtc.MediaStream,
  MediaStreamTrack: wrtc.MediaStreamTrack,
});
// libwebrtc's addon crashes in Node's environment teardown once a peer has decoded
// video; leave straight from 'exit' (output is flushed by then) so the exit code stays ours.
process.once('exit', (code) => (process as unknown as { reallyExit(c: number): never }).reallyExit(code));
const { Device } = await import('mediasoup-client');
const { Chrome111 } = await import('mediasoup-client/handlers/Chrome111');
type MsDevice = InstanceType<typeof Device>;
type RecvTransport = ReturnType<MsDevice['createRecvTransport']>;
type Consumer = Awaited<ReturnType<RecvTransport['consume']>>;

export type PeerOptions = { url: string; token: string; site: string; role?: 'hall' | 'console'; forceTcp?: boolean };

export type Inbound = { producerId: string; kind: string; packets: number; bytes: number; framesDecoded?: number };

export async function call<T>(socket: Socket, event: string, payload?: unknown, timeoutMs = 10_000): Promise<T> {
  const res = (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
  if (!res.ok) throw Object.assign(new Error(`${event}: ${res.error.code} ${res.error.message}`), { code: res.error.code });
  return res.data;
}

export class HallPeer {
  readonly socket: Socket;
  private device: MsDevice | null = null;
  private transport: RecvTransport | null = null;
  consumers: Consumer[] = [];
  programme: Programme | null = null;
  joined: JoinRes | null = null;
  /** Times the peer (re)joined its node. */
  joins = 0;
  errors: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(readonly o: PeerOptions) {
    this.socket = io(new URL(HALL_NAMESPACE, o.url).toString(), {
      auth: { token: o.token },
      transports: ['websocket'],
      reconnectionDelay: 300,
      reconnectionDelayMax: 1000,
    });
    this.socket.on('connect', () => this.serial(() => this.setup()));
    this.socket.on('disconnect', () => this.serial(async () => this.teardown()));
    this.socket.on(HallEvents.programme, (p: Programme) => {
      if (this.programme && p.version <= this.programme.version) return;
      this.serial(() => this.consume());
    });
  }

  /** Runs steps one at a time so pushes and reconnects do not interleave. */
  private serial(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((err) => {
      this.errors.push(String(err));
    });
  }

  private async setup(): Promise<void> {
    this.teardown();
    const joined = await call<JoinRes>(this.socket, HallEvents.join, { site: this.o.site, role: this.o.role ?? 'hall' });
    this.joined = joined;
    this.joins++;
    if (!this.device) {
      this.device = new Device({ handlerFactory: Chrome111.createFactory({}) });
      await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as never });
    }
    const info = await call<TransportInfo>(this.socket, HallEvents.createTransport, { direction: 'recv', ...(this.o.forceTcp ? { forceTcp: true } : {}) });
    const t = this.device.createRecvTransport({
      id: info.id,
      iceParameters: info.iceParameters as never,
      iceCandidates: info.iceCandidates as never,
      dtlsParameters: info.dtlsParameters as never,
    });
    t.on('connect', ({ dtlsParameters }, ok, fail) => {
      call(this.socket, HallEvents.connectTransport, { transportId: t.id, dtlsParameters }).then(() => ok(), fail);
    });
    this.transport = t;
    await this.consume();
  }

  private async consume(): Promise<void> {
    const t = this.transport;
    if (!t || !this.device || this.closed) return;
    const res = await call<ConsumeProgrammeRes>(this.socket, HallEvents.consumeProgramme, { transportId: t.id, rtpCapabilities: this.device.recvRtpCapabilities });
    for (const c of this.consumers) c.close();
    this.consumers = [];
    this.programme = res.programme;
    for (const info of res.consumers) {
      const c = await t.consume({ id: info.id, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters as never });
      this.consumers.push(c);
      await call(this.socket, HallEvents.resumeConsumer, { consumerId: c.id });
    }
  }

  private teardown(): void {
    for (const c of this.consumers) c.close();
    this.consumers = [];
    this.transport?.close();
    this.transport = null;
  }

  /** What the current consumers have received (libwebrtc inbound-rtp stats, one consumer per kind). */
  async inbound(): Promise<Inbound[]> {
    const t = this.transport;
    if (!t || t.closed) return [];
    const live = this.consumers.filter((c) => !c.closed);
    const ssrcs = new Map<number, Consumer>();
    for (const c of live) for (const e of c.rtpParameters.encodings ?? []) if (e.ssrc) ssrcs.set(e.ssrc, c);
    const acc = new Map<Consumer, Inbound>();
    let report: RTCStatsReport;
    try {
      report = await t.getStats();
    } catch {
      return [];
    }
    report.forEach((s: any) => {
      if (s.type !== 'inbound-rtp') return;
      const c = ssrcs.get(s.ssrc);
      if (!c) return;
      const row = acc.get(c) ?? { producerId: c.producerId, kind: c.kind, packets: 0, bytes: 0 };
      row.packets += s.packetsReceived ?? 0;
      row.bytes += s.bytesReceived ?? 0;
      if (s.framesDecoded !== undefined) row.framesDecoded = (row.framesDecoded ?? 0) + s.framesDecoded;
      acc.set(c, row);
    });
    return [...acc.values()];
  }

  /** Programme producer id of each kind this peer currently consumes (the server-side id). */
  get programmeIds(): string[] {
    return (this.programme?.producers ?? []).map((p) => p.id);
  }

  private reporter: NodeJS.Timeout | undefined;
  /** Reports what it plays every second, as a hall page does (HallPlayback): frames decoded, fps. */
  startPlaybackReports(): this {
    let last: { at: number; frames: number } | undefined;
    this.reporter = setInterval(() => void (async () => {
      const v = (await this.inbound()).find((x) => x.kind === 'video');
      const frames = v?.framesDecoded ?? 0;
      const now = Date.now();
      const fps = last && frames >= last.frames ? ((frames - last.frames) * 1000) / Math.max(1, now - last.at) : 0;
      const playing = !!last && frames > last.frames;
      last = { at: now, frames };
      this.socket.emit(HallEvents.playback, { playing, framesDecoded: frames, fps: Math.min(240, fps), bitrateKbps: 0, lossPct: 0 }, () => undefined);
    })(), 1000);
    return this;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reporter);
    this.socket.close();
    await this.chain;
    this.teardown();
  }
}

export type ProducerOptions = {
  url: string;
  token: string;
  site: string;
  role: 'studio' | 'contributor';
  /** VP8 simulcast with 3 layers (scaled 4, 2, 1). */
  simulcast?: boolean;
  width?: number;
  height?: number;
  fps?: number;
};

/** A studio camera or a site's contributor: synthetic video (+ tone) produced over /hall. */
export class ProducerPeer {
  readonly socket: Socket;
  producerIds: string[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private transport: ReturnType<MsDevice['createSendTransport']> | null = null;
  private readonly tracks: MediaStreamTrack[] = [];
  private constructor(readonly o: ProducerOptions) {
    this.socket = io(new URL(HALL_NAMESPACE, o.url).toString(), { auth: { token: o.token }, transports: ['websocket'], reconnection: false });
  }

  static async start(o: ProducerOptions): Promise<ProducerPeer> {
    const p = new ProducerPeer(o);
    await new Promise<void>((res, rej) => {
      p.socket.once('connect', () => res());
      p.socket.once('connect_error', rej);
    });
    await p.produce();
    return p;
  }

  private async produce(): Promise<void> {
    const joined = await call<JoinRes>(this.socket, HallEvents.join, { site: this.o.site, role: this.o.role });
    const device = new Device({ handlerFactory: Chrome111.createFactory({}) });
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as never });
    const info = await call<TransportInfo>(this.socket, HallEvents.createTransport, { direction: 'send' });
    const t = device.createSendTransport({
      id: info.id,
      iceParameters: info.iceParameters as never,
      iceCandidates: info.iceCandidates as never,
      dtlsParameters: info.dtlsParameters as never,
    });
    t.on('connect', ({ dtlsParameters }, ok, fail) => {
      call(this.socket, HallEvents.connectTransport, { transportId: t.id, dtlsParameters }).then(() => ok(), fail);
    });
    t.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
      call<{ id: string }>(this.socket, HallEvents.produce, { transportId: t.id, kind, rtpParameters, appData }).then(ok, fail);
    });
    this.transport = t;

    const w = this.o.width ?? 960;
    const h = this.o.height ?? 540;
    const video = new wrtc.nonstandard.RTCVideoSource();
    const frame = { width: w, height: h, data: new Uint8ClampedArray((w * h * 3) / 2) as unknown as Uint8Array };
    let n = 0;
    this.timers.push(
      setInterval(() => {
        // a moving luma ramp: cheap to make, not trivially compressible
        n++;
        for (let y = 0; y < h; y += 2) frame.data.fill((y + n * 4) & 0xff, y * w, y * w + w);
        video.onFrame(frame);
      }, 1000 / (this.o.fps ?? 15)),
    );
    const audio = new wrtc.nonstandard.RTCAudioSource();
    const samples = new Int16Array(480);
    let phase = 0;
    this.timers.push(
      setInterval(() => {
        for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((phase++ * 2 * Math.PI * 440) / 48000));
        audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
      }, 10),
    );
    const vt = video.createTrack();
    const at = audio.createTrack();
    this.tracks.push(vt, at);
    const vp = await t.produce({
      track: vt as never,
      ...(this.o.simulcast
        ? {
            encodings: [
              { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
              { scaleResolutionDownBy: 2, maxBitrate: 400_000 },
              { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
            ],
          }
        : {}),
    });
    const ap = await t.produce({ track: at as never });
    this.producerIds = [vp.id, ap.id];
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.transport?.close();
    for (const t of this.tracks) t.stop();
    this.socket.close();
  }
}
