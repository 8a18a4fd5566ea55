// Redis keys of recordings (all under the service prefix), in one place.
import type { Ctx } from '../context.js';

export function recKeys(ctx: Ctx) {
  const p = `${ctx.keys.prefix}rec:`;
  return {
    /** the organizer's switch: 'auto' | 'on' | 'off' (absent = auto) */
    mode: (c: string) => `${p}mode:${c}`,
    /** id → stored recording (RecordingRecord JSON) */
    list: (c: string) => `${p}list:${c}`,
    /** the recording being written now (absent = none) */
    current: (c: string) => `${p}current:${c}`,
    /** counter behind rec-<n> */
    seq: (c: string) => `${p}seq:${c}`,
    /** `<run>:<index>` → StoredSegment JSON */
    segments: (c: string, r: string) => `${p}segs:${c}:${r}`,
    /** the root node's latest recorder state (RecorderState JSON, short TTL: gone when the node is) */
    recorder: (c: string) => `${p}recorder:${c}`,
    /** deletions and other acts on recordings, newest first (AuditEntry JSON) */
    audit: (c: string) => `${p}audit:${c}`,
  };
}
