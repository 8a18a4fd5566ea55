// Presence of site clients (technician consoles and hall screens connected to
// the control service). Connections are counted per instance, so when an
// instance dies its connections are swept by the survivors once its heartbeat
// expires.
import type { PresenceEvent, SitePresence } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { listSites, siteRecord } from './conference.js';
import { readHashes, type Hash } from './util.js';

async function change(ctx: Ctx, inst: string, conf: string, siteId: string, delta: number, client: string) {
  const site = await siteRecord(ctx, conf, siteId);
  const chain = [...site.path, site.id];
  const k = ctx.keys;
  const keys = [k.pres(conf, siteId), k.att(conf, siteId), k.presStream(conf), k.presEvents(conf, siteId), k.instSites(inst), k.seq(conf),
    ...chain.map((s) => k.ru(conf, s))];
  const [edge, , seq] = await ctx.scripts.presence(keys, [Date.now(), inst, delta, siteId, client, `${conf}|${siteId}`]);
  // the change's sequence number goes with the push that carries it: the roll-up's when one moved
  ctx.pusher.presence(conf, siteId, edge === 0 ? Number(seq) : undefined);
  if (edge !== 0) ctx.pusher.rollup(conf, siteId, chain, Number(seq));
}

export const siteJoined = (ctx: Ctx, conf: string, site: string, client: string) => change(ctx, ctx.instanceId, conf, site, 1, client);
export const siteLeft = (ctx: Ctx, conf: string, site: string, client: string) => change(ctx, ctx.instanceId, conf, site, -1, client);

export function toPresence(site: string, h: Hash, now = Date.now()): SitePresence {
  const since = h.since ? Number(h.since) : undefined;
  const conns = Number(h.conns ?? 0);
  return {
    site,
    online: conns > 0,
    connections: conns,
    ...(since ? { since } : {}),
    totalMs: Number(h.totalMs ?? 0) + (since ? now - since : 0),
    joins: Number(h.joins ?? 0),
    ...(h.lastJoin ? { lastJoin: Number(h.lastJoin) } : {}),
    ...(h.lastLeave ? { lastLeave: Number(h.lastLeave) } : {}),
  };
}

export async function readPresence(ctx: Ctx, conf: string, sites: string[]): Promise<SitePresence[]> {
  if (!sites.length) return [];
  const res = await readHashes(ctx, sites.map((s) => ctx.keys.pres(conf, s)));
  const now = Date.now();
  return sites.map((s, i) => toPresence(s, res[i] ?? {}, now));
}

export async function listPresence(ctx: Ctx, conf: string): Promise<SitePresence[]> {
  return readPresence(ctx, conf, (await listSites(ctx, conf)).map((s) => s.id));
}

export async function presenceEvents(ctx: Ctx, conf: string, site: string): Promise<PresenceEvent[]> {
  await siteRecord(ctx, conf, site);
  return (await ctx.redis.lrange(ctx.keys.presEvents(conf, site), 0, -1)).map((s) => JSON.parse(s) as PresenceEvent);
}

/** Removes every connection an instance still holds (its own close, or a dead peer). */
export async function dropInstance(ctx: Ctx, inst: string): Promise<number> {
  const members = await ctx.redis.smembers(ctx.keys.instSites(inst));
  for (const m of members) {
    const [conf, site] = m.split('|') as [string, string];
    const n = Number((await ctx.redis.hget(ctx.keys.pres(conf, site), `i:${inst}`)) ?? 0);
    if (n > 0) await change(ctx, inst, conf, site, -n, 'sweep').catch((e) => ctx.log.warn({ err: e, m }, 'presence sweep failed'));
    else await ctx.redis.srem(ctx.keys.instSites(inst), m);
  }
  return members.length;
}

/** Heartbeat of this instance plus a sweep of instances whose heartbeat expired. Returns a stopper. */
export function startHeartbeat(ctx: Ctx): () => void {
  const ttl = ctx.opts.heartbeatTtlMs;
  const beat = async () => {
    await ctx.redis.multi().set(ctx.keys.heartbeat(ctx.instanceId), '1', 'PX', ttl).sadd(ctx.keys.insts, ctx.instanceId).exec();
    for (const inst of await ctx.redis.smembers(ctx.keys.insts)) {
      if (inst === ctx.instanceId || (await ctx.redis.exists(ctx.keys.heartbeat(inst)))) continue;
      const n = await dropInstance(ctx, inst);
      await ctx.redis.srem(ctx.keys.insts, inst);
      if (n) ctx.log.info({ inst, sites: n }, 'swept connections of a dead instance');
    }
  };
  const run = () => beat().catch((e) => ctx.log.warn({ err: e }, 'heartbeat failed'));
  void run();
  const t = setInterval(run, Math.max(200, Math.floor(ttl / 3)));
  t.unref();
  return () => clearInterval(t);
}
