// One handler per REST route (by name in ControlRoutes), each doing its own
// scope checks. Socket events (socket.ts) call the same store functions.
import { AppError } from '../signaling/common.js';
import type { ControlRouteName } from '../signaling/control-routes.js';
import type { Delivery, Snapshot } from '../signaling/control.js';
import { assertConf, assertSite, assertSiteRead, assertWide, isWide, type Auth } from './auth.js';
import type { Ctx } from './context.js';
import { agendaCols, attendanceCols, checkInCols, presenceCols, rollupCols, toCsv, toXlsx, watchingCols, type Column } from './export.js';
import { agendaRows, attendanceRows, buildUpward, checkInRows, getUpward, presenceRows, resultsData, sendUpward, watchingRows } from './reports.js';
import { listWatch, watchEvents } from './watching.js';
import { resultsPdf } from './results-pdf.js';
import { endItem, getAgenda, reorderAgenda, replaceAgenda, startItem } from './store/agenda.js';
import * as att from './store/attendance.js';
import * as cs from './store/conference.js';
import { getFloor, grantFloor, requestFloor, withdrawFloor } from './store/floor.js';
import { getIncident, handleIncident, listIncidents, listRehearsals, recordRehearsal, reportIncident } from './store/incidents.js';
import { revokeInvitation } from './store/invitations.js';
import { acceptReceipt, getDelivery, getMaterial, listDeliveries, listMaterials, summarize } from './store/materials.js';
import { listPresence, presenceEvents } from './store/presence.js';
import { putGroupsChecked, siteEditHandlers, siteTreeHandlers } from './site-tree/handlers.js';
import { setupHandlers } from './setup-handlers.js';
import { replayHandlers } from './replay/handlers.js';
import { recordingHandlers } from './recordings/handlers.js';
import { mediaTokenHandlers } from './media-token.js';
import { replaySheet, summaryRows } from './replay/report.js';

export interface Input { params: any; query: any; body: any }
/** A non-JSON answer (exports). */
export class Raw {
  constructor(readonly contentType: string, readonly body: Buffer | string, readonly filename?: string) {}
}
type Handler = (ctx: Ctx, a: Auth, i: Input) => Promise<unknown>;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Sheet names may not contain a slash, so the English name goes in brackets. */
const CHECKIN_SHEET = 'Đăng ký cá nhân (Check-ins)';

async function exportAs<T>(format: 'json' | 'csv' | 'xlsx', name: string, sheet: string, rows: T[], cols: Column<T>[]) {
  if (format === 'json') return rows;
  if (format === 'csv') return new Raw('text/csv; charset=utf-8', toCsv(rows, cols), `${name}.csv`);
  return new Raw(XLSX, await toXlsx([{ name: sheet, cols, rows }]), `${name}.xlsx`);
}

/** Technician/participant/viewer bound to a site only see that site; wide readers may filter. */
function siteFilter(a: Auth, conf: string, site?: string): string | undefined {
  assertConf(a, conf);
  if (a.role === 'organizer') return site;
  if (site && site !== a.site) throw new AppError('FORBIDDEN', 'token is for another site');
  return a.site;
}

/**
 * Technicians' names and phones are for organizers (and a site's own technician): a hall's QR code
 * must not read every technician's phone number.
 */
function redactSite<S extends { id: string; technician?: unknown; address?: unknown }>(a: Auth, s: S): S {
  if (a.role === 'organizer' || (a.role === 'technician' && a.site === s.id)) return s;
  const { technician: _t, ...rest } = s;
  return rest as S;
}

