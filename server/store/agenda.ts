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

/** An edit of the items (not a start/end) carries the editVersion it was made on: a newer one is CONFLICT. */
interface Edit { baseVersion?: number | undefined }
const AGENDA_CONFLICT = 'Chương trình đã được người khác sửa; hãy tải lại. / The agenda was changed by someone else, reload.';

async function update(ctx: Ctx, conf: string, fn: (a: Agenda) => Agenda, edit?: Edit): Promise<Agenda> {
  const next = await withLock(ctx, `agenda:${conf}`, async () => {
    const cur = await getAgenda(ctx, conf);
    const edits = cur.editVersion ?? 0;
    if (edit?.baseVersion !== undefined && edit.baseVersion !== edits) throw new AppError('CONFLICT', AGENDA_CONFLICT);
    const next = { ...fn(structuredClone(cur)), version: cur.version + 1, editVersion: edit ? edits + 1 : edits };
    await ctx.redis.set(ctx.keys.agenda(conf), JSON.stringify(next));
    return next;
  });
  ctx.nsp?.to(rooms.conf(conf)).emit(ControlPushes.agenda, next);
  return next;
}

export function replaceAgenda(ctx: Ctx, conf: string, inputs: ItemInput[], baseVersion?: number): Promise<Agenda> {
  if (new Set(inputs.map((i) => i.id)).size !== inputs.length) {
    throw new AppError('BAD_REQUEST', 'Hai nội dung trùng mã; hãy đổi mã một nội dung rồi lưu lại. / Two agenda items have the same id; change one and save again.');
  }
  return update(ctx, conf, (a) => {
    const running = a.items.find((i) => i.state === 'running' && !inputs.some((n) => n.id === i.id));
    if (running) {
      throw new AppError('CONFLICT', `Không thể xoá nội dung đang trình bày "${running.title}"; hãy kết thúc nội dung đó trước. / The running item "${running.title}" cannot be deleted; end it first.`);
    }
    const old = new Map(a.items.map((i) => [i.id, i]));
    const items: AgendaItem[] = inputs.map((inp, order) => {
      const o = old.get(inp.id);
      const kept = o ? { state: o.state, ...(o.actualStart ? { actualStart: o.actualStart } : {}), ...(o.actualEnd ? { actualEnd: o.actualEnd } : {}) } : { state: 'pending' as const };
      return { ...inp, order, ...kept };
    });
    const current = items.some((i) => i.id === a.current) ? a.current : null;
    return { ...a, items, current };
  }, { baseVersion });
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

export function reorderAgenda(ctx: Ctx, conf: string, order: string[], baseVersion?: number): Promise<Agenda> {
  return update(ctx, conf, (a) => {
    const ids = new Set(a.items.map((i) => i.id));
    if (order.length !== ids.size || new Set(order).size !== order.length || !order.every((i) => ids.has(i))) {
      throw new AppError('BAD_REQUEST', 'order must list every agenda item id exactly once');
    }
    const items = order.map((id, n) => ({ ...find(a, id), order: n }));
    return { ...a, items };
  }, { baseVersion });
}
