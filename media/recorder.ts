// The recorder of one conference on its root node: records what is on air —
// the session's programme, at most one video and one audio producer of the hub
// router, as halls see it — into finished WebM segments, each handed to
// `onSegment` (the uploader). A programme change (a floor switch and back, a
// source that restarts) ends the run and starts another. Below the free-space
// threshold it finishes the open segment and stops (alarm 'disk-full') and
// starts again by itself once there is room; a pipeline that dies raises
// 'failed' and is started again with backoff.
import { EventEmitter } from 'node:events';
import { mkdir, statfs } from 'node:fs/promises';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import type { RecorderAlarm, RecorderState } from '../signaling/recording.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { recordingDir, type SegmentFile } from './recording-files.js';
import { RecordingRun } from './recording-run.js';
import type { Session } from './session.js';

/** How long a programme with one kind only waits for the other before a run starts. */
const PARTIAL_WAIT_MS = 1000;

export type RecorderOptions = {
  session: Session;
  /** Control's recording id: segments belong to it. */
  recording: string;
  /** The node's recording folder; this recording's segments go to <root>/<conf>/<recording>/. */
  root: string;
  /** Target segment length (ms); a cut lands on the first keyframe after it. Default 10 000. */
  segmentMs?: number;
  /** Free bytes below which recording stops (alarm 'disk-full'). */
  minFreeBytes: number;
  /** Each finished segment (file and SegmentMeta on disk). */
  onSegment: (s: SegmentFile) => void;
  log: Logger;
  /** Backoff of a failed pipeline's restarts. Default 1 s … 30 s. */
  retry?: BackoffOptions;
  /** How often free space is checked. Default 2000 ms. */
  diskCheckMs?: number;
  /** Jitter buffer latency of the pipeline (ms). */
  latencyMs?: number;
  /** A run with nothing written after this long raises 'no-media'. Default 10 000 ms. */
  noMediaMs?: number;
};

/** RecorderState without the uploader's counts. */
export type RecorderStatus = Omit<RecorderState, 'uploaded' | 'pending'>;

type RecorderEvents = {
  state: [RecorderStatus];
  run: [RecordingRun];
  closed: [];
};

export class Recorder extends EventEmitter<RecorderEvents> {
  readonly conf: string;
  readonly recording: string;
  /** Free-space threshold (bytes); may be changed while running, checked every diskCheckMs. */
  minFreeBytes: number;
  freeBytes = 0;
  private run: RecordingRun | null = null;
  private runKey = '';
  private runStartedAt = 0;
  private diskFull = false;
  private failed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly diskTimer: NodeJS.Timeout;
  private readonly stateTimer: NodeJS.Timeout;
  private readonly backoff: Backoff;
  private chain: Promise<void> = Promise.resolve();
  private last: { state: RecorderStatus['state']; alarm: RecorderAlarm | null; since: number } = { state: 'waiting', alarm: null, since: Date.now() };
  private closing: Promise<void> | undefined;
  private partial: { key: string; at: number } | undefined;
  private readonly dir: string;
  private readonly onProgramme = () => this.schedule();
  private readonly onRouterClose = () => void this.close();

  constructor(private readonly o: RecorderOptions) {
    super();
    this.conf = o.session.conf;
    this.recording = o.recording;
    this.minFreeBytes = o.minFreeBytes;
    this.dir = recordingDir(o.root, this.conf, o.recording);
    this.backoff = new Backoff({ minMs: 1000, maxMs: 30_000, ...o.retry });
    o.session.on('programme', this.onProgramme);
    o.session.hub.router.observer.once('close', this.onRouterClose);
    this.diskTimer = setInterval(() => void this.checkDisk(), o.diskCheckMs ?? 2000);
    this.stateTimer = setInterval(() => this.status(), 1000);
    // the disk first, so a full disk never starts a pipeline
    this.chain = this.checkDisk().then(() => this.reconcile()).catch((err) => this.o.log.error({ conf: this.conf, err: String(err) }, 'recorder step failed'));
  }

  /** The pipeline process of the current run (tests kill it). */
  get pid(): number | undefined {
    return this.run?.pid;
  }

  get runId(): string | null {
    return this.run?.id ?? null;
  }

  get closed(): boolean {
    return !!this.closing;
  }

  status(): RecorderStatus {
    const noMediaMs = this.o.noMediaMs ?? 10_000;
    let state: RecorderStatus['state'] = 'waiting';
    let alarm: RecorderAlarm | null = null;
    if (this.diskFull) alarm = 'disk-full';
    else if (this.failed) alarm = 'failed';
    else if (this.run?.writing) state = 'recording';
    else if (this.run && Date.now() - this.runStartedAt > noMediaMs) alarm = 'no-media';
    if (alarm) state = 'alarm';
    if (state !== this.last.state || alarm !== this.last.alarm) {
      this.last = { state, alarm, since: Date.now() };
      const s = this.snapshot();
      queueMicrotask(() => this.emit('state', s));
    }
    return this.snapshot();
  }

