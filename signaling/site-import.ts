// Site kinds (data per conference, any depth), moving and removing sites, and
// the spreadsheet import / export of the site tree and the agenda: schemas and
// routes (spread into ControlRoutes). Browser-safe: zod only.
import { z } from 'zod';
import { Agenda, Id, Site } from './control-model.js';
import type { RouteDef, RouteRole } from './control-routes.js';

// ---------------------------------------------------------------- kinds

/** A kind of site ("loại điểm cầu"): trung ương, tỉnh, xã, đảng uỷ, … `rank` orders the levels in charts (0 = top). */
export const SiteKind = z.strictObject({
  id: Id,
  name: z.string().trim().min(1).max(100),
  nameEn: z.string().trim().max(100).optional(),
  rank: z.number().int().min(0).max(50),
});
export type SiteKind = z.infer<typeof SiteKind>;

/**
 * The four levels of the first trees stay the default kinds (same ids, so
 * every existing site, group and test keeps its meaning), with the kinds of
 * today's two-tier local government and the party and agency sites beside them.
 */
export const DEFAULT_KINDS: SiteKind[] = [
  { id: 'centre', name: 'Trung ương', nameEn: 'Centre', rank: 0 },
  { id: 'province', name: 'Tỉnh, thành phố', nameEn: 'Province', rank: 1 },
  { id: 'district', name: 'Huyện', nameEn: 'District', rank: 2 },
  { id: 'commune', name: 'Xã', nameEn: 'Commune', rank: 3 },
  { id: 'phuong', name: 'Phường', nameEn: 'Ward', rank: 3 },
  { id: 'dac-khu', name: 'Đặc khu', nameEn: 'Special zone', rank: 3 },
  { id: 'dang-uy', name: 'Đảng uỷ', nameEn: 'Party committee', rank: 2 },
  { id: 'co-quan', name: 'Cơ quan, sở, ngành', nameEn: 'Agency', rank: 2 },
];

export const KindsDoc = z.object({
  kinds: z.array(SiteKind),
  /**
   * The kind whose sites are the units of roll-ups, charts and reports (a
   * two-tier tree charts communes by province, Lạng Sơn 2023 by district).
   * null: the root's children and every province and district site.
   */
  reportKind: Id.nullable(),
  /** Version of the conference's tree (sites, kinds, groups); bumped on every change. */
  version: z.number().int().nonnegative(),
});
export type KindsDoc = z.infer<typeof KindsDoc>;
export const KindsPutReq = z.strictObject({
  kinds: z.array(SiteKind).min(1).max(50),
  reportKind: Id.nullable(),
  /** The tree version the editor started from; another version → CONFLICT (reload). */
  version: z.number().int().nonnegative().optional(),
});

// ---------------------------------------------------------------- move / remove
export const SiteMoveReq = z.strictObject({ parent: Id, version: z.number().int().nonnegative().optional() });
export const SiteRemoved = z.object({ site: Id, removed: z.literal(true) });
/** Removing a site checks the tree version too (absent: no check). */
export const SiteRemoveQuery = z.strictObject({ version: z.coerce.number().int().nonnegative().optional() });

// ---------------------------------------------------------------- import

/** Largest spreadsheet accepted (decoded bytes). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;
export const SheetFormat = z.enum(['xlsx', 'csv']);
export const SheetQuery = z.object({ format: SheetFormat.default('xlsx') });

/** An uploaded spreadsheet, base64 in JSON (the service decodes and checks it). */
export const ImportFileReq = z.strictObject({
  /** The file's own name; its extension (.xlsx / .csv) says how to read it. */
  filename: z.string().trim().min(1).max(200).regex(/^[^/\\]+$/, 'filename without path'),
  /** Base64 of the file (over 8 MB decoded is refused with TOO_LARGE). */
  file: z.string().min(1).max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 1_000_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
  /** false: check and preview only; true: apply all at once (or nothing). */
  apply: z.boolean().default(false),
  /** With apply: the version the preview was made from; another version → CONFLICT (reload). */
  version: z.number().int().nonnegative().optional(),
});
export type ImportFileReq = z.input<typeof ImportFileReq>;

/** One problem of the file: sheet, spreadsheet row (1 = header; 0 = the whole file) and column. */
export const ImportIssue = z.object({
  sheet: z.string(),
  row: z.number().int().nonnegative(),
  /** Column letter and header, e.g. "C (Mã trực thuộc)"; '' when about the whole row or file. */
  column: z.string(),
  message: z.string(),
});
export type ImportIssue = z.infer<typeof ImportIssue>;