export async function snapshot(ctx: Ctx, a: Auth, conf: string): Promise<Snapshot> {
  assertConf(a, conf);
  // a site-bound screen gets its own branch (ancestors, itself, its children), not the national tree
  const [conference, visible, groups, agenda, floor] = await Promise.all([
    cs.getConference(ctx, conf), isWide(a) ? cs.listSites(ctx, conf) : a.site ? cs.siteBranch(ctx, conf, a.site) : Promise.resolve([]),
    cs.listGroups(ctx, conf), getAgenda(ctx, conf), getFloor(ctx, conf),
  ]);
  const seq = Number((await ctx.redis.get(ctx.keys.seq(conf))) ?? 0);
  const mine = isWide(a) ? visible.map((s) => s.id) : a.site ? [a.site] : [];
  const [rollups, attendance] = await Promise.all([att.readRollups(ctx, conf, mine), att.readAttendance(ctx, conf, mine)]);
  const materials = await listMaterials(ctx, conf, isWide(a) ? undefined : a.site ?? '-none-');
  const watch = isWide(a) ? await listWatch(ctx, conf) : undefined;
  const deliveries = !isWide(a) && a.site
    ? (await Promise.all(materials.map((m) => getDelivery(ctx, conf, m.id, a.site!)))).filter((d): d is Delivery => d !== null)
    : undefined;
  return { conference, you: { role: a.role, ...(a.site ? { site: a.site } : {}) }, sites: visible.map((s) => redactSite(a, s)), groups, agenda, floor, rollups, attendance, materials, ...(deliveries ? { deliveries } : {}), ...(watch ? { watch } : {}), seq };
}

