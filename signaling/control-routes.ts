// Every REST route of the control service: method, path, payload schemas and
// who may call it. The server binds handlers by key; /openapi.json is built
// from this table. Responses are `Ack<res>` JSON unless `produces` says otherwise.
import { z } from 'zod';
import {
  Agenda, AgendaItemReq, AgendaReplaceReq, AttendanceRow, AgendaRow, CheckIn, CheckInReq, CheckInRow,
  Conference, ConferenceInput, ConferencePatch, ConferenceStateReq, Counts, DelegateGroup, Delivery,
  DeliverySummary, ExpectedReq, FloorGrantReq, FloorRequestReq, FloorSiteReq, FloorState, HeadcountsReq, Id,
  Incident, IncidentReq, Invitation, InvitationBulkReq, InvitationReq, Material, MaterialUploadQuery,
  MediaNodeInfo, PresenceEvent, ReceiptReq, RedeliverReq, RehearsalReq, RehearsalResult,
  PresenceReportRow, SiteWatch, WatchEvent, WatchSessionRow,
  ReportQuery, Rollup, Site, SiteAttendance, SiteInput, SitePatch, SitePresence, Snapshot, UpwardReport,
  UpwardSendReq,
} from './control.js';
import { SiteTreeRoutes } from './site-import.js';
import { SiteEditRoutes } from './site-edit.js';
import { AgendaReorderEditReq, InvitationReissueReq, InvitationSheetQuery } from './setup.js';
import { RecordingRoutes, ReplayRoutes } from './recording.js';
import { MediaTokenRoutes } from './media-token.js';

export type RouteRole = 'organizer' | 'technician' | 'participant' | 'viewer' | 'any';
export interface RouteDef {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, always under /api. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  res: z.ZodType;
  /** Roles allowed; site-scoped roles are further limited to their own site. */
  roles: RouteRole[];
  /** Non-JSON response types (downloads, exports). */
  produces?: string[];
  /** Raw request body (uploads) instead of JSON. */
  rawBody?: boolean;
}

const Conf = z.object({ conf: Id });
const ConfSite = z.object({ conf: Id, site: Id });
const ConfItem = z.object({ conf: Id, item: Id });
const ConfMat = z.object({ conf: Id, material: Id });
const ConfId = z.object({ conf: Id, id: Id });
const ConfJti = z.object({ conf: Id, jti: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'jti: letters, digits, - and _') });
const SiteFilter = z.object({ site: Id.optional() });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const EXPORTS = ['application/json', 'text/csv', XLSX];
const ORG: RouteRole[] = ['organizer'];
const SITE: RouteRole[] = ['organizer', 'technician'];
const READ: RouteRole[] = ['organizer', 'technician', 'participant', 'viewer'];
const P = '/api/conferences/:conf';

