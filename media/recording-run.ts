// One run of a recorder: the programme's producers at one moment, consumed
// from the hub router over plain RTP into one pipeline process. A programme
// change or a restart ends the run and starts another; segments are numbered
// inside their run.
//
// The run behaves as an RTP endpoint towards the router: it asks for a
// keyframe when it starts, after loss (the router's figures for this consumer
// and for its producer, sampled every second), and when a segment reaches its
// target length so the cut lands close to it.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { finishSegment, segmentName, writeOpen, type OpenSegment, type SegmentFile } from './recording-files.js';
import { RecordingPipeline, RtcpRelay, type Fragment } from './recording-pipeline.js';

export type RunOptions = {
  router: ms.Router;
  video: ms.Producer | null;
  audio: ms.Producer | null;
  conf: string;
  recording: string;
  /** The site on air (the programme's source). */
  source: string | null;
  /** This recording's folder (created by the caller). */
  dir: string;
  segmentMs: number;
  latencyMs?: number;
  log: Logger;
  /** How often the router's loss figures are read. Default 1000 ms. */
  lossPollMs?: number;
};

type RunEvents = {
  /** A segment is finished and measured (its SegmentMeta is on disk next to it). */
  segment: [SegmentFile];
  /** The first segment opened: media is being written. */
  writing: [];
  /** The pipeline process ended by itself (crash, kill). */
  failed: [string];
};

/** Run ids sort by start time: `<ms epoch base36>-<random>` (recording-files.ts reads the time back). */
export const newRunId = () => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** What the recorder takes: VP8 (written as is), H.264 (recording-pipeline.ts encodes it to VP8), Opus. */
const RECORDER_CAPS = (router: ms.Router): ms.RtpCapabilities => ({
  codecs: router.rtpCapabilities.codecs!.filter((c) => c.mimeType === 'video/VP8' || c.mimeType === 'video/H264' || c.mimeType === 'audio/opus').map((c) => ({
    ...c,
    rtcpFeedback: c.kind === 'video' ? [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] : [],
  })),
  headerExtensions: [],
});

export class RecordingRun extends EventEmitter<RunEvents> {
  readonly id = newRunId();
  private readonly transports: ms.PlainTransport[] = [];
  private readonly relays: RtcpRelay[] = [];
  private readonly consumers = new Map<'video' | 'audio', ms.Consumer>();
  private pipeline: RecordingPipeline | null = null;
  private readonly open = new Map<number, OpenSegment>();
  private readonly finishing = new Set<Promise<unknown>>();
  private timers = new Set<NodeJS.Timeout>();
  private lossTimer: NodeJS.Timeout | undefined;
  private lost = new Map<string, number>();
  private stopping: Promise<void> | undefined;
  /** Segments finished in this run. */
  segments = 0;
  writing = false;

  constructor(private readonly o: RunOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.pipeline?.pid;
  }

  get video(): boolean {
    return !!this.o.video;
  }

  get audio(): boolean {
    return !!this.o.audio;
  }

