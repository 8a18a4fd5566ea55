// Conference, site tree, delegate groups, media nodes.
import { AppError } from '../../signaling/common.js';
import {
  CONFERENCE_TRANSITIONS, ControlPushes, SiteInput, type Conference, type ConferenceInput, type ConferenceState,
  type DelegateGroup, type MediaNodeInfo, type Site,
} from '../../signaling/control.js';
import { DEFAULT_KINDS } from '../../signaling/site-import.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { treeChanged } from './cache.js';
import { stateChanged } from '../recordings/store.js';
import { getJson, hgetJson, hvalsJson, notFound, withLock } from './util.js';

export async function getConference(ctx: Ctx, conf: string): Promise<Conference> {
  return (await getJson<Conference>(ctx, ctx.keys.conf(conf))) ?? notFound(`conference ${conf}`);
}

export async function conferenceExists(ctx: Ctx, conf: string): Promise<boolean> {
  return (await ctx.redis.exists(ctx.keys.conf(conf))) === 1;
}

function pushConference(ctx: Ctx, c: Conference) {
  ctx.nsp?.to(rooms.conf(c.id)).emit(ControlPushes.conference, c);
}

export async function putConference(ctx: Ctx, id: string, input: ConferenceInput): Promise<Conference> {
  const c = await withLock(ctx, `conf:${id}`, async () => {
    const old = await getJson<Conference>(ctx, ctx.keys.conf(id));
    const now = Date.now();
    const c: Conference = { ...input, id, state: old?.state ?? 'draft', createdAt: old?.createdAt ?? now, updatedAt: now, version: (old?.version ?? 0) + 1, ...(old?.stateAt ? { stateAt: old.stateAt } : {}) };
    await ctx.redis.multi().set(ctx.keys.conf(id), JSON.stringify(c)).sadd(ctx.keys.confs, id).exec();
    return c;
  });
  await ctx.reminder?.schedule(c);
  pushConference(ctx, c);
  return c;
}

/** Changed by someone else since the version the client edited: nothing is written. */
export const EDIT_CONFLICT = 'Hội nghị đã được người khác sửa; hãy tải lại. / Changed by someone else, reload.';

export async function patchConference(ctx: Ctx, id: string, { baseVersion, rehearsalAt, ...patch }: Partial<Omit<ConferenceInput, 'rehearsalAt'>> & { baseVersion?: number; rehearsalAt?: string | null }): Promise<Conference> {
  const c = await withLock(ctx, `conf:${id}`, async () => {
    const old = await getConference(ctx, id);
    if (baseVersion !== undefined && baseVersion !== (old.version ?? 0)) throw new AppError('CONFLICT', EDIT_CONFLICT);
    const c: Conference = { ...old, ...patch, updatedAt: Date.now(), version: (old.version ?? 0) + 1 };
    if (rehearsalAt === null) delete c.rehearsalAt; else if (rehearsalAt !== undefined) c.rehearsalAt = rehearsalAt;
    await ctx.redis.set(ctx.keys.conf(id), JSON.stringify(c));
    return c;
  });
  if (patch.reportDeadline) await ctx.reminder?.schedule(c);
  pushConference(ctx, c);
  return c;
}

export async function setConferenceState(ctx: Ctx, id: string, state: ConferenceState): Promise<Conference> {
  const c = await withLock(ctx, `conf:${id}`, async () => {
    const old = await getConference(ctx, id);
    if (old.state === state) return old;
    if (!CONFERENCE_TRANSITIONS[old.state].includes(state)) {
      throw new AppError('CONFLICT', `cannot go from ${old.state} to ${state}`);
    }
    const now = Date.now();
    const c: Conference = { ...old, state, stateAt: now, updatedAt: now };
    await ctx.redis.set(ctx.keys.conf(id), JSON.stringify(c));
    return c;
  });
  pushConference(ctx, c);
  // recording in auto mode follows the state (on at live, off at ended)
  await stateChanged(ctx, id);
  // the media nodes free what the conference holds (a node away now does it when it reports again)
  if (c.state === 'rehearsal' || c.state === 'live') ctx.mediaLink?.treeChanged(id);
  if (c.state === 'ended') void ctx.mediaLink?.conferenceEnded(id).catch((err) => ctx.log.warn({ conf: id, err: String(err) }, 'media nodes not yet told the conference ended'));
  return c;
}

