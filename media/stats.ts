// Per-hop and per-hall stream figures. Producers and consumers register here
// when created (sources, pipe hops, hall consumers) and leave when closed.
import type { types as ms } from 'mediasoup';
import type { StatsRes, StreamStats } from '../signaling/media.js';

export type Tracked = {
  conf: string;
  site: string;
  hop: StreamStats['hop'];
  direction: StreamStats['direction'];
  /** Peer node id (may only be known later: a function) or socket id. */
  peer?: string | (() => string);
  producerId: string;
  target: { kind: 'producer'; producer: ms.Producer } | { kind: 'consumer'; consumer: ms.Consumer };
};

type Traceable = {
  closed: boolean;
  on(ev: 'trace', fn: (t: { type: string; info: Record<string, unknown> }) => void): unknown;
  off(ev: 'trace', fn: (t: { type: string; info: Record<string, unknown> }) => void): unknown;
  enableTraceEvent(types: string[]): Promise<void>;
};

/** Frames per second from the RTP marker bit, measured only while someone watches the stats. */
class FpsMeter {
  private frames = 0;
  private since = Date.now();
  fps: number | undefined;
  private readonly onTrace = (t: { type: string; info: Record<string, unknown> }) => {
    if (t.type !== 'rtp' || t.info?.isRtx) return;
    const pkt = (t.info.rtpPacket ?? t.info) as { marker?: boolean; spatialLayer?: number };
    if (pkt.marker) this.frames++;
  };
  private readonly target: Traceable;
  constructor(target: ms.Consumer | ms.Producer) {
    this.target = target as unknown as Traceable;
    this.target.on('trace', this.onTrace);
    void this.target.enableTraceEvent(['rtp']).catch(() => undefined);
  }
  sample(): number | undefined {
    const now = Date.now();
    if (now - this.since >= 900) {
      this.fps = Math.round((this.frames * 1000) / (now - this.since));
      this.frames = 0;
      this.since = now;
    }
    return this.fps;
  }
  stop(): void {
    this.target.off('trace', this.onTrace);
    if (!this.target.closed) void this.target.enableTraceEvent([]).catch(() => undefined);
  }
}

const WATCH_MS = 15_000;

export class StatsRegistry {
  private readonly entries = new Map<string, Tracked & { fps?: FpsMeter }>();
  private watchedUntil = 0;
  private sweep: NodeJS.Timeout | undefined;
  /**
   * A hall's frames per second as its page reports them (media/watchers.ts): halls are many, so
   * their fps never costs per-packet tracing in the worker.
   */
  hallFps: ((socketId: string) => number | undefined) | undefined;
  /** Whether a hall's media goes through TURN, from the hall page's own report. */
  hallRelayed: ((socketId: string) => boolean | undefined) | undefined;

  constructor(readonly nodeId: string) {}

  track(t: Tracked): void {
    const obj = t.target.kind === 'producer' ? t.target.producer : t.target.consumer;
    const key = `${t.hop}:${t.direction}:${obj.id}`;
    this.entries.set(key, t);
    (obj.observer as unknown as { once(ev: 'close', fn: () => void): void }).once('close', () => {
      this.entries.get(key)?.fps?.stop();
      this.entries.delete(key);
    });
  }

  /** Collects every tracked stream's figures; starts fps meters (video) for a while. */
  async collect(filter?: (t: Tracked) => boolean): Promise<StatsRes> {
    this.watch();
    const streams: StreamStats[] = [];
    await Promise.all(
      [...this.entries.values()].map(async (t) => {
        if (filter && !filter(t)) return;
        try {
          const s = await this.one(t);
          if (s) streams.push(s);
        } catch {
          // closed while we asked: skip it
        }
      }),
    );
    streams.sort((a, b) => (a.hop + a.direction + a.id).localeCompare(b.hop + b.direction + b.id));
    return { nodeId: this.nodeId, at: Date.now(), streams };
  }

  private watch(): void {
    this.watchedUntil = Date.now() + WATCH_MS;
    if (this.sweep) return;
    this.sweep = setInterval(() => {
      if (Date.now() < this.watchedUntil) return;
      for (const e of this.entries.values()) {
        e.fps?.stop();
        e.fps = undefined;
      }
      clearInterval(this.sweep);
      this.sweep = undefined;
    }, 5_000);
    this.sweep.unref();
  }

  private async one(t: Tracked & { fps?: FpsMeter }): Promise<StreamStats | undefined> {
    const obj = t.target.kind === 'producer' ? t.target.producer : t.target.consumer;
    if (obj.closed) return undefined;
    const raw = (await obj.getStats()) as unknown as (ms.RtpStreamRecvStats | ms.RtpStreamSendStats)[];
    const want = t.target.kind === 'producer' ? 'inbound-rtp' : 'outbound-rtp';
    const rows = raw.filter((r) => r.type === want);
    let bitrate = 0;
    let packets = 0;
    let packetsLost = 0;
    let fraction = 0;
    let rtt: number | undefined;
    for (const r of rows) {
      bitrate += r.bitrate ?? 0;
      packets += r.packetCount ?? 0;
      packetsLost += r.packetsLost ?? 0;
      fraction = Math.max(fraction, r.fractionLost ?? 0);
      if (r.roundTripTime !== undefined) rtt = Math.max(rtt ?? 0, r.roundTripTime);
    }
    const s: StreamStats = {
      id: obj.id,
      conf: t.conf,
      site: t.site,
      kind: obj.kind,
      direction: t.direction,
      hop: t.hop,
      producerId: t.producerId,
      bitrate,
      packets,
      packetsLost,
      lossRate: fraction / 256,
      ...(t.peer ? { peer: typeof t.peer === 'function' ? t.peer() : t.peer } : {}),
      ...(rtt !== undefined ? { rtt } : {}),
    };
    if (t.target.kind === 'consumer') {
      const layers = t.target.consumer.currentLayers;
      if (layers) {
        s.spatialLayer = layers.spatialLayer;
        if (layers.temporalLayer !== undefined) s.temporalLayer = layers.temporalLayer;
      }
    } else if (obj.kind === 'video') {
      // highest encoding currently receiving media
      const active = rows.filter((r) => (r.bitrate ?? 0) > 0).length;
      if (rows.length > 1) s.spatialLayer = Math.max(0, active - 1);
    }
    if (obj.kind === 'video' && t.hop === 'hall') {
      const fps = typeof t.peer === 'string' ? this.hallFps?.(t.peer) : undefined;
      if (fps !== undefined) s.fps = Math.round(fps);
      const relayed = typeof t.peer === 'string' ? this.hallRelayed?.(t.peer) : undefined;
      if (relayed !== undefined) s.relayed = relayed;
    }
    // per-packet tracing only for a single-encoding source (one per site at most), while watched
    if (obj.kind === 'video' && t.hop === 'source' && rows.length <= 1) {
      t.fps ??= new FpsMeter(obj);
      const fps = t.fps.sample();
      if (fps !== undefined) s.fps = fps;
    }
    return s;
  }

  close(): void {
    if (this.sweep) clearInterval(this.sweep);
    for (const e of this.entries.values()) e.fps?.stop();
    this.entries.clear();
  }
}
