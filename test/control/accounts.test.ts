// Operator accounts and sign-in: the `./diemcau admin create-operator` command
// and its one-time link (usable once), wrong passwords, the rate limit per
// username and per address, sessions that expire and sign out, and bad input
// on every account route (typed errors, nothing changed). Real service, Redis, processes.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { AccountRoutes, type AccountRouteDef, type Session } from '../../signaling/accounts.js';
import { ErrorCode } from '../../signaling/common.js';
import { stateHash } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { admin, createOperator, linkIn, PASSWORD, setPassword, signIn } from './account-helpers.js';
import { api, CONF, REDIS_URL, setupConference, testEnv, token, type Env } from './helpers.js';

let env: Env;
let base: string;
let redis: Redis;
const A = '/api/account';

beforeAll(async () => {
  env = testEnv('accounts');
  base = (await env.start()).url;
  redis = new Redis(REDIS_URL);
});
afterAll(async () => { await redis?.quit(); await env?.cleanup(); });

describe('operator sign-in', () => {
  let op: Session;

  test('create-operator prints a one-time link; the link sets the password once; then sign in and out', async () => {
    const out = await admin(env.prefix, base, 'create-operator', 'quantri');
    assert.match(out, /Đã tạo tài khoản quản trị "quantri"/);
    assert.match(out, /hết hạn lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4} \(giờ Việt Nam\)/);
    const { url, code } = linkIn(out);
    assert.ok(url.startsWith(`${base}/admin.html#setup=`), url);
    // the command refuses a name that exists, and a malformed one
    await assert.rejects(admin(env.prefix, base, 'create-operator', 'quantri'), /đã có/);
    await assert.rejects(admin(env.prefix, base, 'create-operator', 'Quản Trị'), /Tên đăng nhập chưa đúng/);

    // before the first sign-in there is no password to try
    assert.equal((await api(base, null, 'POST', `${A}/sign-in`, { username: 'quantri', password: PASSWORD })).status, 401);
    const who = await api(base, null, 'POST', `${A}/setup/check`, { code });
    assert.deepEqual(who.body.data, { username: 'quantri', role: 'operator' });
    // too short a password is refused and the link still works
    const short = await api(base, null, 'POST', `${A}/setup`, { code, password: 'ngan' });
    assert.equal(short.status, 400);
    assert.equal(short.body.error.code, 'BAD_REQUEST');
    const first = await setPassword(base, code);
    assert.equal(first.role, 'operator');
    assert.match(first.token, /^ses_/);

    // the link cannot be used twice
    const again = await api(base, null, 'POST', `${A}/setup`, { code, password: 'mot-mat-khau-khac-hoan-toan' });
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, 'UNAUTHORIZED');
    assert.match(again.body.error.message, /đã được dùng hoặc đã hết hạn.*\/ This first sign-in link was already used/);
    assert.equal((await api(base, null, 'POST', `${A}/setup/check`, { code })).status, 401);

    // Redis holds neither the password, the link code nor the session token
    const dump = JSON.stringify(await Promise.all((await redis.keys(`${env.prefix}acct:*`)).map(async (k) => [k, await redis.type(k) === 'string' ? await redis.get(k) : ''])));
    for (const secret of [PASSWORD, code, first.token.slice(4)]) assert.ok(!dump.includes(secret), 'no secret stored in clear');

    op = await signIn(base, 'quantri');
    const me = await api(base, op.token, 'GET', `${A}/me`);
    assert.equal(me.status, 200);
    assert.equal(me.body.data.username, 'quantri');
    assert.ok(me.body.data.expiresAt > Date.now() + 11 * 3600_000, 'a session lasts 12 h');

    // the first session is still valid; signing out ends only that one
    assert.equal((await api(base, first.token, 'POST', `${A}/sign-out`)).status, 200);
    const gone = await api(base, first.token, 'GET', `${A}/me`);
    assert.equal(gone.status, 401);
    assert.match(gone.body.error.message, /Hãy đăng nhập lại/);
    assert.equal((await api(base, op.token, 'GET', `${A}/me`)).status, 200);
  });

  test('wrong password and unknown name: refused the same way', async () => {
    const wrong = await api(base, null, 'POST', `${A}/sign-in`, { username: 'quantri', password: 'khong-dung-mat-khau' });
    const unknown = await api(base, null, 'POST', `${A}/sign-in`, { username: 'khongco', password: 'khong-dung-mat-khau' });
    for (const r of [wrong, unknown]) {
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'UNAUTHORIZED');
      assert.equal(r.body.error.message, 'Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra rồi nhập lại. / Wrong username or password. Check them and try again.');
    }
    assert.equal((await signIn(base, 'quantri')).username, 'quantri', 'a right password still signs in');
  });

  test('rate limit: after 5 wrong passwords the username is refused, even with the right one; others are not', async () => {
    await admin(env.prefix, base, 'create-operator', 'nguoithu2').then((o) => setPassword(base, linkIn(o).code));
    for (let i = 1; i <= 5; i++) {
      const r = await api(base, null, 'POST', `${A}/sign-in`, { username: 'nguoithu2', password: `sai-mat-khau-lan-${i}` });
      assert.equal(r.status, 401, `attempt ${i}`);
    }
    const blocked = await api(base, null, 'POST', `${A}/sign-in`, { username: 'nguoithu2', password: PASSWORD });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'RATE_LIMITED');
    assert.match(blocked.body.error.message, /^Đăng nhập sai quá nhiều lần\. Hãy chờ (1[0-5]|[1-9]) phút rồi thử lại/);
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
    assert.equal((await signIn(base, 'quantri')).username, 'quantri', 'another username is not blocked');
    // a new one-time link (forgotten password) lets the person back in with a new password
    const fresh = linkIn(await admin(env.prefix, base, 'sign-in-link', 'nguoithu2'));
    const s = await setPassword(base, fresh.code, 'mat-khau-moi-sau-khi-bi-khoa');
    assert.equal(s.username, 'nguoithu2');
    assert.equal((await signIn(base, 'nguoithu2', 'mat-khau-moi-sau-khi-bi-khoa')).username, 'nguoithu2', 'and the lock-out is lifted');
    assert.equal((await api(base, null, 'POST', `${A}/sign-in`, { username: 'nguoithu2', password: PASSWORD })).status, 401, 'the old password is gone');
  });

  test('rate limit per address: failures under any names add up', async () => {
    const ipEnv = testEnv('accounts-ip', { accounts: { failsPerIp: 3 } });
    try {
      const url = (await ipEnv.start()).url;
      for (const u of ['ai-do-1', 'ai-do-2', 'ai-do-3']) assert.equal((await api(url, null, 'POST', `${A}/sign-in`, { username: u, password: 'doan-bua-mat-khau' })).status, 401);
      const r = await api(url, null, 'POST', `${A}/sign-in`, { username: 'ai-do-4', password: 'doan-bua-mat-khau' });
      assert.equal(r.status, 429);
      assert.equal(r.body.error.code, 'RATE_LIMITED');
      // wrong one-time link codes count too
      assert.equal((await api(url, null, 'POST', `${A}/setup/check`, { code: 'x'.repeat(32) })).status, 429);
    } finally { await ipEnv.cleanup(); }
  });

  test('an expired session is refused (sessions live in Redis: any instance, same answer)', async () => {
    const short = await env.start({ accounts: { sessionTtlMs: 1500 } });
    const s = await signIn(short.url, 'quantri');
    assert.equal((await api(short.url, s.token, 'GET', `${A}/conferences`)).status, 200);
    assert.equal((await api(base, s.token, 'GET', `${A}/me`)).status, 200, 'the other instance knows the session');
    await waitFor('the session to expire', async () => (await api(base, s.token, 'GET', `${A}/me`)).status === 401, 10_000, 100);
    const r = await api(short.url, s.token, 'GET', `${A}/conferences`);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'UNAUTHORIZED');
  });

  test('bad input on every account route: a typed error, nothing changed; tokens do not cross over', async () => {
    const op = await signIn(base, 'quantri');
    await setupConference(base, 1, 1);
    const org = token('organizer', CONF);
    const VOLATILE = /^(bull|hb:|insts|lock:)/;
    const before = await stateHash(redis, env.prefix, VOLATILE);
    const codes = new Set<string>(ErrorCode.options);
    const refused = (r: { status: number; body: any }, what: string, status?: number) => {
      assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
      if (status) assert.equal(r.status, status, what);
      assert.equal(r.body.ok, false, what);
      assert.ok(codes.has(r.body.error.code), `${what}: typed code`);
      assert.ok(r.body.error.message.includes(' / '), `${what}: Vietnamese then English: ${r.body.error.message}`);
    };
    let checked = 0;
    const fill = (path: string, bad: boolean) => path.replace(':conf', bad ? 'BAD%20ID!' : CONF).replace(':username', bad ? 'Ü%2F..' : 'btc-test');
    for (const [name, d] of Object.entries(AccountRoutes) as [string, AccountRouteDef][]) {
      const method = d.method.toUpperCase();
      const auth = d.access === 'public' ? null : op.token;
      if (d.access !== 'public') {
        refused(await api(base, null, method, fill(d.path, false), d.body ? {} : undefined), `${name} without a session`, 401);
        refused(await api(base, org, method, fill(d.path, false), d.body ? {} : undefined), `${name} with an invitation token`, 401);
        checked += 2;
      }
      if (d.params) { refused(await api(base, auth, method, fill(d.path, true), d.body ? {} : undefined), `${name} bad params`, 400); checked++; }
      if (d.body) {
        const bads: unknown[] = ['{"broken json', '[]', '"chuỗi"', '42', { username: 5, password: [], code: '../..', id: 'BAD ID', archived: 'yes', conference: 'x', extra: 1 }, { ...{ username: 'a'.repeat(5000) } }];
        if (!d.body.safeParse({}).success) bads.push({});
        for (const b of bads) {
          refused(await api(base, auth, method, fill(d.path, false), b, { 'content-type': 'application/json' }), `${name} body ${JSON.stringify(b).slice(0, 60)}`, 400);
          checked++;
        }
      }
    }
    // a session token is not a conference token
    const cross = await api(base, op.token, 'GET', `/api/conferences/${CONF}`);
    assert.equal(cross.status, 401, 'session token on a conference route');
    assert.equal(cross.body.error.code, 'UNAUTHORIZED');
    assert.ok(checked > 40, `checked ${checked}`);
    assert.equal(await stateHash(redis, env.prefix, VOLATILE), before, 'nothing changed');
  });
});
