// The hall display recovers by itself: the control service goes away and comes
// back; the overlay reconnects, resubscribes and follows the agenda again,
// without ever putting an error text on the screen.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { startUi, waitFor, shot, HALL, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('reconnect'); });
afterAll(async () => { await env?.close(); });

async function api(method: string, path: string, body?: unknown) {
  const r = await fetch(`${env.url}/api/conferences/ls-135${path}`, {
    method, headers: { authorization: `Bearer ${env.links.organizer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json() as { ok: boolean; data: any };
  assert.ok(j.ok, JSON.stringify(j));
  return j.data;
}

test('the hall overlay reconnects after the control service restarts', async () => {
  const site = 'ls-bacson';
  const hall = await env.page(HALL);
  await hall.goto(env.link('hall', env.links.sites[site]!.viewer, site));
  await hall.waitForSelector('#overlay [data-view=maket]', { timeout: 20_000 });
  assert.equal(await hall.locator('.dc-conn').count(), 0);

  const sawDown = waitFor('the overlay to notice the loss', async () => (await hall.locator('.dc-conn').count()) === 1, 20_000, 100);
  await env.restartControl(2500);
  await sawDown;
  // The maket stayed on screen while the service was away.
  assert.equal(await hall.locator('#overlay [data-view=maket]').count(), 1);
  // Back up: the overlay resubscribes on its own (the disconnection mark goes away).
  await waitFor('the overlay to reconnect', async () => (await hall.locator('.dc-conn').count()) === 0 && (await hall.locator('#overlay [data-view]').count()) === 1, 30_000);

  await api('POST', '/state', { state: 'live' });
  const agenda = await api('GET', '/agenda');
  const item = agenda.items[2];
  await api('POST', `/agenda/${item.id}/start`);
  await hall.waitForSelector(`#overlay [data-testid=hall-item][data-item="${item.id}"]`, { timeout: 20_000 });
  assert.match(await hall.locator('#overlay').innerText(), new RegExp(item.presenter));
  // Nothing that reads like a developer error ever reached the screen.
  assert.doesNotMatch(await hall.locator('body').innerText(), /Error|undefined|null|Exception|stack/i);
  await shot(hall, 'hall-after-reconnect-1920');
});
