// The conference list: an operator creates a conference, fills it through the
// organizer token it opens, duplicates it as a template (settings, agenda, tree,
// groups, expected counts — not attendance, materials, invitations), archives
// it; organizer accounts see and open only their own conferences, and an
// organizer of A acting on B is refused. Real service, Redis, processes.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ConferenceSummary, Session } from '../../signaling/accounts.js';
import { createOperator, createOrganizer, PASSWORD, setPassword, signIn } from './account-helpers.js';
import { api, conferenceInput, groups, testEnv, treeSites, type Env, type Res } from './helpers.js';

let env: Env;
let base: string;
let op: Session;
const A = '/api/account';
const ok = <T = any>(r: Res, what: string): T => { assert.ok(r.body.ok, `${what}: ${r.status} ${JSON.stringify(r.body)}`); return r.body.data as T; };
const list = async (s: Session) => ok<ConferenceSummary[]>(await api(base, s.token, 'GET', `${A}/conferences`), 'list');
const create = (id: string, title: string) => api(base, op.token, 'POST', `${A}/conferences`, {
  id, conference: { ...conferenceInput, title, rootSite: 'root' }, root: { name: 'Trung ương', level: 'centre', mediaNode: 'centre' },
});

beforeAll(async () => {
  env = testEnv('conflist');
  base = (await env.start()).url;
  op = await createOperator(env.prefix, base, 'quantri');
});
afterAll(async () => { await env?.cleanup(); });

