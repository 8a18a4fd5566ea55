// The control API shared by the control service and the browsers: socket.io
// events (namespace `/control`) and pushes here, entities and request payloads
// in control-model.ts (re-exported), REST routes in control-routes.ts.
// Browser-safe: zod only.
//
// Request payloads are strict: unknown keys are a BAD_REQUEST.
//
// Auth: every REST call carries `Authorization: Bearer <token>` (or `?token=`
// for plain downloads); a socket carries it in the handshake `auth.token`.
import { z } from 'zod';

export const CONTROL_NAMESPACE = '/control';

export * from './control-model.js';
export * from './watching.js';
export * from './setup.js';
import {
  Agenda, CheckIn, CheckInReq, CheckOutReq, AgendaItemReq, AgendaReorderReq, Conference, ConferenceStateReq, DelegateGroup,
  Delivery, FloorClaimReq, FloorGrantReq, FloorRequestReq, FloorSiteReq, FloorState, HeadcountReq, HeadcountsReq, Id, Incident,
  IncidentHandleReq, IncidentReq, Material, MaterialNotify, Ms, ReceiptReq, RehearsalReq, RehearsalResult, ReportReminder,
  Rollup, Site, SiteAttendance, SitePresence,
} from './control-model.js';
import { SiteWatch, WatchPush } from './watching.js';
import { ReplaySession } from './recording.js';

