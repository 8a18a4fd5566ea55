// The organizer starts an agenda item and every hall shows it; a technician
// enters a headcount and the organizer's roll-up changes; a delegate checks in
// and out; the language switch works. Real service, real Redis, real Chromium.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startUi, waitFor, shot, HALL, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('conference'); });
afterAll(async () => { await env?.close(); });

const online = (p: Page) => p.waitForSelector('[data-connection=online]', { timeout: 20_000 });
const text = (p: Page, sel: string) => p.locator(sel).first().innerText();

test('the organizer starts an agenda item and every hall shows it', async () => {
  const org = await env.page();
  await org.goto(env.link('organizer', env.links.organizer));
  await online(org);
  const halls: Page[] = [];
  for (const site of ['ls-trangdinh-01', 'ls-vanlang', 'ls']) {
    const h = await env.page(HALL);
    await h.goto(env.link('hall', env.links.sites[site]!.viewer, site));
    halls.push(h);
  }
  // Before the start every hall shows the maket banner with its own site name.
  for (const h of halls) {
    await h.waitForSelector('#overlay [data-view=maket]', { timeout: 20_000 });
    assert.match(await text(h, '#overlay'), /HỘI NGHỊ/);
  }
  assert.match(await text(halls[0]!, '[data-testid=hall-site]'), /Xã|Tràng Định/);
  await shot(halls[0]!, 'hall-maket-1920');

  await org.click('[data-testid=agenda-next]');
  const first = await waitFor('a running item on the dashboard', async () => {
    const t = await text(org, '[data-testid=current-item]');
    return /^1\./.test(t) ? t : null;
  });
  for (const h of halls) {
    await h.waitForSelector('#overlay [data-view=programme] [data-testid=hall-item]', { timeout: 15_000 });
    const shown = await text(h, '[data-testid=hall-item]');
    assert.ok(first.includes(shown.split('\n').find((l) => l.length > 20)!.slice(0, 30)), `hall shows "${shown}", dashboard "${first}"`);
  }
  await shot(halls[0]!, 'hall-programme-1920');
  await shot(org, 'organizer-agenda-1366');

  // Next: item 2 replaces item 1 everywhere; ending it brings the maket back between items.
  await org.click('[data-testid=agenda-next]');
  for (const h of halls) await waitFor('item 2 on the hall', async () => /^2/.test(await text(h, '.dc-num')));
  await org.click('[data-testid=agenda-end]');
  for (const h of halls) await h.waitForSelector('#overlay [data-view=maket]', { timeout: 15_000 });
  assert.match(await text(halls[1]!, '[data-testid=hall-status]'), /Tiếp theo/);
  assert.match(await org.locator('tr[data-item] >> nth=0').innerText(), /Đã xong/);
});

