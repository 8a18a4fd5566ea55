// One site edited through the organizer's form, kinds with their delegate
// groups, and the operator's account actions, against a real service and
// Redis: every refusal (stale version, own descendant, duplicate code, bad
// field, a site or group with recorded attendance in a live conference, a
// kind in use, a wrong current password) names what is wrong and changes
// nothing; what is accepted keeps the roll-ups equal to their subtrees.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Rollup, Site } from '../../signaling/control.js';
import type { KindsGroupsDoc } from '../../signaling/site-edit.js';
import { stateHash } from '../support/redis.js';
import { createOperator, PASSWORD, setPassword, signIn } from './account-helpers.js';
import { api, CONF, REDIS_URL, setupConference, testEnv, token, type Env } from './helpers.js';

const P = `/api/conferences/${CONF}`;
const VOLATILE = /^(bull|hb:|insts)/;
let env: Env;
let base: string;
let org: string;
let redis: Redis;
const hash = () => stateHash(redis, env.prefix, VOLATILE);

beforeAll(async () => {
  env = testEnv('siteedit');
  base = (await env.start()).url;
  ({ org } = await setupConference(base, 2, 2));
  redis = new Redis(REDIS_URL);
});
afterAll(async () => { await redis?.quit(); await env?.cleanup(); });

const ok = async <T = any>(method: string, path: string, body?: unknown, tok = org): Promise<T> => {
  const r = await api<T>(base, tok, method, path, body);
  assert.ok(r.body.ok, `${method} ${path}: ${JSON.stringify(r.body)}`);
  return r.body.data as T;
};
const version = async () => (await ok<KindsGroupsDoc>('GET', `${P}/kinds/groups`)).version;
const rollup = async (site: string) => ok<Rollup>('GET', `${P}/rollups/${site}`);
const form = (over: Record<string, unknown>) => ({
  parent: 'd01', level: 'commune', name: 'Xã Tân Thành', hall: 'Hội trường UBND xã', address: 'Thôn 1', technicianName: 'Nguyễn Văn An',
  technicianPhone: '0912 345 678', eligible: true, mediaNode: 'p', expected: { 'c-a': 20, 'c-b': 5 }, ...over,
});
/** A refused request: its code, a sentence containing `re`, and not one record changed. */
async function refused(method: string, path: string, body: unknown, code: string, re: RegExp, tok = org) {
  const before = await hash();
  const r = await api(base, tok, method, path, body);
  assert.equal(r.body.ok, false, `${method} ${path} should be refused`);
  assert.equal(r.body.error.code, code, JSON.stringify(r.body.error));
  assert.match(r.body.error.message, re);
  assert.equal(await hash(), before, `${method} ${path}: refused but records changed`);
}

describe('one site from the organizer form', { timeout: 120_000 }, () => {
  test('add under a parent: path, expected counts and roll-ups up the chain', async () => {
    const before = await rollup('root');
    const r = await ok<{ site: Site; version: number }>('PUT', `${P}/sites/d01-c09/form`, form({ create: true, version: await version() }));
    assert.deepEqual(r.site.path, ['root', 'prov', 'd01']);
    assert.equal(r.site.technician?.phone, '0912 345 678');
    assert.equal(r.site.address, 'Thôn 1');
    const after = await rollup('root');
    assert.equal(after.sites, before.sites + 1);
    assert.equal(after.totalExpected, before.totalExpected + 25);
    assert.equal((await rollup('d01')).expected['c-a'], 20);
  });

  test('bad fields, a duplicate code, an unknown parent or kind, a stale version: refused, nothing changed', async () => {
    const v = await version();
    await refused('PUT', `${P}/sites/d01-c01/form`, form({ create: true, version: v }), 'CONFLICT', /Mã điểm cầu: "d01-c01" đã dùng cho "Xã 1\.1"/);
    await refused('PUT', `${P}/sites/x-new/form`, form({ create: true, name: '  ', version: v }), 'BAD_REQUEST', /"name": tên điểm cầu không được để trống/);
    await refused('PUT', `${P}/sites/x-new/form`, form({ create: true, expected: { 'c-a': -3 }, version: v }), 'BAD_REQUEST', /"expected\.c-a": số đại biểu không được âm/);
    await refused('PUT', `${P}/sites/x-new/form`, form({ create: true, technicianPhone: 'gọi anh An', version: v }), 'BAD_REQUEST', /"technicianPhone": số điện thoại chỉ gồm chữ số/);
    await refused('PUT', `${P}/sites/x-new/form`, form({ create: true, parent: 'khong-co', version: v }), 'BAD_REQUEST', /Trực thuộc: không có điểm cầu mã "khong-co"/);
    await refused('PUT', `${P}/sites/x-new/form`, form({ create: true, level: 'vung', version: v }), 'BAD_REQUEST', /Loại điểm cầu: "vung" chưa có/);
    await refused('PUT', `${P}/sites/x-new/form`, form({ create: true, expected: { 'd-a': 3 }, version: v }), 'BAD_REQUEST', /thành phần "d-a" không thuộc loại "Xã"/);
    await refused('PUT', `${P}/sites/d01-c01/form`, form({ name: 'Sửa muộn', version: v - 1 }), 'CONFLICT', /vừa được người khác thay đổi; hãy tải lại trang/);
    await refused('DELETE', `${P}/sites/d01-c02?version=${v - 1}`, undefined, 'CONFLICT', /vừa được người khác thay đổi/);
  });

  test('edit fields and kind; move under another parent (never under its own descendant)', async () => {
    await ok('PUT', `${P}/sites/d01-c01/expected`, { counts: { 'c-a': 11 } });
    // the kind changes: the old kind's expected counts leave the roll-ups, the new kind's arrive
    const d01 = (await rollup('d01')).expected['c-a'] ?? 0;
    let r = await ok<{ site: Site; version: number }>('PUT', `${P}/sites/d01-c01/form`, form({ name: 'Phường 1', level: 'phuong', expected: {}, version: await version() }));
    assert.equal(r.site.level, 'phuong');
    assert.equal(r.site.name, 'Phường 1');
    assert.equal((await rollup('d01')).expected['c-a'] ?? 0, d01 - 11);
    // move d01-c01 under d02 with new counts: both districts' roll-ups follow
    const [a, b] = [await rollup('d01'), await rollup('d02')];
    r = await ok('PUT', `${P}/sites/d01-c01/form`, form({ parent: 'd02', name: 'Phường 1', level: 'phuong', expected: {}, version: await version() }));
    assert.deepEqual(r.site.path, ['root', 'prov', 'd02']);
    assert.equal((await rollup('d01')).sites, a.sites - 1);
    assert.equal((await rollup('d02')).sites, b.sites + 1);
    // a district under its own commune: refused
    await refused('PUT', `${P}/sites/d02/form`, form({ parent: 'd02-c01', level: 'district', name: 'Huyện 2', expected: {}, version: await version() }), 'CONFLICT', /cấp dưới của chính nó/);
    await refused('POST', `${P}/sites/d02/move`, { parent: 'd02-c01' }, 'CONFLICT', /cấp dưới của chính nó/);
  });
});

