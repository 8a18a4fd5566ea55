// The recorder's media process: one `gst-launch-1.0` per run, receiving the
// programme as plain RTP from the hub router and writing WebM segments without
// re-encoding (VP8 + Opus as on air). An H.264 programme (a hardware encoder
// through the ingest) is decoded and encoded to VP8 here: every recording stays
// one WebM/VP8 format, so a recording whose source changed codec mid-way is
// still cut, joined and played as one file. It costs the recording node about
// a core at 720p (gstreamer1.0-libav's decoder, libvpx in realtime mode).
//
// Why GStreamer rather than ffmpeg: rtpbin is a real RTP receiver. It sends
// RTCP receiver reports and, with rtpjitterbuffer's do-retransmission and the
// AVPF profile, generic NACKs and PLIs back to the router, and it lines audio
// up with video from the router's RTCP sender reports. splitmuxsink closes
// each segment as a complete file (webmmux writes its duration and cues when
// the segment ends), so killing the process loses at most the open segment;
// `-e` turns SIGINT into an end-of-stream that finalises the last one.
// `-m` prints the bus messages this module reads: the UDP ports the sources
// bound (port 0 = the kernel picks a free one, nothing to race for), when the
// pipeline started playing (running time 0), and each segment opened/closed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

export type PipelineStream = {
  kind: 'video' | 'audio';
  /** Video: the codec on air (default VP8). */
  codec?: 'VP8' | 'H264';
  payloadType: number;
  clockRate: number;
  /** Where the pipeline sends its RTCP (receiver reports, NACK, PLI): the stream's RtcpRelay. */
  rtcpTo: number;
};

export type PipelineOptions = {
  streams: PipelineStream[];
  /** Segment path pattern with one `%05d` (the index inside the run). */
  location: string;
  /** Target segment length; cuts land on the first keyframe after it. */
  segmentMs: number;
  /**
   * Jitter buffer latency (ms): how late a packet may arrive (a NACKed one coming back, or all of
   * them after a stall of the network or the machine) and still be written. Nobody watches a
   * recording live, so it is generous. Default 2000.
   */
  latencyMs?: number;
  log: Logger;
  /** gst-launch binary; default `gst-launch-1.0` on PATH. */
  binary?: string;
};

/** A segment opened or closed; `runningNs` is the pipeline's running time at its first (opened) or end (closed) media. */
export type Fragment = { location: string; index: number; runningNs: number };

export type PipelineEvents = {
  opened: [Fragment];
  closed: [Fragment];
  /** The process ended; `expected` when stop() or kill() asked for it. */
  exit: [{ code: number | null; signal: NodeJS.Signals | null; expected: boolean; error: string | null }];
};

/** Bitrate of the VP8 an H.264 programme is recorded as (bits/s): about the top simulcast layer's. */
const H264_REENCODE_BPS = 2_000_000;

const NAMES = { video: { rtp: 'vrtp', rtcp: 'vrtcp' }, audio: { rtp: 'artp', rtcp: 'artcp' } } as const;

