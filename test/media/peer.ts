// A hall as a Node WebRTC peer: mediasoup-client over @roamhq/wrtc (libwebrtc),
// speaking the /hall protocol. Re-consumes on every programme push and, after
// losing its node, reconnects and re-joins by itself (socket.io reconnection).
// The signalling runs here; libwebrtc runs in a child process of each peer
// (rtc-host.ts), where a crash of the addon cannot end the test file.
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
import { RtcRemote, type RemoteConsumer } from './rtc-remote.js';

export type PeerOptions = { url: string; token: string; site: string; role?: 'hall' | 'console'; forceTcp?: boolean };

export type Inbound = { producerId: string; kind: string; packets: number; bytes: number; framesDecoded?: number };

export async function call<T>(socket: Socket, event: string, payload?: unknown, timeoutMs = 10_000): Promise<T> {
  const res = (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
  if (!res.ok) throw Object.assign(new Error(`${event}: ${res.error.code} ${res.error.message}`), { code: res.error.code });
  return res.data;
}

export class HallPeer {
  readonly socket: Socket;
  private readonly rtc = new RtcRemote();
  private recvCaps: unknown = null;
  private transportId: string | null = null;
  consumers: RemoteConsumer[] = [];
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
    if (!this.recvCaps) {
      this.recvCaps = (await this.rtc.request('load', { routerRtpCapabilities: joined.routerRtpCapabilities })).recvRtpCapabilities;
    }
    const info = await call<TransportInfo>(this.socket, HallEvents.createTransport, { direction: 'recv', ...(this.o.forceTcp ? { forceTcp: true } : {}) });
    const { id } = await this.rtc.request('createTransport', { direction: 'recv', info });
    this.rtc.onTransport(id, async (_event, { dtlsParameters }) => call(this.socket, HallEvents.connectTransport, { transportId: id, dtlsParameters }));
    this.transportId = id;
    await this.consume();
  }

  private async consume(): Promise<void> {
    const t = this.transportId;
    if (!t || !this.recvCaps || this.closed) return;
    const res = await call<ConsumeProgrammeRes>(this.socket, HallEvents.consumeProgramme, { transportId: t, rtpCapabilities: this.recvCaps });
    this.dropConsumers();
    this.programme = res.programme;
    for (const info of res.consumers) {
      const c: RemoteConsumer = { ...(await this.rtc.request('consume', { transportId: t, info: info as never })), closed: false };
      this.consumers.push(c);
      await call(this.socket, HallEvents.resumeConsumer, { consumerId: c.id });
    }
  }

  private dropConsumers(): void {
    for (const c of this.consumers) {
      c.closed = true;
      this.rtc.request('closeConsumer', { id: c.id }).catch(() => undefined);
    }
    this.consumers = [];
  }

  private teardown(): void {
    this.dropConsumers();
    if (this.transportId) this.rtc.request('closeTransport', { id: this.transportId }).catch(() => undefined);
    this.transportId = null;
  }

  /** libwebrtc's stats rows of one type for the current transport (plain objects). */
  async stats(type: 'inbound-rtp' | 'outbound-rtp' = 'inbound-rtp'): Promise<Record<string, any>[]> {
    const t = this.transportId;
    if (!t) return [];
    return this.rtc.request<'stats', Record<string, any>[]>('stats', { transportId: t, type }).catch(() => []);
  }

  /** What the current consumers have received (libwebrtc inbound-rtp stats, one consumer per kind). */
  async inbound(): Promise<Inbound[]> {
    const live = this.consumers.filter((c) => !c.closed);
    const ssrcs = new Map<number, RemoteConsumer>();
    for (const c of live) for (const e of c.rtpParameters.encodings ?? []) if (e.ssrc) ssrcs.set(e.ssrc, c);
    const acc = new Map<RemoteConsumer, Inbound>();
    for (const s of await this.stats()) {
      const c = ssrcs.get(s.ssrc);
      if (!c) continue;
      const row = acc.get(c) ?? { producerId: c.producerId, kind: c.kind, packets: 0, bytes: 0 };
      row.packets += s.packetsReceived ?? 0;
      row.bytes += s.bytesReceived ?? 0;
      if (s.framesDecoded !== undefined) row.framesDecoded = (row.framesDecoded ?? 0) + s.framesDecoded;
      acc.set(c, row);
    }
    return [...acc.values()];
  }

  /** Programme producer id of each kind this peer currently consumes (the server-side id). */
  get programmeIds(): string[] {
    return (this.programme?.producers ?? []).map((p) => p.id);
  }

  /** Why its libwebrtc process ended on its own, if it did (a crash of the addon). */
  get rtcDied(): string | null {
    return this.rtc.died;
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

  /** Leaves the node and ends the libwebrtc process; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reporter);
    this.socket.close();
    await this.chain;
    for (const c of this.consumers) c.closed = true;
    this.rtc.close();
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
  private readonly rtc = new RtcRemote();
  private constructor(readonly o: ProducerOptions) {
    this.socket = io(new URL(HALL_NAMESPACE, o.url).toString(), { auth: { token: o.token }, transports: ['websocket'], reconnection: false });
  }

  static async start(o: ProducerOptions): Promise<ProducerPeer> {
    const p = new ProducerPeer(o);
    try {
      await new Promise<void>((res, rej) => {
        p.socket.once('connect', () => res());
        p.socket.once('connect_error', rej);
      });
      await p.produce();
    } catch (err) {
      await p.close();
      throw err;
    }
    return p;
  }

  private async produce(): Promise<void> {
    const joined = await call<JoinRes>(this.socket, HallEvents.join, { site: this.o.site, role: this.o.role });
    await this.rtc.request('load', { routerRtpCapabilities: joined.routerRtpCapabilities });
    const info = await call<TransportInfo>(this.socket, HallEvents.createTransport, { direction: 'send' });
    const { id } = await this.rtc.request('createTransport', { direction: 'send', info });
    this.rtc.onTransport(id, async (event, data) => {
      if (event === 'connect') return call(this.socket, HallEvents.connectTransport, { transportId: id, dtlsParameters: data.dtlsParameters });
      return call<{ id: string }>(this.socket, HallEvents.produce, { transportId: id, kind: data.kind, rtpParameters: data.rtpParameters, appData: data.appData });
    });
    this.producerIds = await this.rtc.request('produceSynthetic', {
      transportId: id, width: this.o.width ?? 960, height: this.o.height ?? 540, fps: this.o.fps ?? 15, simulcast: !!this.o.simulcast,
    });
  }

  /** Stops the camera and leaves; idempotent. */
  async close(): Promise<void> {
    this.socket.close();
    this.rtc.close();
  }
}
