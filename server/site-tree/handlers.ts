// Handlers of the site-tree routes (signaling/site-import.ts SiteTreeRoutes),
// spread into server/handlers.ts.
import type { Counts } from '../../signaling/control.js';
import type { SiteTreeRoutes } from '../../signaling/site-import.js';
import type { SiteEditRoutes } from '../../signaling/site-edit.js';
import { assertConf, type Auth } from '../auth.js';
import type { Ctx } from '../context.js';
import { Raw, type Input } from '../handlers.js';
import { getAgenda } from '../store/agenda.js';
import { readAttendance } from '../store/attendance.js';
import { getConference, listGroups, listSites } from '../store/conference.js';
import { importAgenda, agendaSheet } from './agenda.js';
import { importSites } from './apply.js';
import { groupsSheet, HELP_ROWS, kindsSheet, SHEET, sitesSheet } from './columns.js';
import { writeCsv, writeXlsx, type OutSheet } from './sheet.js';
import { getKinds, moveSite, putKinds, removeSite } from './store.js';
import { getKindsGroups, replaceGroups, saveKindsGroups, saveSite } from './edit.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
type Handler = (ctx: Ctx, a: Auth, i: Input) => Promise<unknown>;

async function sheetFile(format: 'xlsx' | 'csv', name: string, main: OutSheet, extra: OutSheet[]): Promise<Raw> {
  if (format === 'csv') return new Raw('text/csv; charset=utf-8', writeCsv(main), `${name}.csv`);
  return new Raw(XLSX, await writeXlsx([main, ...extra]), `${name}.xlsx`);
}

/** The tree in the import format; `empty` keeps only the headers (the template). */
async function treeFile(ctx: Ctx, conf: string, format: 'xlsx' | 'csv', empty: boolean): Promise<Raw> {
  const [kinds, groups, sites] = await Promise.all([getKinds(ctx, conf), listGroups(ctx, conf), listSites(ctx, conf)]);
  const expected = new Map<string, Counts>();
  if (!empty) (await readAttendance(ctx, conf, sites.map((s) => s.id))).forEach((a) => expected.set(a.site, a.expected));
  const main = sitesSheet(empty ? [] : sites, groups, expected);
  const help: OutSheet = { name: SHEET.help, header: HELP_ROWS[0]!, rows: HELP_ROWS.slice(1), widths: [140] };
  return sheetFile(format, `${empty ? 'mau-diem-cau' : 'diem-cau'}-${conf}`, main, [kindsSheet(kinds.kinds, kinds.reportKind), groupsSheet(groups), help]);
}

export const siteTreeHandlers: Record<keyof typeof SiteTreeRoutes, Handler> = {
  getKinds: async (c, a, { params }) => { assertConf(a, params.conf); return getKinds(c, params.conf); },
  putKinds: async (c, a, { params, body }) => { assertConf(a, params.conf); return putKinds(c, params.conf, body.kinds, body.reportKind, body.version); },
  siteTemplate: async (c, a, { params, query }) => { assertConf(a, params.conf); await getConference(c, params.conf); return treeFile(c, params.conf, query.format, true); },
  siteSheet: async (c, a, { params, query }) => { assertConf(a, params.conf); await getConference(c, params.conf); return treeFile(c, params.conf, query.format, false); },
  importSites: async (c, a, { params, body }) => { assertConf(a, params.conf); return importSites(c, params.conf, body); },
  moveSite: async (c, a, { params, body }) => { assertConf(a, params.conf); return moveSite(c, params.conf, params.site, body.parent, body.version); },
  deleteSite: async (c, a, { params, query }) => { assertConf(a, params.conf); return removeSite(c, params.conf, params.site, query.version); },
  agendaSheet: async (c, a, { params, query }) => {
    assertConf(a, params.conf);
    return sheetFile(query.format, `chuong-trinh-${params.conf}`, agendaSheet(await getAgenda(c, params.conf)), []);
  },
  importAgenda: async (c, a, { params, body }) => { assertConf(a, params.conf); return importAgenda(c, params.conf, body); },
};

/** The organizer's site form and the kinds-and-groups screen (signaling/site-edit.ts). */
export const siteEditHandlers: Record<keyof typeof SiteEditRoutes, Handler> = {
  saveSite: async (c, a, { params, body }) => { assertConf(a, params.conf); return saveSite(c, params.conf, params.site, body, a.jti); },
  getKindsGroups: async (c, a, { params }) => { assertConf(a, params.conf); return getKindsGroups(c, params.conf); },
  putKindsGroups: async (c, a, { params, body }) => { assertConf(a, params.conf); return saveKindsGroups(c, params.conf, body); },
};

/** PUT …/groups: refuses to drop a group with recorded counts, like the screen. */
export const putGroupsChecked: Handler = async (c, a, { params, body }) => { assertConf(a, params.conf); return replaceGroups(c, params.conf, body.groups); };
