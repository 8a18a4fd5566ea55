// The hall receiver: joins a site on its media node and keeps the programme
// (one video + one audio) flowing into a MediaStream, with no human help.
// Recovery paths: socket reconnect → rejoin → new Device/transport → consume;
// ICE/DTLS failure → new transport → consume; `programme` push → re-consume;
// frames stalled while the programme has video → re-consume.
import type { types, Device } from 'mediasoup-client';
import { z } from 'zod';
import {
  HallEvents, Programme, RestartIceReq, RestartIceRes, ConsumeProgrammeReq, ConsumeProgrammeRes, ResumeConsumerReq, SetPreferredLayersReq,
} from '../../signaling/media.js';
import { request } from './rpc.js';
import { MediaSession, type JoinResult, type MediaSessionOptions } from './session.js';

export interface HallReceiverOptions extends MediaSessionOptions {
  /** Called with the stream to show whenever the programme is (re)consumed; null when there is none. */
  onStream?: (stream: MediaStream | null) => void;
  /** Milliseconds an ICE 'disconnected' may last before ICE is restarted. Default 4000. */
  iceGraceMs?: number;
  /** Milliseconds without a new decoded frame (while video is expected) before re-consuming. Default 12 000. */
  stallMs?: number;
  /** While waiting with nothing to show, ask the node for the programme this often (ms). Default 20 000. */
  waitingPollMs?: number;
}

/** Inbound figures summed over the current consumers, by kind. */
export interface HallStats {
  video: { framesDecoded: number; packetsReceived: number; bytesReceived: number; frameWidth: number; frameHeight: number };
  audio: { packetsReceived: number; bytesReceived: number };
  /** Protocol of the media path in use (selected ICE pair), null before one is chosen. */
  protocol: 'udp' | 'tcp' | null;
}

/** Milestones in performance.now() milliseconds, for the first-frame bench. */
export interface HallTimeline {
  startedAt?: number;
  joinedAt?: number;
  consumedAt?: number;
  firstFrameAt?: number;
}

export class HallReceiver extends MediaSession<HallReceiverOptions> {
  programme: Programme | null = null;
  /** How many times media was (re)consumed; tests watch it to see recoveries. */
  consumeCount = 0;
  readonly timeline: HallTimeline = {};
  private consumers: types.Consumer[] = [];
  private iceTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastFrames = { count: 0, at: 0 };
  private waitingAsked = 0;

  constructor(opts: HallReceiverOptions) {
    super(opts, 'hall');
  }

  override start(): void {
    if (this.socket || this.closed) return;
    this.timeline.startedAt = performance.now();
    super.start();
    this.watchdog = setInterval(() => void this.checkStall(), 3000);
  }

  /** The page reports its first painted frame (requestVideoFrameCallback); kept for the bench. */
  frameShown(): void {
    this.timeline.firstFrameAt ??= performance.now();
  }

