// Recording and replay: what the root media node records, how its segments
// reach the control service, the recordings an organizer lists, downloads and
// pushes to sites, and the replay sessions a site reports ("học tập lại").
// One contract for both services and the apps. Browser-safe: zod only.
//
// Flow: control decides which conferences are recorded (on at "live", off at
// "ended", or the organizer's word) and tells the conference's root node
// (`link:record`, the full set each time). The node records what is on air in
// runs (one recorder process per programme: a floor switch or a node restart
// starts a new run) cut into finalised segments, and uploads each finished
// segment to control (PUT NodeRoutes.uploadSegment, node token). Control keeps
// the segments, derives chapters from the agenda's actual times, and serves
// downloads of the whole recording or one agenda item.
import { z } from 'zod';
import { Counts, Id, IsoTime, Material, MaterialTargets, Ms, Sha256 } from './control-model.js';
import type { RouteDef, RouteRole } from './control-routes.js';

// ---------------------------------------------------------------- control ↔ media

/** Event names added to MediaLinkEvents (signaling/control-media.ts). */
export const RecordingLinkEvents = {
  /**
   * control → root node, ack `Ack<RecordCommand>`: the conferences this node must record now (the
   * full set; a conference missing from it stops recording). Sent on every report that disagrees.
   */
  record: 'link:record',
} as const;

export const RecordCommand = z.strictObject({
  confs: z.array(z.strictObject({
    conf: Id,
    /** The recording these segments belong to (control's id; a new one after every off → on). */
    recording: Id,
  })).max(1000),
});
export type RecordCommand = z.infer<typeof RecordCommand>;

/** Why a node is not recording a conference it was told to record. */
export const RecorderAlarm = z.enum(['disk-full', 'failed', 'no-media']);
export type RecorderAlarm = z.infer<typeof RecorderAlarm>;

/** One conference's recorder on a node, reported in NodeReport.recording. */
export const RecorderState = z.strictObject({
  conf: Id,
  recording: Id,
  /** recording: writing segments; waiting: told to record, nothing on air yet; alarm: stopped (see alarm). */
  state: z.enum(['recording', 'waiting', 'alarm']),
  alarm: RecorderAlarm.nullable(),
  /** Since when (ms epoch) in this state. */
  since: Ms,
  /** Segments finished and uploaded / waiting to upload on this node. */
  uploaded: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  /** Free bytes on the recording disk, and the threshold below which recording stops. */
  freeBytes: z.number().nonnegative(),
  minFreeBytes: z.number().nonnegative(),
});
export type RecorderState = z.infer<typeof RecorderState>;

/**
 * Header `x-segment` (JSON) of NodeRoutes.uploadSegment; the body is the WebM file (VP8 + Opus, as
 * on air, not re-encoded). Times are the node's wall clock (ms epoch) of the segment's first and
 * last media, so control can place agenda items in it.
 */
export const SegmentMeta = z.strictObject({
  recording: Id,
  /** One recorder process on the node: a floor switch or a restart starts another. */
  run: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** Order inside the run, from 0. */
  index: z.number().int().min(0).max(1_000_000),
  startedAt: Ms,
  durationMs: z.number().int().min(0).max(24 * 3600_000),
  bytes: z.number().int().min(1),
  sha256: Sha256,
  /** The site whose media was on air (the studio's, or the floor's). */
  source: Id.nullable(),
  /** Whether the segment has video (a floor with audio only, or a maket gap, may not). */
  video: z.boolean(),
  audio: z.boolean(),
});
export type SegmentMeta = z.infer<typeof SegmentMeta>;

/** Routes a media node calls on control (bearer = a node token signed with the node secret). */
export const NodeRoutes = {
  uploadSegment: {
    method: 'put',
    path: '/api/media/recordings/:conf/segments/:segment',
    params: z.strictObject({ conf: Id, segment: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/) }),
    /** largest segment accepted (a 30 s segment at a few Mbit/s is far below) */
    maxBytes: 512 * 1024 * 1024,
  },
} as const;

// ---------------------------------------------------------------- recordings (control)

/** An agenda item's place in a recording: offsets from the recording's start (ms of media). */
export const Chapter = z.object({
  item: Id,
  title: z.string(),
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
  actualStart: IsoTime,
  actualEnd: IsoTime.nullable(),
});
export type Chapter = z.infer<typeof Chapter>;

export const RecordingPush = z.object({
  material: Id,
  /** 'all' items or one agenda item. */
  item: Id.nullable(),
  targets: MaterialTargets,
  at: Ms,
  by: z.string(),
});
export type RecordingPush = z.infer<typeof RecordingPush>;

export const Recording = z.object({
  id: Id,
  conf: Id,
  /** recording: the root node writes it now; stopped: off (by the organizer or at "ended"). */
  state: z.enum(['recording', 'stopped']),
  alarm: RecorderAlarm.nullable(),
  startedAt: Ms,
  stoppedAt: Ms.nullable(),
  /** Media duration of the segments received, and their size. */
  durationMs: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  segments: z.number().int().nonnegative(),
  chapters: z.array(Chapter),
  pushes: z.array(RecordingPush),
  startedBy: z.string(),
});
export type Recording = z.infer<typeof Recording>;

