// Floor requests from sites and the organizer's grant; the media side acts on
// the `push:floor` event (or polls GET /floor).
import { AppError } from '../../signaling/common.js';
import { ControlPushes, type FloorRequest, type FloorState } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { getConference, siteRecord } from './conference.js';
import { getJson, withLock } from './util.js';

const EMPTY: FloorState = { granted: null, requests: [], version: 0 };

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

const setReq = (f: FloorState, site: string, state: FloorRequest['state'], note?: string): FloorState => {
  const others = f.requests.filter((r) => r.site !== site);
  const old = f.requests.find((r) => r.site === site);
  const r: FloorRequest = { site, at: state === 'waiting' ? Date.now() : old?.at ?? Date.now(), state, ...(note ?? old?.note ? { note: note ?? old?.note } : {}) };
  return { ...f, requests: [...others, r].sort((a, b) => a.at - b.at) };
};

export async function requestFloor(ctx: Ctx, conf: string, site: string, note?: string) {
  await siteRecord(ctx, conf, site);
  return update(ctx, conf, (f) => {
    if (f.granted === site) throw new AppError('CONFLICT', 'this site already has the floor');
    return setReq(f, site, 'waiting', note);
  });
}

export async function withdrawFloor(ctx: Ctx, conf: string, site: string, by: 'site' | 'organizer') {
  return update(ctx, conf, (f) => {
    const r = f.requests.find((x) => x.site === site && x.state === 'waiting');
    if (!r) throw new AppError('NOT_FOUND', `no waiting floor request from ${site}`);
    return setReq(f, site, by === 'site' ? 'withdrawn' : 'dismissed');
  });
}

export async function grantFloor(ctx: Ctx, conf: string, site: string | null) {
  if (site) await siteRecord(ctx, conf, site);
  return update(ctx, conf, (f) => {
    let next: FloorState = { ...f, granted: site, since: Date.now() };
    if (site) next = setReq(next, site, 'granted');
    return next;
  });
}
