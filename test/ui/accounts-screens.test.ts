// The operator page's account screens in Chromium: an operator (from
// `./diemcau admin create-operator`) creates an organizer account on the page
// (a wrong username is named and creates nothing), the organizer sets a
// password through the link shown, is added to a conference and sees it; the
// organizer changes the password (the current one required, bad input named,
// nothing changed), which ends the session on the other device, and the new
// password signs in. Locking an account signs it out and keeps it out until
// unlocked. Screenshots in test-artifacts/ui-accounts-*.png.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { admin, linkIn, PASSWORD } from '../control/account-helpers.js';
import { startUi, shot, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('accounts'); });
afterAll(async () => { await env?.close(); });

const NEW_PASSWORD = 'cau-mat-khau-moi-cua-btc';
const says = (p: Page, testid: string, re: RegExp) => p.locator(`[data-testid=${testid}]`, { hasText: re }).waitFor({ timeout: 10_000 });
/** The account list as the service has it, with the page's own session. */
async function accounts(p: Page): Promise<string[]> {
  const token = await p.evaluate(() => (JSON.parse(sessionStorage.getItem('diemcau.session') ?? 'null') as { token: string } | null)?.token);
  const r = await fetch(`${env.url}/api/account/accounts`, { headers: { authorization: `Bearer ${token}` } });
  return ((await r.json()) as { data: { username: string }[] }).data.map((a) => a.username);
}
async function setPasswordFrom(p: Page, url: string, password: string) {
  await p.goto(url);
  await p.locator('[data-testid=setup-who] strong').waitFor();
  await p.fill('input[name=new-password]', password);
  await p.fill('input[name=new-password-again]', password);
  await p.click('[data-testid=setup-submit]');
  await p.locator('[data-testid=who]').waitFor({ timeout: 15_000 });
}
async function signIn(p: Page, username: string, password: string) {
  await p.goto(`${env.url}/admin.html`);
  await p.fill('input[name=username]', username);
  await p.fill('input[name=password]', password);
  await p.click('[data-testid=signin-submit]');
}

