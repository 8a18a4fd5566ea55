// The recorders of a node: one per conference this node roots that control
// says to record (RecordCommand, the full set each time), each following its
// session (a conference that ends closes its recorder), and the uploader
// their segments go to.
import type { Logger } from 'pino';
import type { RecordCommand, RecorderState } from '../signaling/recording.js';
import type { Cascade } from './cascade.js';
import { Recorder } from './recorder.js';
import { SegmentUploader } from './recording-upload.js';

export type RecordersOptions = {
  cascade: Cascade;
  nodeId: string;
  /** The node's recording folder. */
  root: string;
  minFreeBytes: number;
  segmentMs: number;
  /** Keep segments after control accepted them. */
  keepUploaded?: boolean;
  /** Control service base URL: where segments are uploaded (none: they stay on disk). */
  controlUrl?: string | null;
  /** Signs the node token for uploads (as the control link). */
  tokenSecret: string | (() => string);
  log: Logger;
};

export class Recorders {
  private readonly recorders = new Map<string, Recorder>();
  readonly uploader: SegmentUploader | null;
  private chain: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(private readonly o: RecordersOptions) {
    this.uploader = o.controlUrl
      ? new SegmentUploader({ root: o.root, controlUrl: o.controlUrl, nodeId: o.nodeId, tokenSecret: o.tokenSecret, keep: !!o.keepUploaded, log: o.log })
      : null;
    this.uploader?.start().catch((err) => o.log.error({ err: String(err) }, 'recording uploader could not start'));
  }

  /** The recorder of `conf`, if any. */
  get(conf: string): Recorder | undefined {
    return this.recorders.get(conf);
  }

  /**
   * Records exactly the conferences of `cmd` that this node roots (a new recording id restarts the
   * recorder); stops the others. Answers the set actually applied.
   */
  apply(cmd: RecordCommand): Promise<RecordCommand> {
    const step = this.chain.then(() => this.reconcile(cmd));
    this.chain = step.catch(() => undefined);
    return step;
  }

  private async reconcile(cmd: RecordCommand): Promise<RecordCommand> {
    if (this.closing) return { confs: [] };
    const want = new Map(cmd.confs.filter((c) => this.o.cascade.isRoot(c.conf)).map((c) => [c.conf, c.recording]));
    for (const [conf, rec] of [...this.recorders]) {
      if (want.get(conf) === rec.recording && !rec.closed) continue;
      this.recorders.delete(conf);
      await rec.close();
      this.o.log.info({ conf, recording: rec.recording }, 'recording stopped');
    }
    const applied: RecordCommand['confs'] = [];
    for (const [conf, recording] of want) {
      if (this.recorders.has(conf)) {
        applied.push({ conf, recording });
        continue;
      }
      const session = await this.o.cascade.session(conf).catch(() => null);
      if (!session || session.closed) continue; // ended here: nothing to record
      const rec = new Recorder({
        session,
        recording,
        root: this.o.root,
        segmentMs: this.o.segmentMs,
        minFreeBytes: this.o.minFreeBytes,
        onSegment: (s) => this.uploader?.add(s),
        log: this.o.log,
      });
      rec.once('closed', () => {
        if (this.recorders.get(conf) === rec) this.recorders.delete(conf);
      });
      this.recorders.set(conf, rec);
      applied.push({ conf, recording });
      this.o.log.info({ conf, recording }, 'recording started');
    }
    return { confs: applied };
  }

  /** What each recorder does now, with its upload counts (NodeReport.recording). */
  states(): RecorderState[] {
    return [...this.recorders.values()].filter((r) => !r.closed).map((r) => ({
      ...r.status(),
      ...(this.uploader?.counts(r.recording) ?? { uploaded: 0, pending: 0 }),
    }));
  }

  /** Idempotent: every recorder finishes its open segment; the uploader stops (the rest goes after a restart). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.chain;
      await Promise.all([...this.recorders.values()].map((r) => r.close()));
      this.recorders.clear();
      await this.uploader?.close();
    })();
    return this.closing;
  }
}
