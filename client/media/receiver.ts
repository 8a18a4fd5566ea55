// The hall receiver: joins a site on its media node and keeps the programme
// (one video + one audio) flowing into a MediaStream, with no human help.
// Recovery paths: socket reconnect → rejoin → new Device/transport → consume;
// ICE/DTLS failure → new transport → consume; `programme` push → re-consume;
// frames stalled while the programme has video → re-consume (unless the node
// said the link carries the sound only: `videoState` push, media/audio-only.ts).
import type { types, Device } from 'mediasoup-client';
import type { Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  HallEvents, HallVideoState, Programme, RestartIceReq, RestartIceRes, ConsumeProgrammeReq, ConsumeProgrammeRes, ResumeConsumerReq, SetPreferredLayersReq,
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
  /**
   * Whether the picture is really on screen (the page's video element plays); with decoded frames
   * this is what the node reports to control as "playing". Default: always.
   */
  isShowing?: () => boolean;
  /** How often the page tells the node what it plays (ms). Default 1000; 0 = never. */
  playbackEveryMs?: number;
  /**
   * The node paused the picture because the link is too thin for it (true; the sound goes on), or
   * the picture is back (false). The page shows its title card and a small badge meanwhile.
   */
  onAudioOnly?: (audioOnly: boolean) => void;
}

/** Inbound figures summed over the current consumers, by kind. */
export interface HallStats {
  /** `freezeCount`: the browser's count of visible freezes (frames late enough to be seen as stalls). */
  video: { framesDecoded: number; packetsReceived: number; bytesReceived: number; frameWidth: number; frameHeight: number; codec: string | null; freezeCount: number };
  /**
   * Samples played out, and those the decoder had to invent for lost packets (concealed; silent
   * ones = a gap heard as silence) and how many times it started doing so.
   */
  audio: { packetsReceived: number; bytesReceived: number; totalSamples: number; concealedSamples: number; silentConcealedSamples: number; concealmentEvents: number };
  /** What the consumers were set up with: Opus in-band FEC, NACK and RTX on the video. */
  resilience: { opusFec: boolean; videoNack: boolean; videoRtx: boolean };
  /** Protocol of the media path in use (selected ICE pair), null before one is chosen. */
  protocol: 'udp' | 'tcp' | null;
  /** The path goes through a TURN relay (the hall could not reach the node directly). */
  relayed: boolean;
  /** Lost packets (video + audio) and round-trip time of the selected ICE pair. */
  packetsLost: number;
  rttMs: number | null;
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
  /** The node sends the sound only: the link is too thin for the picture (it comes back by itself). */
  audioOnly = false;
  readonly timeline: HallTimeline = {};
  private consumers: types.Consumer[] = [];
  private iceTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private lastFrames = { count: 0, at: 0 };
  private waitingAsked = 0;
  private reporter: ReturnType<typeof setInterval> | null = null;
  /** The previous playback sample, for rates over the interval. */
  private sample: { at: number; frames: number; bytes: number; packets: number; lost: number; framesAt: number } | null = null;

  constructor(opts: HallReceiverOptions) {
    super(opts, 'hall');
  }

  override start(): void {
    if (this.socket || this.closed) return;
    this.timeline.startedAt = performance.now();
    super.start();
    // (super.start() opened the socket; the narrowing above does not know)
    (this.socket as Socket | null)?.on(HallEvents.videoState, (payload: unknown) => this.onVideoState(payload));
    this.watchdog = setInterval(() => void this.checkStall(), 3000);
    const every = this.opts.playbackEveryMs ?? 1000;
    if (every > 0) this.reporter = setInterval(() => void this.reportPlayback(), every);
  }

  /** The page reports its first painted frame (requestVideoFrameCallback); kept for the bench. */
  frameShown(): void {
    this.timeline.firstFrameAt ??= performance.now();
  }

