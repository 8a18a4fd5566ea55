// What the root node's recorder says about a conference (NodeReport.recording),
// kept in Redis for a few seconds so any instance's status route shows it, and
// the alarms that stop a recording: the node's (disk full, failed, no media)
// and control's own (its disk is nearly full, segments.ts).
import type { RecorderAlarm, RecorderState } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { recKeys } from './keys.js';
import { updateRecord } from './store.js';

/** A state not refreshed within this long is gone (the node unlinked). */
const STATE_TTL_MS = 10_000;
/** Unchanged states are written again this often, to keep them alive. */
const REFRESH_MS = 3_000;
/** Control's disk alarm lasts this long after the last refused segment. */
const CONTROL_ALARM_MS = 60_000;

export class RecorderStates {
  private readonly last = new Map<string, { json: string; at: number; alarm: RecorderAlarm | null }>();

  constructor(private readonly ctx: Ctx) {}

  /**
   * Notes the states a node reported for the conferences it records for control (`want`:
   * conference → recording id); states of other recordings are ignored.
   */
  async note(states: readonly RecorderState[], want: ReadonlyMap<string, string>): Promise<void> {
    const k = recKeys(this.ctx);
    const now = Date.now();
    for (const s of states) {
      if (want.get(s.conf) !== s.recording) continue;
      const json = JSON.stringify(s);
      const prev = this.last.get(s.conf);
      if (prev && prev.json === json && now - prev.at < REFRESH_MS) continue;
      await this.ctx.redis.set(k.recorder(s.conf), json, 'PX', STATE_TTL_MS);
      const alarm = s.state === 'alarm' ? s.alarm ?? 'failed' : s.state === 'recording' ? null : prev?.alarm ?? null;
      this.last.set(s.conf, { json, at: now, alarm });
      if (!prev || prev.alarm !== alarm) {
        await updateRecord(this.ctx, s.conf, s.recording, (r) => (r.alarm === alarm ? null : { ...r, alarm })).catch(() => undefined);
        if (alarm) this.ctx.log.error({ conf: s.conf, recording: s.recording, alarm, freeBytes: s.freeBytes, minFreeBytes: s.minFreeBytes }, 'recording stopped on the root media node');
        else if (prev) this.ctx.log.info({ conf: s.conf, recording: s.recording }, 'recording resumed on the root media node');
      }
    }
  }
}

export async function getRecorderState(ctx: Ctx, conf: string): Promise<RecorderState | null> {
  const s = await ctx.redis.get(recKeys(ctx).recorder(conf));
  return s ? (JSON.parse(s) as RecorderState) : null;
}

export async function raiseControlAlarm(ctx: Ctx, conf: string): Promise<void> {
  await ctx.redis.set(`${recKeys(ctx).recorder(conf)}:control-disk`, '1', 'PX', CONTROL_ALARM_MS);
}

export async function controlAlarm(ctx: Ctx, conf: string): Promise<boolean> {
  return (await ctx.redis.exists(`${recKeys(ctx).recorder(conf)}:control-disk`)) === 1;
}
