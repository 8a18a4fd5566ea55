// Recordings of a conference: the organizer's switch (auto / on / off), the
// recording being written, and each recording's record in Redis. A recording
// starts when recording turns on and stops (stoppedAt) when it turns off; in
// auto mode that is at "live" and at "ended". Segments: segments.ts.
import { AppError } from '../../signaling/common.js';
import type { ConferenceState } from '../../signaling/control.js';
import type { RecorderAlarm, RecordingPush } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { getConference } from '../store/conference.js';
import { hgetJson, hvalsJson, withLock } from '../store/util.js';
import { audit } from './audit.js';
import { recKeys } from './keys.js';

export type RecordingMode = 'auto' | 'on' | 'off';

/** What is kept of a recording; sizes, duration and chapters are derived from its segments. */
export interface RecordingRecord {
  id: string;
  conf: string;
  state: 'recording' | 'stopped';
  alarm: RecorderAlarm | null;
  startedAt: number;
  stoppedAt: number | null;
  startedBy: string;
  pushes: RecordingPush[];
}

export async function getMode(ctx: Ctx, conf: string): Promise<RecordingMode> {
  const m = await ctx.redis.get(recKeys(ctx).mode(conf));
  return m === 'on' || m === 'off' ? m : 'auto';
}

/** Whether `conf` is recorded under `mode` in `state`. */
export const wanted = (mode: RecordingMode, state: ConferenceState) => (mode === 'auto' ? state === 'live' : mode === 'on');

export async function currentId(ctx: Ctx, conf: string): Promise<string | null> {
  return ctx.redis.get(recKeys(ctx).current(conf));
}

/** The recordings being written of many conferences at once (the media link asks every second). */
export async function currentIds(ctx: Ctx, confs: string[]): Promise<(string | null)[]> {
  if (!confs.length) return [];
  const k = recKeys(ctx);
  return ctx.redis.mget(confs.map((c) => k.current(c)));
}

export async function getRecord(ctx: Ctx, conf: string, id: string): Promise<RecordingRecord> {
  const r = await hgetJson<RecordingRecord>(ctx, recKeys(ctx).list(conf), id);
  if (!r) throw new AppError('NOT_FOUND', `Không có bản ghi hình ${id}; hãy tải lại danh sách. / Recording ${id} not found; reload the list.`);
  return r;
}

export async function listRecords(ctx: Ctx, conf: string): Promise<RecordingRecord[]> {
  return (await hvalsJson<RecordingRecord>(ctx, recKeys(ctx).list(conf))).sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
}

export async function putRecord(ctx: Ctx, r: RecordingRecord): Promise<void> {
  await ctx.redis.hset(recKeys(ctx).list(r.conf), r.id, JSON.stringify(r));
}

/** Changes one recording under the conference's recording lock. */
export function updateRecord(ctx: Ctx, conf: string, id: string, fn: (r: RecordingRecord) => RecordingRecord | null): Promise<RecordingRecord> {
  return withLock(ctx, `rec:${conf}`, async () => {
    const cur = await getRecord(ctx, conf, id);
    const next = fn(structuredClone(cur));
    if (next) await putRecord(ctx, next);
    return next ?? cur;
  });
}

/**
 * Brings the conference's recording to what its mode and state want: starts a new recording
 * (rec-<n>) or stops the current one. Returns the current recording id after the change.
 */
export async function applyRecording(ctx: Ctx, conf: string, by: string): Promise<string | null> {
  const k = recKeys(ctx);
  const changed = await withLock(ctx, `rec:${conf}`, async () => {
    const [c, mode, cur] = await Promise.all([getConference(ctx, conf), getMode(ctx, conf), currentId(ctx, conf)]);
    const want = wanted(mode, c.state);
    if (want && !cur) {
      const id = `rec-${await ctx.redis.incr(k.seq(conf))}`;
      const r: RecordingRecord = { id, conf, state: 'recording', alarm: null, startedAt: Date.now(), stoppedAt: null, startedBy: by, pushes: [] };
      await ctx.redis.multi().hset(k.list(conf), id, JSON.stringify(r)).set(k.current(conf), id).exec();
      return { id, started: true, stopped: null };
    }
    if (!want && cur) {
      const r = await hgetJson<RecordingRecord>(ctx, k.list(conf), cur);
      const m = ctx.redis.multi().del(k.current(conf));
      if (r) m.hset(k.list(conf), cur, JSON.stringify({ ...r, state: 'stopped', stoppedAt: Date.now() }));
      await m.exec();
      return { id: null, started: false, stopped: cur };
    }
    return { id: cur, started: null, stopped: null };
  });
  if (changed.started !== null) {
    await audit(ctx, conf, { by, action: changed.started ? 'start' : 'stop', recording: changed.started ? changed.id : changed.stopped ?? null, detail: by === 'auto' ? 'tự động theo trạng thái hội nghị / automatic, by the conference state' : 'người tổ chức / by the organizer' });
  }
  return changed.id;
}

export async function setMode(ctx: Ctx, conf: string, mode: RecordingMode, by: string): Promise<string | null> {
  const c = await getConference(ctx, conf);
  if (mode === 'on' && c.state === 'ended') throw new AppError('CONFLICT', 'Hội nghị đã kết thúc nên không ghi hình được nữa; các bản ghi cũ vẫn ở danh sách. / The conference has ended, so it cannot be recorded any more; its recordings stay in the list.');
  const old = await getMode(ctx, conf);
  await ctx.redis.set(recKeys(ctx).mode(conf), mode);
  if (old !== mode) await audit(ctx, conf, { by, action: 'mode', recording: null, detail: `${old} → ${mode}` });
  return applyRecording(ctx, conf, by);
}

/** Called on every conference state change: auto mode follows it. Never fails the state change. */
export async function stateChanged(ctx: Ctx, conf: string): Promise<void> {
  try {
    await applyRecording(ctx, conf, 'auto');
  } catch (err) {
    ctx.log.error({ conf, err: String(err) }, 'recording did not follow the conference state; set it on the recordings panel');
  }
}

/** Who did it, as the panel shows it: the role and the start of the token id. */
export const actor = (a: { role: string; jti: string }) => `${a.role}:${a.jti.slice(0, 8)}`;
