// The conference list of the operator screen: who sees which conference,
// create, duplicate an earlier one as a template, archive, organizer accounts.
import { AppError } from '../../signaling/common.js';
import { ConferenceInput, type AgendaItem, type Conference, type SiteInput } from '../../signaling/control.js';
import type { ConferenceSummary, OrganizerEntry } from '../../signaling/accounts.js';
import type { Ctx } from '../context.js';
import { getAgenda, replaceAgenda } from './agenda.js';
import { readAttendance, setExpected } from './attendance.js';
import { conferenceExists, getConference, listGroups, listSites, putConference, putGroups, putSites } from './conference.js';
import { createAccount, endSession, getAccount, issueSetupCode, type SessionAuth } from './accounts.js';
import { withLock } from './util.js';
import { getKinds, putKinds } from '../site-tree/store.js';

const NOT_YOURS = 'Tài khoản này không phụ trách hội nghị này. Hãy chọn hội nghị trong danh sách của mình, hoặc nhờ người quản trị thêm bạn vào Ban tổ chức. / This account is not an organizer of this conference. Pick one from your own list, or ask the administrator to add you.';

/** Operators reach every conference; an organizer only those it was added to. */
export async function assertConfAccess(ctx: Ctx, s: SessionAuth, conf: string): Promise<void> {
  if (s.role === 'operator') return;
  if (!(await ctx.redis.sismember(ctx.keys.accountConfs(s.username), conf))) throw new AppError('FORBIDDEN', NOT_YOURS);
}

export async function summary(ctx: Ctx, conf: string, withOrganizers: boolean): Promise<ConferenceSummary> {
  const c = await getConference(ctx, conf);
  const [archived, sites, organizers] = await Promise.all([
    ctx.redis.hget(ctx.keys.archived, conf), ctx.redis.hlen(ctx.keys.sites(conf)),
    withOrganizers ? ctx.redis.smembers(ctx.keys.confOrganizers(conf)) : Promise.resolve(null),
  ]);
  return {
    id: c.id, title: c.title, planNumber: c.planNumber, date: c.date, plannedStart: c.plannedStart, state: c.state,
    status: archived ? 'archived' : c.state, ...(archived ? { archivedAt: Number(archived) } : {}),
    createdAt: c.createdAt, updatedAt: c.updatedAt, sites,
    ...(organizers ? { organizers: organizers.sort() } : {}),
  };
}

/** Newest first; archived ones after the others. */
export async function listFor(ctx: Ctx, s: SessionAuth): Promise<ConferenceSummary[]> {
  const ids = s.role === 'operator' ? await ctx.redis.smembers(ctx.keys.confs) : await ctx.redis.smembers(ctx.keys.accountConfs(s.username));
  const out: ConferenceSummary[] = [];
  for (const id of ids) {
    if (!(await conferenceExists(ctx, id))) continue;
    out.push(await summary(ctx, id, s.role === 'operator'));
  }
  return out.sort((a, b) => Number(a.status === 'archived') - Number(b.status === 'archived') || b.plannedStart.localeCompare(a.plannedStart) || a.id.localeCompare(b.id));
}

/** Runs `fn` only if no conference `id` exists yet (held under a lock, so two creates of one id cannot both win). */
async function asNew<T>(ctx: Ctx, id: string, fn: () => Promise<T>): Promise<T> {
  return withLock(ctx, `create:${id}`, async () => {
    if (await conferenceExists(ctx, id)) {
      throw new AppError('CONFLICT', `Đã có hội nghị mã "${id}". Hãy chọn một mã khác. / A conference with the code "${id}" already exists. Choose another code.`);
    }
    return fn();
  });
}

export async function createConference(ctx: Ctx, id: string, input: ConferenceInput, root?: { name: string; level: SiteInput['level']; mediaNode: string }): Promise<ConferenceSummary> {
  await asNew(ctx, id, async () => {
    await putConference(ctx, id, input);
    if (root) await putSites(ctx, id, [{ id: input.rootSite, parent: null, level: root.level, name: root.name, mediaNode: root.mediaNode }]);
  });
  return summary(ctx, id, true);
}

/** An ISO time with offset moved by `ms`, written in the same offset. */
export function shiftIso(iso: string, ms: number): string {
  if (!ms) return iso;
  const m = /([+-])(\d{2}):(\d{2})$/.exec(iso);
  const off = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
  const local = new Date(Date.parse(iso) + ms + off).toISOString().slice(0, 19);
  return `${local}${m ? m[0] : 'Z'}`;
}

/**
 * A new draft from an earlier conference: settings, agenda (not started), site
 * tree, site kinds and report level, delegate groups, expected counts. Not copied: attendance, check-ins,
 * materials, invitations, incidents, floor, reports, organizers.
 */
