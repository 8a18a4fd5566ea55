// A recording's media timeline: its segments played one after another in the
// order they were on air (wall clock), so a gap between runs (a node restart,
// a pause) collapses. An agenda item's actual start and end are placed on it:
// a time inside a gap maps to the start of the segment after the gap.
import type { AgendaItem } from '../../signaling/control.js';
import type { Chapter } from '../../signaling/recording.js';

export interface Placed { startedAt: number; durationMs: number }

/** Media offset (ms from the recording's start) of wall-clock time `t`. */
export function mediaOffset(segs: readonly Placed[], t: number): number {
  let off = 0;
  for (const s of segs) {
    if (t < s.startedAt) return off;
    if (t < s.startedAt + s.durationMs) return off + (t - s.startedAt);
    off += s.durationMs;
  }
  return off;
}

/** An ISO time in Vietnam time (+07:00), as the reports print it. */
export function vnIso(ms: number): string {
  return new Date(ms + 7 * 3600_000).toISOString().replace('Z', '+07:00');
}

/**
 * One chapter per agenda item whose actual time overlaps what was recorded; a running item
 * ends at `now` (the end of what is recorded so far).
 */
export function chaptersOf(items: readonly AgendaItem[], segs: readonly Placed[], now = Date.now()): Chapter[] {
  const out: Chapter[] = [];
  for (const it of [...items].sort((a, b) => (a.actualStart ?? 0) - (b.actualStart ?? 0) || a.order - b.order)) {
    if (it.actualStart === undefined) continue;
    const startMs = Math.round(mediaOffset(segs, it.actualStart));
    const endMs = Math.round(mediaOffset(segs, it.actualEnd ?? now));
    if (endMs <= startMs) continue;
    out.push({ item: it.id, title: it.title, startMs, endMs, actualStart: vnIso(it.actualStart), actualEnd: it.actualEnd !== undefined ? vnIso(it.actualEnd) : null });
  }
  return out;
}