/** The gst-launch arguments of a pipeline (exported for the logs and the tests). */
export function pipelineArgs(o: PipelineOptions): string[] {
  const latency = o.latencyMs ?? 2000;
  const args = ['-e', '-m', '-v',
    'rtpbin', 'name=rb', `latency=${latency}`, 'do-retransmission=true', 'rtp-profile=avpf', 'do-lost=true',
    // timestamps from the sender's RTP clock, anchored at the first packet's arrival: a burst after
    // a stall (network or CPU) keeps its true spacing instead of squeezing frames onto one instant
    'buffer-mode=synced',
    // audio/video alignment from the sender reports moves by at most 1 ms a frame: never backwards
    'max-ts-offset-adjustment=1000000'];
  o.streams.forEach((s, i) => {
    const caps = s.kind === 'video'
      ? `application/x-rtp,media=(string)video,clock-rate=(int)${s.clockRate},encoding-name=(string)${s.codec ?? 'VP8'},payload=(int)${s.payloadType},rtcp-fb-nack=(boolean)true,rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true`
      : `application/x-rtp,media=(string)audio,clock-rate=(int)${s.clockRate},encoding-name=(string)OPUS,payload=(int)${s.payloadType},encoding-params=(string)2`;
    const n = NAMES[s.kind];
    args.push(
      'udpsrc', `name=${n.rtp}`, 'address=127.0.0.1', 'port=0', 'reuse=false', 'buffer-size=4194304', `caps=${caps}`, '!', `rb.recv_rtp_sink_${i}`,
      'udpsrc', `name=${n.rtcp}`, 'address=127.0.0.1', 'port=0', 'reuse=false', '!', `rb.recv_rtcp_sink_${i}`,
      `rb.send_rtcp_src_${i}`, '!', 'udpsink', 'host=127.0.0.1', `port=${s.rtcpTo}`, 'sync=false', 'async=false',
    );
  });
  for (const s of o.streams) {
    // rtpbin's source pads appear per stream; gst-launch links each to the depayloader whose caps fit
    if (s.kind === 'video' && s.codec === 'H264') {
      // decoded and encoded to VP8 (see the top): a keyframe every 2 s at 25–30 fps so segments can
      // be cut near their target length, at about the top simulcast layer's bitrate
      args.push('rb.', '!', 'rtph264depay', 'request-keyframe=true', 'wait-for-keyframe=true', '!', 'avdec_h264', '!', 'videoconvert', '!',
        'vp8enc', 'deadline=1', 'cpu-used=8', 'end-usage=cbr', `target-bitrate=${H264_REENCODE_BPS}`, 'keyframe-max-dist=60', 'threads=2', '!', 'queue', '!', 'mux.video');
    } else if (s.kind === 'video') args.push('rb.', '!', 'rtpvp8depay', 'request-keyframe=true', 'wait-for-keyframe=true', '!', 'queue', '!', 'mux.video');
    // webmmux wants the rate the RTP clock implies; rtpopusdepay leaves it out
    else args.push('rb.', '!', 'rtpopusdepay', '!', 'capssetter', `caps=audio/x-opus,rate=(int)${s.clockRate}`, '!', 'queue', '!', 'mux.audio_%u');
  }
  args.push('splitmuxsink', 'name=mux', 'muxer-factory=webmmux', `location=${o.location}`,
    `max-size-time=${BigInt(o.segmentMs) * 1_000_000n}`, 'max-size-bytes=0');
  return args;
}

let setpriv: boolean | undefined;
/** util-linux's setpriv (parent-death signal) is there: checked once. */
function hasSetpriv(): boolean {
  setpriv ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setpriv;
}

const PORT_RE = /GstUDPSrc:(\w+): port = (\d+)/;
const FRAGMENT_RE = /splitmuxsink-fragment-(opened|closed), location=\(string\)(.*?), running-time=\(guint64\)(\d+)/;
const INDEX_RE = /(\d+)\.webm$/;

export class RecordingPipeline extends EventEmitter<PipelineEvents> {
  /** Local UDP ports the pipeline listens on, per kind. */
  readonly ports = new Map<'video' | 'audio', { rtp: number; rtcp: number }>();
  /** Wall clock (ms epoch) of running time 0: when the pipeline went to PLAYING. */
  playingAt = 0;
  private readonly proc: ChildProcess;
  private expected = false;
  private exited: Promise<void>;
  private lastError: string | null = null;
  private tail = '';
  private readonly ready: Promise<void>;
  private readonly openFragments = new Set<number>();