  /** Consumers paused, pipeline listening, then the consumers resume (nothing is sent into the void). */
  async start(): Promise<void> {
    const { router, log } = this.o;
    try {
      const caps = RECORDER_CAPS(router);
      const streams = [];
      for (const [kind, producer] of [['video', this.o.video], ['audio', this.o.audio]] as const) {
        if (!producer) continue;
        const t = await router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: false,
          comedia: false,
          appData: { recording: this.o.recording, run: this.id },
        });
        this.transports.push(t);
        const relay = await RtcpRelay.open();
        this.relays.push(relay);
        const consumer = await t.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true, appData: { recording: this.o.recording } });
        this.consumers.set(kind, consumer);
        const codec = consumer.rtpParameters.codecs[0]!;
        const h264 = codec.mimeType.toLowerCase() === 'video/h264';
        streams.push({ kind, ...(h264 ? { codec: 'H264' as const } : {}), payloadType: codec.payloadType, clockRate: codec.clockRate, rtcpTo: relay.port, transport: t, relay });
      }
      if (!streams.length) throw new Error('nothing on air to record');
      const pipeline = await RecordingPipeline.start({
        streams,
        location: join(this.o.dir, segmentName(this.id, '%05d')),
        segmentMs: this.o.segmentMs,
        ...(this.o.latencyMs !== undefined ? { latencyMs: this.o.latencyMs } : {}),
        log,
      });
      this.pipeline = pipeline;
      pipeline.on('opened', (f) => this.onOpened(f));
      pipeline.on('closed', (f) => this.onClosed(f));
      pipeline.on('exit', (e) => {
        if (e.expected || this.stopping) return;
        void this.stop().then(() => this.emit('failed', `pipeline exited (${e.code ?? e.signal})${e.error ? `: ${e.error}` : ''}`));
      });
      for (const s of streams) {
        const ports = pipeline.ports.get(s.kind)!;
        await s.transport.connect({ ip: '127.0.0.1', port: ports.rtp, rtcpPort: s.relay.port });
        s.relay.connect(s.transport.rtcpTuple!.localPort, ports.rtcp);
      }
      const video = this.consumers.get('video');
      if (video) {
        // simulcast: the highest layer the source sends
        if (video.type === 'simulcast' || video.type === 'svc') await video.setPreferredLayers({ spatialLayer: 15, temporalLayer: 15 });
        const first = await this.firstKeyFrame(video, 3000);
        await video.resume();
        this.keyFrame('start');
        // audio joins at the first picture, so each run's first segment starts with both
        await first.sent;
      }
      await this.consumers.get('audio')?.resume();
      this.lossTimer = setInterval(() => void this.watchLoss(), this.o.lossPollMs ?? 1000);
      log.info({ conf: this.o.conf, recording: this.o.recording, run: this.id, pid: pipeline.pid, source: this.o.source, kinds: streams.map((s) => s.kind) }, 'recording run started');
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Once listening: `sent` settles at the first keyframe the router sends this consumer (or after `timeoutMs`). */
  private async firstKeyFrame(c: ms.Consumer, timeoutMs: number): Promise<{ sent: Promise<void> }> {
    await c.enableTraceEvent(['keyframe']);
    const since = Date.now();
    const sent = new Promise<void>((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        c.off('trace', onTrace);
        if (!c.closed) void c.enableTraceEvent([]).catch(() => undefined);
        resolve();
      }
      const onTrace = (e: ms.ConsumerTraceEventData) => {
        if (e.type !== 'keyframe') return;
        this.o.log.debug({ run: this.id, afterMs: Date.now() - since }, 'first keyframe sent to the recorder');
        done();
      };
      c.on('trace', onTrace);
    });
    return { sent };
  }

  private keyFrame(why: string): void {
    const c = this.consumers.get('video');
    if (!c || c.closed) return;
    c.requestKeyFrame().catch(() => undefined);
    this.o.log.debug({ run: this.id, why }, 'keyframe requested');
  }

  /** Loss seen by the pipeline (its receiver reports) or before the router (the producer's): ask for a keyframe. */
  private async watchLoss(): Promise<void> {
    const c = this.consumers.get('video');
    if (!c || c.closed || this.stopping) return;
    try {
      let grew = false;
      for (const s of await c.getStats()) {
        const key = `${s.type}:${s.ssrc}`;
        const lost = (s as { packetsLost?: number }).packetsLost ?? 0;
        if (lost > (this.lost.get(key) ?? 0)) grew = true;
        this.lost.set(key, lost);
      }
      if (grew) this.keyFrame('loss');
    } catch {
      // the consumer closed meanwhile
    }
  }

  private onOpened(f: Fragment): void {
    const p = this.pipeline!;
    const seg: OpenSegment = {
      conf: this.o.conf,
      recording: this.o.recording,
      run: this.id,
      index: f.index,
      startedAt: p.wallOf(f.runningNs),
      source: this.o.source,
      video: this.video,
      audio: this.audio,
    };
    this.open.set(f.index, seg);
    this.track(writeOpen(f.location, seg));
    if (!this.writing) {
      this.writing = true;
      this.emit('writing');
    }
    // a keyframe just after the target length: the cut lands there instead of at the next natural one
    const due = seg.startedAt + this.o.segmentMs + 20 - Date.now();
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.keyFrame('segment');
    }, Math.max(0, due));
    this.timers.add(t);
  }

  private onClosed(f: Fragment): void {
    const seg = this.open.get(f.index);
    this.open.delete(f.index);
    if (!seg) return;
    this.track((async () => {
      // the muxer has written the file's duration and cues; let the sink close it
      await new Promise((r) => setTimeout(r, 200));
      const done = await finishSegment(f.location, seg, this.o.log);
      if (!done) return;
      this.segments++;
      this.emit('segment', done);
    })());
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err) => this.o.log.error({ run: this.id, err: String(err) }, 'recording segment could not be finished'));
    this.finishing.add(q);
    void q.finally(() => this.finishing.delete(q));
  }

  /**
   * Ends the run: end of stream so the open segment is finished, then the router side closes.
   * Segments the pipeline left open (it was killed) are finished if complete, else dropped.
   * Idempotent; resolves once every segment of the run is on disk with its sidecar.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.lossTimer);
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      await this.pipeline?.stop();
      for (const t of this.transports) t.close();
      for (const r of this.relays) r.close();
      while (this.finishing.size) await Promise.all([...this.finishing]);
      for (const [index, seg] of this.open) {
        this.open.delete(index);
        const file = join(this.o.dir, segmentName(this.id, index));
        const done = await finishSegment(file, seg, this.o.log).catch(() => null);
        if (done) {
          this.segments++;
          this.emit('segment', done);
        }
      }
      this.o.log.info({ conf: this.o.conf, run: this.id, segments: this.segments }, 'recording run ended');
    })();
    return this.stopping;
  }
}