export const handlers: Record<ControlRouteName, Handler> = {
  me: async (_c, a) => ({ role: a.role, conf: a.conf, exp: a.exp, ...(a.site ? { site: a.site } : {}) }),
  createConference: async (c, a, { params, body }) => { assertConf(a, params.conf); return cs.putConference(c, params.conf, body); },
  getConference: async (c, a, { params }) => { assertConf(a, params.conf); return cs.getConference(c, params.conf); },
  // patchConference: setup-handlers.ts (the agenda follows a new date)
  setState: async (c, a, { params, body }) => { assertConf(a, params.conf); return cs.setConferenceState(c, params.conf, body.state); },
  snapshot: async (c, a, { params }) => snapshot(c, a, params.conf),
  mediaNodes: async (c, a, { params }) => { assertConf(a, params.conf); return cs.mediaNodes(c, await cs.listSites(c, params.conf)); },
  listSites: async (c, a, { params }) => { assertConf(a, params.conf); await cs.getConference(c, params.conf); return (await cs.listSites(c, params.conf)).map((s) => redactSite(a, s)); },
  // kinds, spreadsheet import/export, move, remove (site-tree/)
  ...siteTreeHandlers,
  ...siteEditHandlers,
  putSitesBulk: async (c, a, { params, body }) => { assertConf(a, params.conf); return { count: (await cs.putSites(c, params.conf, body.sites)).length }; },
  getSite: async (c, a, { params }) => { assertConf(a, params.conf); return redactSite(a, await cs.getSite(c, params.conf, params.site)); },
  putSite: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    if (body.id !== params.site) throw new AppError('BAD_REQUEST', 'body id differs from the path');
    return (await cs.putSites(c, params.conf, [body]))[0];
  },
  patchSite: async (c, a, { params, body }) => {
    assertSite(a, params.conf, params.site, ['technician']);
    if (a.role !== 'organizer') {
      const extra = Object.keys(body).filter((k) => k !== 'hall' && k !== 'technician');
      if (extra.length) throw new AppError('FORBIDDEN', `a technician may change hall and contact only (not ${extra.join(', ')})`);
    }
    return cs.patchSite(c, params.conf, params.site, body);
  },
  listGroups: async (c, a, { params }) => { assertConf(a, params.conf); return cs.listGroups(c, params.conf); },
  putGroups: putGroupsChecked,
  putExpected: async (c, a, { params, body }) => { assertConf(a, params.conf); return att.setExpected(c, params.conf, params.site, body.counts, a.jti); },
  getAttendance: async (c, a, { params }) => { assertSiteRead(a, params.conf, params.site); return att.getAttendance(c, params.conf, params.site); },
  putHeadcounts: async (c, a, { params, body }) => { assertSite(a, params.conf, params.site); return att.setHeadcounts(c, params.conf, params.site, body.present, a.jti); },
  rollups: async (c, a, { params }) => { assertWide(a, params.conf); return att.listRollups(c, params.conf); },
  getRollup: async (c, a, { params }) => { assertSiteRead(a, params.conf, params.site); return att.getRollup(c, params.conf, params.site); },
  checkIn: async (c, a, { params, body }) => { assertSite(a, params.conf, body.site, ['technician', 'participant']); return att.checkIn(c, params.conf, body); },
  checkOut: async (c, a, { params }) => {
    assertConf(a, params.conf);
    const ci = await att.getCheckIn(c, params.conf, params.id);
    assertSite(a, params.conf, ci.site, ['technician', 'participant']);
    return att.checkOut(c, params.conf, params.id);
  },
  listCheckIns: async (c, a, { params, query }) => att.listCheckIns(c, params.conf, siteFilter(a, params.conf, query.site)),
  presence: async (c, a, { params }) => { assertWide(a, params.conf); return listPresence(c, params.conf); },
  presenceEvents: async (c, a, { params }) => { assertSite(a, params.conf, params.site); return presenceEvents(c, params.conf, params.site); },
  watch: async (c, a, { params }) => { assertWide(a, params.conf); return listWatch(c, params.conf); },
  watchEvents: async (c, a, { params }) => { assertSite(a, params.conf, params.site); return watchEvents(c, params.conf, params.site); },
  getAgenda: async (c, a, { params }) => { assertConf(a, params.conf); return getAgenda(c, params.conf); },
  putAgenda: async (c, a, { params, body }) => { assertConf(a, params.conf); return replaceAgenda(c, params.conf, body.items, body.baseVersion); },
  startItem: async (c, a, { params }) => { assertConf(a, params.conf); return startItem(c, params.conf, params.item); },
  endItem: async (c, a, { params }) => { assertConf(a, params.conf); return endItem(c, params.conf, params.item); },
  reorderAgenda: async (c, a, { params, body }) => { assertConf(a, params.conf); return reorderAgenda(c, params.conf, body.order, body.baseVersion); },
  listMaterials: async (c, a, { params }) => { assertConf(a, params.conf); return listMaterials(c, params.conf, isWide(a) ? undefined : a.site ?? '-none-'); },
  uploadMaterial: async () => { throw new AppError('INTERNAL', 'handled by the upload route'); },
  downloadMaterial: async () => { throw new AppError('INTERNAL', 'handled by the download route'); },
  deliveries: async (c, a, { params }) => {
    assertConf(a, params.conf);
    const m = await getMaterial(c, params.conf, params.material);
    const deliveries = await listDeliveries(c, params.conf, m.id);
    return { summary: summarize(m, deliveries), deliveries };
  },
  deliverySummary: async (c, a, { params }) => {
    assertConf(a, params.conf);
    const ms = await listMaterials(c, params.conf);
    return Promise.all(ms.map(async (m) => summarize(m, await listDeliveries(c, params.conf, m.id))));
  },
  receipt: async (c, a, { params, body }) => {
    assertSite(a, params.conf, body.site);
    return acceptReceipt(c, params.conf, params.material, body.site, body.version, body.sha256, body.proof);
  },
  redeliver: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    const m = await getMaterial(c, params.conf, params.material);
    for (const s of body.sites ?? []) await cs.siteRecord(c, params.conf, s);
    await c.delivery!.redeliver(params.conf, m, body.sites);
    return summarize(m, await listDeliveries(c, params.conf, m.id));
  },
  listIncidents: async (c, a, { params, query }) => listIncidents(c, params.conf, siteFilter(a, params.conf, query.site)),
  reportIncident: async (c, a, { params, body }) => { assertSite(a, params.conf, body.site); return reportIncident(c, params.conf, body); },
  handleIncident: async (c, a, { params, body }) => { assertConf(a, params.conf); await getIncident(c, params.conf, params.id); return handleIncident(c, params.conf, params.id, body.note); },
  listRehearsals: async (c, a, { params, query }) => listRehearsals(c, params.conf, siteFilter(a, params.conf, query.site)),
  postRehearsal: async (c, a, { params, body }) => { assertSite(a, params.conf, body.site); return recordRehearsal(c, params.conf, body); },
  // recordings: recordings/handlers.ts
  ...recordingHandlers,
  // replay sessions ("học tập lại"): replay/handlers.ts
  ...replayHandlers,
  // media tokens: media-token.ts
  ...mediaTokenHandlers,
  getFloor: async (c, a, { params }) => { assertConf(a, params.conf); return getFloor(c, params.conf); },
  requestFloor: async (c, a, { params, body }) => { assertSite(a, params.conf, body.site); return requestFloor(c, params.conf, body.site, body.note, body.console); },
  withdrawFloor: async (c, a, { params }) => {
    assertSite(a, params.conf, params.site);
    return withdrawFloor(c, params.conf, params.site, a.role === 'organizer' ? 'organizer' : 'site');
  },
  grantFloor: async (c, a, { params, body }) => { assertConf(a, params.conf); return grantFloor(c, params.conf, body.site, body.console); },
  reportAttendance: async (c, a, { params, query }) => {
    assertWide(a, params.conf);
    const rows = await attendanceRows(c, params.conf);
    if (query.format !== 'xlsx') return exportAs(query.format, `diem-danh-${params.conf}`, 'Điểm danh', rows, attendanceCols);
    // the workbook adds each replay session ("học tập lại") on a sheet of its own
    return new Raw(XLSX, await toXlsx([{ name: 'Điểm danh', cols: attendanceCols, rows }, await replaySheet(c, params.conf)]), `diem-danh-${params.conf}.xlsx`);
  },
  reportCheckIns: async (c, a, { params, query }) => {
    assertWide(a, params.conf);
    return exportAs(query.format, `dang-ky-ca-nhan-${params.conf}`, CHECKIN_SHEET, await checkInRows(c, params.conf), checkInCols);
  },
  reportPresence: async (c, a, { params, query }) => {
    assertWide(a, params.conf);
    const rows = await presenceRows(c, params.conf);
    if (query.format !== 'xlsx') return exportAs(query.format, `ket-noi-${params.conf}`, 'Kết nối', rows, presenceCols as Column<any>[]);
    // the workbook adds each hall endpoint's sessions (join, leave, time it played) on a second sheet
    return new Raw(XLSX, await toXlsx([
      { name: 'Kết nối', cols: presenceCols as Column<any>[], rows },
      { name: 'Phiên xem', cols: watchingCols, rows: await watchingRows(c, params.conf) },
    ]), `ket-noi-${params.conf}.xlsx`);
  },
  reportWatching: async (c, a, { params, query }) => {
    assertWide(a, params.conf);
    return exportAs(query.format, `phien-xem-${params.conf}`, 'Phiên xem', await watchingRows(c, params.conf), watchingCols);
  },
  reportAgenda: async (c, a, { params, query }) => {
    assertWide(a, params.conf);
    return exportAs(query.format, `chuong-trinh-${params.conf}`, 'Chương trình', await agendaRows(c, params.conf), agendaCols);
  },
  reportFull: async (c, a, { params }) => {
    assertWide(a, params.conf);
    const [up, attRows, ci, pres, ag, rp] = await Promise.all([
      buildUpward(c, params.conf), attendanceRows(c, params.conf), checkInRows(c, params.conf), presenceRows(c, params.conf), agendaRows(c, params.conf),
      replaySheet(c, params.conf),
    ]);
    const buf = await toXlsx([
      { name: 'Tổng hợp', cols: rollupCols, rows: summaryRows(up) },
      { name: 'Điểm danh', cols: attendanceCols, rows: attRows },
      rp,
      { name: CHECKIN_SHEET, cols: checkInCols, rows: ci },
      { name: 'Kết nối', cols: presenceCols as Column<any>[], rows: pres },
      { name: 'Chương trình', cols: agendaCols, rows: ag },
    ]);
    return new Raw(XLSX, buf, `bao-cao-${params.conf}.xlsx`);
  },
  reportResults: async (c, a, { params }) => {
    assertWide(a, params.conf);
    return new Raw('application/pdf', await resultsPdf(await resultsData(c, params.conf)), `bao-cao-ket-qua-${params.conf}.pdf`);
  },
  upwardReport: async (c, a, { params }) => { assertWide(a, params.conf); return getUpward(c, params.conf); },
  sendUpward: async (c, a, { params, body }) => { assertConf(a, params.conf); return sendUpward(c, params.conf, body.note); },
  // invitations with short codes, reissue, the printable sheet: setup-handlers.ts
  ...setupHandlers,
  revokeInvitation: async (c, a, { params }) => { assertConf(a, params.conf); return revokeInvitation(c, params.conf, params.jti); },
};