export const ControlRoutes = {
  me: { method: 'get', path: '/api/me', summary: 'Claims of the bearer token', res: z.object({ role: z.string(), conf: Id, site: Id.optional(), exp: z.number() }), roles: ['any'] },
  // conference
  createConference: { method: 'put', path: P, params: Conf, body: ConferenceInput, res: Conference, roles: ORG, summary: 'Create or replace a conference (organizer token of that conference id)' },
  getConference: { method: 'get', path: P, params: Conf, res: Conference, roles: READ, summary: 'Conference' },
  patchConference: { method: 'patch', path: P, params: Conf, body: ConferencePatch, res: Conference, roles: ORG, summary: 'Update fields (baseVersion = the version edited; a newer one is CONFLICT and nothing changes)' },
  setState: { method: 'post', path: `${P}/state`, params: Conf, body: ConferenceStateReq, res: Conference, roles: ORG, summary: 'draft → rehearsal → live → ended' },
  snapshot: { method: 'get', path: `${P}/snapshot`, params: Conf, res: Snapshot, roles: READ, summary: 'Everything a screen needs at once (same as control:subscribe)' },
  mediaNodes: { method: 'get', path: `${P}/media-nodes`, params: Conf, res: z.array(MediaNodeInfo), roles: READ, summary: 'Media nodes and their public URLs' },
  // sites and groups
  listSites: { method: 'get', path: `${P}/sites`, params: Conf, res: z.array(Site), roles: READ, summary: 'Site tree (flat, with path)' },
  // kinds, spreadsheet import/export, move, remove (signaling/site-import.ts; before getSite: /sites/template is no site id)
  ...SiteTreeRoutes,
  // one site's form, kinds with their delegate groups (signaling/site-edit.ts)
  ...SiteEditRoutes,
  putSitesBulk: { method: 'put', path: `${P}/sites`, params: Conf, body: z.strictObject({ sites: z.array(SiteInput).min(1).max(20_000) }), res: z.object({ count: z.number().int() }), roles: ORG, summary: 'Create or replace many sites at once (any order; parents may be in the same batch)' },
  getSite: { method: 'get', path: `${P}/sites/:site`, params: ConfSite, res: Site, roles: READ, summary: 'One site, with its media node URL' },
  putSite: { method: 'put', path: `${P}/sites/:site`, params: ConfSite, body: SiteInput, res: Site, roles: ORG, summary: 'Create or replace a site (parent must exist)' },
  patchSite: { method: 'patch', path: `${P}/sites/:site`, params: ConfSite, body: SitePatch, res: Site, roles: SITE, summary: 'Hall, technician contact, eligibility, media node (technician: own site, contact/hall only)' },
  listGroups: { method: 'get', path: `${P}/groups`, params: Conf, res: z.array(DelegateGroup), roles: READ, summary: 'Delegate groups per level' },
  putGroups: { method: 'put', path: `${P}/groups`, params: Conf, body: z.strictObject({ groups: z.array(DelegateGroup).max(100) }), res: z.array(DelegateGroup), roles: ORG, summary: 'Replace delegate groups' },
  // attendance
  putExpected: { method: 'put', path: `${P}/sites/:site/expected`, params: ConfSite, body: ExpectedReq, res: SiteAttendance, roles: ORG, summary: 'Expected count per group at a site' },
  getAttendance: { method: 'get', path: `${P}/attendance/:site`, params: ConfSite, res: SiteAttendance, roles: READ, summary: 'A site hall: expected vs present' },
  putHeadcounts: { method: 'put', path: `${P}/attendance/:site`, params: ConfSite, body: HeadcountsReq.omit({ site: true }), res: SiteAttendance, roles: SITE, summary: 'Headcounts of a site (technician of that site)' },
  rollups: { method: 'get', path: `${P}/rollups`, params: Conf, res: z.array(Rollup), roles: ['organizer', 'viewer'], summary: 'Roll-up of every subtree' },
  getRollup: { method: 'get', path: `${P}/rollups/:site`, params: ConfSite, res: Rollup, roles: READ, summary: 'Roll-up of one subtree' },
  checkIn: { method: 'post', path: `${P}/checkins`, params: Conf, body: CheckInReq, res: CheckIn, roles: ['organizer', 'technician', 'participant'], summary: 'Per-person check-in' },
  checkOut: { method: 'post', path: `${P}/checkins/:id/out`, params: ConfId, res: CheckIn, roles: ['organizer', 'technician', 'participant'], summary: 'Per-person check-out' },
  listCheckIns: { method: 'get', path: `${P}/checkins`, params: Conf, query: SiteFilter, res: z.array(CheckIn), roles: SITE, summary: 'Check-ins (technician: own site)' },
  presence: { method: 'get', path: `${P}/presence`, params: Conf, res: z.array(SitePresence), roles: ['organizer', 'viewer'], summary: 'Online state of every site' },
  presenceEvents: { method: 'get', path: `${P}/presence/:site/events`, params: ConfSite, res: z.array(PresenceEvent), roles: SITE, summary: 'Joins and leaves of a site' },
  watch: { method: 'get', path: `${P}/watch`, params: Conf, res: z.array(SiteWatch), roles: ['organizer', 'viewer'], summary: 'Who is really watching: per site playing / connected / lost and link quality, from the media nodes' },
  watchEvents: { method: 'get', path: `${P}/watch/:site/events`, params: ConfSite, res: z.array(WatchEvent), roles: SITE, summary: 'Join, play, stop and leave of each hall endpoint of a site' },
  // agenda
  getAgenda: { method: 'get', path: `${P}/agenda`, params: Conf, res: Agenda, roles: READ, summary: 'Agenda and current item' },
  putAgenda: { method: 'put', path: `${P}/agenda`, params: Conf, body: AgendaReplaceReq, res: Agenda, roles: ORG, summary: 'Replace agenda items (keeps actual times of kept ids; the running item cannot be removed; baseVersion = editVersion edited, else CONFLICT)' },
  startItem: { method: 'post', path: `${P}/agenda/:item/start`, params: ConfItem, res: Agenda, roles: ORG, summary: 'Start an item (ends the running one)' },
  endItem: { method: 'post', path: `${P}/agenda/:item/end`, params: ConfItem, res: Agenda, roles: ORG, summary: 'End an item' },
  reorderAgenda: { method: 'post', path: `${P}/agenda/reorder`, params: Conf, body: AgendaReorderEditReq, res: Agenda, roles: ORG, summary: 'New order (all ids; baseVersion = editVersion edited, else CONFLICT)' },
  // materials
  listMaterials: { method: 'get', path: `${P}/materials`, params: Conf, res: z.array(Material), roles: READ, summary: 'Materials (a site sees those targeted to it)' },
  uploadMaterial: { method: 'post', path: `${P}/materials`, params: Conf, query: MaterialUploadQuery, rawBody: true, res: Material, roles: ORG, summary: 'Upload a file (raw body, Content-Type = file type); starts distribution' },
  downloadMaterial: { method: 'get', path: `${P}/materials/:material/file`, params: ConfMat, res: z.any(), produces: ['application/octet-stream'], roles: READ, summary: 'Download (ETag, Range, If-None-Match); ?token= accepted' },
  deliveries: { method: 'get', path: `${P}/materials/:material/deliveries`, params: ConfMat, res: z.object({ summary: DeliverySummary, deliveries: z.array(Delivery) }), roles: ORG, summary: 'Per-site delivery state' },
  deliverySummary: { method: 'get', path: `${P}/deliveries`, params: Conf, res: z.array(DeliverySummary), roles: ORG, summary: 'Delivered / pending / failed per material' },
  receipt: { method: 'post', path: `${P}/materials/:material/receipts`, params: ConfMat, body: ReceiptReq.omit({ material: true }), res: Delivery, roles: SITE, summary: 'Site verified the sha256; wrong hash → CONFLICT' },
  redeliver: { method: 'post', path: `${P}/materials/:material/redeliver`, params: ConfMat, body: RedeliverReq, res: DeliverySummary, roles: ORG, summary: 'Restart delivery to failed (or given) sites' },
  // incidents, rehearsal, floor
  listIncidents: { method: 'get', path: `${P}/incidents`, params: Conf, query: SiteFilter, res: z.array(Incident), roles: SITE, summary: 'Incidents (technician: own site)' },
  reportIncident: { method: 'post', path: `${P}/incidents`, params: Conf, body: IncidentReq, res: Incident, roles: SITE, summary: 'Report a problem ("vấn đề phát sinh")' },
  handleIncident: { method: 'post', path: `${P}/incidents/:id/handle`, params: ConfId, body: z.strictObject({ note: z.string().max(2000).default('') }), res: Incident, roles: ORG, summary: 'Mark handled' },
  listRehearsals: { method: 'get', path: `${P}/rehearsals`, params: Conf, query: SiteFilter, res: z.array(RehearsalResult), roles: SITE, summary: 'Rehearsal results (latest first)' },
  postRehearsal: { method: 'post', path: `${P}/rehearsals`, params: Conf, body: RehearsalReq, res: RehearsalResult, roles: SITE, summary: 'Record a link test' },
  // recordings of the conference: switch, list, chapters, download, push, delete (signaling/recording.ts)
  ...RecordingRoutes,
  // replay sessions ("học tập lại", signaling/recording.ts): headcounts kept apart from live attendance
  ...ReplayRoutes,
  // short-lived media tokens for the media nodes (signaling/media-token.ts)
  ...MediaTokenRoutes,
  getFloor: { method: 'get', path: `${P}/floor`, params: Conf, res: FloorState, roles: READ, summary: 'Floor requests and grant' },
  requestFloor: { method: 'post', path: `${P}/floor/requests`, params: Conf, body: FloorRequestReq, res: FloorState, roles: SITE, summary: 'Ask for the floor' },
  withdrawFloor: { method: 'delete', path: `${P}/floor/requests/:site`, params: ConfSite, res: FloorState, roles: SITE, summary: 'Withdraw (technician) / dismiss (organizer)' },
  grantFloor: { method: 'post', path: `${P}/floor/grant`, params: Conf, body: FloorGrantReq, res: FloorState, roles: ORG, summary: 'Floor granted to a site (null = back to the centre)' },
  // reports
  reportAttendance: { method: 'get', path: `${P}/reports/attendance`, params: Conf, query: ReportQuery, res: z.array(AttendanceRow), produces: EXPORTS, roles: ['organizer', 'viewer'], summary: 'Attendance per site and group, with roll-ups; check-ins counted beside the headcount' },
  reportCheckIns: { method: 'get', path: `${P}/reports/checkins`, params: Conf, query: ReportQuery, res: z.array(CheckInRow), produces: EXPORTS, roles: ['organizer', 'viewer'], summary: 'Per-person check-ins with site and group names, in/out times and minutes present (they do not change the headcount)' },
  reportPresence: { method: 'get', path: `${P}/reports/presence`, params: Conf, query: ReportQuery, res: z.array(PresenceReportRow), produces: EXPORTS, roles: ['organizer', 'viewer'], summary: 'Per site: control connections, and watching time and state from the media nodes (XLSX: a second sheet of hall sessions)' },
  reportWatching: { method: 'get', path: `${P}/reports/watching`, params: Conf, query: ReportQuery, res: z.array(WatchSessionRow), produces: EXPORTS, roles: ['organizer', 'viewer'], summary: 'Per hall endpoint: joined, left, time it played (from the media nodes)' },
  reportAgenda: { method: 'get', path: `${P}/reports/agenda`, params: Conf, query: ReportQuery, res: z.array(AgendaRow), produces: EXPORTS, roles: ['organizer', 'viewer'], summary: 'Agenda planned vs actual' },
  reportFull: { method: 'get', path: `${P}/reports/full.xlsx`, params: Conf, res: z.any(), produces: [XLSX], roles: ['organizer', 'viewer'], summary: 'All reports, one workbook' },
  reportResults: { method: 'get', path: `${P}/reports/results.pdf`, params: Conf, res: z.any(), produces: ['application/pdf'], roles: ['organizer', 'viewer'], summary: 'Printable A4 report of the results (the sent figures once sent), to sign and send up' },
  upwardReport: { method: 'get', path: `${P}/reports/upward`, params: Conf, res: UpwardReport, roles: ['organizer', 'viewer'], summary: 'Roll-up report to the level above (preview or the sent one)' },
  sendUpward: { method: 'post', path: `${P}/reports/upward/send`, params: Conf, body: UpwardSendReq, res: UpwardReport, roles: ORG, summary: 'Freeze and send the roll-up report' },
  // invitations
  listInvitations: { method: 'get', path: `${P}/invitations`, params: Conf, res: z.array(Invitation), roles: ORG, summary: 'Issued invitations (without tokens)' },
  createInvitation: { method: 'post', path: `${P}/invitations`, params: Conf, body: InvitationReq, res: Invitation, roles: ORG, summary: 'Issue a token (returned once)' },
  bulkInvitations: { method: 'post', path: `${P}/invitations/bulk`, params: Conf, body: InvitationBulkReq, res: z.array(Invitation), roles: ORG, summary: 'One token per site' },
  reissueInvitation: { method: 'post', path: `${P}/invitations/reissue`, params: Conf, body: InvitationReissueReq, res: Invitation, roles: ORG, summary: "Revoke a site's live links of a role and issue a new one (token and short code returned once)" },
  invitationSheet: { method: 'get', path: `${P}/invitations/sheet.pdf`, params: Conf, query: InvitationSheetQuery, res: z.any(), produces: ['application/pdf'], roles: ORG, summary: 'Printable A4 sheet: one card per site with a live link of the role (name, QR code, short link, what to do)' },
  revokeInvitation: { method: 'delete', path: `${P}/invitations/:jti`, params: ConfJti, res: z.object({ jti: z.string(), revoked: z.literal(true) }), roles: ORG, summary: 'Revoke; open sockets of that token are closed' },
} as const satisfies Record<string, RouteDef>;

export type ControlRouteName = keyof typeof ControlRoutes;
/** Response payload type of a route (inside `Ack.data`). */
export type RouteRes<K extends ControlRouteName> = z.infer<(typeof ControlRoutes)[K]['res']>;

/** Fills an Express-style path: routePath('getSite', { conf: 'ls-135', site: 'ls' }). */
export function routePath(name: ControlRouteName, params: Record<string, string>): string {
  return ControlRoutes[name].path.replace(/:([a-z]+)/g, (_, k: string) => encodeURIComponent(params[k] ?? `:${k}`));
}

