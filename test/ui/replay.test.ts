// Replay ("học tập lại") in Chromium: a commune's technician reports a replay
// session from the console (a refused date shows the service's sentence, nothing
// is stored), the organizer's attendance view shows it beside the live figure.
// Real service, real Redis, real Chromium.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ReplaySession } from '../../signaling/recording.js';
import { startUi, waitFor, shot, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('replay'); });
afterAll(async () => { await env?.close(); });

const COMMUNE = 'ls-trangdinh-01';
const online = (p: Page) => p.waitForSelector('[data-connection=online]', { timeout: 20_000 });
const text = (p: Page, sel: string) => p.locator(sel).first().innerText();
const vnDmy = (offsetDays = 0) => {
  const d = new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10).split('-');
  return `${d[2]}/${d[1]}/${d[0]}`;
};
async function replays(): Promise<ReplaySession[]> {
  const r = await fetch(`${env.url}/api/conferences/${env.links.conference}/replays`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  return ((await r.json()) as { data: ReplaySession[] }).data;
}

test('a commune technician reports a replay session; the organizer sees it beside the live figure', async () => {
  const tech = await env.page({ width: 1366, height: 1100 });
  await tech.goto(env.link('technician', env.links.sites[COMMUNE]!.technician, COMMUNE));
  await online(tech);
  await tech.waitForSelector('[data-testid=replay-form]');
  assert.equal(await tech.inputValue('[data-testid=replay-date]'), vnDmy(), "today's date, dd/mm/yyyy in Vietnam time");
  assert.ok(await tech.isDisabled('[data-testid=replay-submit]'), 'nothing to send before a headcount');

  await tech.click('[data-testid=replay-some]');
  await tech.check('[data-testid=replay-form] input[data-item=nd-1]');
  await tech.check('[data-testid=replay-form] input[data-item=nd-2]');
  await tech.fill('input[data-replay-group=xa-1]', '20');
  await tech.fill('input[data-replay-group=xa-2]', '7');
  assert.equal(await text(tech, '[data-testid=replay-total]'), '27');
  await tech.selectOption('[data-testid=replay-source]', 'materials');
  await tech.fill('[data-testid=replay-note]', 'Học tập lại tại hội trường UBND xã');

  // a day in the future: refused with the service's own sentence, nothing stored
  await tech.fill('[data-testid=replay-date]', vnDmy(3));
  await tech.click('[data-testid=replay-submit]');
  const err = await tech.waitForSelector('[data-testid=replay-error]', { timeout: 10_000 });
  assert.match(await err.innerText(), /tương lai/);
  assert.deepEqual(await replays(), []);

  await tech.fill('[data-testid=replay-date]', vnDmy(-1));
  await tech.click('[data-testid=replay-submit]');
  await tech.waitForSelector('[data-testid=replay-history] [data-replay-id]', { timeout: 10_000 });
  const stored = await replays();
  assert.equal(stored.length, 1);
  const [y, m, d] = new Date(Date.now() + 7 * 3600_000 - 86_400_000).toISOString().slice(0, 10).split('-');
  assert.deepEqual({ site: stored[0]!.site, date: stored[0]!.date, items: stored[0]!.items, counts: stored[0]!.counts, source: stored[0]!.source, note: stored[0]!.note },
    { site: COMMUNE, date: `${y}-${m}-${d}`, items: ['nd-1', 'nd-2'], counts: { 'xa-1': 20, 'xa-2': 7, 'xa-3': 0 }, source: 'materials', note: 'Học tập lại tại hội trường UBND xã' });
  assert.match(await text(tech, '[data-testid=replay-history]'), new RegExp(`${d}/${m}/${y} — Nội dung 1, 2 · 27 người · Tài liệu`));
  await tech.locator('#replay').scrollIntoViewIfNeeded();
  await shot(tech, 'replay-technician-form');

  // the organizer: replay total beside the live one, in the subtree of the district too
  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#attendance`);
  await online(org);
  await waitFor('the replay total on the dashboard', async () => (await text(org, '[data-testid=root-replay]')) === '27');
  const live = Number((await text(org, '[data-testid=root-present]')).replace(/\D/g, ''));
  await org.click('.bar-row[data-site=ls-trangdinh]');
  await waitFor('the district replay figure', async () => (await text(org, '[data-testid=sel-replay]')) === '27');
  assert.equal(await text(org, 'tr[data-group=xa-1] td[data-replay=xa-1]'), '20');
  assert.match(await text(org, '[data-testid=replay-list]'), /Nội dung 1, 2/);
  // a second session pushed while the dashboard is open
  const r = await fetch(`${env.url}/api/conferences/${env.links.conference}/replays`, {
    method: 'POST', headers: { authorization: `Bearer ${env.links.sites['ls-trangdinh-02']!.technician}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'ls-trangdinh-02', date: `${y}-${m}-${d}`, items: 'all', counts: { 'xa-1': 5 } }),
  });
  assert.equal(r.status, 200);
  await waitFor('the pushed replay session', async () => (await text(org, '[data-testid=sel-replay]')) === '32');
  assert.equal(Number((await text(org, '[data-testid=root-present]')).replace(/\D/g, '')), live, 'the live figure did not move');
  await shot(org, 'replay-organizer-attendance');
});