  private snapshot(): RecorderStatus {
    return { conf: this.conf, recording: this.recording, ...this.last, freeBytes: this.freeBytes, minFreeBytes: this.minFreeBytes };
  }

  private schedule(delayMs = 150): void {
    if (this.closing) return;
    // a floor switch arrives as a few programme events in a row: one new run for all of them
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.chain = this.chain.then(() => this.reconcile()).catch((err) => this.o.log.error({ conf: this.conf, err: String(err) }, 'recorder step failed'));
    }, delayMs);
  }

  private async checkDisk(): Promise<void> {
    if (this.closing) return;
    try {
      await mkdir(this.dir, { recursive: true });
      const s = await statfs(this.dir);
      this.freeBytes = s.bavail * s.bsize;
    } catch (err) {
      this.o.log.error({ conf: this.conf, dir: this.dir, err: String(err) }, 'recording folder unusable');
      return;
    }
    const full = this.freeBytes < this.minFreeBytes;
    if (full === this.diskFull) return;
    this.diskFull = full;
    if (full) this.o.log.error({ conf: this.conf, recording: this.recording, freeBytes: this.freeBytes, minFreeBytes: this.minFreeBytes }, 'recording stopped: the recording disk is nearly full');
    else this.o.log.info({ conf: this.conf, recording: this.recording, freeBytes: this.freeBytes }, 'recording disk has room again: recording resumes');
    this.status();
    this.schedule(0);
  }

  /** What should be recorded now: the programme's live producers, unless the disk is full or a retry is pending. */
  private wanted(): { video: ms.Producer | null; audio: ms.Producer | null; source: string | null; key: string } | null {
    if (this.closing || this.diskFull || this.failed) return null;
    const s = this.o.session;
    if (s.closed) return null;
    const prog = s.programme();
    const live = (kind: string) => {
      const p = prog.producers.find((x) => x.kind === kind);
      const hp = p ? s.producers.get(p.id) : undefined;
      return hp && !hp.producer.closed ? hp.producer : null;
    };
    const video = live('video');
    const audio = live('audio');
    if (!video && !audio) return null;
    return { video, audio, source: prog.source, key: JSON.stringify([video?.id ?? null, audio?.id ?? null, prog.source]) };
  }

  private async reconcile(): Promise<void> {
    const want = this.wanted();
    if (want && this.run && want.key === this.runKey) return;
    // a source brings its video and its audio one after the other: give the second a moment
    // rather than start a run for one kind and another right after
    if (want && !this.run && (!want.video || !want.audio)) {
      if (this.partial?.key !== want.key) this.partial = { key: want.key, at: Date.now() };
      const wait = PARTIAL_WAIT_MS - (Date.now() - this.partial.at);
      if (wait > 0) return this.schedule(wait);
    }
    if (!want && !this.run) {
      this.status();
      return;
    }
    const old = this.run;
    this.run = null;
    this.runKey = '';
    // the old run finishes its last segment while the new one starts: the gap is one process start
    await Promise.all([old?.stop(), want ? this.startRun(want) : undefined]);
    this.status();
  }

  private async startRun(want: NonNullable<ReturnType<Recorder['wanted']>>): Promise<void> {
    const run = new RecordingRun({
      router: this.o.session.hub.router,
      video: want.video,
      audio: want.audio,
      conf: this.conf,
      recording: this.recording,
      source: want.source,
      dir: this.dir,
      segmentMs: this.o.segmentMs ?? 10_000,
      ...(this.o.latencyMs !== undefined ? { latencyMs: this.o.latencyMs } : {}),
      log: this.o.log,
    });
    run.on('segment', (seg) => {
      this.backoff.reset();
      this.o.onSegment(seg);
    });
    run.on('writing', () => this.status());
    run.on('failed', (why) => this.onFailed(run, why));
    try {
      this.run = run;
      this.runKey = want.key;
      this.runStartedAt = Date.now();
      await mkdir(this.dir, { recursive: true });
      await run.start();
      this.emit('run', run);
    } catch (err) {
      this.onFailed(run, String(err));
    }
  }

  private onFailed(run: RecordingRun, why: string): void {
    if (this.run !== run || this.closing) return;
    this.run = null;
    this.runKey = '';
    this.failed = true;
    const delay = this.backoff.next();
    this.o.log.error({ conf: this.conf, recording: this.recording, run: run.id, why, retryInMs: delay }, 'recording pipeline failed; starting it again');
    this.status();
    this.retryTimer = setTimeout(() => {
      this.failed = false;
      this.schedule(0);
    }, delay);
  }

  /** Idempotent: the open segment is finished, the run stops, nothing else starts. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.debounce);
      clearTimeout(this.retryTimer);
      clearInterval(this.diskTimer);
      clearInterval(this.stateTimer);
      this.o.session.off('programme', this.onProgramme);
      this.o.session.hub.router.observer.off('close', this.onRouterClose);
      await this.chain.catch(() => undefined);
      const run = this.run;
      this.run = null;
      await run?.stop();
      this.emit('closed');
      this.removeAllListeners();
    })();
    return this.closing;
  }
}