test('a technician enters a headcount and the organizer roll-up changes', async () => {
  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#attendance`);
  await online(org);
  await org.click('.bar-row[data-site=ls-trangdinh]');
  const before = Number((await text(org, '[data-testid=sel-present]')).replace(/\D/g, ''));
  const rootBefore = Number((await text(org, '[data-testid=root-present]')).replace(/\D/g, ''));

  const tech = await env.page();
  await tech.goto(env.link('technician', env.links.sites['ls-trangdinh-01']!.technician, 'ls-trangdinh-01'));
  await online(tech);
  const inputs = tech.locator('#headcount input[data-group]');
  await waitFor('headcount inputs', async () => (await inputs.count()) > 0);
  const n = await inputs.count();
  let entered = 0;
  for (let i = 0; i < n; i++) {
    const v = 7 + i * 3;
    await inputs.nth(i).fill(String(v));
    entered += v;
  }
  await tech.click('[data-testid=headcount-save]');
  await tech.waitForSelector('.notice-ok', { timeout: 10_000 });

  const after = await waitFor('the district roll-up to change', async () => {
    const v = Number((await text(org, '[data-testid=sel-present]')).replace(/\D/g, ''));
    return v === before + entered ? v : null;
  });
  assert.equal(after, before + entered);
  await waitFor('the province roll-up to change', async () =>
    Number((await text(org, '[data-testid=root-present]')).replace(/\D/g, '')) === rootBefore + entered);
  // The chart bar of the district now shows a non-zero share.
  assert.doesNotMatch(await text(org, '.bar-row[data-site=ls-trangdinh] .bar-value'), /^0%/);
  await shot(org, 'organizer-attendance-1366');
  await shot(tech, 'technician-headcount-1366');

  // The roll-up leaves as a CSV export with the new figures.
  const [download] = await Promise.all([org.waitForEvent('download'), org.click('[data-export=att-csv]')]);
  const csv = await import('node:fs/promises').then(async (fs) => fs.readFile((await download.path())!, 'utf8'));
  assert.match(download.suggestedFilename(), /^diem-danh_ls-135_\d{2}-\d{2}-\d{4}\.csv$/);
  assert.match(csv, /ls-trangdinh-01/);

  // An incident reported at the hall reaches the organizer's inbox and is handled there.
  await tech.fill('[data-testid=incident-title]', 'Mất tiếng từ điểm cầu tỉnh');
  await tech.click('#incident button[type=submit]');
  await org.click('[data-tab=incidents]');
  const inc = org.locator('[data-incident]', { hasText: 'Mất tiếng từ điểm cầu tỉnh' });
  await inc.waitFor({ timeout: 10_000 });
  assert.match(await inc.innerText(), /Xã số 01/);
  await inc.locator('input').fill('Đã kiểm tra lại bộ trộn âm');
  await inc.locator('button').click();
  await waitFor('handled', async () => /Đã xử lý/.test(await inc.innerText()));
  await waitFor('the technician sees it handled', async () => /Đã xử lý/.test(await tech.locator('#incident').innerText()));
  await shot(org, 'organizer-incidents-1366');
});

test('a delegate checks in and out at a commune', async () => {
  const p = await env.page({ width: 420, height: 860 });
  const site = 'ls-trangdinh-01';
  await p.goto(env.link('checkin', env.links.sites[site]!.participant, site));
  await online(p);
  await p.locator('.choice').first().click();
  await p.fill('[data-testid=checkin-name]', 'Nguyễn Văn Ân');
  await p.click('[data-testid=checkin-submit]');
  const card = p.locator('[data-checkin]').first();
  await card.waitFor({ timeout: 10_000 });
  assert.match(await card.innerText(), /Nguyễn Văn Ân/);
  await shot(p, 'checkin-phone');
  await card.getByRole('button').click();
  await waitFor('checked out', async () => /Đã ra về/.test(await card.innerText()));
  // The service holds the check-in with both times.
  const r = await fetch(`${env.url}/api/conferences/ls-135/checkins?site=${site}`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  const body = await r.json() as { ok: boolean; data: { name: string; outAt?: number }[] };
  const mine = body.data.find((c) => c.name === 'Nguyễn Văn Ân');
  assert.ok(mine && mine.outAt, 'check-in recorded with a check-out time');
});

test('the dashboard switches to English and keeps dd/mm/yyyy', async () => {
  const org = await env.page();
  await org.goto(env.link('organizer', env.links.organizer));
  await online(org);
  await org.click('button.lang');
  await waitFor('English tabs', async () => /Control room/.test(await text(org, '.tabs')));
  assert.match(await text(org, '.conf-title'), /\d{2}\/\d{2}\/\d{4}/);
  await org.click('[data-tab=invitations]');
  await org.click('.site-row[data-site=ls-caoloc] .name');
  await org.click('[data-invite=participant]');
  await org.waitForSelector('#invite-qr .qr svg', { timeout: 10_000 });
  await shot(org, 'organizer-invitations-en-1366');
  // Revoking the link closes what used it.
  const jti = await org.locator('tr[data-jti]').first().getAttribute('data-jti');
  assert.ok(jti);
  org.once('dialog', (d) => void d.accept());
  await org.locator(`tr[data-jti="${jti}"] .btn-danger`).click();
  await waitFor('revoked mark', async () => /revoked/.test(await org.locator(`tr[data-jti="${jti}"]`).innerText()));
});
