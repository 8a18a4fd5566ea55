// A material uploaded by the organizer shows as delivered once a hall's
// console has downloaded it, verified its sha256 and kept it for offline use.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startUi, waitFor, shot, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('materials'); });
afterAll(async () => { await env?.close(); });

test('upload → console downloads and verifies → delivered in the matrix', async () => {
  const site = 'ls-trangdinh-01';
  const tech = await env.page();
  await tech.goto(env.link('technician', env.links.sites[site]!.technician, site));
  await tech.waitForSelector('[data-connection=online]', { timeout: 20_000 });

  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#materials`);
  await org.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  const body = randomBytes(3 * 1024 * 1024);
  const sha = createHash('sha256').update(body).digest('hex');
  await org.fill('#materials input:not([type])', 'Tham luận huyện Tràng Định');
  await org.setInputFiles('[data-testid=material-file]', { name: 'tham-luan-trang-dinh.pdf', mimeType: 'application/pdf', buffer: body });
  await org.click('[data-testid=material-upload]');
  const row = org.locator('tr[data-material]', { hasText: 'Tham luận huyện Tràng Định' });
  await row.waitFor({ timeout: 20_000 });
  const id = await row.getAttribute('data-material');
  assert.ok(id);

  // The console fetched it with progress, checked the hash and cached it.
  const card = tech.locator(`[data-material="${id}"]`);
  await waitFor('the console to cache the material', async () => (await card.getAttribute('data-local')) === 'cached', 30_000);
  assert.match(await card.innerText(), new RegExp(sha.slice(0, 16)));
  const cached = await tech.evaluate(async (mid) => {
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      for (const req of await c.keys()) {
        if (!req.url.includes(`/${mid}/`)) continue;
        const buf = await (await c.match(req))!.arrayBuffer();
        const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
        return { size: buf.byteLength, sha: Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('') };
      }
    }
    return null;
  }, id);
  assert.deepEqual(cached, { size: body.length, sha });
  await shot(tech, 'technician-materials-1366');

  // The organizer sees it delivered for that site (matrix filtered to the district).
  await org.click('.site-row[data-site=ls-trangdinh] .name');
  const cell = org.locator(`.vrow [data-site="${site}"] .mcell[data-material="${id}"]`);
  await waitFor('delivered in the matrix', async () => (await cell.getAttribute('data-state')) === 'delivered', 30_000);
  assert.ok(Number(await row.locator('[data-count=delivered]').innerText()) >= 1);
  await shot(org, 'organizer-materials-1366');

  // The service agrees.
  const r = await fetch(`${env.url}/api/conferences/ls-135/materials/${id}/deliveries`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  const j = await r.json() as { data: { deliveries: { site: string; state: string }[] } };
  assert.equal(j.data.deliveries.find((d) => d.site === site)?.state, 'delivered');
});
