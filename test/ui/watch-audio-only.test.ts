// The organizer's tree and site card say "Chỉ có tiếng" beside "Đang xem" for a site whose hall
// gets sound only on a weak link (its media node reports it over a real control link), and the
// "not playing" filter does not list it: the hall hears the conference.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { MediaLinkEvents } from '../../signaling/control-media.js';
import type { Site } from '../../signaling/control.js';
import { signToken } from '../../signaling/token.js';
import type { HallEndpoint } from '../../signaling/watching.js';
import { linkNode } from '../control/recording-support.js';
import { shot, startUi, waitFor, type UiEnv } from './harness.js';

const CONF = 'ls-135';
const SITE = 'ls-trangdinh-01';
const NODE_SECRET = randomBytes(16).toString('hex');
let env: UiEnv;
let node: Socket | undefined;
let timer: NodeJS.Timeout | undefined;

beforeAll(async () => { env = await startUi('watch-audio', { nodeSecret: NODE_SECRET }); }, 120_000);
afterAll(async () => {
  clearInterval(timer);
  node?.close();
  await env?.close();
});

test('a sound-only hall shows as playing, audio only, and stays out of the not-playing list', { timeout: 90_000 }, async () => {
  const r = await fetch(`${env.url}/api/conferences/${CONF}/sites`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  const site = ((await r.json()) as { data: Site[] }).data.find((s) => s.id === SITE)!;
  assert.ok(site, `${SITE} in the demo conference`);
  node = await linkNode(env.url, signToken(NODE_SECRET, { role: 'node', conf: '*', site: site.mediaNode, ttlSeconds: 600 }));
  const hall: HallEndpoint = { id: 'hall-1', conf: CONF, site: SITE, since: Date.now(), state: 'connected', fps: 0, bitrateKbps: 38, lossPct: 3, rttMs: 260, layer: 0, audioOnly: true };
  // a node reports every second while it has halls
  const send = () => node!.emit(MediaLinkEvents.halls, { nodeId: site.mediaNode, halls: [hall] }, () => undefined);
  send();
  timer = setInterval(send, 1000);

  const org = await env.page();
  await org.goto(env.link('organizer', env.links.organizer));
  await org.fill('input[type=search]', SITE);
  const row = org.locator(`[data-site="${SITE}"]`);
  await waitFor('the row playing, audio only', async () => (await row.locator('.watch-audio').getAttribute('data-watch').catch(() => null)) === 'playing', 20_000);
  assert.equal(await row.locator('.watch').innerText(), 'Chỉ có tiếng');
  assert.match(await row.locator('.watch').getAttribute('title') ?? '', /^Đang xem — chỉ có tiếng, đường truyền yếu — 0 fps · 38 kbit\/s/);
  // the site card beside the tree
  await row.locator('button.name').click();
  await waitFor('the card audio only', async () => (await org.locator('[data-testid=site-audio-only]').count()) === 1, 10_000);
  assert.match(await org.locator('[data-testid=site-watch]').innerText(), /Đang xem[\s\S]*Chỉ có tiếng[\s\S]*38 kbit\/s/);
  await shot(org, 'watch-audio-only');
  // it hears the conference: not a problem for the "not playing" filter
  await org.locator('[data-testid=not-playing]').check();
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(await row.count(), 0, 'a sound-only hall is not in the not-playing list');
});
