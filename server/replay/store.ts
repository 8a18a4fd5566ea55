// Replay sessions ("học tập lại"): a site that could not join live studies the
// conference later, from a recording or the materials, and its technician
// reports the headcounts per delegate group. Kept in their own hash, never
// added to the live headcounts or roll-ups; reports show them beside the live
// figures (server/replay/report.ts).
import { AppError } from '../../signaling/common.js';
import { ControlPushes, type Counts, type Site } from '../../signaling/control.js';
import type { ReplaySession, ReplaySessionReq } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { rooms } from '../context.js';
import { getAgenda } from '../store/agenda.js';
import { getConference, listGroups, siteRecord } from '../store/conference.js';
import { hvalsJson, newId, withLock } from '../store/util.js';

/** Replay sessions one site may record (a few per conference is the rule; room to spare, bounded growth). */
export const MAX_REPLAYS_PER_SITE = 200;

// Vietnam has kept UTC+7 without daylight saving since 1975.
const VN_OFFSET_MS = 7 * 3600_000;
/** Today's date in Vietnam time, yyyy-mm-dd. */
export function vnToday(now = Date.now()): string {
  return new Date(now + VN_OFFSET_MS).toISOString().slice(0, 10);
}
/** yyyy-mm-dd → dd/mm/yyyy. */
export function dmy(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

function bad(message: string, path: (string | number)[]): never {
  throw new AppError('BAD_REQUEST', message, [{ path, message }]);
}

/** A calendar date that exists (2023-02-30 does not). */
function realDate(iso: string): boolean {
  const t = Date.parse(`${iso}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === iso;
}

/** Every check of a replay session against the conference; throws before anything is written. */
async function check(ctx: Ctx, conf: string, req: ReplaySessionReq, now: number): Promise<Site> {
  const c = await getConference(ctx, conf);
  const site = await siteRecord(ctx, conf, req.site).catch(() => bad(
    `Không có điểm cầu "${req.site}" trong hội nghị này; hãy chọn đúng điểm cầu. / There is no site "${req.site}" in this conference; pick the right site.`, ['site']));
  if (!realDate(req.date)) bad(`Ngày ${req.date} không có thật; hãy nhập ngày theo dạng dd/mm/yyyy. / ${req.date} is not a real date; enter it as dd/mm/yyyy.`, ['date']);
  const today = vnToday(now);
  if (req.date > today) {
    bad(`Ngày học tập lại ${dmy(req.date)} còn ở tương lai (hôm nay là ${dmy(today)}, giờ Việt Nam); hãy nhập ngày đã tổ chức. / The replay date ${dmy(req.date)} is in the future (today is ${dmy(today)}, Vietnam time); enter the day it was held.`, ['date']);
  }
  if (req.date < c.date) {
    bad(`Ngày học tập lại ${dmy(req.date)} trước ngày hội nghị ${dmy(c.date)}; hãy nhập ngày sau hội nghị. / The replay date ${dmy(req.date)} is before the conference (${dmy(c.date)}); enter a day after it.`, ['date']);
  }
  if (req.items !== 'all') {
    const known = new Set((await getAgenda(ctx, conf)).items.map((i) => i.id));
    const unknown = req.items.filter((i) => !known.has(i));
    if (unknown.length) bad(`Chương trình không có nội dung ${unknown.join(', ')}; hãy chọn lại các nội dung đã xem. / The agenda has no item ${unknown.join(', ')}; pick the items watched again.`, ['items']);
    if (new Set(req.items).size !== req.items.length) bad('Một nội dung được chọn hai lần; mỗi nội dung chỉ chọn một lần. / An item is listed twice; list each item once.', ['items']);
  }
  await checkCounts(ctx, conf, site, req.counts);
  if (req.recording !== null && req.source !== 'recording') {
    bad('Chỉ ghi bản ghi khi nguồn là "Bản ghi hội nghị"; hãy bỏ bản ghi hoặc đổi nguồn. / A recording goes with the source "recording" only; drop it or change the source.', ['recording']);
  }
  return site;
}

/** Groups must be delegate groups of the site's kind; the live rule for the figures (0–100,000 each, more than expected allowed). */
async function checkCounts(ctx: Ctx, conf: string, site: Site, counts: Counts): Promise<void> {
  const groups = (await listGroups(ctx, conf)).filter((g) => g.level === site.level);
  const allowed = new Set(groups.map((g) => g.id));
  const wrong = Object.keys(counts).filter((g) => !allowed.has(g));
  if (wrong.length) {
    const names = groups.map((g) => g.id).join(', ') || '—';
    throw new AppError('BAD_REQUEST',
      `Thành phần ${wrong.join(', ')} không thuộc loại điểm cầu "${site.level}" (được dùng: ${names}); hãy nhập số theo đúng thành phần của điểm cầu. / Group ${wrong.join(', ')} is not a delegate group of a "${site.level}" site (allowed: ${names}); enter the counts of the site's own groups.`,
      wrong.map((g) => ({ path: ['counts', g], message: 'unknown delegate group for this kind of site' })));
  }
  if (Object.values(counts).reduce((a, b) => a + b, 0) === 0) {
    bad('Chưa có ai dự buổi học tập lại: hãy nhập số người dự của ít nhất một thành phần. / Nobody is counted: enter the headcount of at least one delegate group.', ['counts']);
  }
}

export async function recordReplay(ctx: Ctx, conf: string, req: ReplaySessionReq, by: string, now = Date.now()): Promise<ReplaySession> {
  const site = await check(ctx, conf, req, now);
  const r: ReplaySession = {
    id: newId('rp'), conf, site: site.id, date: req.date, items: req.items, counts: req.counts,
    source: req.source, recording: req.recording, note: req.note, createdAt: now, by,
  };
  // the count per site and the write under one lock: two consoles at once cannot pass the limit together
  await withLock(ctx, `replay:${conf}:${site.id}`, async () => {
    const mine = (await listReplays(ctx, conf, site.id)).length;
    if (mine >= MAX_REPLAYS_PER_SITE) {
      throw new AppError('TOO_LARGE', `Điểm cầu đã có ${MAX_REPLAYS_PER_SITE} buổi học tập lại, mức tối đa; hãy báo Ban tổ chức. / This site already has ${MAX_REPLAYS_PER_SITE} replay sessions, the most allowed; tell the organisers.`);
    }
    await ctx.redis.hset(ctx.keys.replays(conf), r.id, JSON.stringify(r));
  });
  ctx.nsp?.to(rooms.org(conf)).to(rooms.site(conf, r.site)).emit(ControlPushes.replay, r);
  return r;
}

/** Replay sessions, one site's or all; by date, then by when they were entered. */
export async function listReplays(ctx: Ctx, conf: string, site?: string): Promise<ReplaySession[]> {
  return (await hvalsJson<ReplaySession>(ctx, ctx.keys.replays(conf)))
    .filter((r) => !site || r.site === site)
    .sort((a, b) => a.date.localeCompare(b.date) || a.createdAt - b.createdAt);
}
