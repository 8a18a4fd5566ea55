// The studio publishes its (fake) camera at the centre; a commune hall three
// hops down (centre → langson → d-trangdinh) decodes the video and receives
// the audio; a province hall one hop down does too.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, hallView, startSpine, studioPhase, waitDecoding, waitFor, type Spine } from './harness.js';

let spine: Spine;
beforeAll(async () => { spine = await startSpine('e2e-spine'); });
afterAll(async () => { await spine?.close(); });

test('studio at the centre reaches a commune hall three hops down', async () => {
  const studio = await spine.page();
  await studio.goto(spine.studioUrl());
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing');
  const layers = await waitFor('three simulcast layers leaving the studio', () =>
    studio.evaluate(async () => {
      const s = await (window as unknown as { __studio: { stats(): Promise<{ video: { layers: number } } | null> } }).__studio.stats();
      return s && s.video.layers >= 3 ? s.video.layers : 0;
    }));
  assert.equal(layers, 3);

  const commune = await spine.page();
  await commune.goto(spine.hallUrl('ls-trangdinh-01'));
  assert.equal(spine.cascade.nodeOfSite('ls-trangdinh-01'), 'd-trangdinh');
  await commune.getByRole('button', { name: /Bấm để bật âm thanh/ }).click();
  const seen = await waitDecoding(commune, 'commune hall decoding the studio');
  assert.equal(seen.phase, 'playing');
  assert.equal(seen.programme?.source, 'tw');
  // the invitation token left the address bar once read; a reload of the tab still plays
  assert.equal(new URL(commune.url()).searchParams.get('token'), null);
  assert.equal(new URL(commune.url()).searchParams.get('site'), 'ls-trangdinh-01');
  assert.ok(seen.stats!.video.framesDecoded > 0);
  assert.ok(seen.stats!.audio.packetsReceived > 0);
  assert.equal(seen.stats!.protocol, 'udp');
  // the studio keeps sending VP8 simulcast although the routers also take H.264 (ingests)
  assert.equal(seen.stats!.video.codec, 'video/VP8');
  // Frames keep coming (not a single keyframe).
  const later = await waitDecoding(commune, 'more frames', 15_000, seen.stats!.video.framesDecoded + 10);
  assert.ok(later.stats!.video.frameWidth > 0);
  assert.equal(await commune.evaluate(() => (window as unknown as { __hall: { soundOn: boolean } }).__hall.soundOn), true);
  assert.equal(await commune.locator('#unmute').isVisible(), false);
  await commune.screenshot({ path: join(ARTIFACTS, 'e2e-commune-hall.png') });

  const province = await spine.page();
  await province.goto(spine.hallUrl('ls'));
  const p = await waitDecoding(province, 'province hall decoding the studio');
  assert.equal(p.programme?.source, 'tw');
  // Before the click the page stays muted and invites the click, in both languages.
  assert.equal(await province.locator('#unmute').isVisible(), true);
  assert.match(await province.locator('#unmute').innerText(), /Bấm để bật âm thanh[\s\S]*Click to start sound/);
  await studio.screenshot({ path: join(ARTIFACTS, 'e2e-studio.png') });
});

test('a hall with a bad token shows a friendly message, not an error', async () => {
  const page = await spine.page();
  await page.goto(`${spine.cascade.urlOfSite('ls-trangdinh-01')}/hall.html?site=ls-trangdinh-01&token=not-a-token`);
  await waitFor('unauthorized phase', async () => (await hallView(page)).phase === 'unauthorized', 15_000);
  const text = await page.locator('#status').innerText();
  assert.match(text, /Đường dẫn không hợp lệ/);
  assert.match(text, /invalid or has expired/);
});

test('a hall over TCP only (tcp=1) decodes too', async () => {
  // The studio from the first test is still on air.
  const page = await spine.page();
  await page.goto(`${spine.hallUrl('ls-caoloc-01')}&tcp=1`);
  const v = await waitDecoding(page, 'TCP-only hall decoding');
  assert.equal(v.stats!.protocol, 'tcp');
  assert.equal(v.programme?.source, 'tw');
});
