// The floor given to a district shows that district's video at a commune hall
// of another district: the technician console runs its link test, asks for the
// floor, the organizer gives it, the console sends its camera, the commune hall
// decodes it with the overlay naming the district. Real media nodes; the
// grant reaches the root node through the control service, not the page.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Cascade } from '../../infra/cascade.js';
import { freePort } from '../../infra/proc.js';
import { SPINE_NODES, hallView, waitDecoding } from '../e2e/harness.js';
import { startUi, waitFor, shot, HALL, type UiEnv } from './harness.js';

let env: UiEnv | undefined;
let cascade: Cascade | undefined;
beforeAll(async () => {
  const tokenSecret = randomBytes(24).toString('base64url');
  // the nodes report to the control service and take the floor from it
  const port = await freePort();
  cascade = await Cascade.start({ nodes: SPINE_NODES, tokenSecret, nodeSecret: randomBytes(24).toString('base64url'), logDir: 'test-artifacts/ui-floor-logs', controlUrl: `http://127.0.0.1:${port}` });
  await cascade.waitLinked(30_000);
  env = await startUi('floor', { tokenSecret, mediaNodes: cascade.urls, port });
});
afterAll(async () => {
  await env?.close();
  await cascade?.close();
});

test('link test, floor request, grant: the commune hall shows the district', async () => {
  const e = env!, c = cascade!;
  const district = 'ls-caoloc', commune = 'ls-trangdinh-01';

  const hall = await e.page(HALL);
  await hall.goto(e.link('hall', e.links.sites[commune]!.viewer, commune, { node: c.urlOfSite(commune) }));
  await hall.locator('#unmute').click();
  await hall.waitForSelector('#overlay [data-view]', { timeout: 20_000 });

  const tech = await e.page();
  await tech.goto(e.link('technician', e.links.sites[district]!.technician, district));
  await tech.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  // Pre-flight: devices, then the link test to the district's own node, recorded as the rehearsal.
  await tech.click('[data-testid=open-devices]');
  await tech.click('[data-testid=link-test]');
  await tech.waitForSelector('[role=progressbar]', { timeout: 15_000 });
  const result = tech.locator('[data-testid=link-result]');
  await result.waitFor({ timeout: 40_000 });
  assert.equal(await result.getAttribute('data-passed'), 'true', await result.innerText());
  const reh = await waitFor('rehearsal recorded', async () => {
    const r = await fetch(`${e.url}/api/conferences/ls-135/rehearsals?site=${district}`, { headers: { authorization: `Bearer ${e.links.organizer}` } });
    const j = await r.json() as { data: { site: string; passed: boolean; bitrateKbps?: number; rttMs?: number }[] };
    return j.data.find((x) => x.site === district);
  });
  assert.ok(reh.passed && (reh.bitrateKbps ?? 0) > 0 && reh.rttMs !== undefined);

  await tech.click('[data-testid=floor-request]');
  const org = await e.page();
  await org.goto(e.link('organizer', e.links.organizer));
  await org.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  const req = org.locator('#floor .btn-primary.btn-small').first();
  await req.waitFor({ timeout: 15_000 });
  await req.click();

  await waitFor('the console to send its camera', async () =>
    (await tech.locator('[data-testid=publish-phase]').getAttribute('data-phase').catch(() => null)) === 'publishing', 30_000);
  await waitFor('the commune programme to follow the floor', async () => (await hallView(hall)).programme?.floor === district, 30_000);
  const seen = await waitDecoding(hall, 'the commune decoding the district');
  assert.equal(seen.programme?.source, district);
  assert.ok(seen.stats!.video.framesDecoded > 0);
  assert.match(await hall.locator('[data-testid=hall-floor]').innerText(), /Cao Lộc/);
  // the screenshot shows moving video, not the first frame
  await waitDecoding(hall, 'the commune still decoding the district', 20_000, seen.stats!.video.framesDecoded + 20);
  await shot(hall, 'hall-floor-1920');
  // The console shows the node's live figures for its own stream.
  await tech.waitForSelector('[data-testid=stream-table]', { timeout: 15_000 });
  await shot(tech, 'technician-floor-1366');
  await org.click('.site-row[data-site=ls-caoloc] .name');
  await shot(org, 'organizer-floor-1366');

  // Taking it back: the hall leaves the district.
  await org.click('[data-testid=floor-take-back]');
  await waitFor('floor back at the centre', async () => (await hallView(hall)).programme?.floor === null, 30_000);
  await waitFor('the console to stop sending', async () => (await tech.locator('[data-testid=publish-phase]').count()) === 0, 15_000);
});
