// Entities and request payloads of the control API (re-exported by control.ts,
// which adds the socket events). Browser-safe: zod only.
import { z } from 'zod';

/** Lower-case slug used for conference, site, group, agenda-item and material ids. */
export const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'id: lower-case letters, digits, dashes');
export type Id = z.infer<typeof Id>;
/** ISO 8601 timestamp with offset or Z, e.g. 2023-09-28T07:30:00+07:00. */
export const IsoTime = z.iso.datetime({ offset: true });
/** Milliseconds since epoch (server-stamped times). */
export const Ms = z.number().int().nonnegative();
const Text = (max = 500) => z.string().trim().min(1).max(max);
const Count = z.number().int().min(0).max(100_000);

// ---------------------------------------------------------------- conference
export const ConferenceState = z.enum(['draft', 'rehearsal', 'live', 'ended']);
export type ConferenceState = z.infer<typeof ConferenceState>;
/** Allowed state moves (anything else is CONFLICT). */
export const CONFERENCE_TRANSITIONS: Record<ConferenceState, ConferenceState[]> = {
  draft: ['rehearsal', 'live'],
  rehearsal: ['draft', 'live'],
  live: ['ended'],
  ended: [],
};

export const ConferenceInput = z.strictObject({
  title: Text(400),
  /** e.g. "135-KH/TU" */
  planNumber: Text(60),
  /** Calendar date of the conference, yyyy-mm-dd. */
  date: z.iso.date(),
  /** Planned start (ISO, with offset). */
  plannedStart: IsoTime,
  plannedDurationMin: z.number().int().min(1).max(24 * 60),
  /** Backdrop banner, one string per line ("*" lines are ornaments). */
  maket: z.array(z.string().max(300)).max(30),
  rootSite: Id,
  /** Who the roll-up report goes to, e.g. "Ban Tuyên giáo Trung ương". */
  reportsTo: Text(200),
  reportDeadline: IsoTime,
  organizer: Text(200).optional(),
  /** Rehearsal ("tổng duyệt") with every site, if planned. */
  rehearsalAt: IsoTime.optional(),
});
export type ConferenceInput = z.infer<typeof ConferenceInput>;
/** Version the client edited (Conference.version / Agenda.editVersion): a newer one is CONFLICT, nothing changes. */
export const BaseVersion = z.number().int().nonnegative();
/** `rehearsalAt: null` removes a planned rehearsal. */
export const ConferencePatch = ConferenceInput.partial().extend({ baseVersion: BaseVersion.optional(), rehearsalAt: IsoTime.nullable().optional() })
  .refine((p) => Object.keys(p).some((k) => k !== 'baseVersion'), 'nothing to change');
export const Conference = ConferenceInput.extend({
  id: Id,
  state: ConferenceState,
  createdAt: Ms,
  updatedAt: Ms,
  /** Bumped by every change of the settings (not by state changes); absent = 0. */
  version: z.number().int().nonnegative().optional(),
  /** Last time the state changed. */
  stateAt: Ms.optional(),
});
export type Conference = z.infer<typeof Conference>;
export const ConferenceStateReq = z.strictObject({ state: ConferenceState });

// ---------------------------------------------------------------- sites
/**
 * A site's kind ("loại điểm cầu"): an id of the conference's kinds (signaling/site-import.ts).
 * The first trees' four levels centre / province / district / commune are default kinds.
 */
export const SiteLevel = Id;
export type SiteLevel = z.infer<typeof SiteLevel>;
export const Contact = z.strictObject({ name: z.string().max(200), phone: z.string().max(40).optional() });

