// One site edited through the organizer's form (add under a parent, change its
// fields, its kind, its expected counts, move it), and the conference's kinds
// with their delegate groups edited together. Both carry the tree version the
// form was opened at: another version is CONFLICT ("reload"), nothing changes.
// Browser-safe: zod only.
import { z } from 'zod';
import { DelegateGroup, Id, Site } from './control-model.js';
import type { RouteDef, RouteRole } from './control-routes.js';
import { KindsDoc, SiteKind } from './site-import.js';

const Version = z.number().int().nonnegative();
const Code = (what: string) => z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, `${what}: chỉ chữ thường không dấu, số và dấu gạch ngang, ví dụ "xa-tan-thanh" / ${what}: lower-case letters, digits and dashes only`);
const Count = z.number({ error: 'số đại biểu phải là số / the count must be a number' }).int('số đại biểu là số nguyên / a whole number').min(0, 'số đại biểu không được âm / cannot be negative').max(100_000, 'số đại biểu tối đa 100.000 / at most 100,000');

/** The form of one site; `create` refuses a code already in use instead of overwriting it. */
export const SiteFormReq = z.strictObject({
  create: z.boolean().default(false),
  /** The parent; moving the site (and its subtree) when it differs. null only for the root. */
  parent: Code('mã trực thuộc').nullable(),
  /** A kind of the conference (KindsDoc). */
  level: Code('loại điểm cầu'),
  name: z.string().trim().min(1, 'tên điểm cầu không được để trống / the name is required').max(200, 'tên điểm cầu tối đa 200 ký tự / at most 200 characters'),
  hall: z.string().trim().max(300, 'hội trường tối đa 300 ký tự / at most 300 characters').default(''),
  address: z.string().trim().max(300, 'địa chỉ tối đa 300 ký tự / at most 300 characters').default(''),
  technicianName: z.string().trim().max(200, 'tên kỹ thuật viên tối đa 200 ký tự / at most 200 characters').default(''),
  technicianPhone: z.string().trim().regex(/^(\+?[0-9][0-9 .-]{5,18})?$/, 'số điện thoại chỉ gồm chữ số (có thể có + . - và khoảng trắng), ví dụ 0912 345 678 / digits only, e.g. 0912 345 678').default(''),
  eligible: z.boolean().default(true),
  mediaNode: Code('máy chủ truyền hình'),
  /** Expected delegates per group of the site's kind (every group of the kind; 0 = none). */
  expected: z.record(Id, Count).default({}),
  version: Version,
});
export type SiteFormReq = z.input<typeof SiteFormReq>;
export type SiteForm = z.output<typeof SiteFormReq>;
export const SiteSaved = z.object({ site: Site, version: Version });

/** Kinds, the report level and the delegate groups of every kind, replaced together. */
export const KindsGroupsReq = z.strictObject({
  kinds: z.array(SiteKind).min(1, 'cần ít nhất một loại điểm cầu / at least one kind').max(50),
  reportKind: Id.nullable(),
  groups: z.array(DelegateGroup).max(100, 'tối đa 100 thành phần đại biểu / at most 100 delegate groups'),
  version: Version,
});
export type KindsGroupsReq = z.input<typeof KindsGroupsReq>;
export type KindsGroups = z.output<typeof KindsGroupsReq>;
export const KindsGroupsDoc = KindsDoc.extend({ groups: z.array(DelegateGroup) });
export type KindsGroupsDoc = z.infer<typeof KindsGroupsDoc>;

const P = '/api/conferences/:conf';
const Conf = z.object({ conf: Id });
const ConfSite = z.object({ conf: Id, site: Id });
const ORG: RouteRole[] = ['organizer'];

/** Spread into ControlRoutes before getSite. */
export const SiteEditRoutes = {
  saveSite: { method: 'put', path: `${P}/sites/:site/form`, params: ConfSite, body: SiteFormReq, res: SiteSaved, roles: ORG, summary: 'Add or edit one site from the form (fields, kind, expected counts, parent) with a version check' },
  getKindsGroups: { method: 'get', path: `${P}/kinds/groups`, params: Conf, res: KindsGroupsDoc, roles: ORG, summary: 'Kinds, report level and delegate groups with the tree version' },
  putKindsGroups: { method: 'put', path: `${P}/kinds/groups`, params: Conf, body: KindsGroupsReq, res: KindsGroupsDoc, roles: ORG, summary: 'Replace kinds and delegate groups (a kind in use, or a group with recorded counts in a live or ended conference, cannot go)' },
} as const satisfies Record<string, RouteDef>;