// ---------------------------------------------------------------- socket events
/** Rooms are server-side; a client subscribes once after connecting (and again after reconnect). */
export const SubscribeReq = z.strictObject({ conf: Id });
export const Snapshot = z.object({
  conference: Conference,
  you: z.object({ role: z.string(), site: Id.optional() }),
  /** Organizer/viewer: the whole tree; a site-bound token: its ancestors, itself and its children. */
  sites: z.array(Site),
  groups: z.array(DelegateGroup),
  agenda: Agenda,
  floor: FloorState,
  /** Organizer/viewer: every site's roll-up; a site client: its own. */
  rollups: z.array(Rollup),
  attendance: z.array(SiteAttendance),
  materials: z.array(Material),
  /** Site-bound tokens: this site's delivery state per material (organizers use GET /deliveries). */
  deliveries: z.array(Delivery).optional(),
  /** Organizer/viewer: who is really watching, per site (from the media nodes). */
  watch: z.array(SiteWatch).optional(),
  /** Sequence of the roll-up stream at snapshot time: pushes with seq <= this are stale. */
  seq: z.number().int().nonnegative(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * The sequence numbers (inclusive ranges, ascending) of the writes and presence changes whose effect a push
 * carries. Every count write and presence change takes the next number of the conference's sequence, and
 * each is covered by exactly one push (a presence change that moves a roll-up by the roll-up push, any
 * other by the presence push), so a page that has a number below the highest it knows of neither in a
 * snapshot nor in a push has missed one. Absent from older services.
 */
export const SeqCovers = z.array(z.tuple([z.number().int(), z.number().int()]));
export type SeqCovers = z.infer<typeof SeqCovers>;
/**
 * Coalesced roll-up push: only the subtrees that changed since the last push. `seq` was read before
 * the figures, so they are at least that recent.
 */
export const RollupPush = z.object({
  conf: Id, seq: z.number().int(), at: Ms, rollups: z.array(Rollup), sites: z.array(SiteAttendance), covers: SeqCovers.optional(),
});
export type RollupPush = z.infer<typeof RollupPush>;
export const PresencePush = z.object({ conf: Id, at: Ms, changes: z.array(SitePresence), covers: SeqCovers.optional() });
export type PresencePush = z.infer<typeof PresencePush>;
export const DeliveryPush = z.object({ conf: Id, at: Ms, changes: z.array(Delivery) });
export type DeliveryPush = z.infer<typeof DeliveryPush>;
/** The conference's sequence now, sent every few seconds to organizers so a page notices a push it never got. */
export const SeqPush = z.object({ conf: Id, seq: z.number().int().nonnegative(), at: Ms });
export type SeqPush = z.infer<typeof SeqPush>;

/** Client → server events: `socket.emit(name, payload, ack)`; ack gets `Ack<res>`. */
export const ControlEvents = {
  subscribe: 'control:subscribe',
  headcount: 'attendance:headcount',
  headcounts: 'attendance:headcounts',
  checkIn: 'checkin:in',
  checkOut: 'checkin:out',
  agendaStart: 'agenda:start',
  agendaEnd: 'agenda:end',
  agendaReorder: 'agenda:reorder',
  conferenceState: 'conference:state',
  receipt: 'material:receipt',
  incidentReport: 'incident:report',
  incidentHandle: 'incident:handle',
  rehearsal: 'rehearsal:result',
  floorRequest: 'floor:request',
  floorWithdraw: 'floor:withdraw',
  floorDismiss: 'floor:dismiss',
  floorGrant: 'floor:grant',
  /** technician console of the granted site: bind an unbound grant to this console. */
  floorClaim: 'floor:claim',
} as const;

/** Request / response schema per client→server event. */
export const ControlEventSchemas = {
  [ControlEvents.subscribe]: { req: SubscribeReq, res: Snapshot },
  [ControlEvents.headcount]: { req: HeadcountReq, res: SiteAttendance },
  [ControlEvents.headcounts]: { req: HeadcountsReq, res: SiteAttendance },
  [ControlEvents.checkIn]: { req: CheckInReq, res: CheckIn },
  [ControlEvents.checkOut]: { req: CheckOutReq, res: CheckIn },
  [ControlEvents.agendaStart]: { req: AgendaItemReq, res: Agenda },
  [ControlEvents.agendaEnd]: { req: AgendaItemReq, res: Agenda },
  [ControlEvents.agendaReorder]: { req: AgendaReorderReq, res: Agenda },
  [ControlEvents.conferenceState]: { req: ConferenceStateReq, res: Conference },
  [ControlEvents.receipt]: { req: ReceiptReq, res: Delivery },
  [ControlEvents.incidentReport]: { req: IncidentReq, res: Incident },
  [ControlEvents.incidentHandle]: { req: IncidentHandleReq, res: Incident },
  [ControlEvents.rehearsal]: { req: RehearsalReq, res: RehearsalResult },
  [ControlEvents.floorRequest]: { req: FloorRequestReq, res: FloorState },
  [ControlEvents.floorWithdraw]: { req: FloorSiteReq, res: FloorState },
  [ControlEvents.floorDismiss]: { req: FloorSiteReq, res: FloorState },
  [ControlEvents.floorGrant]: { req: FloorGrantReq, res: FloorState },
  [ControlEvents.floorClaim]: { req: FloorClaimReq, res: FloorState },
} as const;

/** Server → client pushes. */
export const ControlPushes = {
  /** organizer/viewer (and a site for its own subtree): coalesced roll-up changes, ≤ 20 per second. */
  rollup: 'push:rollup',
  presence: 'push:presence',
  agenda: 'push:agenda',
  conference: 'push:conference',
  floor: 'push:floor',
  /** to a site: a material to download, verify and acknowledge with `material:receipt`. */
  materialNotify: 'push:material',
  /** organizer: delivery states changed. */
  delivery: 'push:delivery',
  /** organizer: a new material or version exists (sites get materialNotify instead). */
  materials: 'push:materials',
  incident: 'push:incident',
  rehearsal: 'push:rehearsal',
  reportReminder: 'push:report-reminder',
  /** The token was revoked; the server disconnects right after. */
  revoked: 'push:revoked',
  /** organizer: sites whose watching state (playing / connected / lost, link quality) changed. */
  watch: 'push:watch',
  /** organizer and the site: a replay session ("học tập lại") was recorded. */
  replay: 'push:replay',
  /** organizer/viewer: the sequence now (SeqPush), every few seconds from the instance it is connected to. */
  seq: 'push:seq',
} as const;

export const ControlPushSchemas = {
  [ControlPushes.rollup]: RollupPush,
  [ControlPushes.presence]: PresencePush,
  [ControlPushes.agenda]: Agenda,
  [ControlPushes.conference]: Conference,
  [ControlPushes.floor]: FloorState,
  [ControlPushes.materialNotify]: MaterialNotify,
  [ControlPushes.delivery]: DeliveryPush,
  [ControlPushes.materials]: z.array(Material),
  [ControlPushes.incident]: Incident,
  [ControlPushes.rehearsal]: RehearsalResult,
  [ControlPushes.reportReminder]: ReportReminder,
  [ControlPushes.revoked]: z.object({ jti: z.string() }),
  [ControlPushes.watch]: WatchPush,
  [ControlPushes.replay]: ReplaySession,
  [ControlPushes.seq]: SeqPush,
} as const;

/** Handshake `auth` of a control socket. `client` tells presence what is connecting. */
export const ControlHandshake = z.object({
  token: z.string().min(1),
  /** 'hall' and 'console' connections of a site count as the site being online. */
  client: z.enum(['organizer', 'console', 'hall', 'checkin', 'viewer']).optional(),
});

