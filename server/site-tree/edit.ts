// The organizer's forms on the site tree: one site saved from its form (new
// under a parent, or its fields, kind, expected counts and parent changed), and
// the kinds with their delegate groups replaced together. Each runs under the
// tree's lock after checking the version the form was opened at, so a second
// organizer never silently overwrites the first; every refusal names the field.
import { AppError } from '../../signaling/common.js';
import type { Counts, DelegateGroup, Site } from '../../signaling/control.js';
import type { KindsGroups, KindsGroupsDoc, SiteForm } from '../../signaling/site-edit.js';
import type { SiteKind } from '../../signaling/site-import.js';
import type { Ctx } from '../context.js';
import { listCheckIns, readAttendance, setExpected } from '../store/attendance.js';
import { treeChanged } from '../store/cache.js';
import { getConference, getSite, listGroups, listSites } from '../store/conference.js';
import { readHashes, withLock } from '../store/util.js';
import { checkVersion, ENDED_FROZEN, getKinds, moveHeld, recordedSites, treeKeys, treeVersion } from './store.js';

const bad = (vi: string, en: string) => new AppError('BAD_REQUEST', `${vi} / ${en}`);
const conflict = (vi: string, en: string) => new AppError('CONFLICT', `${vi} / ${en}`);

/** Adds or edits one site from the organizer's form; answers the saved site and the new tree version. */
export async function saveSite(ctx: Ctx, conf: string, id: string, f: SiteForm, by: string): Promise<{ site: Site; version: number }> {
  const c = await getConference(ctx, conf);
  await withLock(ctx, `sites:${conf}`, async () => {
    checkVersion(await treeVersion(ctx, conf), f.version);
    const [{ kinds }, groups, sites] = await Promise.all([getKinds(ctx, conf), listGroups(ctx, conf), listSites(ctx, conf)]);
    const byId = new Map(sites.map((s) => [s.id, s]));
    const old = byId.get(id);
    const kind = kinds.find((k) => k.id === f.level);
    if (!kind) throw bad(`Loại điểm cầu: "${f.level}" chưa có trong danh sách loại của hội nghị; hãy chọn một loại có sẵn hoặc thêm loại đó trước`, `Kind: "${f.level}" is not one of the conference's kinds; pick one or add it first`);
    if (f.create && old) throw conflict(`Mã điểm cầu: "${id}" đã dùng cho "${old.name}"; hãy chọn mã khác`, `Site code: "${id}" is already "${old.name}"; choose another code`);
    if (!f.create && !old) throw new AppError('NOT_FOUND', `Không còn điểm cầu "${id}" (có thể người khác vừa xoá); hãy tải lại trang. / Site "${id}" no longer exists (someone may have removed it); reload the page.`);
    let parent: Site | undefined;
    if (f.parent === null) {
      if (old?.parent !== null || !old) throw bad('Trực thuộc: hãy chọn điểm cầu cấp trên; chỉ điểm cầu gốc không trực thuộc đâu', 'Parent: choose the site above it; only the root has none');
    } else {
      parent = byId.get(f.parent);
      if (!parent) throw bad(`Trực thuộc: không có điểm cầu mã "${f.parent}"; hãy chọn trong danh sách`, `Parent: there is no site "${f.parent}"; pick one from the list`);
      if (old && old.parent === null) throw bad('Trực thuộc: điểm cầu gốc không chuyển đi đâu được', 'Parent: the root site cannot be moved');
      if (old && (f.parent === id || parent.path.includes(id))) {
        throw conflict(`Trực thuộc: không chuyển được "${old.name}" vào "${parent.name}" vì đó là điểm cầu cấp dưới của chính nó`, `Parent: "${old.name}" cannot move under "${parent.name}", one of its own descendants`);
      }
    }
    const moving = !!old && !!parent && old.parent !== parent.id;
    if (c.state === 'ended' && (f.create || moving)) throw new AppError('CONFLICT', f.create ? 'Hội nghị đã kết thúc, cây điểm cầu đã chốt nên không thêm được điểm cầu. / The conference has ended; its site tree is frozen.' : ENDED_FROZEN);
    const own = new Set(groups.filter((g) => g.level === f.level).map((g) => g.id));
    const stray = Object.keys(f.expected).find((g) => !own.has(g));
    if (stray) throw bad(`Số đại biểu dự kiến: thành phần "${stray}" không thuộc loại "${kind.name}"; hãy tải lại biểu mẫu`, `Expected delegates: group "${stray}" is not a group of "${kind.name}"; reload the form`);
    const kindChanged = !!old && old.level !== f.level;
    if (kindChanged && (await recordedSites(ctx, conf, [id])).has(id)) {
      throw conflict(`Loại điểm cầu: "${old!.name}" đã có số liệu điểm danh theo thành phần của loại cũ nên không đổi loại được`, `Kind: "${old!.name}" has recorded attendance in the groups of its kind, so its kind cannot change`);
    }
    const [att] = await readAttendance(ctx, conf, old ? [id] : []);
    // the groups of the old kind lose their expected counts before the kind changes (roll-ups follow)
    if (kindChanged && att && Object.values(att.expected).some((n) => n > 0)) {
      await setExpected(ctx, conf, id, Object.fromEntries(Object.keys(att.expected).map((g) => [g, 0])), by);
    }
    const { mediaUrl: _u, address: _a, technician: _t, ...keep } = old ?? ({} as Partial<Site>);
    const record: Site = {
      ...keep,
      id, parent: old ? old.parent : f.parent, level: f.level, name: f.name, hall: f.hall, eligible: f.eligible, mediaNode: f.mediaNode,
      order: old?.order ?? 0, path: old ? old.path : [...parent!.path, parent!.id],
      ...(f.address ? { address: f.address } : {}),
      ...(f.technicianName || f.technicianPhone ? { technician: { name: f.technicianName, ...(f.technicianPhone ? { phone: f.technicianPhone } : {}) } } : {}),
    };
    const m = ctx.redis.multi().hset(ctx.keys.sites(conf), id, JSON.stringify(record));
    if (!old) for (const a of [...record.path, id]) m.hincrby(ctx.keys.ru(conf, a), '_sites', 1);
    await m.exec();
    ctx.cache.drop(conf);
    if (moving) await moveHeld(ctx, conf, id, parent!.id);
    const want: Counts = {};
    for (const g of own) want[g] = f.expected[g] ?? 0;
    const have = kindChanged ? {} : att?.expected ?? {};
    if ([...own].some((g) => (have[g] ?? 0) !== want[g])) await setExpected(ctx, conf, id, want, by);
    // a save always moves the version, so a form opened before it is refused
    await treeChanged(ctx, conf);
  });
  return { site: await getSite(ctx, conf, id), version: await treeVersion(ctx, conf) };
}

