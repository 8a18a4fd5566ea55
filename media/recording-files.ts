// Segments on the node's disk: <root>/<conf>/<recording>/<run>-<index>.webm,
// each with a sidecar. `.open.json` is written when the pipeline opens the
// segment (what is known then); `.json` (the full SegmentMeta) once the file
// is finished, hashed and measured — only those are uploaded. After an upload
// control accepted, both go (or the sidecar becomes `.uploaded.json` when
// uploaded segments are kept). A node that restarts finds everything it still
// has to send from these files alone.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { SegmentMeta } from '../signaling/recording.js';

const exec = promisify(execFile);

/** A finished segment waiting to be uploaded (or just uploaded). */
export type SegmentFile = { conf: string; file: string; meta: SegmentMeta };

/** What is known when a segment opens; the rest comes when it is finished. */
export type OpenSegment = Pick<SegmentMeta, 'recording' | 'run' | 'index' | 'startedAt' | 'source' | 'video' | 'audio'> & { conf: string };

export const recordingDir = (root: string, conf: string, recording: string) => join(root, conf, recording);
/** The segment's file name inside its recording's folder; `%05d` for the pipeline's pattern. */
export const segmentName = (run: string, index: number | '%05d') => `${run}-${index === '%05d' ? index : String(index).padStart(5, '0')}.webm`;
const sidecar = (file: string, kind: 'open' | 'done' | 'uploaded') =>
  file.replace(/\.webm$/, kind === 'open' ? '.open.json' : kind === 'done' ? '.json' : '.uploaded.json');

/** When the run of a segment file started: run ids begin with their start time (ms epoch, base 36). */
export const runStartedAt = (name: string) => Number.parseInt(name.split('-')[0]!, 36) || 0;

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Media duration written in the file (ms); null when the file was never finished (no duration). */
export async function probeDurationMs(file: string): Promise<number | null> {
  try {
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { timeout: 20_000 });
    const s = Number.parseFloat(stdout.trim());
    return Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : null;
  } catch {
    return null;
  }
}

export async function writeOpen(file: string, seg: OpenSegment): Promise<void> {
  await writeFile(sidecar(file, 'open'), JSON.stringify(seg));
}

/**
 * Completes a closed segment: hash, size and duration measured from the file, SegmentMeta written
 * next to it. Null (and the file removed) when it holds nothing usable.
 */
export async function finishSegment(file: string, seg: OpenSegment, log: Logger): Promise<SegmentFile | null> {
  const { conf, ...rest } = seg;
  let bytes = 0;
  try {
    bytes = (await stat(file)).size;
  } catch {
    await unlink(sidecar(file, 'open')).catch(() => undefined);
    return null;
  }
  const durationMs = bytes > 0 ? await probeDurationMs(file) : null;
  if (durationMs === null) {
    log.warn({ file, bytes }, 'recording segment was never finished (the pipeline stopped inside it); dropped');
    await discard(file);
    return null;
  }
  const meta = SegmentMeta.parse({ ...rest, durationMs, bytes, sha256: await sha256File(file) });
  await writeFile(sidecar(file, 'done'), JSON.stringify(meta));
  await unlink(sidecar(file, 'open')).catch(() => undefined);
  return { conf, file, meta };
}

/** Removes a segment and its sidecars. */
export async function discard(file: string): Promise<void> {
  for (const f of [file, sidecar(file, 'open'), sidecar(file, 'done')]) await unlink(f).catch(() => undefined);
}

/** After control accepted it: removed, or kept with its sidecar renamed so it is not sent again. */
export async function markUploaded(s: SegmentFile, keep: boolean): Promise<void> {
  if (keep) await rename(sidecar(s.file, 'done'), sidecar(s.file, 'uploaded'));
  else await discard(s.file);
}

/**
 * Every finished segment under `root` still to be uploaded, oldest first. A segment a previous
 * process left open is finished here if the file is complete, dropped otherwise (at most the one
 * segment open at a crash is lost); one written to less than `settleMs` ago is left for a later scan,
 * and one of a run started at or after `before` (ms epoch: this process's runs) is left alone.
 */
export async function scanSegments(root: string, log: Logger, o: { before: number; settleMs?: number }): Promise<SegmentFile[]> {
  o.settleMs ??= 10_000;
  const out: SegmentFile[] = [];
  await mkdir(root, { recursive: true });
  for (const conf of await readdir(root).catch(() => [] as string[])) {
    for (const recording of await readdir(join(root, conf)).catch(() => [] as string[])) {
      const dir = join(root, conf, recording);
      const names = new Set(await readdir(dir).catch(() => [] as string[]));
      for (const name of names) {
        if (!name.endsWith('.webm')) continue;
        const file = join(dir, name);
        try {
          if (names.has(name.replace(/\.webm$/, '.uploaded.json'))) continue;
          const done = name.replace(/\.webm$/, '.json');
          if (names.has(done)) {
            const meta = SegmentMeta.parse(JSON.parse(await readFile(join(dir, done), 'utf8')));
            out.push({ conf, file, meta });
            continue;
          }
          // still being written by a run of this process: not ours to judge
          if (runStartedAt(name) >= o.before) continue;
          const open = name.replace(/\.webm$/, '.open.json');
          if (names.has(open)) {
            // a pipeline whose node died may still be finishing it: the next scan decides
            if (Date.now() - (await stat(file)).mtimeMs < o.settleMs && (await probeDurationMs(file)) === null) continue;
            const seg = JSON.parse(await readFile(join(dir, open), 'utf8')) as OpenSegment;
            const finished = await finishSegment(file, { ...seg, conf }, log);
            if (finished) out.push(finished);
            continue;
          }
          await discard(file);
        } catch (err) {
          log.warn({ file, err: String(err) }, 'recording segment on disk unreadable; left in place');
        }
      }
      // sidecars whose file is gone
      for (const name of names) {
        if (name.endsWith('.json') && !names.has(name.replace(/(\.open|\.uploaded)?\.json$/, '.webm'))) await unlink(join(dir, name)).catch(() => undefined);
      }
    }
  }
  return out.sort((a, b) => a.meta.startedAt - b.meta.startedAt || a.meta.index - b.meta.index);
}
