// The operator page in Chromium: the one-time link from `./diemcau admin
// create-operator` sets the password, the list shows the demo conference, the
// operator creates a conference through the form (a wrong field is named
// first), duplicates and archives it, adds an organizer (its link shown),
// opens the organizer app, signs out; a wrong password and a used link are
// explained. Screenshots of each state in test-artifacts/ui-admin-*.png.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { admin, linkIn, PASSWORD } from '../control/account-helpers.js';
import { startUi, shot, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('admin'); });
afterAll(async () => { await env?.close(); });

const row = (p: Page, conf: string) => p.locator(`tr[data-conf="${conf}"]`);

test('an operator signs in from the one-time link and creates a conference through the page', async () => {
  const { code, url } = linkIn(await admin(env.redisPrefix, env.url, 'create-operator', 'quantri'));
  const page = await env.page();
  page.on('dialog', (d) => void d.accept());

  // the page without a session: sign-in
  await page.goto(`${env.url}/admin.html`);
  await page.waitForSelector('[data-testid=signin-submit]');
  assert.match(await page.locator('h1').innerText(), /Đăng nhập/);
  await shot(page, 'admin-signin');

  // the one-time link: set the password (two different ones are refused first)
  await page.goto(url);
  await page.locator('[data-testid=setup-who]', { hasText: 'quantri' }).waitFor();
  await page.fill('input[name=new-password]', PASSWORD);
  await page.fill('input[name=new-password-again]', `${PASSWORD}x`);
  await page.click('[data-testid=setup-submit]');
  assert.match(await page.locator('[data-testid=setup-error]').innerText(), /Hai lần nhập mật khẩu chưa giống nhau/);
  await shot(page, 'admin-set-password');
  await page.fill('input[name=new-password-again]', PASSWORD);
  await page.click('[data-testid=setup-submit]');

  // the list: the demo conference, and no code left in the address bar
  await row(page, 'ls-135').waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).hash, '');
  assert.match(await page.locator('[data-testid=who]').innerText(), /quantri · Quản trị/);
  assert.match(await row(page, 'ls-135').innerText(), /135-KH\/TU/);
  await shot(page, 'admin-list');

  // create: a wrong code is named, then the conference appears as a draft
  await page.click('[data-testid=create-open]');
  await page.fill('[data-testid=create-dialog] input[name=title]', 'Hội nghị học tập Nghị quyết Đại hội XIV của Đảng');
  await page.fill('[data-testid=create-dialog] input[name=id]', 'HN Tháng 3');
  await page.fill('[data-testid=create-dialog] input[name=planNumber]', '210-KH/TU');
  await page.fill('[data-testid=create-dialog] input[name=date]', '2026-03-12');
  await page.fill('[data-testid=create-dialog] input[name=time]', '07:30');
  await page.fill('[data-testid=create-dialog] input[name=reportsTo]', 'Ban Tuyên giáo và Dân vận Trung ương');
  await page.fill('[data-testid=create-dialog] input[name=rootName]', 'Hội trường Tỉnh uỷ Lạng Sơn');
  await page.fill('[data-testid=create-dialog] input[name=rootSite]', 'ls');
  assert.equal(await page.inputValue('[data-testid=create-dialog] input[name=deadline]'), '2026-03-15', 'the deadline follows the date');
  await page.click('[data-testid=create-submit]');
  assert.match(await page.locator('[data-testid=create-error]').innerText(), /Hãy sửa ô “Mã hội nghị”: chỉ chữ thường không dấu/);
  await shot(page, 'admin-create-error');
  await page.fill('[data-testid=create-dialog] input[name=id]', 'hn-2026-03');
  await page.click('[data-testid=create-submit]');
  await row(page, 'hn-2026-03').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('[data-testid=create-dialog]').count(), 0);
  const created = await row(page, 'hn-2026-03').innerText();
  assert.match(created, /Hội nghị học tập Nghị quyết Đại hội XIV/);
  assert.match(created, /07:30 12\/03\/2026/);
  assert.match(created, /Bản nháp/);

  // duplicate it for the next month
  await row(page, 'hn-2026-03').locator('[data-action=duplicate]').click();
  await page.fill('[data-testid=duplicate-dialog] input[name=id]', 'hn-2026-04');
  await page.fill('[data-testid=duplicate-dialog] input[name=date]', '2026-04-09');
  await page.click('[data-testid=duplicate-submit]');
  await row(page, 'hn-2026-04').waitFor({ timeout: 10_000 });
  assert.match(await row(page, 'hn-2026-04').innerText(), /07:30 09\/04\/2026/);

  // an organizer account: its one-time link is shown to send
  await row(page, 'hn-2026-04').locator('[data-action=organizers]').click();
  await page.fill('[data-testid=organizers-dialog] input[name=organizer]', 'btc.langson');
  await page.click('[data-testid=organizer-add]');
  const link = await page.locator('[data-testid=setup-link-url]').inputValue();
  assert.match(link, new RegExp(`^${env.url}/admin\\.html#setup=`));
  assert.match(await page.locator('[data-testid=setup-link]').innerText(), /chỉ dùng được một lần, hết hạn lúc \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
  await shot(page, 'admin-organizers');
  await page.keyboard.press('Escape');
  await row(page, 'hn-2026-04').locator('td', { hasText: 'btc.langson' }).waitFor();

  // archive the March one: it leaves the list, the switch shows it again
  await row(page, 'hn-2026-03').locator('[data-action=archive]').click();
  await row(page, 'hn-2026-03').waitFor({ state: 'detached', timeout: 10_000 });
  await page.check('[data-testid=show-archived]');
  assert.equal(await row(page, 'hn-2026-03').getAttribute('data-status'), 'archived');
  assert.match(await row(page, 'hn-2026-03').innerText(), /Đã lưu trữ/);
  await shot(page, 'admin-list-archived');

  // English second
  await page.click('button.lang');
  assert.match(await row(page, 'hn-2026-03').innerText(), /Archived/);
  await shot(page, 'admin-list-en');
  await page.click('button.lang');

  // open: the organizer app of that conference, with a token minted for the session
  await row(page, 'hn-2026-04').locator('[data-action=open]').click();
  await page.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  assert.match(new URL(page.url()).pathname, /organizer\.html$/);
  assert.match(await page.locator('.conf-title').innerText(), /210-KH\/TU Hội nghị học tập/);
  await page.goBack();
  await row(page, 'hn-2026-04').waitFor({ timeout: 10_000 });

  // sign out; a wrong password is explained; the used link says so
  await page.click('[data-testid=sign-out]');
  assert.match(await page.locator('[data-testid=signin-note]').innerText(), /Bạn đã đăng xuất/);
  await page.fill('input[name=username]', 'quantri');
  await page.fill('input[name=password]', 'khong-phai-mat-khau');
  await page.click('[data-testid=signin-submit]');
  assert.match(await page.locator('[data-testid=signin-error]').innerText(), /Tên đăng nhập hoặc mật khẩu không đúng\. Hãy kiểm tra rồi nhập lại\./);
  await shot(page, 'admin-wrong-password');
  await page.goto(`${env.url}/admin.html#setup=${code}`);
  assert.match(await page.locator('[data-testid=setup-error]').innerText(), /đã được dùng hoặc đã hết hạn\. Hãy xin người quản trị một liên kết mới\./);
  await shot(page, 'admin-link-used');
  await page.click('[data-testid=to-signin]');
  await page.fill('input[name=username]', 'quantri');
  await page.fill('input[name=password]', PASSWORD);
  await page.press('input[name=password]', 'Enter');
  await row(page, 'hn-2026-04').waitFor({ timeout: 10_000 });
});