export async function getKindsGroups(ctx: Ctx, conf: string): Promise<KindsGroupsDoc> {
  const [doc, groups] = await Promise.all([getKinds(ctx, conf), listGroups(ctx, conf)]);
  return { ...doc, groups };
}

/** Replaces kinds, the report level and the delegate groups together (version checked). */
export async function saveKindsGroups(ctx: Ctx, conf: string, req: KindsGroups): Promise<KindsGroupsDoc> {
  await getConference(ctx, conf);
  await withLock(ctx, `sites:${conf}`, async () => {
    checkVersion(await treeVersion(ctx, conf), req.version);
    checkKinds(req.kinds, req.reportKind);
    const ids = new Set(req.kinds.map((k) => k.id));
    const used = [...new Set((await listSites(ctx, conf)).map((s) => s.level))].filter((k) => !ids.has(k));
    if (used.length) {
      throw bad(`Loại điểm cầu: "${used.join('", "')}" đang có điểm cầu nên không bỏ được; hãy đổi loại của các điểm cầu đó trước`, `Kinds: "${used.join('", "')}" still have sites; change those sites' kind first`);
    }
    await writeGroups(ctx, conf, req.groups, req.kinds, { kinds: req.kinds, reportKind: req.reportKind });
  });
  return getKindsGroups(ctx, conf);
}

/** The plain groups route: the same checks and clean-up, kinds unchanged. */
export async function replaceGroups(ctx: Ctx, conf: string, groups: DelegateGroup[]): Promise<DelegateGroup[]> {
  await getConference(ctx, conf);
  await withLock(ctx, `sites:${conf}`, async () => writeGroups(ctx, conf, groups, (await getKinds(ctx, conf)).kinds));
  return listGroups(ctx, conf);
}