export const SiteInput = z.strictObject({
  id: Id,
  /** null only for the root site. */
  parent: Id.nullable(),
  level: SiteLevel,
  name: Text(200),
  hall: z.string().max(300).default(''),
  /** Postal address of the hall. */
  address: z.string().max(300).optional(),
  technician: Contact.optional(),
  /** "đủ điều kiện": link and hall allow it to join live. */
  eligible: z.boolean().default(true),
  /** Media node that serves this site (ids of the media cascade). */
  mediaNode: Id,
  /** Display order among siblings. */
  order: z.number().int().min(0).default(0),
  /** Free note (e.g. "numbered, real name not at hand"). */
  note: z.string().max(500).optional(),
});
export type SiteInput = z.input<typeof SiteInput>;
/** Fields a PATCH may change (no defaults: absent means unchanged). */
export const SitePatch = z.strictObject({
  name: Text(200),
  hall: z.string().max(300),
  address: z.string().max(300),
  technician: Contact,
  eligible: z.boolean(),
  mediaNode: Id,
  order: z.number().int().min(0),
  note: z.string().max(500),
}).partial().refine((p) => Object.keys(p).length > 0, 'nothing to change');
export const Site = SiteInput.extend({
  /** Ancestors, root first (not including the site itself). */
  path: z.array(Id),
  /** Public URL of `mediaNode` when the service knows it (MEDIA_NODES). */
  mediaUrl: z.string().optional(),
});
export type Site = z.infer<typeof Site>;
export const MediaNodeInfo = z.object({ id: Id, url: z.string().optional() });
export type MediaNodeInfo = z.infer<typeof MediaNodeInfo>;

// ---------------------------------------------------------------- delegate groups / attendance
export const DelegateGroup = z.object({
  id: Id,
  level: SiteLevel,
  name: Text(300),
  nameEn: z.string().max(300).optional(),
  order: z.number().int().min(0),
});
export type DelegateGroup = z.infer<typeof DelegateGroup>;
/** group id → count */
export const Counts = z.record(Id, Count);
export type Counts = z.infer<typeof Counts>;
/** group id → a sum over a subtree (a national root sums millions): no per-site cap. */
export const Totals = z.record(Id, z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER));
export const ExpectedReq = z.strictObject({ counts: Counts });

/** One site's own hall: expected vs present per group. */
export const SiteAttendance = z.object({
  site: Id,
  expected: Counts,
  present: Counts,
  /** Technician has entered at least one headcount. */
  reported: z.boolean(),
  online: z.boolean(),
  updatedAt: Ms.optional(),
  /**
   * In the answer to a count write: that write's sequence number. The writer gets no push of its own
   * write, and a push read before it (another console's, on another instance) must not overwrite it.
   */
  seq: z.number().int().nonnegative().optional(),
});
export type SiteAttendance = z.infer<typeof SiteAttendance>;

/** Totals for a site's whole subtree (the site's own hall + all descendants). */
export const Rollup = z.object({
  site: Id,
  expected: Totals,
  present: Totals,
  totalExpected: z.number().int(),
  totalPresent: z.number().int(),
  /** Sites in the subtree (itself included), online now, and having reported a headcount. */
  sites: z.number().int(),
  online: z.number().int(),
  reported: z.number().int(),
});
export type Rollup = z.infer<typeof Rollup>;

export const HeadcountReq = z.strictObject({ site: Id, group: Id, present: Count });
export type HeadcountReq = z.infer<typeof HeadcountReq>;
export const HeadcountsReq = z.strictObject({ site: Id, present: Counts });
export type HeadcountsReq = z.infer<typeof HeadcountsReq>;

export const CheckInReq = z.strictObject({ site: Id, group: Id, name: Text(200), unit: z.string().max(200).optional() });
export type CheckInReq = z.infer<typeof CheckInReq>;
export const CheckOutReq = z.strictObject({ id: Id });
export const CheckIn = CheckInReq.extend({ id: Id, inAt: Ms, outAt: Ms.optional() });
export type CheckIn = z.infer<typeof CheckIn>;

export const PresenceEvent = z.object({ site: Id, kind: z.enum(['join', 'leave']), at: Ms, client: z.string().optional() });
export type PresenceEvent = z.infer<typeof PresenceEvent>;
export const SitePresence = z.object({
  site: Id,
  online: z.boolean(),
  /** Open connections of technician/hall clients. */
  connections: z.number().int().nonnegative(),
  since: Ms.optional(),
  /** Total connected time so far, including the current session. */
  totalMs: z.number().int().nonnegative(),
  joins: z.number().int().nonnegative(),
  lastJoin: Ms.optional(),
  lastLeave: Ms.optional(),
});
export type SitePresence = z.infer<typeof SitePresence>;

