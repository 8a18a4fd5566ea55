// A recording's segments: finished WebM files the root node uploads one by one.
// The metadata (SegmentMeta, where the file is) is in Redis per recording; the
// files are on disk under <dataDir>/recordings/<conf>/<recording>/, next to the
// material store. An upload streams to a temporary file while hashing; only a
// file whose size and sha256 match what the node declared is kept, and the
// same run + index uploaded again keeps one copy.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../signaling/common.js';
import { NodeRoutes, type SegmentMeta } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { hgetJson, hvalsJson } from '../store/util.js';
import { recKeys } from './keys.js';
import { raiseControlAlarm } from './recorder-state.js';
import { getRecord } from './store.js';

export interface StoredSegment extends SegmentMeta {
  /** file name inside the recording's directory */
  file: string;
  /** the media node that uploaded it */
  node: string;
  receivedAt: number;
}

export const recordingsRoot = (ctx: Ctx) => join(ctx.opts.dataDir, 'recordings');
export const recordingDir = (ctx: Ctx, conf: string, rec: string) => join(recordingsRoot(ctx), conf, rec);
const segKey = (m: Pick<SegmentMeta, 'run' | 'index'>) => `${m.run}:${m.index}`;

/** Segments in wall-clock order (the order they were on air). */
export async function listSegments(ctx: Ctx, conf: string, rec: string): Promise<StoredSegment[]> {
  const all = await hvalsJson<StoredSegment>(ctx, recKeys(ctx).segments(conf, rec));
  return all.sort((a, b) => a.startedAt - b.startedAt || a.run.localeCompare(b.run) || a.index - b.index);
}

export const segmentPath = (ctx: Ctx, conf: string, rec: string, s: StoredSegment) => join(recordingDir(ctx, conf, rec), s.file);

/** Free bytes on the disk holding the data dir. */
export async function freeBytes(ctx: Ctx): Promise<number> {
  const s = await statfs(ctx.opts.dataDir);
  return s.bavail * s.bsize;
}

const DISK_FULL = 'Ổ đĩa của máy chủ điều hành sắp đầy nên không nhận thêm đoạn ghi hình; hãy giải phóng dung lượng rồi nút media sẽ gửi lại. / The control server disk is nearly full, so no more recording segments are accepted; free some space and the media node sends them again.';

/** Refuses (and raises the recording's alarm) when the disk is below the configured free space. */
async function guardDisk(ctx: Ctx, conf: string, rec: string): Promise<void> {
  const free = await freeBytes(ctx);
  if (free >= ctx.opts.recordingMinFreeBytes) return;
  ctx.log.error({ conf, recording: rec, freeBytes: free, minFreeBytes: ctx.opts.recordingMinFreeBytes }, 'recording segment refused: control disk nearly full');
  await raiseControlAlarm(ctx, conf).catch(() => undefined);
  throw new AppError('UNAVAILABLE', DISK_FULL);
}

export interface Upload {
  node: string;
  conf: string;
  /** the path's segment name: `<run>-<index>` (index zero-padded or not) */
  segment: string;
  meta: SegmentMeta;
  body: Readable;
  contentLength: number | null;
}

/** Keeps one uploaded segment; `stored` is false when it was already there (the same bytes). */
export async function receiveSegment(ctx: Ctx, u: Upload): Promise<{ stored: boolean; segment: StoredSegment }> {
  const { conf, meta } = u;
  const max = NodeRoutes.uploadSegment.maxBytes;
  // the path names the segment as `<run>-<index>` (the index may be zero-padded, as node file names are)
  const named = /^(.+)-(\d{1,9})$/.exec(u.segment);
  if (!named || named[1] !== meta.run || Number(named[2]) !== meta.index) throw new AppError('BAD_REQUEST', `segment name in the path must be "${meta.run}-${meta.index}" (run-index of x-segment)`);
  await getRecord(ctx, conf, meta.recording);
  const k = recKeys(ctx);
  const existing = await hgetJson<StoredSegment>(ctx, k.segments(conf, meta.recording), segKey(meta));
  if (existing) {
    if (existing.sha256 !== meta.sha256) throw new AppError('CONFLICT', `segment ${u.segment} is already stored with other content`);
    u.body.resume();
    return { stored: false, segment: existing };
  }
  if (meta.bytes > max || (u.contentLength !== null && u.contentLength > max)) throw new AppError('TOO_LARGE', `a segment may be at most ${max} bytes`);
  if (u.contentLength !== null && u.contentLength !== meta.bytes) throw new AppError('CONFLICT', `body is ${u.contentLength} bytes, x-segment says ${meta.bytes}`);
  await guardDisk(ctx, conf, meta.recording);

  const tmpDir = join(recordingsRoot(ctx), 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > max) return cb(new AppError('TOO_LARGE', `a segment may be at most ${max} bytes`));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(u.body, meter, createWriteStream(tmp, { flags: 'wx' }));
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    if (e instanceof AppError) throw e;
    throw new AppError('BAD_REQUEST', 'upload interrupted; send the segment again');
  }
  const sha256 = hash.digest('hex');
  if (size !== meta.bytes || sha256 !== meta.sha256) {
    await unlink(tmp).catch(() => undefined);
    throw new AppError('CONFLICT', size !== meta.bytes ? `received ${size} bytes, x-segment says ${meta.bytes}; send the segment again` : 'sha256 of the body does not match x-segment; send the segment again');
  }
  // the name carries the hash: a different body under the same run + index never overwrites a kept file
  const file = `${meta.run}-${meta.index}-${sha256.slice(0, 12)}.webm`;
  const dir = recordingDir(ctx, conf, meta.recording);
  await mkdir(dir, { recursive: true });
  await rename(tmp, join(dir, file));
  const seg: StoredSegment = { ...meta, file, node: u.node, receivedAt: Date.now() };
  if (!(await ctx.redis.hsetnx(k.segments(conf, meta.recording), segKey(meta), JSON.stringify(seg)))) {
    // a concurrent upload of the same segment won
    const won = (await hgetJson<StoredSegment>(ctx, k.segments(conf, meta.recording), segKey(meta)))!;
    if (won.sha256 !== sha256) {
      await unlink(join(dir, file)).catch(() => undefined);
      throw new AppError('CONFLICT', `segment ${u.segment} is already stored with other content`);
    }
    return { stored: false, segment: won };
  }
  // deleted while uploading: keep nothing
  if (!(await ctx.redis.hexists(k.list(conf), meta.recording))) {
    await removeSegments(ctx, conf, meta.recording);
    throw new AppError('NOT_FOUND', `recording ${meta.recording} was deleted`);
  }
  ctx.log.info({ conf, recording: meta.recording, run: meta.run, index: meta.index, bytes: size, node: u.node }, 'recording segment stored');
  return { stored: true, segment: seg };
}

/** Removes every segment (records and files) of a recording. */
export async function removeSegments(ctx: Ctx, conf: string, rec: string): Promise<void> {
  await ctx.redis.del(recKeys(ctx).segments(conf, rec));
  await rm(recordingDir(ctx, conf, rec), { recursive: true, force: true });
}
