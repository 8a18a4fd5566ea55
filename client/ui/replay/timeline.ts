// Where a replay stands on the recording's chapters: before the first item,
// inside one, between two (the hall showed the maket then), or after the end.
// Times are ms of the file being played.
import type { Chapter } from '../../../signaling/recording.js';

export type Phase =
  | { kind: 'none' }
  | { kind: 'before'; next: Chapter | null }
  | { kind: 'chapter'; chapter: Chapter; index: number }
  | { kind: 'between'; next: Chapter }
  | { kind: 'after'; last: Chapter | null };

/**
 * `range`: one item played out of the whole file ([start, end) of its chapter); `ended`: the file
 * (or the range) has been played to its end.
 */
export function phaseAt(chapters: readonly Chapter[], t: number, range: readonly [number, number] | null, ended: boolean): Phase {
  const list = [...chapters].sort((a, b) => a.startMs - b.startMs);
  if (range) {
    const ch = list.find((c) => c.startMs === range[0]) ?? null;
    if (ended || t >= range[1]) return { kind: 'after', last: ch };
    if (t < range[0]) return { kind: 'before', next: ch };
    return ch ? { kind: 'chapter', chapter: ch, index: list.indexOf(ch) } : { kind: 'none' };
  }
  if (!list.length) return ended ? { kind: 'after', last: null } : { kind: 'none' };
  if (ended) return { kind: 'after', last: list.at(-1)! };
  if (t < list[0]!.startMs) return { kind: 'before', next: list[0]! };
  const i = list.findIndex((c) => t >= c.startMs && t < c.endMs);
  if (i >= 0) return { kind: 'chapter', chapter: list[i]!, index: i };
  const next = list.find((c) => c.startMs > t);
  return next ? { kind: 'between', next } : { kind: 'after', last: list.at(-1)! };
}

/** mm:ss or h:mm:ss of a media time. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(sec)}` : `${two(m)}:${two(sec)}`;
}
