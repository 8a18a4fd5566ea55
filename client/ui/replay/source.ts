// The file a replay plays: the site's own copy when the organizer pushed the
// recording here (Cache Storage, sha256-verified by the material cache), else
// streamed from the control service (Range, token in the query since a <video>
// cannot send headers). Chapters are given in the played file's own times.
import { routePath } from '../../../signaling/control-routes.js';
import type { Chapter, Recording } from '../../../signaling/recording.js';
import type { ControlApi } from '../api.js';
import type { MaterialCache } from '../material-cache.js';
import { pushedCopies, type ReplayBundle } from './bundle.js';

export interface Choice { recording: Recording; item: string | null }
export interface Resolved {
  url: string;
  from: 'cache' | 'stream';
  chapters: Chapter[];
  /** One item played out of the whole file: its chapter's [start, end). */
  range: [number, number] | null;
  release(): void;
}

export class NotHereError extends Error {}

/** Whether this choice can play from the site's own copy. */
export function cachedFor(b: ReplayBundle, cache: MaterialCache, c: Choice): 'whole' | 'item' | null {
  const local = cache.local.value;
  const copies = pushedCopies(b, c.recording).filter((p) => local.get(p.material.id)?.state === 'cached');
  if (copies.some((p) => p.item === null)) return 'whole';
  if (c.item && copies.some((p) => p.item === c.item)) return 'item';
  return null;
}

export async function resolveSource(api: ControlApi, token: string, conf: string, b: ReplayBundle, cache: MaterialCache, c: Choice, online: boolean): Promise<Resolved> {
  const ch = c.item ? c.recording.chapters.find((x) => x.item === c.item) ?? null : null;
  const alone = (x: Chapter): Chapter[] => [{ ...x, startMs: 0, endMs: x.endMs - x.startMs }];
  const copies = pushedCopies(b, c.recording);
  // the whole recording here: any choice plays from it (one item = its chapter's range)
  for (const p of copies.filter((x) => x.item === null)) {
    const blob = await cache.blob(p.material);
    if (!blob) continue;
    const url = URL.createObjectURL(blob);
    return { url, from: 'cache', chapters: c.recording.chapters, range: ch ? [ch.startMs, ch.endMs] : null, release: () => URL.revokeObjectURL(url) };
  }
  if (ch) {
    for (const p of copies.filter((x) => x.item === c.item)) {
      const blob = await cache.blob(p.material);
      if (!blob) continue;
      const url = URL.createObjectURL(blob);
      return { url, from: 'cache', chapters: alone(ch), range: null, release: () => URL.revokeObjectURL(url) };
    }
  }
  if (!online) throw new NotHereError(c.recording.id);
  const url = api.url(routePath('downloadRecording', { conf, recording: c.recording.id }), { ...(c.item ? { item: c.item } : {}), token });
  return { url, from: 'stream', chapters: ch ? alone(ch) : c.recording.chapters, range: null, release: () => undefined };
}
