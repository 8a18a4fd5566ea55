// Headcounts and expected counts per site and group, roll-ups per subtree,
// per-person check-in. Count writes go through an atomic Lua script, batched
// per event-loop turn (count-writer.ts), so a roll-up is always the sum of its
// children; every write is also appended to the conference's attendance stream.
import { AppError } from '../../signaling/common.js';
import type { CheckIn, CheckInReq, Counts, Rollup, Site, SiteAttendance } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { listGroups, listSites, siteRecord } from './conference.js';
import { countWriter } from './count-writer.js';
import { hashOf, hgetJson, hvalsJson, newId, notFound, readHashes, type Hash } from './util.js';

function countsOf(h: Hash, kind: 'p' | 'e'): Counts {
  const out: Counts = {};
  for (const [f, v] of Object.entries(h)) if (f.startsWith(`${kind}:`)) out[f.slice(2)] = Number(v);
  return out;
}
const sum = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);

export function toAttendance(site: string, h: Hash): SiteAttendance {
  return {
    site,
    expected: countsOf(h, 'e'),
    present: countsOf(h, 'p'),
    reported: h._rep === '1',
    online: h._online === '1',
    ...(h._upd ? { updatedAt: Number(h._upd) } : {}),
  };
}

export function toRollup(site: string, h: Hash): Rollup {
  const expected = countsOf(h, 'e');
  const present = countsOf(h, 'p');
  return {
    site, expected, present, totalExpected: sum(expected), totalPresent: sum(present),
    sites: Number(h._sites ?? 0), online: Number(h._online ?? 0), reported: Number(h._rep ?? 0),
  };
}

export async function getAttendance(ctx: Ctx, conf: string, site: string): Promise<SiteAttendance> {
  await siteRecord(ctx, conf, site);
  return toAttendance(site, await ctx.redis.hgetall(ctx.keys.att(conf, site)));
}

export async function readAttendance(ctx: Ctx, conf: string, sites: string[]): Promise<SiteAttendance[]> {
  if (sites.length === 0) return [];
  const res = await readHashes(ctx, sites.map((s) => ctx.keys.att(conf, s)));
  return sites.map((s, i) => toAttendance(s, res[i] ?? {}));
}

export async function readRollups(ctx: Ctx, conf: string, sites: string[]): Promise<Rollup[]> {
  if (sites.length === 0) return [];
  const res = await readHashes(ctx, sites.map((s) => ctx.keys.ru(conf, s)));
  return sites.map((s, i) => toRollup(s, res[i] ?? {}));
}

export async function getRollup(ctx: Ctx, conf: string, site: string): Promise<Rollup> {
  await siteRecord(ctx, conf, site);
  return (await readRollups(ctx, conf, [site]))[0]!;
}

async function checkGroups(ctx: Ctx, conf: string, site: Site, counts: Counts) {
  const groups = (await listGroups(ctx, conf)).filter((g) => g.level === site.level);
  const allowed = new Set(groups.map((g) => g.id));
  const bad = Object.keys(counts).filter((g) => !allowed.has(g));
  if (bad.length) {
    throw new AppError('BAD_REQUEST', `groups not defined for a ${site.level} site: ${bad.join(', ')}`,
      bad.map((g) => ({ path: ['present', g], message: 'unknown delegate group for this level' })));
  }
}

async function setCounts(ctx: Ctx, conf: string, siteId: string, kind: 'p' | 'e', counts: Counts, by: string, origin?: string) {
  const site = await siteRecord(ctx, conf, siteId);
  await checkGroups(ctx, conf, site, counts);
  const chain = [...site.path, site.id];
  const { flat, seq } = await countWriter(ctx).write({ conf, site: siteId, chain, kind, by, counts });
  ctx.metrics.attendanceWrites.inc();
  ctx.pusher.rollup(conf, siteId, chain, seq, origin);
  return { ...toAttendance(siteId, hashOf(flat)), seq };
}

/** `origin`: the socket that sends it, answered with the site's figures (it gets no push of its own write). */
export const setHeadcounts = (ctx: Ctx, conf: string, site: string, present: Counts, by: string, origin?: string) =>
  setCounts(ctx, conf, site, 'p', present, by, origin);
export const setExpected = (ctx: Ctx, conf: string, site: string, expected: Counts, by: string) =>
  setCounts(ctx, conf, site, 'e', expected, by);

/** Every site's subtree totals, tree order. */
export async function listRollups(ctx: Ctx, conf: string): Promise<Rollup[]> {
  const sites = await listSites(ctx, conf);
  return readRollups(ctx, conf, sites.map((s) => s.id));
}

// ---------------------------------------------------------------- check-in

/** Check-ins one site may record (its hall's capacity, with room to spare). */
export const MAX_CHECKINS_PER_SITE = 5000;

export async function checkIn(ctx: Ctx, conf: string, req: CheckInReq): Promise<CheckIn> {
  const site = await siteRecord(ctx, conf, req.site);
  const groups = (await listGroups(ctx, conf)).filter((g) => g.level === site.level);
  if (!groups.some((g) => g.id === req.group)) throw new AppError('BAD_REQUEST', `group ${req.group} is not a ${site.level} group`);
  // a shared QR code must not grow the store without end: a hall has at most this many check-ins
  if (Number((await ctx.redis.hget(ctx.keys.checkinCount(conf), req.site)) ?? 0) >= MAX_CHECKINS_PER_SITE) {
    throw new AppError('TOO_LARGE', `Điểm cầu đã có ${MAX_CHECKINS_PER_SITE} lượt điểm danh, mức tối đa; hãy báo kỹ thuật viên nhập số có mặt. / This site has reached ${MAX_CHECKINS_PER_SITE} check-ins, the most allowed; ask the technician to enter the headcount.`);
  }
  const c: CheckIn = { ...req, id: newId('ci'), inAt: Date.now() };
  await ctx.redis.multi()
    .hset(ctx.keys.checkins(conf), c.id, JSON.stringify(c))
    .hincrby(ctx.keys.checkinCount(conf), c.site, 1)
    .xadd(ctx.keys.attStream(conf), 'MAXLEN', '~', 200000, '*', 'site', c.site, 'kind', 'checkin', 'id', c.id, 'group', c.group, 'at', String(c.inAt))
    .exec();
  return c;
}

export async function getCheckIn(ctx: Ctx, conf: string, id: string): Promise<CheckIn> {
  return (await hgetJson<CheckIn>(ctx, ctx.keys.checkins(conf), id)) ?? notFound(`check-in ${id}`);
}

export async function checkOut(ctx: Ctx, conf: string, id: string): Promise<CheckIn> {
  const c = await getCheckIn(ctx, conf, id);
  if (c.outAt) throw new AppError('CONFLICT', 'already checked out');
  const out: CheckIn = { ...c, outAt: Date.now() };
  await ctx.redis.multi()
    .hset(ctx.keys.checkins(conf), id, JSON.stringify(out))
    .xadd(ctx.keys.attStream(conf), 'MAXLEN', '~', 200000, '*', 'site', c.site, 'kind', 'checkout', 'id', id, 'at', String(out.outAt))
    .exec();
  return out;
}

export async function listCheckIns(ctx: Ctx, conf: string, site?: string): Promise<CheckIn[]> {
  const all = await hvalsJson<CheckIn>(ctx, ctx.keys.checkins(conf));
  return all.filter((c) => !site || c.site === site).sort((a, b) => a.inAt - b.inAt);
}