// ---------------------------------------------------------------- sites

function withUrl(ctx: Ctx, s: Site): Site {
  const url = ctx.opts.mediaNodes[s.mediaNode] ?? ctx.nodeUrls?.get(s.mediaNode);
  return url ? { ...s, mediaUrl: url } : s;
}

export async function getSite(ctx: Ctx, conf: string, site: string): Promise<Site> {
  const s = await hgetJson<Site>(ctx, ctx.keys.sites(conf), site);
  return s ? withUrl(ctx, s) : notFound(`site ${site}`);
}

/** Site record without the media URL (for internal paths). */
export async function siteRecord(ctx: Ctx, conf: string, site: string): Promise<Site> {
  const hit = ctx.cache.site(conf, site);
  if (hit) return hit;
  const s = (await hgetJson<Site>(ctx, ctx.keys.sites(conf), site)) ?? notFound(`site ${site}`);
  ctx.cache.putSite(conf, s);
  return s;
}

export async function listSites(ctx: Ctx, conf: string): Promise<Site[]> {
  const all = await hvalsJson<Site>(ctx, ctx.keys.sites(conf));
  const depth = (s: Site) => s.path.length;
  return all.map((s) => withUrl(ctx, s)).sort((a, b) => depth(a) - depth(b) || a.order - b.order || a.id.localeCompare(b.id));
}

/**
 * A site-bound screen's branch (its ancestors, itself, its children) from the
 * tree indexed in this process until the tree changes, instead of reading and
 * sorting the whole tree: 31,000 halls subscribing as the doors open would
 * otherwise read it 31,000 times.
 */
export async function siteBranch(ctx: Ctx, conf: string, site: string): Promise<Site[]> {
  let t = ctx.cache.getTree(conf);
  if (!t) {
    const gen = ctx.cache.generation();
    const depth = (s: Site) => s.path.length;
    const all = (await hvalsJson<Site>(ctx, ctx.keys.sites(conf))).sort((a, b) => depth(a) - depth(b) || a.order - b.order || a.id.localeCompare(b.id));
    t = ctx.cache.putTree(conf, all, gen);
  }
  const own = t.byId.get(site);
  if (!own) return [];
  // listSites' order: by depth, so the ancestors (root first), itself, then its children
  const ancestors = own.path.map((id) => t.byId.get(id)).filter((s): s is Site => s !== undefined);
  return [...ancestors, own, ...(t.children.get(site) ?? [])].map((s) => withUrl(ctx, s));
}

/**
 * Creates or replaces sites. A new site counts once in every ancestor's roll-up;
 * a parent change is refused here (site-tree/store.ts moveSite moves a subtree with its roll-ups);
 * a site's kind must be one of the conference's kinds.
 */