describe('kinds and delegate groups as data', { timeout: 120_000 }, () => {
  test('add a kind with its groups, rename a group; a kind in use, a duplicate code or a stale version is refused', async () => {
    const doc = await ok<KindsGroupsDoc>('GET', `${P}/kinds/groups`);
    const kinds = [...doc.kinds, { id: 'dang-uy-co-so', name: 'Đảng uỷ cơ sở', rank: 3 }];
    const groups = [...doc.groups.map((g) => (g.id === 'c-b' ? { ...g, name: 'Xã B (đổi tên)' } : g)), { id: 'du-bt', level: 'dang-uy-co-so', name: 'Bí thư', order: 0 }];
    const saved = await ok<KindsGroupsDoc>('PUT', `${P}/kinds/groups`, { kinds, groups, reportKind: 'district', version: doc.version });
    assert.ok(saved.kinds.some((k) => k.id === 'dang-uy-co-so'));
    assert.equal(saved.groups.find((g) => g.id === 'c-b')?.name, 'Xã B (đổi tên)');
    assert.equal(saved.reportKind, 'district');
    const v = saved.version;
    await refused('PUT', `${P}/kinds/groups`, { kinds: saved.kinds.filter((k) => k.id !== 'commune'), groups: saved.groups.filter((g) => g.level !== 'commune'), reportKind: null, version: v }, 'BAD_REQUEST', /Loại điểm cầu: "commune" đang có điểm cầu nên không bỏ được/);
    await refused('PUT', `${P}/kinds/groups`, { kinds: saved.kinds, groups: [...saved.groups, { id: 'c-a', level: 'commune', name: 'Lặp', order: 9 }], reportKind: null, version: v }, 'BAD_REQUEST', /Thành phần đại biểu dòng \d+ \("Lặp"\): mã "c-a" trùng với dòng \d+/);
    await refused('PUT', `${P}/kinds/groups`, { kinds: saved.kinds, groups: [...saved.groups, { id: 'x-1', level: 'vung', name: 'Vùng', order: 0 }], reportKind: null, version: v }, 'BAD_REQUEST', /loại "vung" không có trong danh sách loại/);
    await refused('PUT', `${P}/kinds/groups`, { kinds: saved.kinds, groups: saved.groups, reportKind: null, version: v - 1 }, 'CONFLICT', /người khác thay đổi/);
  });

  test('in a draft, removing a group takes its expected counts out of every roll-up', async () => {
    const doc = await ok<KindsGroupsDoc>('GET', `${P}/kinds/groups`);
    const cb = (await rollup('root')).expected['c-b'] ?? 0;
    assert.ok(cb > 0, 'the fixture has c-b counts');
    const total = (await rollup('root')).totalExpected;
    await ok('PUT', `${P}/kinds/groups`, { kinds: doc.kinds, groups: doc.groups.filter((g) => g.id !== 'c-b'), reportKind: doc.reportKind, version: doc.version });
    const after = await rollup('root');
    assert.equal(after.expected['c-b'], undefined);
    assert.equal(after.totalExpected, total - cb);
    await ok('PUT', `${P}/groups`, { groups: doc.groups });
  });

  test('live: a site with recorded attendance cannot be removed, nor a group with recorded counts', async () => {
    await ok('PUT', `${P}/sites/d02-c02/expected`, { counts: { 'c-a': 9, 'c-b': 3 } });
    await ok('POST', `${P}/state`, { state: 'rehearsal' });
    await ok('POST', `${P}/state`, { state: 'live' });
    await ok('PUT', `${P}/attendance/d02-c02`, { present: { 'c-a': 8 } }, token('technician', CONF, 'd02-c02'));
    const doc = await ok<KindsGroupsDoc>('GET', `${P}/kinds/groups`);
    await refused('PUT', `${P}/kinds/groups`, { kinds: doc.kinds, groups: doc.groups.filter((g) => g.id !== 'c-a'), reportKind: doc.reportKind, version: doc.version }, 'CONFLICT', /Thành phần đại biểu "Xã A": đã có 1 điểm cầu ghi số có mặt trong hội nghị đang diễn ra/);
    await refused('PUT', `${P}/groups`, { groups: doc.groups.filter((g) => g.id !== 'c-a') }, 'CONFLICT', /Thành phần đại biểu "Xã A"/);
    await refused('DELETE', `${P}/sites/d02-c02`, undefined, 'CONFLICT', /Không xoá được "Xã 2\.2": điểm cầu đã có số liệu điểm danh trong hội nghị đang diễn ra/);
    await refused('PUT', `${P}/sites/d02-c02/form`, form({ parent: 'd02', name: 'Xã 2.2', level: 'phuong', expected: {}, version: doc.version }), 'CONFLICT', /đã có số liệu điểm danh/);
    // a group nobody was counted in can still go while live
    await ok('PUT', `${P}/kinds/groups`, { kinds: doc.kinds, groups: doc.groups.filter((g) => g.id !== 'du-bt'), reportKind: doc.reportKind, version: doc.version });
  });
});

