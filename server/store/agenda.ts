// The agenda: ordered items, the current one, actual start/end times.
import { z } from 'zod';
import { AppError } from '../../signaling/common.js';
import { ControlPushes, type Agenda, type AgendaItem, type AgendaItemInput } from '../../signaling/control.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { getConference } from './conference.js';
import { getJson, withLock } from './util.js';

type ItemInput = z.infer<typeof AgendaItemInput>;
const EMPTY: Agenda = { items: [], current: null, version: 0 };

export async function getAgenda(ctx: Ctx, conf: string): Promise<Agenda> {
  await getConference(ctx, conf);
  return (await getJson<Agenda>(ctx, ctx.keys.agenda(conf))) ?? EMPTY;
}

async function update(ctx: Ctx, conf: string, fn: (a: Agenda) => Agenda): Promise<Agenda> {
  const next = await withLock(ctx, `agenda:${conf}`, async () => {
    const cur = await getAgenda(ctx, conf);
    const next = { ...fn(structuredClone(cur)), version: cur.version + 1 };
    await ctx.redis.set(ctx.keys.agenda(conf), JSON.stringify(next));
    return next;
  });
  ctx.nsp?.to(rooms.conf(conf)).emit(ControlPushes.agenda, next);
  return next;
}

export function replaceAgenda(ctx: Ctx, conf: string, inputs: ItemInput[]): Promise<Agenda> {
  if (new Set(inputs.map((i) => i.id)).size !== inputs.length) throw new AppError('BAD_REQUEST', 'duplicate agenda item id');
  return update(ctx, conf, (a) => {
    const old = new Map(a.items.map((i) => [i.id, i]));
    const items: AgendaItem[] = inputs.map((inp, order) => {
      const o = old.get(inp.id);
      const kept = o ? { state: o.state, ...(o.actualStart ? { actualStart: o.actualStart } : {}), ...(o.actualEnd ? { actualEnd: o.actualEnd } : {}) } : { state: 'pending' as const };
      return { ...inp, order, ...kept };
    });
    const current = items.some((i) => i.id === a.current) ? a.current : null;
    return { ...a, items, current };
  });
}

async function assertRunning(ctx: Ctx, conf: string) {
  const c = await getConference(ctx, conf);
  if (c.state !== 'live' && c.state !== 'rehearsal') throw new AppError('CONFLICT', `conference is ${c.state}, not live`);
}

function find(a: Agenda, id: string): AgendaItem {
  const it = a.items.find((i) => i.id === id);
  if (!it) throw new AppError('NOT_FOUND', `agenda item ${id} not found`);
  return it;
}

export async function startItem(ctx: Ctx, conf: string, id: string): Promise<Agenda> {
  await assertRunning(ctx, conf);
  return update(ctx, conf, (a) => {
    const it = find(a, id);
    if (it.state === 'running') return a;
    if (it.state === 'done') throw new AppError('CONFLICT', `agenda item ${id} already ended`);
    const now = Date.now();
    for (const o of a.items) if (o.state === 'running') Object.assign(o, { state: 'done', actualEnd: now });
    Object.assign(it, { state: 'running', actualStart: now });
    return { ...a, current: id };
  });
}

export async function endItem(ctx: Ctx, conf: string, id: string): Promise<Agenda> {
  return update(ctx, conf, (a) => {
    const it = find(a, id);
    if (it.state !== 'running') throw new AppError('CONFLICT', `agenda item ${id} is not running`);
    Object.assign(it, { state: 'done', actualEnd: Date.now() });
    return { ...a, current: null };
  });
}

export function reorderAgenda(ctx: Ctx, conf: string, order: string[]): Promise<Agenda> {
  return update(ctx, conf, (a) => {
    const ids = new Set(a.items.map((i) => i.id));
    if (order.length !== ids.size || new Set(order).size !== order.length || !order.every((i) => ids.has(i))) {
      throw new AppError('BAD_REQUEST', 'order must list every agenda item id exactly once');
    }
    const items = order.map((id, n) => ({ ...find(a, id), order: n }));
    return { ...a, items };
  });
}