export async function putSites(ctx: Ctx, conf: string, inputs: SiteInput[]): Promise<Site[]> {
  const conference = await getConference(ctx, conf);
  return withLock(ctx, `sites:${conf}`, async () => {
    // a site's kind is one of the conference's kinds (site-tree/store.ts; absent = the default kinds)
    const kinds = new Set(((await getJson<{ kinds: { id: string }[] }>(ctx, `${ctx.keys.prefix}kinds:${conf}`))?.kinds ?? DEFAULT_KINDS).map((k) => k.id));
    const known = new Map<string, Site>();
    for (const s of await hvalsJson<Site>(ctx, ctx.keys.sites(conf))) known.set(s.id, s);
    const out: Site[] = [];
    const multi = ctx.redis.multi();
    for (const raw of parentsFirst(inputs, known)) {
      const input = SiteInput.parse(raw);
      if (!kinds.has(input.level)) {
        throw new AppError('BAD_REQUEST', `Loại điểm cầu "${input.level}" của ${input.id} chưa có trong danh sách loại của hội nghị; hãy thêm loại đó trước (PUT …/kinds) rồi gửi lại. / Kind "${input.level}" of ${input.id} is not one of the conference's kinds; add it first (PUT …/kinds) and send again.`);
      }
      const old = known.get(input.id);
      if (old && old.parent !== input.parent) throw new AppError('CONFLICT', `site ${input.id}: parent cannot change`);
      let path: string[];
      if (input.parent === null) {
        if (input.id !== conference.rootSite) throw new AppError('BAD_REQUEST', `only the root site ${conference.rootSite} has no parent`);
        path = [];
      } else {
        const parent = known.get(input.parent);
        if (!parent) throw new AppError('BAD_REQUEST', `parent ${input.parent} does not exist`);
        path = [...parent.path, parent.id];
      }
      const site: Site = { ...input, path };
      known.set(site.id, site);
      multi.hset(ctx.keys.sites(conf), site.id, JSON.stringify(site));
      if (!old) for (const a of [...path, site.id]) multi.hincrby(ctx.keys.ru(conf, a), '_sites', 1);
      out.push(withUrl(ctx, site));
    }
    await multi.exec();
    await treeChanged(ctx, conf);
    return out;
  });
}

/** Orders a batch so that every parent comes before its children (unknown parents last, to fail). */
function parentsFirst(inputs: SiteInput[], known: Map<string, Site>): SiteInput[] {
  const placed = new Set(known.keys());
  let rest = inputs;
  const out: SiteInput[] = [];
  while (rest.length) {
    const next: SiteInput[] = [];
    for (const s of rest) {
      if (s.parent === null || placed.has(s.parent)) { out.push(s); placed.add(s.id); } else next.push(s);
    }
    if (next.length === rest.length) return [...out, ...next];
    rest = next;
  }
  return out;
}

export async function patchSite(ctx: Ctx, conf: string, id: string, patch: Partial<Site>): Promise<Site> {
  return withLock(ctx, `sites:${conf}`, async () => {
    const old = await siteRecord(ctx, conf, id);
    const site: Site = { ...old, ...patch, id: old.id, parent: old.parent, level: old.level, path: old.path };
    await ctx.redis.hset(ctx.keys.sites(conf), id, JSON.stringify(site));
    await treeChanged(ctx, conf);
    return withUrl(ctx, site);
  });
}

export function mediaNodes(ctx: Ctx, sites: Site[]): MediaNodeInfo[] {
  const ids = new Set([...sites.map((s) => s.mediaNode), ...Object.keys(ctx.opts.mediaNodes)]);
  return [...ids].sort().map((id) => (ctx.opts.mediaNodes[id] ? { id, url: ctx.opts.mediaNodes[id] } : { id }));
}

// ---------------------------------------------------------------- groups

export async function listGroups(ctx: Ctx, conf: string): Promise<DelegateGroup[]> {
  const hit = ctx.cache.getGroups(conf);
  if (hit) return hit;
  const g = (await getJson<DelegateGroup[]>(ctx, ctx.keys.groups(conf))) ?? [];
  ctx.cache.putGroups(conf, g);
  return g;
}

export async function putGroups(ctx: Ctx, conf: string, groups: DelegateGroup[]): Promise<DelegateGroup[]> {
  await getConference(ctx, conf);
  const ids = new Set(groups.map((g) => g.id));
  if (ids.size !== groups.length) throw new AppError('BAD_REQUEST', 'duplicate group id');
  const sorted = [...groups].sort((a, b) => a.level.localeCompare(b.level) || a.order - b.order);
  await ctx.redis.set(ctx.keys.groups(conf), JSON.stringify(sorted));
  await treeChanged(ctx, conf);
  return sorted;
}