test('create → fill → duplicate as a template → archive', async () => {
  const c = ok<ConferenceSummary>(await create('hn-goc', 'Hội nghị gốc'), 'create');
  assert.equal(c.status, 'draft');
  assert.equal(c.sites, 1, 'the root site is created with it');
  const taken = await create('hn-goc', 'Trùng mã');
  assert.equal(taken.status, 409);
  assert.match(taken.body.error.message, /Đã có hội nghị mã "hn-goc"\. Hãy chọn một mã khác\./);

  // the operator opens it: a normal organizer token for 12 h, which the conference routes accept
  const opened = ok<{ token: string; exp: number; path: string }>(await api(base, op.token, 'POST', `${A}/conferences/hn-goc/open`), 'open');
  assert.ok(Math.abs(opened.exp - (Date.now() / 1000 + 12 * 3600)) < 60, '12 h');
  assert.ok(opened.path.startsWith('/organizer.html?token='));
  const org = opened.token;
  const P = '/api/conferences/hn-goc';
  ok(await api(base, org, 'PUT', `${P}/groups`, { groups }), 'groups');
  ok(await api(base, org, 'PUT', `${P}/sites`, { sites: treeSites(2, 2).filter((s) => s.id !== 'root') }), 'sites');
  ok(await api(base, org, 'PUT', `${P}/agenda`, { items: [
    { id: 'a1', title: 'Khai mạc', presenter: 'Ban Tuyên giáo', plannedStart: '2030-01-15T08:00:00+07:00', plannedDurationMin: 10 },
    { id: 'a2', title: 'Quán triệt Kết luận', presenter: 'Báo cáo viên', plannedStart: '2030-01-15T08:10:00+07:00', plannedDurationMin: 90 },
  ] }), 'agenda');
  ok(await api(base, org, 'PUT', `${P}/sites/d01-c01/expected`, { counts: { 'c-a': 40, 'c-b': 12 } }), 'expected');
  ok(await api(base, org, 'PUT', `${P}/sites/d02/expected`, { counts: { 'd-a': 7 } }), 'expected');
  // what a template must not carry: attendance, check-ins, materials, invitations, a started agenda
  ok(await api(base, org, 'POST', `${P}/state`, { state: 'rehearsal' }), 'rehearsal');
  ok(await api(base, org, 'POST', `${P}/agenda/a1/start`), 'start');
  ok(await api(base, org, 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 38 } }), 'headcount');
  ok(await api(base, org, 'POST', `${P}/checkins`, { site: 'd01-c01', group: 'c-a', name: 'Nguyễn Văn A' }), 'check-in');
  ok(await api(base, org, 'POST', `${P}/materials?id=tl-1&title=T&filename=t.txt&targets=all`, 'tài liệu', { 'content-type': 'text/plain' }), 'material');
  ok(await api(base, org, 'POST', `${P}/invitations`, { role: 'technician', site: 'd01-c01' }), 'invitation');

  // a rehearsing conference cannot be archived
  const early = await api(base, op.token, 'POST', `${A}/conferences/hn-goc/archive`, { archived: true });
  assert.equal(early.status, 409);
  assert.match(early.body.error.message, /chưa thể lưu trữ/);

  const dup = ok<ConferenceSummary>(await api(base, op.token, 'POST', `${A}/conferences/hn-goc/duplicate`, { id: 'hn-ban-sao', title: 'Hội nghị năm sau', date: '2031-01-20' }), 'duplicate');
  assert.equal(dup.status, 'draft');
  assert.equal(dup.title, 'Hội nghị năm sau');
  assert.equal(dup.sites, 8);
  assert.equal(dup.date, '2031-01-20');
  assert.equal(dup.plannedStart, '2031-01-20T08:00:00+07:00', 'the start moves with the date');
  assert.deepEqual(dup.organizers, []);
  assert.equal((await api(base, op.token, 'POST', `${A}/conferences/hn-goc/duplicate`, { id: 'hn-ban-sao' })).status, 409, 'the new code must be free');

  const copy = ok<{ token: string }>(await api(base, op.token, 'POST', `${A}/conferences/hn-ban-sao/open`), 'open copy').token;
  const Q = '/api/conferences/hn-ban-sao';
  const get = async (t: string, p: string) => ok(await api(base, t, 'GET', p), p);
  const conf = await get(copy, Q);
  assert.equal(conf.reportDeadline, '2031-01-25T17:00:00+07:00');
  assert.equal(conf.planNumber, conferenceInput.planNumber);
  assert.deepEqual(conf.maket, conferenceInput.maket);
  const strip = (sites: any[]) => sites.map(({ mediaUrl: _u, ...s }) => s);
  assert.deepEqual(strip(await get(copy, `${Q}/sites`)), strip(await get(org, `${P}/sites`)), 'the same tree');
  assert.deepEqual(await get(copy, `${Q}/groups`), await get(org, `${P}/groups`), 'the same groups');
  const agenda = await get(copy, `${Q}/agenda`);
  assert.deepEqual(agenda.items.map((i: any) => [i.id, i.title, i.plannedStart, i.state, i.actualStart]), [
    ['a1', 'Khai mạc', '2031-01-20T08:00:00+07:00', 'pending', undefined],
    ['a2', 'Quán triệt Kết luận', '2031-01-20T08:10:00+07:00', 'pending', undefined],
  ]);
  assert.equal(agenda.current, null);
  const att = await get(copy, `${Q}/attendance/d01-c01`);
  assert.deepEqual(att.expected, { 'c-a': 40, 'c-b': 12 }, 'expected counts copied');
  assert.deepEqual(att.present, {}, 'attendance not copied');
  assert.equal(att.reported, false);
  assert.deepEqual((await get(copy, `${Q}/attendance/d02`)).expected, { 'd-a': 7 });
  const root = await get(copy, `${Q}/rollups/root`);
  assert.equal(root.totalExpected, 59);
  assert.equal(root.totalPresent, 0);
  assert.equal(root.sites, 8);
  assert.deepEqual(await get(copy, `${Q}/materials`), []);
  assert.deepEqual(await get(copy, `${Q}/checkins`), []);
  assert.deepEqual(await get(copy, `${Q}/invitations`), []);
  // the source is untouched
  assert.deepEqual((await get(org, `${P}/attendance/d01-c01`)).present, { 'c-a': 38 });

  // end, then archive: the list says archived, newest first among the others; restore brings it back
  ok(await api(base, org, 'POST', `${P}/state`, { state: 'live' }), 'live');
  ok(await api(base, org, 'POST', `${P}/state`, { state: 'ended' }), 'ended');
  const archived = ok<ConferenceSummary>(await api(base, op.token, 'POST', `${A}/conferences/hn-goc/archive`, { archived: true }), 'archive');
  assert.equal(archived.status, 'archived');
  assert.equal(archived.state, 'ended');
  assert.ok(archived.archivedAt! > 0);
  assert.deepEqual((await list(op)).map((x) => [x.id, x.status]), [['hn-ban-sao', 'draft'], ['hn-goc', 'archived']]);
  const restored = ok<ConferenceSummary>(await api(base, op.token, 'POST', `${A}/conferences/hn-goc/archive`, { archived: false }), 'restore');
  assert.equal(restored.status, 'ended');
});

