// Incidents ("vấn đề phát sinh") and rehearsal results reported by sites.
import { AppError } from '../../signaling/common.js';
import { ControlPushes, type Incident, type RehearsalResult } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { siteRecord } from './conference.js';
import { hgetJson, hvalsJson, newId, withLock } from './util.js';

type IncidentIn = Pick<Incident, 'site' | 'title' | 'detail' | 'severity'>;

export async function reportIncident(ctx: Ctx, conf: string, req: IncidentIn): Promise<Incident> {
  await siteRecord(ctx, conf, req.site);
  const inc: Incident = { ...req, id: newId('inc'), state: 'open', createdAt: Date.now() };
  await ctx.redis.hset(ctx.keys.incidents(conf), inc.id, JSON.stringify(inc));
  ctx.nsp?.to(rooms.org(conf)).to(rooms.site(conf, inc.site)).emit(ControlPushes.incident, inc);
  return inc;
}

export async function getIncident(ctx: Ctx, conf: string, id: string): Promise<Incident> {
  const inc = await hgetJson<Incident>(ctx, ctx.keys.incidents(conf), id);
  if (!inc) throw new AppError('NOT_FOUND', `incident ${id} not found`);
  return inc;
}

export async function handleIncident(ctx: Ctx, conf: string, id: string, note: string): Promise<Incident> {
  const inc = await withLock(ctx, `inc:${conf}:${id}`, async () => {
    const old = await getIncident(ctx, conf, id);
    if (old.state === 'handled') throw new AppError('CONFLICT', 'incident already handled');
    const inc: Incident = { ...old, state: 'handled', handledAt: Date.now(), handledNote: note };
    await ctx.redis.hset(ctx.keys.incidents(conf), id, JSON.stringify(inc));
    return inc;
  });
  ctx.nsp?.to(rooms.org(conf)).to(rooms.site(conf, inc.site)).emit(ControlPushes.incident, inc);
  return inc;
}

export async function listIncidents(ctx: Ctx, conf: string, site?: string): Promise<Incident[]> {
  return (await hvalsJson<Incident>(ctx, ctx.keys.incidents(conf))).filter((i) => !site || i.site === site).sort((a, b) => b.createdAt - a.createdAt);
}

export async function recordRehearsal(ctx: Ctx, conf: string, req: Omit<RehearsalResult, 'at'>): Promise<RehearsalResult> {
  await siteRecord(ctx, conf, req.site);
  const r: RehearsalResult = { ...req, at: Date.now() };
  await ctx.redis.lpush(ctx.keys.rehearsals(conf), JSON.stringify(r));
  ctx.nsp?.to(rooms.org(conf)).emit(ControlPushes.rehearsal, r);
  return r;
}

export async function listRehearsals(ctx: Ctx, conf: string, site?: string): Promise<RehearsalResult[]> {
  return (await ctx.redis.lrange(ctx.keys.rehearsals(conf), 0, -1)).map((s) => JSON.parse(s) as RehearsalResult).filter((r) => !site || r.site === site);
}
