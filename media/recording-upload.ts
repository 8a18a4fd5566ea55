// Sends finished segments to the control service (NodeRoutes.uploadSegment:
// PUT, the node's bearer token, header x-segment = SegmentMeta, body = the
// file). Each segment is retried with its own backoff until control accepts
// it (2xx), so one refused segment never holds up the others; only then is it
// deleted here (or kept, marked uploaded). Segments waiting are files on disk:
// a node that restarts finds them again when it starts (scanSegments).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { NodeRoutes } from '../signaling/recording.js';
import { signToken } from '../signaling/token.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { markUploaded, scanSegments, type SegmentFile } from './recording-files.js';

export type UploaderOptions = {
  /** The node's recording folder (scanned at start). */
  root: string;
  /** Control service base URL (the node's CONTROL_URL). */
  controlUrl: string;
  nodeId: string;
  /** Signs the node token, as the control link does. */
  /** Signs the node token (node secret), or gives an enrolled node's token. */
  tokenSecret: string | (() => string);
  /** Keep uploaded segments on this node (marked uploaded) instead of deleting them. */
  keep?: boolean;
  log: Logger;
  /** Per-segment retry backoff. Default 1 s … 60 s. */
  retry?: BackoffOptions;
};

type Entry = { seg: SegmentFile; backoff: Backoff; dueAt: number };

/** The upload route's path for one segment. */
export const segmentPath = (conf: string, run: string, index: number) =>
  NodeRoutes.uploadSegment.path.replace(':conf', encodeURIComponent(conf)).replace(':segment', encodeURIComponent(`${run}-${index}`));

export class SegmentUploader {
  private readonly queue = new Map<string, Entry>();
  private readonly uploaded = new Map<string, number>();
  private closed = false;
  private wake: () => void = () => undefined;
  private sleeping: NodeJS.Timeout | undefined;
  private current: { abort(): void } | null = null;
  private loop: Promise<void> = Promise.resolve();
  private rescan: NodeJS.Timeout | undefined;
  /** Runs started from now on are this process's own. */
  private readonly startedAt = Date.now();

  constructor(private readonly o: UploaderOptions) {}

  /** Picks up what a previous process left, then uploads as segments come. */
  async start(): Promise<void> {
    await this.scan();
    this.loop = this.run();
    // a second look once the pipelines of a process that died have finished their last segment
    this.rescan = setTimeout(() => void this.scan(), 15_000);
  }

  private async scan(): Promise<void> {
    if (this.closed) return;
    const found = (await scanSegments(this.o.root, this.o.log, { before: this.startedAt })).filter((s) => !this.queue.has(s.file));
    if (found.length) this.o.log.info({ segments: found.length }, 'recording segments from before a restart: uploading');
    for (const s of found) this.add(s);
  }

  add(seg: SegmentFile): void {
    if (this.closed || this.queue.has(seg.file)) return;
    this.queue.set(seg.file, { seg, backoff: new Backoff({ minMs: 1000, maxMs: 60_000, ...this.o.retry }), dueAt: 0 });
    this.wake();
  }

  /** Segments of `recording` accepted by control (since this process started) and still waiting. */
  counts(recording: string): { uploaded: number; pending: number } {
    let pending = 0;
    for (const e of this.queue.values()) if (e.seg.meta.recording === recording) pending++;
    return { uploaded: this.uploaded.get(recording) ?? 0, pending };
  }

  get pending(): number {
    return this.queue.size;
  }

  private next(): Entry | null {
    let best: Entry | null = null;
    for (const e of this.queue.values()) {
      if (!best || e.dueAt < best.dueAt || (e.dueAt === best.dueAt && e.seg.meta.startedAt < best.seg.meta.startedAt)) best = e;
    }
    return best;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const e = this.next();
      const wait = e ? e.dueAt - Date.now() : 3_600_000;
      if (wait > 0) {
        await new Promise<void>((r) => {
          this.wake = r;
          this.sleeping = setTimeout(r, wait);
        });
        clearTimeout(this.sleeping);
        this.wake = () => undefined;
        continue;
      }
      const { seg } = e!;
      try {
        await this.upload(seg);
        this.queue.delete(seg.file);
        this.uploaded.set(seg.meta.recording, (this.uploaded.get(seg.meta.recording) ?? 0) + 1);
        await markUploaded(seg, !!this.o.keep).catch((err) => this.o.log.warn({ file: seg.file, err: String(err) }, 'uploaded segment could not be removed'));
        this.o.log.info({ conf: seg.conf, recording: seg.meta.recording, run: seg.meta.run, index: seg.meta.index, bytes: seg.meta.bytes }, 'recording segment uploaded');
      } catch (err) {
        if (this.closed) return;
        if ((err as { gone?: boolean }).gone) {
          this.queue.delete(seg.file);
          this.o.log.error({ file: seg.file }, 'recording segment file is gone from disk; nothing to upload');
          continue;
        }
        const delay = e!.backoff.next();
        e!.dueAt = Date.now() + delay;
        this.o.log.warn({ conf: seg.conf, run: seg.meta.run, index: seg.meta.index, err: String((err as Error).message ?? err), retryInMs: delay }, 'recording segment upload failed; sending it again later');
      }
    }
  }

  private async upload(seg: SegmentFile): Promise<void> {
    const size = await stat(seg.file).then((s) => s.size, () => -1);
    if (size < 0) throw Object.assign(new Error('file missing'), { gone: true });
    if (size !== seg.meta.bytes) throw new Error(`file is ${size} bytes, its metadata says ${seg.meta.bytes}`);
    const url = new URL(segmentPath(seg.conf, seg.meta.run, seg.meta.index), this.o.controlUrl);
    const token = typeof this.o.tokenSecret === 'function' ? this.o.tokenSecret() : signToken(this.o.tokenSecret, { role: 'node', conf: '*', site: this.o.nodeId, ttlSeconds: 3600 });
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    await new Promise<void>((resolve, reject) => {
      const req = send(url, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'x-segment': JSON.stringify(seg.meta),
          'content-type': 'video/webm',
          'content-length': String(seg.meta.bytes),
        },
        timeout: 60_000,
      }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (body.length < 4000) body += c; });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`control answered ${status}: ${body.slice(0, 500)}`));
        });
        res.on('error', reject);
      });
      this.current = { abort: () => req.destroy(new Error('uploader closing')) };
      req.on('timeout', () => req.destroy(new Error('upload timed out')));
      req.on('error', reject);
      const file = createReadStream(seg.file);
      file.on('error', (err) => req.destroy(err));
      file.pipe(req);
    }).finally(() => { this.current = null; });
  }

  /** Idempotent: stops after aborting the upload under way (it is sent again after a restart). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.rescan);
    this.current?.abort();
    this.wake();
    await this.loop.catch(() => undefined);
  }
}