function checkKinds(kinds: SiteKind[], reportKind: string | null): void {
  kinds.forEach((k, i) => {
    const j = kinds.findIndex((x) => x.id === k.id);
    if (j < i) throw bad(`Loại điểm cầu dòng ${i + 1} ("${k.name}"): mã "${k.id}" trùng với dòng ${j + 1}; hãy đổi một mã`, `Kind row ${i + 1} ("${k.name}"): code "${k.id}" repeats row ${j + 1}; change one`);
  });
  if (reportKind && !kinds.some((k) => k.id === reportKind)) {
    throw bad(`Cấp báo cáo: "${reportKind}" không còn trong danh sách loại; hãy chọn cấp khác`, `Report level: "${reportKind}" is no longer a kind; choose another`);
  }
}

/**
 * Checks and stores the groups (kinds too, when given). A group that goes —
 * removed, or moved to another kind — takes its counts with it (from every
 * site's hall and roll-up), which is refused once the conference is live or
 * ended and someone was counted in it.
 */
async function writeGroups(ctx: Ctx, conf: string, groups: DelegateGroup[], kinds: SiteKind[], kindsDoc?: { kinds: SiteKind[]; reportKind: string | null }): Promise<void> {
  const kindIds = new Set(kinds.map((k) => k.id));
  groups.forEach((g, i) => {
    const j = groups.findIndex((x) => x.id === g.id);
    if (j < i) throw bad(`Thành phần đại biểu dòng ${i + 1} ("${g.name}"): mã "${g.id}" trùng với dòng ${j + 1}; hãy đổi một mã`, `Delegate group row ${i + 1} ("${g.name}"): code "${g.id}" repeats row ${j + 1}; change one`);
    if (!kindIds.has(g.level)) throw bad(`Thành phần đại biểu dòng ${i + 1} ("${g.name}"): loại "${g.level}" không có trong danh sách loại; hãy chọn loại khác`, `Delegate group row ${i + 1} ("${g.name}"): kind "${g.level}" is not one of the kinds`);
  });
  const c = await getConference(ctx, conf);
  const before = await listGroups(ctx, conf);
  const next = new Map(groups.map((g) => [g.id, g]));
  const gone = before.filter((g) => next.get(g.id)?.level !== g.level);
  const sites = gone.length ? await listSites(ctx, conf) : [];
  const att = gone.length ? await readHashes(ctx, sites.map((s) => ctx.keys.att(conf, s.id))) : [];
  if (gone.length && (c.state === 'live' || c.state === 'ended')) {
    const checkedIn = new Set((await listCheckIns(ctx, conf)).map((x) => x.group));
    for (const g of gone) {
      const counted = att.filter((h) => Number(h[`p:${g.id}`] ?? 0) > 0).length;
      if (counted || checkedIn.has(g.id)) {
        const when = c.state === 'live' ? 'đang diễn ra' : 'đã kết thúc';
        throw conflict(`Thành phần đại biểu "${g.name}": đã có ${counted || 'người'} điểm cầu ghi số có mặt trong hội nghị ${when}, cần giữ cho báo cáo, nên không bỏ hay chuyển loại được`,
          `Delegate group "${g.name}" has recorded counts in a ${c.state} conference, which the reports keep, so it cannot be removed or moved to another kind`);
      }
    }
  }
  const m = ctx.redis.multi();
  if (kindsDoc) m.set(treeKeys(ctx).kinds(conf), JSON.stringify(kindsDoc));
  const sorted = [...groups].sort((a, b) => a.level.localeCompare(b.level) || a.order - b.order);
  m.set(ctx.keys.groups(conf), JSON.stringify(sorted));
  if (gone.length) {
    const fields = gone.flatMap((g) => [`e:${g.id}`, `p:${g.id}`]);
    for (const s of sites) m.hdel(ctx.keys.att(conf, s.id), ...fields).hdel(ctx.keys.ru(conf, s.id), ...fields);
  }
  await m.exec();
  await treeChanged(ctx, conf);
}