// ---------------------------------------------------------------- agenda
export const AgendaItemInput = z.strictObject({
  id: Id,
  title: Text(500),
  titleEn: z.string().max(500).optional(),
  /** Presenting agency. */
  presenter: Text(300),
  plannedStart: IsoTime,
  plannedDurationMin: z.number().int().min(1).max(600),
});
export const AgendaItem = AgendaItemInput.extend({
  order: z.number().int().min(0),
  state: z.enum(['pending', 'running', 'done']),
  actualStart: Ms.optional(),
  actualEnd: Ms.optional(),
});
export type AgendaItem = z.infer<typeof AgendaItem>;
export const Agenda = z.object({
  items: z.array(AgendaItem),
  current: Id.nullable(),
  /** Bumped on every change; drop pushes older than what you hold. */
  version: z.number().int().nonnegative(),
  /** Bumped by edits of the items (replace, reorder), not by start/end; absent = 0. */
  editVersion: z.number().int().nonnegative().optional(),
});
export type Agenda = z.infer<typeof Agenda>;
export const AgendaReplaceReq = z.strictObject({ items: z.array(AgendaItemInput).max(100), baseVersion: BaseVersion.optional() });
export const AgendaItemReq = z.strictObject({ item: Id });
export const AgendaReorderReq = z.strictObject({ order: z.array(Id).min(1).max(100) });

// ---------------------------------------------------------------- materials
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 lower-case hex digits');
export const MaterialTargets = z.union([z.literal('all'), z.array(Id).min(1)]);
export const Material = z.object({
  id: Id,
  title: Text(300),
  filename: Text(200),
  mime: z.string(),
  size: z.number().int().nonnegative(),
  sha256: Sha256,
  version: z.number().int().min(1),
  targets: MaterialTargets,
  uploadedAt: Ms,
  /** Download path (relative to the control service origin), needs the bearer token. */
  url: z.string(),
  /**
   * To a site-bound reader only: the challenge its receipt proves possession with
   * (signaling/receipt-proof.ts).
   */
  challenge: z.string().regex(/^[0-9a-f]{32}$/).optional(),
});
export type Material = z.infer<typeof Material>;
/** Query of the upload route; the body is the raw file (Content-Type = its type). */
export const MaterialUploadQuery = z.object({
  /** Set to replace an existing material with a new version. */
  id: Id.optional(),
  title: Text(300),
  filename: z.string().trim().min(1).max(200).regex(/^[^/\\]+$/, 'filename without path'),
  /** "all" or comma-separated site ids. */
  targets: z.string().max(20_000).default('all'),
});
export const DeliveryState = z.enum(['pending', 'notified', 'delivered', 'failed']);
export type DeliveryState = z.infer<typeof DeliveryState>;
export const Delivery = z.object({
  material: Id,
  version: z.number().int(),
  site: Id,
  state: DeliveryState,
  attempts: z.number().int().nonnegative(),
  updatedAt: Ms,
  receivedAt: Ms.optional(),
  lastError: z.string().optional(),
});
export type Delivery = z.infer<typeof Delivery>;
export const DeliverySummary = z.object({
  material: Id,
  version: z.number().int(),
  pending: z.number().int(),
  notified: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
});
export type DeliverySummary = z.infer<typeof DeliverySummary>;
/** `proof`: sha256 of the material's challenge (hex text) followed by the slice of the file it selects. */
export const ReceiptReq = z.strictObject({ site: Id, material: Id, version: z.number().int().min(1), sha256: Sha256, proof: Sha256 });
export type ReceiptReq = z.infer<typeof ReceiptReq>;
export const RedeliverReq = z.strictObject({ sites: z.array(Id).optional() });
/** Push to a site: a material is waiting for it. */
export const MaterialNotify = z.object({ site: Id, material: Material });
export type MaterialNotify = z.infer<typeof MaterialNotify>;

