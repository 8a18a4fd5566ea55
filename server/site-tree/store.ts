// Site kinds and the report level per conference, the tree version, and the
// two tree edits that move roll-ups: moving a site under another parent and
// removing a site. Each edit is one Lua script, so a roll-up is always the sum
// of its subtree, whatever count writes run beside it.
import { AppError } from '../../signaling/common.js';
import type { Site } from '../../signaling/control.js';
import { DEFAULT_KINDS, type KindsDoc, type SiteKind } from '../../signaling/site-import.js';
import type { Ctx } from '../context.js';
import { readAttendance, listCheckIns } from '../store/attendance.js';
import { treeChanged } from '../store/cache.js';
import { getConference, listGroups, listSites, siteRecord } from '../store/conference.js';
import { getJson, withLock } from '../store/util.js';

export const treeKeys = (ctx: Ctx) => ({
  kinds: (c: string) => `${ctx.keys.prefix}kinds:${c}`,
  /** bumped by every change of a conference's sites, groups or kinds (store/cache.ts treeChanged) */
  version: (c: string) => `${ctx.keys.prefix}treever:${c}`,
});

export const CHANGED_ELSEWHERE = 'Cây điểm cầu vừa được người khác thay đổi; hãy tải lại trang rồi làm lại. / The site tree was changed by someone else meanwhile; reload the page and try again.';

export async function treeVersion(ctx: Ctx, conf: string): Promise<number> {
  return Number((await ctx.redis.get(treeKeys(ctx).version(conf))) ?? 0);
}

export function checkVersion(have: number, want: number | undefined): void {
  if (want !== undefined && want !== have) throw new AppError('CONFLICT', CHANGED_ELSEWHERE);
}

export async function getKinds(ctx: Ctx, conf: string): Promise<KindsDoc> {
  await getConference(ctx, conf);
  const [doc, version] = await Promise.all([
    getJson<{ kinds: SiteKind[]; reportKind: string | null }>(ctx, treeKeys(ctx).kinds(conf)), treeVersion(ctx, conf),
  ]);
  return { kinds: doc?.kinds ?? DEFAULT_KINDS, reportKind: doc?.reportKind ?? null, version };
}

export async function putKinds(ctx: Ctx, conf: string, kinds: SiteKind[], reportKind: string | null, version?: number): Promise<KindsDoc> {
  await getConference(ctx, conf);
  await withLock(ctx, `sites:${conf}`, async () => {
    checkVersion(await treeVersion(ctx, conf), version);
    const ids = new Set(kinds.map((k) => k.id));
    if (ids.size !== kinds.length) throw new AppError('BAD_REQUEST', 'Hai loại điểm cầu trùng mã; hãy đổi một mã. / Two kinds share a code; change one.');
    if (reportKind && !ids.has(reportKind)) throw new AppError('BAD_REQUEST', `Cấp báo cáo "${reportKind}" không có trong danh sách loại; hãy chọn một loại có trong danh sách. / Report level "${reportKind}" is not one of the kinds.`);
    const [sites, groups] = await Promise.all([listSites(ctx, conf), listGroups(ctx, conf)]);
    const used = new Set([...sites.map((s) => s.level), ...groups.map((g) => g.level)]);
    const gone = [...used].filter((k) => !ids.has(k));
    if (gone.length) {
      throw new AppError('BAD_REQUEST', `Loại ${gone.join(', ')} đang được điểm cầu hoặc thành phần đại biểu dùng nên không bỏ được; hãy đổi loại của các điểm cầu đó trước. / Kind(s) ${gone.join(', ')} are in use by sites or delegate groups; change those first.`);
    }
    await ctx.redis.set(treeKeys(ctx).kinds(conf), JSON.stringify({ kinds, reportKind }));
    await treeChanged(ctx, conf);
  });
  return getKinds(ctx, conf);
}

/** Sites with recorded attendance: a headcount entered, or a per-person check-in. */
export async function recordedSites(ctx: Ctx, conf: string, sites: string[]): Promise<Set<string>> {
  const [att, checkIns] = await Promise.all([readAttendance(ctx, conf, sites), listCheckIns(ctx, conf)]);
  const out = new Set(checkIns.map((c) => c.site));
  for (const a of att) if (a.reported || Object.values(a.present).some((n) => n > 0)) out.add(a.site);
  return out;
}