export const ImportTreeLine = z.object({ id: Id, name: z.string(), kind: Id, depth: z.number().int(), children: z.number().int(), subtree: z.number().int() });
export const SiteImportPreview = z.object({
  ok: z.boolean(),
  applied: z.boolean(),
  /** The first 500 problems (`errorCount` says how many in all). */
  errors: z.array(ImportIssue),
  errorCount: z.number().int(),
  rows: z.number().int(),
  /** Tree version the preview was made from (send it back with apply). */
  version: z.number().int(),
  /** Sites per kind, in rank order. */
  kinds: z.array(z.object({ kind: Id, name: z.string(), rank: z.number().int(), sites: z.number().int() })),
  /** The root, its children and their children (at most 200 lines). */
  top: z.array(ImportTreeLine),
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.number().int(),
  /** The first 100 codes of each. */
  addedIds: z.array(Id),
  changedIds: z.array(Id),
  removedIds: z.array(Id),
  /** Kinds and delegate groups the file changes (XLSX with those sheets). */
  kindsChanged: z.boolean(),
  groupsChanged: z.boolean(),
  expectedTotal: z.number().int(),
});
export type SiteImportPreview = z.infer<typeof SiteImportPreview>;

export const AgendaImportPreview = z.object({
  ok: z.boolean(),
  applied: z.boolean(),
  errors: z.array(ImportIssue),
  errorCount: z.number().int(),
  rows: z.number().int(),
  version: z.number().int(),
  items: z.array(z.object({ id: Id, title: z.string(), presenter: z.string(), plannedStart: z.string(), plannedDurationMin: z.number().int() })),
  agenda: Agenda.optional(),
});
export type AgendaImportPreview = z.infer<typeof AgendaImportPreview>;

// ---------------------------------------------------------------- routes
const P = '/api/conferences/:conf';
const Conf = z.object({ conf: Id });
const ConfSite = z.object({ conf: Id, site: Id });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SHEETS = ['text/csv', XLSX];
const ORG: RouteRole[] = ['organizer'];
const READ: RouteRole[] = ['organizer', 'technician', 'participant', 'viewer'];

/** Spread into ControlRoutes before getSite (so /sites/template is not taken for a site id). */
export const SiteTreeRoutes = {
  getKinds: { method: 'get', path: `${P}/kinds`, params: Conf, res: KindsDoc, roles: READ, summary: 'Site kinds, the report level and the tree version' },
  putKinds: { method: 'put', path: `${P}/kinds`, params: Conf, body: KindsPutReq, res: KindsDoc, roles: ORG, summary: 'Replace the site kinds and the report level (a kind in use cannot go)' },
  siteTemplate: { method: 'get', path: `${P}/sites/template`, params: Conf, query: SheetQuery, res: z.any(), produces: SHEETS, roles: ORG, summary: 'Empty import template (Vietnamese headers; XLSX also lists the kinds and delegate groups)' },
  siteSheet: { method: 'get', path: `${P}/sites/sheet`, params: Conf, query: SheetQuery, res: z.any(), produces: SHEETS, roles: ORG, summary: 'The site tree in the import format (export → import changes nothing)' },
  importSites: { method: 'post', path: `${P}/sites/import`, params: Conf, body: ImportFileReq, res: SiteImportPreview, roles: ORG, summary: 'Check an XLSX/CSV site tree (errors by row and column, preview), or apply it all at once' },
  moveSite: { method: 'post', path: `${P}/sites/:site/move`, params: ConfSite, body: SiteMoveReq, res: Site, roles: ORG, summary: 'Move a site (and its subtree) under another parent; roll-ups follow' },
  deleteSite: { method: 'delete', path: `${P}/sites/:site`, params: ConfSite, query: SiteRemoveQuery, res: SiteRemoved, roles: ORG, summary: 'Remove a site without children (refused once it has recorded attendance in a live or ended conference)' },
  agendaSheet: { method: 'get', path: `${P}/agenda/sheet`, params: Conf, query: SheetQuery, res: z.any(), produces: SHEETS, roles: ORG, summary: 'The agenda in the import format (an empty agenda gives the template)' },
  importAgenda: { method: 'post', path: `${P}/agenda/import`, params: Conf, body: ImportFileReq, res: AgendaImportPreview, roles: ORG, summary: 'Check an XLSX/CSV agenda, or apply it (replaces the agenda)' },
} as const satisfies Record<string, RouteDef>;