  override close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    super.close();
  }

  async stats(): Promise<HallStats> {
    const out: HallStats = {
      video: { framesDecoded: 0, packetsReceived: 0, bytesReceived: 0, frameWidth: 0, frameHeight: 0 },
      audio: { packetsReceived: 0, bytesReceived: 0 },
      protocol: null,
    };
    for (const c of this.consumers) {
      if (c.closed) continue;
      const report = await c.getStats().catch(() => null);
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
        if (s.kind === 'video') {
          out.video.framesDecoded += n('framesDecoded');
          out.video.packetsReceived += n('packetsReceived');
          out.video.bytesReceived += n('bytesReceived');
          out.video.frameWidth = Math.max(out.video.frameWidth, n('frameWidth'));
          out.video.frameHeight = Math.max(out.video.frameHeight, n('frameHeight'));
        } else if (s.kind === 'audio') {
          out.audio.packetsReceived += n('packetsReceived');
          out.audio.bytesReceived += n('bytesReceived');
        }
      });
    }
    out.protocol = await this.selectedProtocol();
    return out;
  }

  private async selectedProtocol(): Promise<'udp' | 'tcp' | null> {
    const report = await this.transport?.getStats().catch(() => null);
    if (!report) return null;
    let pairId: string | undefined;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? (report.get(pairId) as Record<string, unknown> | undefined) : undefined;
    const local = pair ? (report.get(String(pair.localCandidateId)) as Record<string, unknown> | undefined) : undefined;
    return local?.protocol === 'tcp' ? 'tcp' : local?.protocol === 'udp' ? 'udp' : null;
  }

  // ---- session ---------------------------------------------------------------

  protected async joined(gen: number, joined: JoinResult, device: Device): Promise<void> {
    if (gen !== this.generation) return;
    this.timeline.joinedAt ??= performance.now();
    this.device = device;
    this.programme = joined.programme;
    await this.newTransport(gen);
    await this.consume(gen);
  }

  protected onProgramme(payload: unknown): void {
    const p = Programme.safeParse(payload);
    if (!p.success) return this.log('ignored malformed programme push');
    const gen = this.generation;
    this.enqueue(async () => {
      if (gen !== this.generation || !this.transport) return;
      if (!this.isNewer(p.data)) return;
      this.programme = p.data;
      await this.consume(gen).catch((err: Error) => this.resession(gen, `re-consume failed: ${err.message}`));
    });
  }

  private async newTransport(gen: number): Promise<void> {
    const transport = await this.openTransport(gen, 'recv');
    if (!transport) return;
    transport.on('connectionstatechange', (state) => {
      if (transport !== this.transport) return;
      if (this.iceTimer) { clearTimeout(this.iceTimer); this.iceTimer = null; }
      if (state === 'failed') this.resession(gen, 'transport failed');
      else if (state === 'disconnected') {
        this.iceTimer = setTimeout(() => this.restartIce(gen, transport), this.opts.iceGraceMs ?? 4000);
      }
    });
  }

  /** A network blip: new ICE credentials on the same transport; a full new session if that fails. */
  private restartIce(gen: number, transport: types.Transport): void {
    this.enqueue(async () => {
      const socket = this.socket;
      if (gen !== this.generation || transport !== this.transport || !socket) return;
      this.log('ICE stayed disconnected: restarting ICE');
      try {
        const { iceParameters } = await request(socket, HallEvents.restartIce, RestartIceReq, { transportId: transport.id }, RestartIceRes);
        await transport.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
      } catch (err) {
        this.resession(gen, `ICE restart failed: ${(err as Error).message}`);
      }
    });
  }

  /** Consumes the programme; `ask` queries the node even when our copy says there is nothing. */
  private async consume(gen: number, ask = false): Promise<void> {
    const socket = this.socket, transport = this.transport, device = this.device;
    if (!socket || !transport || !device || gen !== this.generation) return;
    this.closeConsumers();
    if (!ask && (!this.programme || this.programme.producers.length === 0)) {
      this.opts.onStream?.(null);
      this.setPhase('waiting');
      return;
    }
    const res = await request(socket, HallEvents.consumeProgramme, ConsumeProgrammeReq,
      { transportId: transport.id, rtpCapabilities: device.rtpCapabilities as unknown as Record<string, unknown> },
      ConsumeProgrammeRes);
    if (gen !== this.generation || transport !== this.transport) return;
    // The node answers with the programme these consumers belong to (newer than our copy, maybe).
    this.programme = res.programme;
    const consumers: types.Consumer[] = [];
    for (const info of res.consumers) {
      consumers.push(await transport.consume({
        id: info.id, producerId: info.producerId, kind: info.kind,
        rtpParameters: info.rtpParameters as unknown as types.RtpParameters,
      }));
    }
    this.consumers = consumers;
    if (consumers.length === 0) {
      this.opts.onStream?.(null);
      this.setPhase('waiting');
      return;
    }
    this.opts.onStream?.(new MediaStream(consumers.map((c) => c.track)));
    const simulcast = new Set(res.consumers.filter((i) => i.type === 'simulcast').map((i) => i.id));
    for (const c of consumers) {
      await request(socket, HallEvents.resumeConsumer, ResumeConsumerReq, { consumerId: c.id }, z.unknown());
      if (simulcast.has(c.id)) {
        // A hall is a big screen: ask for the top simulcast layer (the node may cap it).
        request(socket, HallEvents.setPreferredLayers, SetPreferredLayersReq, { consumerId: c.id, spatialLayer: 2 }, z.unknown())
          .catch(() => undefined);
      }
    }
    this.consumeCount++;
    this.log(`consuming programme v${this.programme?.version} from ${this.programme?.source ?? '–'}`);
    this.timeline.consumedAt ??= performance.now();
    this.lastFrames = { count: 0, at: performance.now() };
    this.setPhase('playing');
  }

  /** Re-consumes when video is expected but no frame was decoded for stallMs. */
  private async checkStall(): Promise<void> {
    if (this.phase === 'waiting' && this.transport) {
      // Pushes announce a programme; in case one was lost, ask again now and then.
      const now = performance.now();
      if (now - this.waitingAsked < (this.opts.waitingPollMs ?? 20_000)) return;
      this.waitingAsked = now;
      const gen = this.generation;
      this.enqueue(async () => {
        if (this.phase === 'waiting') await this.consume(gen, true).catch((err: Error) => this.log(`asking again failed: ${err.message}`));
      });
      return;
    }
    if (this.phase !== 'playing' || !this.consumers.some((c) => c.kind === 'video')) return;
    const gen = this.generation;
    const { video } = await this.stats();
    const now = performance.now();
    if (video.framesDecoded > 0) this.timeline.firstFrameAt ??= now;
    if (video.framesDecoded !== this.lastFrames.count) { this.lastFrames = { count: video.framesDecoded, at: now }; return; }
    if (now - this.lastFrames.at < (this.opts.stallMs ?? 12_000) || gen !== this.generation) return;
    this.lastFrames.at = now;
    this.log('no frames decoded: consuming again');
    this.enqueue(async () => {
      await this.consume(gen).catch((err: Error) => this.resession(gen, `re-consume failed: ${err.message}`));
    });
  }

  private isNewer(p: Programme): boolean {
    const cur = this.programme;
    if (!cur) return true;
    const ids = (x: Programme) => x.producers.map((q) => q.id).sort().join(',');
    if (p.version > cur.version) return true;
    return ids(p) !== ids(cur) || p.source !== cur.source;
  }

  // ---- plumbing --------------------------------------------------------------

  private closeConsumers(): void {
    for (const c of this.consumers) c.close();
    this.consumers = [];
  }

  protected override closeTransport(): void {
    this.closeConsumers();
    if (this.iceTimer) { clearTimeout(this.iceTimer); this.iceTimer = null; }
    super.closeTransport();
  }
}