  private constructor(private readonly o: PipelineOptions) {
    super();
    const args = pipelineArgs(o);
    const binary = o.binary ?? 'gst-launch-1.0';
    // if the node process dies, the pipeline gets SIGINT: it finishes its open segment and exits
    // (found and uploaded by the next start) instead of lingering without a parent
    this.proc = hasSetpriv()
      ? spawn('setpriv', ['--pdeathsig', 'INT', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const rawPorts = new Map<string, number>();
    let playing = false;
    let resolveReady: () => void = () => undefined;
    let rejectReady: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
    this.ready.catch(() => undefined);
    const check = () => {
      if (!playing) return;
      for (const s of o.streams) {
        const n = NAMES[s.kind];
        const rtp = rawPorts.get(n.rtp);
        const rtcp = rawPorts.get(n.rtcp);
        if (!rtp || !rtcp) return;
        this.ports.set(s.kind, { rtp, rtcp });
      }
      resolveReady();
    };
    const onLine = (line: string) => {
      const port = PORT_RE.exec(line);
      if (port) {
        rawPorts.set(port[1]!, Number(port[2]));
        return check();
      }
      if (line.startsWith('Setting pipeline to PLAYING')) {
        // the base time is taken right after this line: running time 0 ≈ now
        this.playingAt = Date.now();
        playing = true;
        return check();
      }
      const f = FRAGMENT_RE.exec(line);
      if (f) {
        const location = f[2]!.replace(/\\(.)/g, '$1');
        const index = Number(INDEX_RE.exec(location)?.[1] ?? -1);
        if (f[1] === 'opened') this.openFragments.add(index);
        else this.openFragments.delete(index);
        this.emit(f[1] === 'opened' ? 'opened' : 'closed', { location, index, runningNs: Number(f[3]) });
        return;
      }
      if (line.startsWith('ERROR:') || line.startsWith('WARNING: erroneous')) {
        this.lastError = line;
        o.log.warn({ pid: this.proc.pid, line }, 'recording pipeline error');
      }
    };
    let buf = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.tail = (this.tail + chunk).slice(-2000);
    });
    this.exited = new Promise((res) => {
      this.proc.once('exit', (code, signal) => {
        const error = this.lastError ?? (this.tail.trim() || null);
        rejectReady(new Error(`recording pipeline exited (${code ?? signal}) before playing: ${error ?? ''}`));
        this.emit('exit', { code, signal, expected: this.expected, error });
        res();
      });
      this.proc.once('error', (err) => {
        this.lastError = String(err);
        rejectReady(err);
        res();
      });
    });
  }

  /** Starts gst-launch; resolves once it plays with every UDP port known. */
  static async start(o: PipelineOptions, timeoutMs = 15_000): Promise<RecordingPipeline> {
    const p = new RecordingPipeline(o);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        p.ready,
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('recording pipeline did not start in time')), timeoutMs); }),
      ]);
    } catch (err) {
      p.kill();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return p;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Wall clock (ms epoch) of a running time of this pipeline. */
  wallOf(runningNs: number): number {
    return Math.round(this.playingAt + runningNs / 1e6);
  }

  /** End of stream (the last segment is finalised), then exit; SIGKILL after `graceMs`. Idempotent. */
  async stop(graceMs = 15_000): Promise<void> {
    this.expected = true;
    if (this.running) {
      this.proc.kill('SIGINT');
      const t = setTimeout(() => {
        this.o.log.warn({ pid: this.proc.pid }, 'recording pipeline did not finish its last segment in time; killed');
        this.proc.kill('SIGKILL');
      }, graceMs);
      // once the muxer has closed every open segment the files are complete: the rest of the
      // shutdown (rtpbin's goodbye reports) is not worth waiting for
      let done: NodeJS.Timeout | undefined;
      const check = () => {
        if (this.openFragments.size || done) return;
        done = setTimeout(() => this.proc.kill('SIGKILL'), 1000);
      };
      this.on('closed', check);
      check();
      await this.exited;
      this.off('closed', check);
      clearTimeout(t);
      clearTimeout(done);
    }
    await this.exited;
  }

  /** Ends the process at once (the open segment is lost). */
  kill(): void {
    this.expected = true;
    if (this.running) this.proc.kill('SIGKILL');
  }
}

/**
 * Carries one stream's RTCP between the router and the pipeline. mediasoup
 * only accepts RTCP from the address it sends its own RTCP to, and
 * gst-launch cannot receive and send on one socket: this socket is that
 * address, forwarding the router's sender reports to the pipeline and the
 * pipeline's reports and feedback to the router (a few packets a second).
 */
export class RtcpRelay {
  private routerPort = 0;
  private pipelinePort = 0;
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (msg, from) => {
      if (!this.routerPort || !this.pipelinePort || from.address !== '127.0.0.1') return;
      const to = from.port === this.routerPort ? this.pipelinePort : this.routerPort;
      socket.send(msg, to, '127.0.0.1');
    });
    socket.on('error', () => undefined);
  }

  static open(): Promise<RtcpRelay> {
    const socket = createSocket('udp4');
    return new Promise((res, rej) => {
      socket.once('error', rej);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', rej);
        res(new RtcpRelay(socket));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** `routerPort`: the transport's RTCP port; `pipelinePort`: the pipeline's RTCP source port. */
  connect(routerPort: number, pipelinePort: number): void {
    this.routerPort = routerPort;
    this.pipelinePort = pipelinePort;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}