export async function duplicateConference(ctx: Ctx, from: string, req: { id: string; title?: string; planNumber?: string; date?: string }): Promise<ConferenceSummary> {
  const src = await getConference(ctx, from);
  const shift = req.date ? Date.parse(`${req.date}T00:00:00Z`) - Date.parse(`${src.date}T00:00:00Z`) : 0;
  const keys = Object.keys(ConferenceInput.shape) as (keyof ConferenceInput)[];
  const settings = Object.fromEntries(keys.filter((k) => src[k] !== undefined).map((k) => [k, src[k]])) as ConferenceInput;
  const input = ConferenceInput.parse({
    ...settings,
    ...(req.title ? { title: req.title } : {}),
    ...(req.planNumber ? { planNumber: req.planNumber } : {}),
    date: req.date ?? src.date,
    plannedStart: shiftIso(src.plannedStart, shift),
    reportDeadline: shiftIso(src.reportDeadline, shift),
    ...(src.rehearsalAt ? { rehearsalAt: shiftIso(src.rehearsalAt, shift) } : {}),
  });
  const [sites, groups, agenda] = await Promise.all([listSites(ctx, from), listGroups(ctx, from), getAgenda(ctx, from)]);
  const expected = await readAttendance(ctx, from, sites.map((s) => s.id));
  await asNew(ctx, req.id, async () => {
    await putConference(ctx, req.id, input);
    if (groups.length) await putGroups(ctx, req.id, groups);
    const kinds = await getKinds(ctx, from);
    await putKinds(ctx, req.id, kinds.kinds, kinds.reportKind);
    const tree: SiteInput[] = sites.map(({ path: _p, mediaUrl: _u, ...s }) => s);
    if (tree.length) await putSites(ctx, req.id, tree);
    if (agenda.items.length) {
      await replaceAgenda(ctx, req.id, agenda.items.map(({ order: _o, state: _s, actualStart: _a, actualEnd: _e, ...it }: AgendaItem) => ({ ...it, plannedStart: shiftIso(it.plannedStart, shift) })));
    }
    await Promise.all(expected.filter((a) => Object.keys(a.expected).length).map((a) => setExpected(ctx, req.id, a.site, a.expected, 'duplicate')));
  });
  return summary(ctx, req.id, true);
}

export async function archiveConference(ctx: Ctx, conf: string, archived: boolean): Promise<ConferenceSummary> {
  const c: Conference = await getConference(ctx, conf);
  if (archived && (c.state === 'rehearsal' || c.state === 'live')) {
    throw new AppError('CONFLICT', 'Hội nghị đang tổng duyệt hoặc đang diễn ra nên chưa thể lưu trữ. Hãy kết thúc hoặc đưa về bản nháp trước. / A conference in rehearsal or live cannot be archived. End it or return it to draft first.');
  }
  if (archived) await ctx.redis.hsetnx(ctx.keys.archived, conf, String(Date.now()));
  else await ctx.redis.hdel(ctx.keys.archived, conf);
  return summary(ctx, conf, true);
}

// ---------------------------------------------------------------- organizer accounts

export async function listOrganizers(ctx: Ctx, conf: string): Promise<OrganizerEntry[]> {
  await getConference(ctx, conf);
  const out: OrganizerEntry[] = [];
  for (const u of (await ctx.redis.smembers(ctx.keys.confOrganizers(conf))).sort()) {
    const a = await getAccount(ctx, u);
    if (a) out.push({ username: u, passwordSet: !!a.hash });
  }
  return out;
}

/**
 * Adds an organizer account to a conference, creating it if new. An account
 * that has no password yet gets a fresh one-time sign-in link (the earlier one
 * stops working); the operator sends that link, nobody types a secret.
 */
export async function addOrganizer(ctx: Ctx, conf: string, username: string): Promise<OrganizerEntry> {
  await getConference(ctx, conf);
  let a = await getAccount(ctx, username);
  if (a && a.role !== 'organizer') {
    throw new AppError('CONFLICT', `"${username}" là tài khoản quản trị, không cần thêm vào Ban tổ chức. Hãy nhập tên tài khoản của người tổ chức. / "${username}" is an operator account and needs no adding. Enter the organizer's account name.`);
  }
  a ??= await createAccount(ctx, username, 'organizer');
  await ctx.redis.multi().sadd(ctx.keys.confOrganizers(conf), username).sadd(ctx.keys.accountConfs(username), conf).exec();
  if (a.hash) return { username, passwordSet: true };
  const link = await issueSetupCode(ctx, username);
  return { username, passwordSet: false, setupPath: link.path, setupExpiresAt: link.expiresAt };
}

/** Removes an organizer from a conference and ends its sessions (the organizer tokens they opened are revoked). */
export async function removeOrganizer(ctx: Ctx, conf: string, username: string): Promise<string[]> {
  await getConference(ctx, conf);
  if (!(await ctx.redis.sismember(ctx.keys.confOrganizers(conf), username))) {
    throw new AppError('NOT_FOUND', `"${username}" không có trong Ban tổ chức của hội nghị này. Hãy tải lại danh sách. / "${username}" is not an organizer of this conference. Reload the list.`);
  }
  await ctx.redis.multi().srem(ctx.keys.confOrganizers(conf), username).srem(ctx.keys.accountConfs(username), conf).exec();
  const revoked: string[] = [];
  for (const h of await ctx.redis.smembers(ctx.keys.sessionsOf(username))) revoked.push(...(await endSession(ctx, h, username)));
  return revoked;
}