test('an operator creates an organizer on the page; the organizer changes the password and the other session ends', async () => {
  const op = await env.page();
  op.on('dialog', (d) => void d.accept());
  await setPasswordFrom(op, linkIn(await admin(env.redisPrefix, env.url, 'create-operator', 'quantri')).url, PASSWORD);

  // create an organizer: a wrong username first
  await op.click('[data-testid=accounts-open]');
  await op.locator('[data-testid=accounts-list] [data-account=quantri]').waitFor();
  const before = await accounts(op);
  await op.fill('input[name=new-username]', 'Nguyễn Văn A');
  await op.click('[data-testid=account-create]');
  await says(op, 'accounts-error', /Hãy sửa ô “Tên đăng nhập”: 3–40 chữ thường không dấu.*Chưa tạo tài khoản nào/);
  assert.deepEqual(await accounts(op), before, 'a wrong username creates nothing');
  await op.fill('input[name=new-username]', 'btc.moi');
  await op.selectOption('select[name=new-role]', 'organizer');
  await op.click('[data-testid=account-create]');
  await op.locator('[data-testid=accounts-list] [data-account="btc.moi"]', { hasText: 'Chưa đăng nhập lần đầu' }).waitFor();
  const link = await op.locator('[data-testid=account-link-url]').inputValue();
  assert.match(link, new RegExp(`^${env.url}/admin\\.html#setup=`));
  await shot(op, 'accounts-created');
  // the same name again
  await op.fill('input[name=new-username]', 'btc.moi');
  await op.click('[data-testid=account-create]');
  await says(op, 'accounts-error', /Tài khoản "btc\.moi" đã có/);
  await op.keyboard.press('Escape');

  // the organizer sets a password through the link; no conference yet
  const org = await env.page();
  await setPasswordFrom(org, link, PASSWORD);
  await org.locator('[data-testid=list-empty]', { hasText: 'Bạn chưa được thêm vào hội nghị nào' }).waitFor();
  // the operator adds it to the demo conference; it sees the conference
  await op.locator('tr[data-conf=ls-135] [data-action=organizers]').click();
  await op.fill('[data-testid=organizers-dialog] input[name=organizer]', 'btc.moi');
  await op.click('[data-testid=organizer-add]');
  await op.locator('[data-testid=organizers-dialog] [data-organizer="btc.moi"]').waitFor();
  await op.keyboard.press('Escape');
  await org.reload();
  await org.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });

  // a second device signed in as the organizer
  const other = await env.page();
  await signIn(other, 'btc.moi', PASSWORD);
  await other.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });

  // change password: wrong current, too short, mismatch — each named, nothing changed
  await org.click('[data-testid=password-open]');
  await org.fill('input[name=old-password]', 'khong-phai-mat-khau');
  await org.fill('input[name=new-password]', NEW_PASSWORD);
  await org.fill('input[name=new-password-again]', NEW_PASSWORD);
  await org.click('[data-testid=password-submit]');
  await says(org, 'password-error', /Mật khẩu hiện tại chưa đúng nên chưa đổi gì/);
  await shot(org, 'accounts-password-wrong');
  await org.fill('input[name=old-password]', PASSWORD);
  await org.fill('input[name=new-password]', 'ngan');
  await org.fill('input[name=new-password-again]', 'ngan');
  await org.click('[data-testid=password-submit]');
  await says(org, 'password-error', /Hãy sửa ô “Mật khẩu mới”: cần ít nhất 10 ký tự\. Chưa đổi gì\./);
  await org.fill('input[name=new-password]', NEW_PASSWORD);
  await org.fill('input[name=new-password-again]', `${NEW_PASSWORD}x`);
  await org.click('[data-testid=password-submit]');
  await says(org, 'password-error', /Hãy sửa ô “Nhập lại mật khẩu mới”: hai lần nhập chưa giống nhau/);
  // still the old password: the other device is signed in
  await other.reload();
  await other.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });

  await org.fill('input[name=new-password-again]', NEW_PASSWORD);
  await org.click('[data-testid=password-submit]');
  await org.locator('.notice, [role=status]', { hasText: /Đã đổi mật khẩu\. 1 phiên đăng nhập ở nơi khác đã kết thúc\./ }).first().waitFor({ timeout: 10_000 });
  assert.equal(await org.locator('[data-testid=password-dialog]').count(), 0);
  await shot(org, 'accounts-password-changed');
  // this page stays signed in; the other device is sent to sign-in
  await org.reload();
  await org.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });
  await other.reload();
  await says(other, 'signin-note', /Phiên đăng nhập đã hết hạn/);
  // the old password no longer signs in, the new one does
  await signIn(other, 'btc.moi', PASSWORD);
  await says(other, 'signin-error', /Tên đăng nhập hoặc mật khẩu không đúng/);
  await signIn(other, 'btc.moi', NEW_PASSWORD);
  await other.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });

  // a forgotten password: the operator issues a new link; the organizer's sessions end
  await op.click('[data-testid=accounts-open]');
  await op.locator('[data-testid=accounts-list] [data-account="btc.moi"] [data-action=relink]').click();
  const relink = await op.locator('[data-testid=account-link-url]').inputValue();
  assert.notEqual(relink, link);
  await other.reload();
  await says(other, 'signin-note', /Phiên đăng nhập đã hết hạn/);
  await op.close(); await org.close(); await other.close();
});

test('an operator locks the account of someone who left: the signed-in page is sent to sign-in, the password says "locked"; unlocked, it signs in', async () => {
  const op = await env.page();
  op.on('dialog', (d) => void d.accept());
  await signIn(op, 'quantri', PASSWORD);
  await op.locator('[data-testid=who]').waitFor({ timeout: 15_000 });
  const left = await env.page();
  await signIn(left, 'btc.moi', NEW_PASSWORD);
  await left.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });

  await op.click('[data-testid=accounts-open]');
  // no lock button on your own row
  await op.locator('[data-testid=accounts-list] [data-account=quantri]').waitFor();
  assert.equal(await op.locator('[data-testid=accounts-list] [data-account=quantri] [data-action=lock]').count(), 0);
  await op.locator('[data-testid=accounts-list] [data-account="btc.moi"] [data-action=lock]').click();
  await op.locator('[data-testid=accounts-list] [data-account="btc.moi"] [data-testid=account-locked]', { hasText: /Đã khoá lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/ }).waitFor({ timeout: 10_000 });
  await shot(op, 'accounts-locked');

  await left.reload();
  await says(left, 'signin-note', /Phiên đăng nhập đã hết hạn/);
  await signIn(left, 'btc.moi', NEW_PASSWORD);
  await says(left, 'signin-error', /Tài khoản này đã bị khoá\. Hãy liên hệ người quản trị của đơn vị để được mở khoá\./);
  await shot(left, 'accounts-locked-sign-in');

  await op.locator('[data-testid=accounts-list] [data-account="btc.moi"] [data-action=unlock]').click();
  await op.locator('[data-testid=accounts-list] [data-account="btc.moi"] [data-action=lock]').waitFor({ timeout: 10_000 });
  await signIn(left, 'btc.moi', NEW_PASSWORD);
  await left.locator('tr[data-conf=ls-135]').waitFor({ timeout: 10_000 });
  await op.close(); await left.close();
});
