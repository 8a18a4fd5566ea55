// Site tree import: decode → read → check everything (validate.ts) → preview,
// or apply all at once. Applying is one MULTI on a connection that WATCHes
// every key the plan was made from (tree, kinds, groups, conference, the count
// sequence that every headcount and presence change bumps): if anything moved
// meanwhile nothing is written and the organizer is asked to reload. Roll-ups
// are rebuilt from the sites' own halls for the new tree, and only the hashes
// that differ are written, so export → import writes nothing.
import { AppError } from '../../signaling/common.js';
import type { Conference, Counts, DelegateGroup } from '../../signaling/control.js';
import { MAX_IMPORT_BYTES, type ImportFileReq, type SiteImportPreview } from '../../signaling/site-import.js';
import type { Ctx } from '../context.js';
import { treeChanged } from '../store/cache.js';
import { getConference, listGroups, listSites } from '../store/conference.js';
import { readHashes, withLock, type Hash } from '../store/util.js';
import { SHEET } from './columns.js';
import { readBook, type RawBook } from './sheet.js';
import { CHANGED_ELSEWHERE, checkVersion, getKinds, recordedSites, treeKeys, treeVersion } from './store.js';
import { planImport, previewOf, type Current, type Plan } from './validate.js';

export const TOO_LARGE = `Tệp lớn quá ${MAX_IMPORT_BYTES / 1024 / 1024} MB; hãy bỏ các trang và cột không cần rồi tải lên lại. / The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB; remove unneeded sheets and columns and upload it again.`;

/** Decodes and reads an uploaded file; a wrong type or a file the reader refuses is one file-level issue. */
export async function readUpload(req: { filename: string; file: string }, csvSheet: string): Promise<{ book?: RawBook; issue?: SiteImportPreview['errors'][number] }> {
  const buf = Buffer.from(req.file, 'base64');
  if (buf.length > MAX_IMPORT_BYTES) throw new AppError('TOO_LARGE', TOO_LARGE);
  const r = await readBook(req.filename, buf, csvSheet);
  return r.ok ? { book: r.book } : { issue: r.issue };
}

async function current(ctx: Ctx, conf: string, c: Conference): Promise<Current & { att: Map<string, Hash> }> {
  const [kinds, groups, sites] = await Promise.all([getKinds(ctx, conf), listGroups(ctx, conf), listSites(ctx, conf)]);
  const hashes = await readHashes(ctx, sites.map((s) => ctx.keys.att(conf, s.id)));
  const att = new Map(sites.map((s, i) => [s.id, hashes[i]!]));
  const expected = new Map<string, Counts>();
  for (const [id, h] of att) {
    const e: Counts = {};
    for (const [f, v] of Object.entries(h)) if (f.startsWith('e:') && Number(v) > 0) e[f.slice(2)] = Number(v);
    expected.set(id, e);
  }
  const recorded = c.state === 'live' ? await recordedSites(ctx, conf, sites.map((s) => s.id)) : new Set<string>();
  return { rootSite: c.rootSite, state: c.state, kinds: kinds.kinds, reportKind: kinds.reportKind, groups, sites, expected, recorded, att };
}

export async function importSites(ctx: Ctx, conf: string, req: ImportFileReq & { apply: boolean }): Promise<SiteImportPreview> {
  const c0 = await getConference(ctx, conf);
  const { book, issue } = await readUpload(req, SHEET.sites);
  if (!book) {
    const plan = planImport({ sheets: [], format: 'csv' }, { rootSite: c0.rootSite, state: c0.state, kinds: [], reportKind: null, groups: [], sites: [], expected: new Map(), recorded: new Set() });
    plan.errors.splice(0, plan.errors.length, issue!);
    if (req.apply) throw refusal(plan);
    return previewOf(plan, await treeVersion(ctx, conf), false);
  }
  if (!req.apply) {
    const c = await getConference(ctx, conf);
    const version = await treeVersion(ctx, conf);
    return previewOf(planImport(book, await current(ctx, conf, c)), version, false);
  }
  return withLock(ctx, `sites:${conf}`, () => applyBook(ctx, conf, book, req.version), 30_000);
}

function refusal(plan: Plan): AppError {
  const first = plan.errors[0]!;
  const where = first.row ? `dòng ${first.row}${first.column ? `, cột ${first.column}` : ''}: ` : '';
  return new AppError('BAD_REQUEST',
    `Tệp có ${plan.errors.length} lỗi nên chưa thay đổi gì; hãy sửa rồi tải lên lại. Lỗi đầu tiên — ${where}${first.message} / The file has ${plan.errors.length} error(s), nothing was changed; correct them and upload again.`,
    plan.errors.slice(0, 200).map((e) => ({ path: [e.sheet, e.row, e.column], message: e.message })));
}

