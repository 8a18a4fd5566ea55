// Locking an account (someone left the province office): its sessions end at
// once, the organizer token it opened stops working on the API and its open
// socket is closed, the right password then says "locked" (a wrong one says
// only "wrong"), its sign-in link and a new one are refused; unlocking lets it
// sign in again. Nobody locks their own account or the last unlocked
// operator; the host's `./diemcau admin lock/unlock` does the same. Bad input
// changes nothing. Real service, Redis and command line.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Session } from '../../signaling/accounts.js';
import { waitFor } from '../support/wait.js';
import { admin, createOperator, createOrganizer, PASSWORD, signIn } from './account-helpers.js';
import { api, CONF, connect, setupConference, testEnv, type Env } from './helpers.js';

let env: Env;
let base: string;
const A = '/api/account';

beforeAll(async () => {
  env = testEnv('account-lock');
  base = (await env.start()).url;
  await setupConference(base, 2, 2);
});
afterAll(async () => { await env?.cleanup(); });

const lock = (s: Session, username: string, locked: unknown) => api(base, s.token, 'POST', `${A}/accounts/${username}/lock`, { locked });
const accounts = async (s: Session) => (await api(base, s.token, 'GET', `${A}/accounts`)).body.data as { username: string; lockedAt?: number; lockedBy?: string }[];

test('a locked organizer is signed out everywhere, its organizer page is closed, and it cannot sign in until unlocked', async () => {
  const op = await createOperator(env.prefix, base, 'quantri');
  const org = await createOrganizer(base, op, CONF, 'btc.roi-di');
  const other = await signIn(base, 'btc.roi-di');
  const opened = (await api(base, org.token, 'POST', `${A}/conferences/${CONF}/open`)).body.data as { token: string };
  assert.equal((await api(base, opened.token, 'GET', `/api/conferences/${CONF}/snapshot`)).status, 200);
  const page = await connect(base, opened.token, 'organizer');
  const closed = new Promise((r) => page.once('disconnect', r));

  // bad input: typed errors, nothing locked
  for (const body of [{}, { locked: 'yes' }, { locked: true, extra: 1 }]) {
    const r = await api(base, op.token, 'POST', `${A}/accounts/btc.roi-di/lock`, body);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'BAD_REQUEST');
  }
  assert.equal((await lock(op, 'khong-co-ai', true)).status, 404);
  assert.equal((await lock(org, 'quantri', true)).status, 403, 'an organizer locks nobody');
  assert.equal((await accounts(op)).find((a) => a.username === 'btc.roi-di')!.lockedAt, undefined);

  const r = await lock(op, 'btc.roi-di', true);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.data.lockedBy, 'quantri');
  assert.ok(r.body.data.lockedAt > 0);
  // both sessions end, the organizer token is refused and its socket closed
  for (const s of [org, other]) assert.equal((await api(base, s.token, 'GET', `${A}/me`)).status, 401);
  await waitFor('the organizer token refused', async () => (await api(base, opened.token, 'GET', `/api/conferences/${CONF}/snapshot`)).status === 401, 5000);
  await closed;
  // the right password says locked, a wrong one only "wrong"
  const right = await api(base, null, 'POST', `${A}/sign-in`, { username: 'btc.roi-di', password: PASSWORD });
  assert.equal(right.status, 403);
  assert.match(right.body.error.message, /Tài khoản này đã bị khoá\. Hãy liên hệ người quản trị.*\/ This account is locked/);
  const wrong = await api(base, null, 'POST', `${A}/sign-in`, { username: 'btc.roi-di', password: 'khong-phai-mat-khau' });
  assert.equal(wrong.status, 401);
  assert.doesNotMatch(wrong.body.error.message, /khoá/);
  // no new link while locked
  const link = await api(base, op.token, 'POST', `${A}/accounts/btc.roi-di/link`);
  assert.equal(link.status, 409);
  assert.match(link.body.error.message, /đang bị khoá; hãy mở khoá trước/);
  // locking again changes nothing
  const again = await lock(op, 'btc.roi-di', true);
  assert.equal(again.body.data.lockedAt, r.body.data.lockedAt);

  // unlocked: the same password signs in again
  const u = await lock(op, 'btc.roi-di', false);
  assert.equal(u.status, 200);
  assert.equal(u.body.data.lockedAt, undefined);
  const back = await signIn(base, 'btc.roi-di');
  assert.equal((await api(base, back.token, 'GET', `${A}/me`)).status, 200);
  page.close();
});

test('an unused sign-in link stops working when its account is locked; nobody locks themselves or the last operator', async () => {
  const op = await signIn(base, 'quantri');
  const made = (await api(base, op.token, 'POST', `${A}/accounts`, { username: 'btc.chua-vao', role: 'organizer' })).body.data as { setupPath: string };
  const code = made.setupPath.split('#setup=')[1]!;
  assert.equal((await lock(op, 'btc.chua-vao', true)).status, 200);
  assert.equal((await api(base, null, 'POST', `${A}/setup/check`, { code })).status, 401);
  assert.equal((await api(base, null, 'POST', `${A}/setup`, { code, password: PASSWORD })).status, 401);
  await lock(op, 'btc.chua-vao', false);
  assert.equal((await api(base, null, 'POST', `${A}/setup/check`, { code })).status, 401, 'the old link stays used up after unlocking');

  const self = await lock(op, 'quantri', true);
  assert.equal(self.status, 409);
  assert.match(self.body.error.message, /không thể khoá tài khoản của chính mình/);
  // with two operators unlocked, one may lock the other
  const op2 = await createOperator(env.prefix, base, 'quantri2');
  assert.equal((await lock(op2, 'quantri', true)).status, 200);
  // now quantri2 is the last unlocked operator: the host's command refuses to lock it
  await assert.rejects(admin(env.prefix, base, 'lock', 'quantri2'), /người quản trị cuối cùng chưa bị khoá/);
  assert.equal((await api(base, op2.token, 'GET', `${A}/me`)).status, 200);
  // the host's command unlocks, and lists who is locked
  assert.match(await admin(env.prefix, base, 'list'), /^quantri\t.*\tđã khoá lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4} bởi quantri2/m);
  assert.match(await admin(env.prefix, base, 'unlock', 'quantri'), /Đã mở khoá tài khoản "quantri"/);
  assert.equal((await signIn(base, 'quantri')).username, 'quantri');
  assert.match(await admin(env.prefix, base, 'lock', 'btc.chua-vao'), /Đã khoá tài khoản "btc\.chua-vao"/);
  assert.equal((await accounts(op2)).find((a) => a.username === 'btc.chua-vao')!.lockedBy, 'may-chu');
});
