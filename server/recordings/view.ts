// A recording as the API shows it: its record, plus what its segments add up
// to (duration, size) and its chapters from the agenda's actual times.
import type { Recording, RecordingStatus } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { getAgenda } from '../store/agenda.js';
import { controlAlarm, getRecorderState } from './recorder-state.js';
import { listSegments, type StoredSegment } from './segments.js';
import { currentId, getMode, getRecord, listRecords, type RecordingRecord } from './store.js';
import { chaptersOf } from './timeline.js';
import type { AgendaItem } from '../../signaling/control.js';

export function viewOf(r: RecordingRecord, segs: readonly StoredSegment[], items: readonly AgendaItem[], diskAlarm: boolean): Recording {
  return {
    id: r.id, conf: r.conf, state: r.state,
    alarm: diskAlarm && r.state === 'recording' ? 'disk-full' : r.alarm,
    startedAt: r.startedAt, stoppedAt: r.stoppedAt,
    durationMs: segs.reduce((n, s) => n + s.durationMs, 0),
    bytes: segs.reduce((n, s) => n + s.bytes, 0),
    segments: segs.length,
    // a stopped recording's running item ends where the recording does
    chapters: chaptersOf(items, segs, r.stoppedAt ?? Date.now()),
    pushes: r.pushes,
    startedBy: r.startedBy,
  };
}

export async function recordingView(ctx: Ctx, conf: string, id: string): Promise<Recording> {
  const [r, segs, agenda, disk] = await Promise.all([getRecord(ctx, conf, id), listSegments(ctx, conf, id), getAgenda(ctx, conf), controlAlarm(ctx, conf)]);
  return viewOf(r, segs, agenda.items, disk);
}

export async function listViews(ctx: Ctx, conf: string): Promise<Recording[]> {
  const [rs, agenda, disk] = await Promise.all([listRecords(ctx, conf), getAgenda(ctx, conf), controlAlarm(ctx, conf)]);
  return Promise.all(rs.map(async (r) => viewOf(r, await listSegments(ctx, conf, r.id), agenda.items, disk)));
}

export async function statusOf(ctx: Ctx, conf: string): Promise<RecordingStatus> {
  const [mode, cur, recorder] = await Promise.all([getMode(ctx, conf), currentId(ctx, conf), getRecorderState(ctx, conf)]);
  const current = cur ? await recordingView(ctx, conf, cur).catch(() => null) : null;
  return { mode, current, recorder: current && recorder?.recording === current.id ? recorder : null };
}
