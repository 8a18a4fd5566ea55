// The files a recording is downloaded as: the whole recording (its segments
// joined by ffmpeg's concat demuxer, streams copied, never re-encoded) and one
// agenda item (the segments its chapter covers, cut at the chapter's offsets
// with the concat demuxer's in/out points, copied too; a cut inside a segment
// starts at the keyframe before it). Both are cached on disk under
// a name made from the segments they come from, so a new segment makes a new
// file and the old one is removed.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../signaling/common.js';
import type { Chapter } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { recordingDir, segmentPath, type StoredSegment } from './segments.js';

export interface BuiltFile { path: string; size: number; etag: string }

/** Builds in flight, by target path: two downloads at once run ffmpeg once. */
const building = new Map<string, Promise<void>>();

function ffmpeg(ctx: Ctx, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => { if (err.length < 4000) err += d.toString(); });
    p.once('error', (e) => reject(new AppError('UNAVAILABLE', `ffmpeg could not run (${e.message}); install ffmpeg on the control server`)));
    p.once('exit', (code) => {
      if (code === 0) return resolve();
      ctx.log.error({ args, code, err }, 'ffmpeg failed on a recording');
      reject(new AppError('INTERNAL', 'the recording file could not be made; see the control service log'));
    });
  });
}

async function once(target: string, make: () => Promise<void>): Promise<void> {
  if (await stat(target).then(() => true, () => false)) return;
  let p = building.get(target);
  if (!p) {
    p = make().finally(() => building.delete(target));
    building.set(target, p);
  }
  await p;
}

/** Removes cached files of `kind` other than `keep` (they came from fewer segments). */
async function prune(dir: string, prefix: string, keep: string): Promise<void> {
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (f.startsWith(prefix) && f !== keep && !f.endsWith('.part') && !building.has(join(dir, f))) await unlink(join(dir, f)).catch(() => undefined);
  }
}

const keyOf = (segs: readonly StoredSegment[], extra = '') =>
  createHash('sha256').update(segs.map((s) => `${s.file}@${s.startedAt}`).join('\n')).update(extra).digest('hex').slice(0, 32);

async function built(path: string, key: string): Promise<BuiltFile> {
  return { path, size: (await stat(path)).size, etag: `"${key}"` };
}

export async function wholeFile(ctx: Ctx, conf: string, rec: string, segs: readonly StoredSegment[]): Promise<BuiltFile> {
  if (!segs.length) throw new AppError('CONFLICT', 'Bản ghi chưa có đoạn nào; hãy chờ máy chủ media gửi lên. / Nothing has been recorded yet; wait for the media node to upload.');
  const dir = join(recordingDir(ctx, conf, rec), 'cache');
  const key = keyOf(segs);
  const name = `whole-${key}.webm`;
  const target = join(dir, name);
  await once(target, async () => {
    await mkdir(dir, { recursive: true });
    const list = join(dir, `list-${key}-${randomBytes(4).toString('hex')}.txt`);
    await writeFile(list, segs.map((s) => `file '${quote(segmentPath(ctx, conf, rec, s))}'\n`).join(''));
    // a name of its own: another instance may build the same file at the same time
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    try {
      await ffmpeg(ctx, ['-f', 'concat', '-safe', '0', '-i', list, '-map', '0', '-c', 'copy', '-f', 'webm', tmp]);
      await rename(tmp, target);
    } finally {
      await unlink(list).catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  });
  await prune(dir, 'whole-', name);
  return built(target, key);
}

export async function itemFile(ctx: Ctx, conf: string, rec: string, segs: readonly StoredSegment[], ch: Chapter): Promise<BuiltFile> {
  const dir = join(recordingDir(ctx, conf, rec), 'cache');
  const key = keyOf(segs, `|${ch.item}|${ch.startMs}|${ch.endMs}`);
  const name = `item-${ch.item}-${key}.webm`;
  const target = join(dir, name);
  await once(target, async () => {
    await mkdir(dir, { recursive: true });
    const list = join(dir, `list-${key}-${randomBytes(4).toString('hex')}.txt`);
    await writeFile(list, cutList(ctx, conf, rec, segs, ch.startMs, ch.endMs));
    // a name of its own: another instance may build the same file at the same time
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    try {
      await ffmpeg(ctx, ['-f', 'concat', '-safe', '0', '-i', list, '-map', '0', '-c', 'copy', '-avoid_negative_ts', 'make_zero', '-f', 'webm', tmp]);
      await rename(tmp, target);
    } finally {
      await unlink(list).catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  });
  await prune(dir, `item-${ch.item}-`, name);
  return built(target, key);
}

/**
 * The concat list of the segments [startMs, endMs) of the media timeline covers, each with its
 * in and out point; a chapter starting at a segment's start (a new run) is cut exactly there.
 */
function cutList(ctx: Ctx, conf: string, rec: string, segs: readonly StoredSegment[], startMs: number, endMs: number): string {
  let off = 0;
  let out = '';
  for (const s of segs) {
    const from = off;
    off += s.durationMs;
    if (off <= startMs || from >= endMs) continue;
    out += `file '${quote(segmentPath(ctx, conf, rec, s))}'\n`;
    if (startMs > from) out += `inpoint ${((startMs - from) / 1000).toFixed(3)}\n`;
    if (endMs < off) out += `outpoint ${((endMs - from) / 1000).toFixed(3)}\n`;
  }
  return out;
}

const quote = (path: string) => path.replace(/'/g, "'\\''");