test('organizers see and open only their conferences; an organizer of A acting on B is refused', async () => {
  for (const [id, t] of [['hn-a', 'Hội nghị A'], ['hn-b', 'Hội nghị B']]) ok(await create(id!, t!), `create ${id}`);
  const added = ok<{ setupPath?: string; passwordSet: boolean }>(await api(base, op.token, 'POST', `${A}/conferences/hn-a/organizers`, { username: 'btc-a' }), 'add');
  assert.equal(added.passwordSet, false);
  assert.match(added.setupPath!, /^\/admin\.html#setup=[A-Za-z0-9_-]{32}$/);
  // adding again before the first sign-in gives a fresh link; the earlier one stops working
  const again = ok<{ setupPath: string }>(await api(base, op.token, 'POST', `${A}/conferences/hn-a/organizers`, { username: 'btc-a' }), 'add again');
  assert.notEqual(again.setupPath, added.setupPath);
  assert.equal((await api(base, null, 'POST', `${A}/setup`, { code: added.setupPath!.split('=')[1], password: PASSWORD })).status, 401);
  const a = await setPassword(base, again.setupPath.split('=')[1]!);
  assert.equal(a.role, 'organizer');
  const b = await createOrganizer(base, op, 'hn-b', 'btc-b');
  // an operator account cannot be added as an organizer
  assert.equal((await api(base, op.token, 'POST', `${A}/conferences/hn-a/organizers`, { username: 'quantri' })).status, 409);

  assert.deepEqual((await list(a)).map((c) => c.id), ['hn-a']);
  assert.equal((await list(a))[0]!.organizers, undefined, 'organizers do not see the account list');
  assert.deepEqual((await list(b)).map((c) => c.id), ['hn-b']);
  assert.deepEqual(ok(await api(base, op.token, 'GET', `${A}/conferences/hn-a/organizers`), 'organizers'), [{ username: 'btc-a', passwordSet: true }]);

  // A opens A; that token works on A and is refused on B
  const tokA = ok<{ token: string }>(await api(base, a.token, 'POST', `${A}/conferences/hn-a/open`), 'open A').token;
  assert.equal((await api(base, tokA, 'GET', '/api/conferences/hn-a/snapshot')).status, 200);
  assert.equal((await api(base, tokA, 'PATCH', '/api/conferences/hn-a', { title: 'Hội nghị A (sửa)' })).status, 200);
  const cross = await api(base, tokA, 'PATCH', '/api/conferences/hn-b', { title: 'Không được sửa' });
  assert.equal(cross.status, 403);
  // A acting on B through the account routes: refused, and nothing about B changes
  const openB = await api(base, a.token, 'POST', `${A}/conferences/hn-b/open`);
  assert.equal(openB.status, 403);
  assert.equal(openB.body.error.code, 'FORBIDDEN');
  assert.match(openB.body.error.message, /không phụ trách hội nghị này/);
  for (const [m, p, body] of [
    ['POST', 'hn-b/duplicate', { id: 'hn-b-chep' }], ['POST', 'hn-b/archive', { archived: true }], ['POST', 'hn-b/organizers', { username: 'btc-a' }],
    ['GET', 'hn-b/organizers', undefined], ['DELETE', 'hn-b/organizers/btc-b', undefined],
    // operator actions are refused even on the organizer's own conference
    ['POST', 'hn-a/duplicate', { id: 'hn-a-chep' }], ['POST', 'hn-a/archive', { archived: true }], ['POST', 'hn-a/organizers', { username: 'btc-b' }],
  ] as const) {
    const r = await api(base, a.token, m, `${A}/conferences/${p}`, body);
    assert.equal(r.status, 403, `${m} ${p}: ${JSON.stringify(r.body)}`);
  }
  assert.equal((await api(base, a.token, 'POST', `${A}/conferences`, { id: 'hn-moi', conference: { ...conferenceInput } })).status, 403);
  const bNow = (await list(op)).find((c) => c.id === 'hn-b')!;
  assert.equal(bNow.title, 'Hội nghị B');
  assert.equal(bNow.status, 'draft');
  assert.deepEqual(bNow.organizers, ['btc-b']);
  assert.deepEqual((await list(op)).map((c) => c.id).sort(), ['hn-a', 'hn-b', 'hn-ban-sao', 'hn-goc']);

  // signing out revokes the organizer token the session opened
  ok(await api(base, a.token, 'POST', `${A}/sign-out`), 'sign out');
  assert.equal((await api(base, tokA, 'GET', '/api/conferences/hn-a')).status, 401);
  assert.equal((await api(base, a.token, 'GET', `${A}/conferences`)).status, 401);

  // removing an organizer ends its sessions and its access
  const a2 = await signIn(base, 'btc-a');
  const tokA2 = ok<{ token: string }>(await api(base, a2.token, 'POST', `${A}/conferences/hn-a/open`), 'open A again').token;
  ok(await api(base, op.token, 'DELETE', `${A}/conferences/hn-a/organizers/btc-a`), 'remove');
  assert.equal((await api(base, a2.token, 'GET', `${A}/me`)).status, 401);
  assert.equal((await api(base, tokA2, 'GET', '/api/conferences/hn-a')).status, 401);
  assert.deepEqual((await list(await signIn(base, 'btc-a'))).map((c) => c.id), []);
  assert.equal((await api(base, op.token, 'DELETE', `${A}/conferences/hn-a/organizers/btc-a`)).status, 404);
});