/** The organizer's switch: on / off now; `auto` = on at "live", off at "ended" (the default). */
export const RecordingMode = z.enum(['auto', 'on', 'off']);
export const RecordingStatus = z.object({
  mode: RecordingMode,
  /** The recording being written, if any; with the root node's recorder state. */
  current: Recording.nullable(),
  recorder: RecorderState.nullable(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

export const RecordingModeReq = z.strictObject({ mode: RecordingMode });
/** Strict: a mistyped parameter is refused rather than silently giving the whole recording. */
export const RecordingFileQuery = z.strictObject({ item: Id.optional(), token: z.string().max(4000).optional() });
/** Deleting asks the organizer to confirm: the id again, typed or clicked in a dialog. */
export const RecordingDeleteQuery = z.object({ confirm: Id });
export const RecordingPushReq = z.strictObject({ targets: MaterialTargets, item: Id.nullable().default(null), title: z.string().trim().min(1).max(300).optional() });

/** One act on a conference's recordings, for the panel's log (newest first). */
export const RecordingAuditEntry = z.object({
  at: Ms,
  by: z.string(),
  action: z.enum(['start', 'stop', 'mode', 'push', 'delete']),
  recording: Id.nullable(),
  /** What changed, in words (mode, targets, item). */
  detail: z.string(),
});
export type RecordingAuditEntry = z.infer<typeof RecordingAuditEntry>;

// ---------------------------------------------------------------- replay attendance

/** A site's replay session ("học tập lại"): headcounts per group, never mixed with the live ones. */
export const ReplaySession = z.object({
  id: Id,
  conf: Id,
  site: Id,
  /** The day it was held (yyyy-mm-dd, Vietnam time). */
  date: z.iso.date(),
  /** Agenda items watched; 'all' = the whole conference. */
  items: z.union([z.literal('all'), z.array(Id).min(1).max(200)]),
  counts: Counts,
  /** What it was watched from: a recording, the materials, or another source. */
  source: z.enum(['recording', 'materials', 'other']),
  recording: Id.nullable(),
  note: z.string().max(2000),
  createdAt: Ms,
  by: z.string(),
});
export type ReplaySession = z.infer<typeof ReplaySession>;

export const ReplaySessionReq = z.strictObject({
  site: Id,
  date: z.iso.date(),
  items: z.union([z.literal('all'), z.array(Id).min(1).max(200)]),
  counts: Counts,
  source: z.enum(['recording', 'materials', 'other']).default('recording'),
  recording: Id.nullable().default(null),
  note: z.string().trim().max(2000).default(''),
});
export type ReplaySessionReq = z.infer<typeof ReplaySessionReq>;

// ---------------------------------------------------------------- routes (spread into ControlRoutes)

const P = '/api/conferences/:conf';
const Conf = z.object({ conf: Id });
const ConfRec = z.object({ conf: Id, recording: Id });
const ORG: RouteRole[] = ['organizer'];
const SITE: RouteRole[] = ['organizer', 'technician'];
const READ: RouteRole[] = ['organizer', 'technician', 'participant', 'viewer'];

export const RecordingRoutes = {
  getRecordingStatus: { method: 'get', path: `${P}/recording`, params: Conf, res: RecordingStatus, roles: READ, summary: 'Whether the conference is being recorded now (indicator), and the root node recorder state' },
  setRecordingMode: { method: 'post', path: `${P}/recording`, params: Conf, body: RecordingModeReq, res: RecordingStatus, roles: ORG, summary: 'Start (on) or stop (off) recording now, or back to auto (on at live, off at ended)' },
  listRecordings: { method: 'get', path: `${P}/recordings`, params: Conf, res: z.array(Recording), roles: SITE, summary: 'Recordings of the conference with size, duration, chapters and pushes (technician: for replay)' },
  getRecording: { method: 'get', path: `${P}/recordings/:recording`, params: ConfRec, res: Recording, roles: SITE, summary: 'One recording' },
  downloadRecording: { method: 'get', path: `${P}/recordings/:recording/file`, params: ConfRec, query: RecordingFileQuery, res: z.any(), produces: ['video/webm'], roles: SITE, summary: 'The whole recording (WebM) or one agenda item (?item=); Range supported; ?token= accepted' },
  pushRecording: { method: 'post', path: `${P}/recordings/:recording/push`, params: ConfRec, body: RecordingPushReq, res: Material, roles: ORG, summary: 'Send the recording (or one item) to sites as a material: resumable, sha256-verified, receipts' },
  recordingLog: { method: 'get', path: `${P}/recording/log`, params: Conf, res: z.array(RecordingAuditEntry), roles: ORG, summary: 'Starts, stops, switches, pushes and deletions of recordings, newest first' },
  deleteRecording: { method: 'delete', path: `${P}/recordings/:recording`, params: ConfRec, query: RecordingDeleteQuery, res: z.object({ id: Id, deleted: z.literal(true) }), roles: ORG, summary: 'Delete a recording (?confirm= its id); logged' },
} as const satisfies Record<string, RouteDef>;

export const ReplayRoutes = {
  listReplays: { method: 'get', path: `${P}/replays`, params: Conf, query: z.object({ site: Id.optional() }), res: z.array(ReplaySession), roles: READ, summary: 'Replay sessions (technician: own site)' },
  postReplay: { method: 'post', path: `${P}/replays`, params: Conf, body: ReplaySessionReq, res: ReplaySession, roles: SITE, summary: 'Record a replay session with headcounts per group (kept apart from live attendance)' },
} as const satisfies Record<string, RouteDef>;