describe('operators create accounts and change their own password', { timeout: 120_000 }, () => {
  test('an operator creates an organizer with a one-time link; an organizer may not', async () => {
    const op = await createOperator(env.prefix, base, 'quantri');
    const made = await ok<{ setupPath: string; role: string }>('POST', '/api/account/accounts', { username: 'btg.moi', role: 'organizer' }, op.token);
    assert.equal(made.role, 'organizer');
    const organizer = await setPassword(base, made.setupPath.split('#setup=')[1]!);
    assert.equal(organizer.username, 'btg.moi');
    await refused('POST', '/api/account/accounts', { username: 'btg.khac', role: 'operator' }, 'FORBIDDEN', /Chỉ người quản trị/, organizer.token);
    await refused('POST', '/api/account/accounts', { username: 'btg.moi', role: 'organizer' }, 'CONFLICT', /Tài khoản "btg.moi" đã có/, op.token);
    await refused('POST', '/api/account/accounts', { username: 'Có Dấu', role: 'organizer' }, 'BAD_REQUEST', /"username": tên đăng nhập: 3–40 chữ thường/, op.token);
  });

  test('change password: the current one is required; other sessions end, this one stays', async () => {
    const here = await signIn(base, 'btg.moi');
    const elsewhere = await signIn(base, 'btg.moi');
    const key = `${env.prefix}acct:user:btg.moi`;
    const record = await redis.get(key);
    assert.ok(record);
    const wrong = await api(base, here.token, 'POST', '/api/account/password', { oldPassword: 'khong-dung-mat-khau', newPassword: 'mat-khau-moi-2026-abc' });
    assert.equal(wrong.body.error.code, 'FORBIDDEN');
    assert.match(wrong.body.error.message, /Mật khẩu hiện tại chưa đúng nên chưa đổi gì/);
    const short = await api(base, here.token, 'POST', '/api/account/password', { oldPassword: PASSWORD, newPassword: 'ngan' });
    assert.equal(short.body.error.code, 'BAD_REQUEST');
    assert.match(short.body.error.message, /"newPassword": mật khẩu ít nhất 10 ký tự/);
    assert.equal(await redis.get(key), record, 'a refused change keeps the password');
    assert.equal((await api(base, elsewhere.token, 'GET', '/api/account/me')).status, 200);

    const done = await ok<{ endedSessions: number }>('POST', '/api/account/password', { oldPassword: PASSWORD, newPassword: 'mat-khau-moi-2026-abc' }, here.token);
    assert.ok(done.endedSessions >= 1);
    assert.equal((await api(base, elsewhere.token, 'GET', '/api/account/me')).status, 401, 'the other session ended');
    assert.equal((await api(base, here.token, 'GET', '/api/account/me')).status, 200, 'this session stays');
    assert.equal((await api(base, null, 'POST', '/api/account/sign-in', { username: 'btg.moi', password: PASSWORD })).status, 401, 'the old password no longer works');
    await signIn(base, 'btg.moi', 'mat-khau-moi-2026-abc');
  });
});