// ---------------------------------------------------------------- incidents / rehearsal / floor
export const IncidentReq = z.strictObject({
  site: Id,
  title: Text(300),
  detail: z.string().max(4000).default(''),
  severity: z.enum(['low', 'normal', 'high']).default('normal'),
});
export const Incident = IncidentReq.extend({
  id: Id,
  state: z.enum(['open', 'handled']),
  createdAt: Ms,
  handledAt: Ms.optional(),
  handledNote: z.string().optional(),
});
export type Incident = z.infer<typeof Incident>;
export const IncidentHandleReq = z.strictObject({ id: Id, note: z.string().max(2000).default('') });

export const RehearsalReq = z.strictObject({
  site: Id,
  passed: z.boolean(),
  rttMs: z.number().min(0).max(60_000).optional(),
  lossPct: z.number().min(0).max(100).optional(),
  jitterMs: z.number().min(0).max(60_000).optional(),
  bitrateKbps: z.number().min(0).max(1_000_000).optional(),
  note: z.string().max(2000).optional(),
});
export const RehearsalResult = RehearsalReq.extend({ at: Ms });
export type RehearsalResult = z.infer<typeof RehearsalResult>;

/** A technician console's id: the contribution a grant binds to (signaling/media.ts Contribution). */
export const ConsoleId = Id;
export const FloorRequestReq = z.strictObject({ site: Id, note: z.string().max(500).optional(), console: ConsoleId.optional() });
export const FloorRequest = z.object({
  site: Id,
  note: z.string().optional(),
  /** The console that asked: a grant of this request puts that console, and only it, on air. */
  console: ConsoleId.optional(),
  at: Ms,
  state: z.enum(['waiting', 'granted', 'withdrawn', 'dismissed']),
});
export type FloorRequest = z.infer<typeof FloorRequest>;
/** `granted` is what the organizer decided; the media side performs the switch. */
export const FloorState = z.object({
  granted: Id.nullable(),
  /**
   * The contribution (technician console) of the granted site that goes on air; null until one is
   * bound (the request's console, or the first console of the site to claim the grant).
   */
  console: ConsoleId.nullable().optional(),
  since: Ms.optional(),
  requests: z.array(FloorRequest),
  version: z.number().int().nonnegative(),
});
export type FloorState = z.infer<typeof FloorState>;
export const FloorSiteReq = z.strictObject({ site: Id });
/** `console` binds the grant to one contribution (e.g. a hardware encoder's ingest); default: the site's request. */
export const FloorGrantReq = z.strictObject({ site: Id.nullable(), console: ConsoleId.optional() });
/** A console of the granted site binds an unbound grant to itself. */
export const FloorClaimReq = z.strictObject({ site: Id, console: ConsoleId });

// ---------------------------------------------------------------- invitations
export const InviteRole = z.enum(['organizer', 'technician', 'participant', 'viewer']);
export const InvitationReq = z.strictObject({
  role: InviteRole,
  /** Required for technician and participant; optional for viewer (a hall screen). */
  site: Id.optional(),
  label: z.string().max(200).optional(),
  ttlHours: z.number().int().min(1).max(24 * 365).default(24 * 14),
});
export const InvitationBulkReq = z.strictObject({
  role: z.enum(['technician', 'participant', 'viewer']),
  /** Omitted = every site of the conference. */
  sites: z.array(Id).optional(),
  ttlHours: z.number().int().min(1).max(24 * 365).default(24 * 14),
});
export const Invitation = z.object({
  jti: z.string(),
  role: InviteRole,
  site: Id.optional(),
  label: z.string().optional(),
  createdAt: Ms,
  exp: z.number().int(),
  revoked: z.boolean(),
  /** The signed token (returned when issued; keep it secret). */
  token: z.string().optional(),
  /** Short code of a site's link (`/l/<code>`), for typing it by hand. */
  short: z.string().optional(),
});
export type Invitation = z.infer<typeof Invitation>;
export const RevokeReq = z.object({ jti: z.string().min(1).max(100) });