// KEYS: sites hash, ru(site), ru of the ancestors it leaves, ru of the ancestors it joins
// ARGV: nLeave, nJoin, then (id, record JSON) of the moved subtree
const MOVE = `
local h = redis.call('HGETALL', KEYS[2])
local nl, nj = tonumber(ARGV[1]), tonumber(ARGV[2])
for i = 1, #h, 2 do
  local v = tonumber(h[i + 1])
  if v and v ~= 0 then
    for k = 3, 2 + nl do redis.call('HINCRBY', KEYS[k], h[i], -v) end
    for k = 3 + nl, 2 + nl + nj do redis.call('HINCRBY', KEYS[k], h[i], v) end
  end
end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

// KEYS: sites hash, att, ru, pres, presEvents of the site, then ru of its ancestors; ARGV: site id
const REMOVE = `
local h = redis.call('HGETALL', KEYS[3])
for i = 1, #h, 2 do
  local v = tonumber(h[i + 1])
  if v and v ~= 0 then for k = 6, #KEYS do redis.call('HINCRBY', KEYS[k], h[i], -v) end end
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
`;

/** Moves a site and its subtree under `parentId`; its roll-up leaves the old ancestors and joins the new ones. */
export async function moveSite(ctx: Ctx, conf: string, id: string, parentId: string, version?: number): Promise<Site> {
  const c = await getConference(ctx, conf);
  if (c.state === 'ended') throw new AppError('CONFLICT', ENDED_FROZEN);
  return withLock(ctx, `sites:${conf}`, async () => {
    checkVersion(await treeVersion(ctx, conf), version);
    const moved = await moveHeld(ctx, conf, id, parentId);
    if (moved.changed) await treeChanged(ctx, conf);
    return moved.site;
  });
}

export const ENDED_FROZEN = 'Hội nghị đã kết thúc, cây điểm cầu đã chốt nên không chuyển được điểm cầu. / The conference has ended; its site tree is frozen.';

/** The move itself, for a caller that holds the `sites:<conf>` lock (and bumps the version after). */
export async function moveHeld(ctx: Ctx, conf: string, id: string, parentId: string): Promise<{ site: Site; changed: boolean }> {
  const site = await siteRecord(ctx, conf, id);
  const parent = await siteRecord(ctx, conf, parentId);
  if (site.parent === null) throw new AppError('BAD_REQUEST', 'Điểm cầu gốc không chuyển đi đâu được. / The root site cannot be moved.');
  if (parentId === id || parent.path.includes(id)) {
    throw new AppError('CONFLICT', `Không chuyển được "${site.name}" vào "${parent.name}": đó là điểm cầu cấp dưới của chính nó (sẽ thành vòng lặp). / "${site.name}" cannot move under "${parent.name}", one of its own descendants.`);
  }
  if (site.parent === parentId) return { site, changed: false };
  const sites = await listSites(ctx, conf);
  const oldChain = site.path;
  const newChain = [...parent.path, parent.id];
  const leave = oldChain.filter((a) => !newChain.includes(a));
  const join = newChain.filter((a) => !oldChain.includes(a));
  const moved: Site = { ...site, parent: parentId, path: newChain };
  const subtree = sites.filter((s) => s.path.includes(id)).map((s) => ({ ...s, path: [...newChain, ...s.path.slice(s.path.indexOf(id))] }));
  const strip = ({ mediaUrl: _u, ...s }: Site) => s;
  const args: (string | number)[] = [leave.length, join.length];
  for (const s of [moved, ...subtree]) args.push(s.id, JSON.stringify(strip(s)));
  const k = ctx.keys;
  await ctx.redis.eval(MOVE, 2 + leave.length + join.length, k.sites(conf), k.ru(conf, id), ...leave.map((a) => k.ru(conf, a)), ...join.map((a) => k.ru(conf, a)), ...args);
  ctx.cache.drop(conf);
  return { site: moved, changed: true };
}

/** Removes a site without children; refused once it has recorded attendance in a live or ended conference. */
export async function removeSite(ctx: Ctx, conf: string, id: string, version?: number): Promise<{ site: string; removed: true }> {
  const c = await getConference(ctx, conf);
  return withLock(ctx, `sites:${conf}`, async () => {
    checkVersion(await treeVersion(ctx, conf), version);
    const site = await siteRecord(ctx, conf, id);
    if (site.parent === null || id === c.rootSite) throw new AppError('BAD_REQUEST', 'Không xoá được điểm cầu gốc của hội nghị. / The root site of the conference cannot be removed.');
    const sites = await listSites(ctx, conf);
    const children = sites.filter((s) => s.parent === id).length;
    if (children) throw new AppError('CONFLICT', `"${site.name}" còn ${children} điểm cầu trực thuộc; hãy chuyển hoặc xoá các điểm cầu đó trước. / "${site.name}" still has ${children} child sites; move or remove them first.`);
    if ((c.state === 'live' || c.state === 'ended') && (await recordedSites(ctx, conf, [id])).has(id)) {
      const when = c.state === 'live' ? 'đang diễn ra' : 'đã kết thúc';
      throw new AppError('CONFLICT', `Không xoá được "${site.name}": điểm cầu đã có số liệu điểm danh trong hội nghị ${when}, cần giữ cho báo cáo. Nếu điểm cầu không tham dự, hãy đánh dấu "Không đủ điều kiện". / "${site.name}" cannot be removed: it has recorded attendance in a ${c.state} conference, which the reports keep. Mark it not eligible instead.`);
    }
    const k = ctx.keys;
    await ctx.redis.eval(REMOVE, 5 + site.path.length, k.sites(conf), k.att(conf, id), k.ru(conf, id), k.pres(conf, id), k.presEvents(conf, id), ...site.path.map((a) => k.ru(conf, a)), id);
    await treeChanged(ctx, conf);
    return { site: id, removed: true as const };
  });
}
