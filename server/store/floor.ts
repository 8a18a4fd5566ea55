// Floor requests from sites and the organizer's grant; the media side acts on
// the `push:floor` event (or polls GET /floor).
import { AppError } from '../../signaling/common.js';
import { ControlPushes, type FloorRequest, type FloorState } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { getConference, siteRecord } from './conference.js';
import { getJson, withLock } from './util.js';

const EMPTY: FloorState = { granted: null, console: null, requests: [], version: 0 };

export async function getFloor(ctx: Ctx, conf: string): Promise<FloorState> {
  await getConference(ctx, conf);
  return (await getJson<FloorState>(ctx, ctx.keys.floor(conf))) ?? EMPTY;
}

async function update(ctx: Ctx, conf: string, fn: (f: FloorState) => FloorState): Promise<FloorState> {
  const next = await withLock(ctx, `floor:${conf}`, async () => {
    const cur = await getFloor(ctx, conf);
    const next = { ...fn(structuredClone(cur)), version: cur.version + 1 };
    await ctx.redis.set(ctx.keys.floor(conf), JSON.stringify(next));
    return next;
  });
  ctx.nsp?.to(rooms.conf(conf)).emit(ControlPushes.floor, next);
  // the programme follows the grant; a failure here is repaired on the root node's next report
  void ctx.mediaLink?.floorChanged(conf).catch((err) => ctx.log.warn({ conf, err: String(err) }, 'floor not yet sent to the media node'));
  return next;
}

const setReq = (f: FloorState, site: string, state: FloorRequest['state'], note?: string, console?: string): FloorState => {
  const others = f.requests.filter((r) => r.site !== site);
  const old = f.requests.find((r) => r.site === site);
  const keep = <K extends 'note' | 'console'>(k: K, v: string | undefined) => (v ?? old?.[k] ? { [k]: v ?? old?.[k] } : {});
  const r: FloorRequest = { site, at: state === 'waiting' ? Date.now() : old?.at ?? Date.now(), state, ...keep('note', note), ...keep('console', console) };
  return { ...f, requests: [...others, r].sort((a, b) => a.at - b.at) };
};

export async function requestFloor(ctx: Ctx, conf: string, site: string, note?: string, console?: string) {
  await siteRecord(ctx, conf, site);
  return update(ctx, conf, (f) => {
    if (f.granted === site) throw new AppError('CONFLICT', 'Điểm cầu này đang được phát biểu. / This site already has the floor.');
    return setReq(f, site, 'waiting', note, console);
  });
}

export async function withdrawFloor(ctx: Ctx, conf: string, site: string, by: 'site' | 'organizer') {
  return update(ctx, conf, (f) => {
    const r = f.requests.find((x) => x.site === site && x.state === 'waiting');
    if (!r) throw new AppError('NOT_FOUND', `no waiting floor request from ${site}`);
    return setReq(f, site, by === 'site' ? 'withdrawn' : 'dismissed');
  });
}

/**
 * The grant binds one contribution of the site: `console` if given, else the console that asked
 * (its request), else none until a console of the site claims it (claimFloor). Only the bound
 * contribution goes on air; any other producer of the site stays off.
 */
export async function grantFloor(ctx: Ctx, conf: string, site: string | null, console?: string) {
  if (site) await siteRecord(ctx, conf, site);
  return update(ctx, conf, (f) => {
    const asked = site ? f.requests.find((r) => r.site === site)?.console : undefined;
    let next: FloorState = { ...f, granted: site, console: site ? console ?? asked ?? null : null, since: Date.now() };
    if (site) next = setReq(next, site, 'granted');
    return next;
  });
}

/**
 * The root media node bound an unbound grant to the first contribution of the site that arrived:
 * record it, so a later producer of the site or a root restart never changes what is on air.
 * Returns false when the grant moved on meanwhile (nothing recorded).
 */
export async function adoptContribution(ctx: Ctx, conf: string, site: string, contribution: string): Promise<boolean> {
  const cur = await getFloor(ctx, conf);
  if (cur.granted !== site || cur.console) return false;
  let adopted = false;
  await update(ctx, conf, (f) => {
    if (f.granted !== site || f.console) return f;
    adopted = true;
    return { ...f, console: contribution };
  });
  return adopted;
}

/** A console of the granted site binds an unbound grant to itself; a grant bound to another console is refused. */
export async function claimFloor(ctx: Ctx, conf: string, site: string, console: string) {
  await siteRecord(ctx, conf, site);
  const cur = await getFloor(ctx, conf);
  if (cur.granted === site && cur.console === console) return cur;
  return update(ctx, conf, (f) => {
    if (f.granted !== site) throw new AppError('CONFLICT', 'Điểm cầu này chưa được trao quyền phát biểu; hãy chờ Ban tổ chức. / This site does not hold the floor; wait for the organisers.');
    if (f.console && f.console !== console) {
      throw new AppError('CONFLICT', 'Quyền phát biểu đã gắn với một máy điều khiển khác của điểm cầu; hãy dùng máy đó hoặc nhờ Ban tổ chức trao lại. / The floor is bound to another console of this site; use that one or ask the organisers to grant it again.');
    }
    return { ...f, console };
  });
}