// ---------------------------------------------------------------- reports
export const ReportFormat = z.enum(['json', 'csv', 'xlsx']);
export const ReportQuery = z.object({ format: ReportFormat.default('json') });
export const AttendanceRow = z.object({
  site: Id,
  name: z.string(),
  level: SiteLevel,
  parent: Id.nullable(),
  /** Name of the parent site (null at the root). */
  parentName: z.string().nullable(),
  group: Id,
  groupName: z.string(),
  expected: z.number().int(),
  /** The technician's headcount: the figure every total uses. */
  present: z.number().int(),
  /** Per-person check-ins recorded for this site (subtree for roll-up rows) and group; shown beside `present`, never added to it. */
  checkedIn: z.number().int(),
  /** 'own' = the hall itself, 'rollup' = subtree total. */
  kind: z.enum(['own', 'rollup']),
  /**
   * People at replay sessions ("học tập lại") of this site (subtree for roll-up rows) and group, summed over the
   * sessions, and the sessions held: beside `present`, never added to it (absent before replays existed).
   */
  replay: z.number().int().optional(),
  replaySessions: z.number().int().optional(),
});
export const PresenceRow = SitePresence.extend({ name: z.string(), level: SiteLevel, events: z.array(PresenceEvent) });
export const AgendaRow = z.object({
  item: Id,
  title: z.string(),
  presenter: z.string(),
  plannedStart: z.string(),
  plannedDurationMin: z.number(),
  actualStart: Ms.optional(),
  actualEnd: Ms.optional(),
  actualDurationMin: z.number().optional(),
});
/** A subtree's replay sessions ("học tập lại"): reported beside the live figures, never added to them. */
export const ReplayFigures = z.object({
  site: Id,
  /** Sessions held, and the sites that held at least one. */
  sessions: z.number().int().nonnegative(),
  sites: z.number().int().nonnegative(),
  /** People per group, summed over the sessions. */
  present: Totals,
  totalPresent: z.number().int().nonnegative(),
});
export type ReplayFigures = z.infer<typeof ReplayFigures>;
export const UpwardReplay = z.object({
  root: ReplayFigures,
  /** Same units as UpwardReport.units, same order. */
  units: z.array(ReplayFigures),
  /** Each site's own replay sessions summed per kind. */
  levels: z.array(z.object({ level: SiteLevel, sites: z.number().int(), sessions: z.number().int(), present: z.number().int() })),
});
export type UpwardReplay = z.infer<typeof UpwardReplay>;
export const UpwardReport = z.object({
  conference: Id,
  title: z.string(),
  planNumber: z.string(),
  reportsTo: z.string(),
  deadline: z.string(),
  generatedAt: Ms,
  root: Rollup,
  /** Roll-up of each child of the root and of each district. */
  units: z.array(Rollup.extend({ name: z.string(), level: SiteLevel })),
  agenda: z.array(AgendaRow),
  incidents: z.object({ open: z.number().int(), handled: z.number().int() }),
  materials: z.array(DeliverySummary),
  /** Each site's own hall, summed per level (absent in reports sent before it existed). */
  levels: z.array(z.object({ level: SiteLevel, sites: z.number().int(), reported: z.number().int(), expected: z.number().int(), present: z.number().int() })).optional(),
  /** Replay sessions ("học tập lại") beside the live figures above, never in them (absent in reports sent before it existed). */
  replay: UpwardReplay.optional(),
  note: z.string().optional(),
  sentAt: Ms.optional(),
});
export type UpwardReport = z.infer<typeof UpwardReport>;
export const UpwardSendReq = z.strictObject({ note: z.string().max(4000).optional() });
export const ReportReminder = z.object({ conference: Id, deadline: z.string(), sent: z.boolean(), at: Ms });
export type ReportReminder = z.infer<typeof ReportReminder>;
/** One per-person check-in with the names of its site and group (the check-ins report). */
export const CheckInRow = z.object({
  id: Id,
  site: Id,
  siteName: z.string(),
  group: Id,
  groupName: z.string(),
  name: z.string(),
  unit: z.string().optional(),
  inAt: Ms,
  outAt: Ms.optional(),
  /** Minutes from check-in to check-out, or to the time of the report while still checked in. */
  minutes: z.number().nonnegative(),
});
export type CheckInRow = z.infer<typeof CheckInRow>;