async function applyBook(ctx: Ctx, conf: string, book: RawBook, wantVersion?: number): Promise<SiteImportPreview> {
  const k = ctx.keys;
  const tk = treeKeys(ctx);
  const w = ctx.redis.duplicate({ enableAutoPipelining: false });
  try {
    await w.watch(k.sites(conf), k.groups(conf), k.conf(conf), k.seq(conf), tk.kinds(conf), tk.version(conf));
    const c = await getConference(ctx, conf);
    const version = await treeVersion(ctx, conf);
    checkVersion(version, wantVersion);
    const cur = await current(ctx, conf, c);
    const plan = planImport(book, cur);
    if (plan.errors.length) throw refusal(plan);
    const rootChanged = plan.root !== c.rootSite;
    if (!plan.added.length && !plan.changed.length && !plan.removed.length && !plan.kindsChanged && !plan.groupsChanged && !rootChanged) {
      await w.unwatch();
      return previewOf(plan, version, true);
    }
    const m = w.multi();
    for (const s of plan.write) m.hset(k.sites(conf), s.id, JSON.stringify(s));
    for (const id of plan.removed) {
      m.hdel(k.sites(conf), id);
      m.del(k.att(conf, id), k.ru(conf, id), k.pres(conf, id), k.presEvents(conf, id));
    }
    // each site's own expected counts (groups of its kind only)
    const own = new Map<string, Hash>();
    for (const s of plan.sites) {
      const h = cur.att.get(s.id) ?? {};
      const want = plan.expected.get(s.id) ?? {};
      const next: Hash = {};
      for (const [f, v] of Object.entries(h)) if (!f.startsWith('e:')) next[f] = v;
      for (const [g, n] of Object.entries(want)) next[`e:${g}`] = String(n);
      for (const f of Object.keys(h)) if (f.startsWith('e:') && !(f in next)) m.hdel(k.att(conf, s.id), f);
      for (const [g, n] of Object.entries(want)) if (h[`e:${g}`] !== String(n)) m.hset(k.att(conf, s.id), `e:${g}`, n);
      own.set(s.id, next);
    }
    // roll-ups of the new tree from the sites' own halls; only the ones that differ are written
    const ru = rollupsOf(plan, own);
    const oldRu = await readHashes(ctx, plan.sites.map((s) => k.ru(conf, s.id)));
    plan.sites.forEach((s, i) => {
      const want = ru.get(s.id)!;
      if (sameCounts(oldRu[i]!, want)) return;
      m.del(k.ru(conf, s.id));
      const flat = Object.entries(want).flatMap(([f, v]) => [f, String(v)]);
      if (flat.length) m.hset(k.ru(conf, s.id), ...flat);
    });
    if (plan.kindsChanged) m.set(tk.kinds(conf), JSON.stringify({ kinds: plan.kinds, reportKind: plan.reportKind }));
    if (plan.groupsChanged) m.set(k.groups(conf), JSON.stringify(plan.groups satisfies DelegateGroup[]));
    if (rootChanged) m.set(k.conf(conf), JSON.stringify({ ...c, rootSite: plan.root, updatedAt: Date.now() }));
    m.incr(tk.version(conf));
    const res = await m.exec();
    if (res === null) throw new AppError('CONFLICT', CHANGED_ELSEWHERE);
    const failed = res.find(([err]) => err);
    if (failed) throw failed[0];
    await treeChanged(ctx, conf);
    return previewOf(plan, await treeVersion(ctx, conf), true);
  } finally {
    w.disconnect();
  }
}

/** Every site's subtree totals: own halls' counts, reported and online flags, and the number of sites. */
function rollupsOf(plan: Plan, own: Map<string, Hash>): Map<string, Record<string, number>> {
  const ru = new Map<string, Record<string, number>>(plan.sites.map((s) => [s.id, {}]));
  for (const s of plan.sites) {
    const h = own.get(s.id) ?? {};
    const add: [string, number][] = [['_sites', 1]];
    for (const [f, v] of Object.entries(h)) {
      if ((f.startsWith('p:') || f.startsWith('e:')) && Number(v)) add.push([f, Number(v)]);
    }
    if (h._rep === '1') add.push(['_rep', 1]);
    if (h._online === '1') add.push(['_online', 1]);
    for (const a of [...s.path, s.id]) {
      const t = ru.get(a)!;
      for (const [f, v] of add) t[f] = (t[f] ?? 0) + v;
    }
  }
  return ru;
}

function sameCounts(h: Hash, want: Record<string, number>): boolean {
  const have = Object.entries(h).filter(([, v]) => Number(v) !== 0);
  if (have.length !== Object.keys(want).length) return false;
  return have.every(([f, v]) => want[f] === Number(v));
}