  override close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (this.reporter) clearInterval(this.reporter);
    this.reporter = null;
    super.close();
  }

  async stats(): Promise<HallStats> {
    const out: HallStats = {
      video: { framesDecoded: 0, packetsReceived: 0, bytesReceived: 0, frameWidth: 0, frameHeight: 0, codec: null, freezeCount: 0 },
      audio: { packetsReceived: 0, bytesReceived: 0, totalSamples: 0, concealedSamples: 0, silentConcealedSamples: 0, concealmentEvents: 0 },
      resilience: { opusFec: false, videoNack: false, videoRtx: false },
      protocol: null,
      relayed: false,
      packetsLost: 0,
      rttMs: null,
    };
    for (const c of this.consumers) {
      if (c.closed) continue;
      const codecs = c.rtpParameters.codecs;
      if (c.kind === 'audio') out.resilience.opusFec ||= codecs.some((k) => /opus/i.test(k.mimeType) && Number(k.parameters?.useinbandfec) === 1);
      else {
        out.resilience.videoNack ||= codecs.some((k) => k.rtcpFeedback?.some((f) => f.type === 'nack' && !f.parameter));
        out.resilience.videoRtx ||= codecs.some((k) => /\/rtx$/i.test(k.mimeType)) && c.rtpParameters.encodings?.some((e) => !!e.rtx) === true;
      }
      const report = await c.getStats().catch(() => null);
      report?.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        const n = (k: string) => (typeof s[k] === 'number' ? (s[k] as number) : 0);
        out.packetsLost += Math.max(0, n('packetsLost'));
        if (s.kind === 'video') {
          out.video.framesDecoded += n('framesDecoded');
          out.video.packetsReceived += n('packetsReceived');
          out.video.bytesReceived += n('bytesReceived');
          out.video.frameWidth = Math.max(out.video.frameWidth, n('frameWidth'));
          out.video.frameHeight = Math.max(out.video.frameHeight, n('frameHeight'));
          const codec = typeof s.codecId === 'string' ? (report.get(s.codecId) as { mimeType?: string } | undefined) : undefined;
          if (codec?.mimeType) out.video.codec = codec.mimeType;
          out.video.freezeCount += n('freezeCount');
        } else if (s.kind === 'audio') {
          out.audio.packetsReceived += n('packetsReceived');
          out.audio.bytesReceived += n('bytesReceived');
          out.audio.totalSamples += n('totalSamplesReceived');
          out.audio.concealedSamples += n('concealedSamples');
          out.audio.silentConcealedSamples += n('silentConcealedSamples');
          out.audio.concealmentEvents += n('concealmentEvents');
        }
      });
    }
    const path = await this.selectedPath();
    out.protocol = path.protocol;
    out.relayed = path.relayed;
    out.rttMs = path.rttMs;
    return out;
  }

  /**
   * Tells the node what this page really plays: frames decoded in the last two seconds while the
   * picture is on screen = playing. A frozen picture, a paused video or a page in trouble is not.
   */
  private async reportPlayback(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected || this.phase === 'connecting' || this.phase === 'unauthorized') return;
    const st = await this.stats();
    const now = performance.now();
    const bytes = st.video.bytesReceived + st.audio.bytesReceived;
    const packets = st.video.packetsReceived + st.audio.packetsReceived;
    const prev = this.sample;
    // counters restart with every new consumer: take a drop as a fresh start
    const fresh = !prev || st.video.framesDecoded < prev.frames || bytes < prev.bytes;
    const framesAt = !fresh && st.video.framesDecoded === prev.frames ? prev.framesAt : now;
    this.sample = { at: now, frames: st.video.framesDecoded, bytes, packets, lost: st.packetsLost, framesAt };
    if (fresh) return;
    const secs = Math.max(0.001, (now - prev.at) / 1000);
    const dPackets = Math.max(0, packets - prev.packets);
    const dLost = Math.max(0, st.packetsLost - prev.lost);
    const decoding = this.phase === 'playing' && st.video.framesDecoded > 0 && now - framesAt < 2000;
    const payload = {
      playing: decoding && (this.opts.isShowing?.() ?? true),
      framesDecoded: st.video.framesDecoded,
      fps: Math.min(240, Math.round(((st.video.framesDecoded - prev.frames) / secs) * 10) / 10),
      bitrateKbps: Math.round(((bytes - prev.bytes) * 8) / secs / 1000),
      lossPct: dPackets + dLost > 0 ? Math.round((dLost / (dPackets + dLost)) * 1000) / 10 : 0,
      ...(st.rttMs !== null ? { rttMs: Math.min(60_000, Math.round(st.rttMs)) } : {}),
      ...(st.video.frameHeight ? { frameHeight: st.video.frameHeight } : {}),
      ...(st.protocol ? { relayed: st.relayed } : {}),
    };
    socket.emit(HallEvents.playback, payload, () => undefined);
  }

  private async selectedPath(): Promise<{ protocol: 'udp' | 'tcp' | null; rttMs: number | null; relayed: boolean }> {
    const none = { protocol: null, rttMs: null, relayed: false };
    const report = await this.transport?.getStats().catch(() => null);
    if (!report) return none;
    let pairId: string | undefined;
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pairId = s.selectedCandidatePairId;
    });
    const pair = pairId ? (report.get(pairId) as Record<string, unknown> | undefined) : undefined;
    const local = pair ? (report.get(String(pair.localCandidateId)) as Record<string, unknown> | undefined) : undefined;
    const rtt = typeof pair?.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null;
    // a relayed local candidate's protocol is the relay's (UDP); the hall reaches the relay over relayProtocol
    const proto = local?.candidateType === 'relay' ? local?.relayProtocol ?? local?.protocol : local?.protocol;
    return { protocol: proto === 'tcp' || proto === 'tls' ? 'tcp' : proto === 'udp' ? 'udp' : null, rttMs: rtt, relayed: local?.candidateType === 'relay' };
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

  private onVideoState(payload: unknown): void {
    const p = HallVideoState.safeParse(payload);
    if (!p.success) return this.log('ignored malformed video state');
    if (!this.consumers.some((c) => c.id === p.data.consumerId && !c.closed)) return;
    this.log(p.data.audioOnly ? `audio only (weak link), video tried again in ${Math.round((p.data.retryInMs ?? 0) / 1000)} s` : 'video back');
    // the stall watchdog counts from now: the picture needs a moment to start again
    if (!p.data.audioOnly) this.lastFrames.at = performance.now();
    this.setAudioOnly(p.data.audioOnly);
  }

  private setAudioOnly(on: boolean): void {
    if (this.audioOnly === on) return;
    this.audioOnly = on;
    this.opts.onAudioOnly?.(on);
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
    // audio only: no frames is what the node meant, not a stall
    if (this.phase !== 'playing' || this.audioOnly || !this.consumers.some((c) => c.kind === 'video')) return;
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
    // new consumers start with the picture; the node says again if the link cannot carry it
    this.setAudioOnly(false);
  }

  protected override closeTransport(): void {
    this.closeConsumers();
    if (this.iceTimer) { clearTimeout(this.iceTimer); this.iceTimer = null; }
    super.closeTransport();
  }
}
