// Handlers of the invitation routes used by the organizer's setup screens:
// every site link gets a short code, a site's links of a role are reissued
// (revoked, then one new), and the printable sheet of a role's live links.
import { AppError } from '../signaling/common.js';
import type { ControlRouteName } from '../signaling/control-routes.js';
import type { Invitation, Site, SiteInviteRole } from '../signaling/control.js';
import { assertConf, type Auth } from './auth.js';
import type { Ctx } from './context.js';
import { Raw, type Input } from './handlers.js';
import { invitationSheet, type SheetCard } from './invitation-sheet.js';
import { getAgenda, replaceAgenda } from './store/agenda.js';
import * as cs from './store/conference.js';
import { shiftIso } from './store/conference-list.js';
import { issueBulk, issueInvitation, listInvitations, revokeInvitation } from './store/invitations.js';
import { createShort, resolveShort, shortCodes } from './store/short-links.js';

type Handler = (ctx: Ctx, a: Auth, i: Input) => Promise<unknown>;

const live = (i: Invitation, now = Date.now()) => !i.revoked && i.exp * 1000 > now;

/** A fresh site invitation with its short code (returned once, like the token). */
async function withShort(ctx: Ctx, conf: string, inv: Invitation, site?: Site): Promise<Invitation> {
  if (!inv.site || !inv.token || inv.role === 'organizer') return inv;
  return { ...inv, short: await createShort(ctx, conf, inv, site ?? await cs.getSite(ctx, conf, inv.site)) };
}

async function sheetCards(ctx: Ctx, conf: string, role: SiteInviteRole, under?: string): Promise<SheetCard[]> {
  const [sites, invs, codes] = await Promise.all([cs.listSites(ctx, conf), listInvitations(ctx, conf), shortCodes(ctx, conf)]);
  const byId = new Map(sites.map((s) => [s.id, s]));
  const newest = new Map<string, Invitation>();
  for (const i of invs) {
    if (i.role !== role || !i.site || !live(i) || !codes.has(i.jti)) continue;
    if ((newest.get(i.site)?.createdAt ?? -1) <= i.createdAt) newest.set(i.site, i);
  }
  const cards: SheetCard[] = [];
  for (const s of sites) {
    const inv = newest.get(s.id);
    if (!inv || (under && s.id !== under && !s.path.includes(under))) continue;
    const code = codes.get(inv.jti)!;
    if (!(await resolveShort(ctx, code))) continue; // expired with its token
    const parent = s.parent ? byId.get(s.parent)?.name : undefined;
    cards.push({ siteId: s.id, siteName: s.name, ...(parent ? { parentName: parent } : {}), code, exp: inv.exp });
  }
  return cards;
}

/** The agenda's planned times follow the conference to its new date (same times of day). */
async function shiftAgenda(ctx: Ctx, conf: string, ms: number): Promise<void> {
  const a = await getAgenda(ctx, conf);
  if (!a.items.length || !ms) return;
  await replaceAgenda(ctx, conf, a.items.map(({ order: _o, state: _s, actualStart: _a, actualEnd: _e, ...it }) => ({ ...it, plannedStart: shiftIso(it.plannedStart, ms) })));
}

export const setupHandlers = {
  patchConference: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    const before = await cs.getConference(c, params.conf);
    const after = await cs.patchConference(c, params.conf, body);
    if (after.date !== before.date) await shiftAgenda(c, params.conf, Date.parse(`${after.date}T00:00:00Z`) - Date.parse(`${before.date}T00:00:00Z`));
    return after;
  },
  listInvitations: async (c, a, { params }) => {
    assertConf(a, params.conf);
    const [list, codes] = await Promise.all([listInvitations(c, params.conf), shortCodes(c, params.conf)]);
    return list.map((i) => (codes.has(i.jti) ? { ...i, short: codes.get(i.jti) } : i));
  },
  createInvitation: async (c, a, { params, body }) => { assertConf(a, params.conf); return withShort(c, params.conf, await issueInvitation(c, params.conf, body)); },
  bulkInvitations: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    for (const s of body.sites ?? []) await cs.siteRecord(c, params.conf, s);
    const sites = new Map((await cs.listSites(c, params.conf)).map((s) => [s.id, s]));
    const out: Invitation[] = [];
    for (const inv of await issueBulk(c, params.conf, body.role, body.sites, body.ttlHours)) out.push(await withShort(c, params.conf, inv, sites.get(inv.site!)));
    return out;
  },
  reissueInvitation: async (c, a, { params, body }) => {
    assertConf(a, params.conf);
    const site = await cs.getSite(c, params.conf, body.site);
    const old = (await listInvitations(c, params.conf)).filter((i) => i.site === site.id && i.role === body.role && live(i));
    for (const i of old) await revokeInvitation(c, params.conf, i.jti);
    return withShort(c, params.conf, await issueInvitation(c, params.conf, { role: body.role, site: site.id, ttlHours: body.ttlHours }), site);
  },
  invitationSheet: async (c, a, { params, query }) => {
    assertConf(a, params.conf);
    const conf = await cs.getConference(c, params.conf);
    if (query.under) await cs.siteRecord(c, params.conf, query.under);
    const cards = await sheetCards(c, params.conf, query.role, query.under);
    if (!cards.length) {
      throw new AppError('CONFLICT', 'Chưa có điểm cầu nào có liên kết còn hiệu lực cho vai trò này; hãy bấm “Cấp cho mọi điểm cầu chưa có” rồi tải phiếu in lại. / No site has a live link for this role yet; issue links to every site first, then download the sheet again.');
    }
    const origin = new URL(query.origin).origin;
    return new Raw('application/pdf', await invitationSheet(conf, query.role, origin, cards), `phieu-ket-noi-${query.role}-${query.under ?? params.conf}.pdf`);
  },
} satisfies Partial<Record<ControlRouteName, Handler>>;
