// The floor: a district (Cao Lộc) takes the floor from its contributor page;
// a commune of another district (Tràng Định) switches to it by itself, keeps
// it when the studio goes away, shows "waiting" when the floor is taken back
// with no studio on air, and picks the studio up again when it returns.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MediaRoutes, Programme } from '../../signaling/media.js';
import { ARTIFACTS, CONF, hallView, startSpine, studioPhase, waitDecoding, waitFor, type Spine } from './harness.js';

let spine: Spine;
beforeAll(async () => { spine = await startSpine('e2e-floor'); });
afterAll(async () => { await spine?.close(); });

async function setFloor(site: string | null): Promise<Programme> {
  const res = await fetch(`${spine.cascade.urls.centre}${MediaRoutes.floor}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${decodeURIComponent(spine.token('organizer'))}` },
    body: JSON.stringify({ site }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return Programme.parse(await res.json());
}

test('a district takes the floor; a commune of another district decodes it', async () => {
  const studio = await spine.page();
  await studio.goto(spine.studioUrl());
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing');

  const hall = await spine.page();
  await hall.goto(spine.hallUrl('ls-trangdinh-01'));
  await hall.locator('#unmute').click();
  const before = await waitDecoding(hall, 'commune decoding the studio');
  assert.equal(before.programme?.source, 'tw');
  assert.equal(before.programme?.floor, null);

  const contributor = await spine.page();
  await contributor.goto(spine.contributorUrl('ls-caoloc'));
  assert.equal(spine.cascade.nodeOfSite('ls-caoloc'), 'd-caoloc');
  await waitFor('contributor publishing', async () => (await studioPhase(contributor)) === 'publishing');

  const given = await setFloor('ls-caoloc');
  assert.equal(given.floor, 'ls-caoloc');

  const switched = await waitFor('commune switched to the floor', async () => {
    const v = await hallView(hall);
    return v.programme?.source === 'ls-caoloc' && v.programme.floor === 'ls-caoloc' && v.consumeCount > before.consumeCount ? v : null;
  }, 45_000);
  const onFloor = await waitDecoding(hall, 'commune decoding the floor', 45_000);
  // The contributor sees that it is on air.
  await waitFor('contributor told it has the floor', () => contributor.evaluate(() =>
    (window as unknown as { __studio: { programme: { floor: string | null } | null } }).__studio.programme?.floor === 'ls-caoloc'));
  assert.match(await contributor.locator('#onair').innerText(), /Điểm cầu này đang phát biểu/);
  assert.equal(onFloor.programme?.source, 'ls-caoloc');
  assert.ok(switched.consumeCount >= 2);

  // The studio leaves: the floor's media still reaches the commune, so it really comes from Cao Lộc.
  const producersAtRoot = async () => (await spine.cascade.health('centre'))?.conferences.find((c) => c.conf === CONF)?.producers ?? -1;
  const withStudio = await producersAtRoot();
  await studio.close();
  await waitFor('the root node to drop the studio\'s producers', async () => {
    const n = await producersAtRoot();
    return n >= 0 && n < withStudio;
  }, 20_000);
  const f0 = (await hallView(hall)).stats!.video.framesDecoded;
  const still = await waitDecoding(hall, 'commune still decoding with the studio gone', 20_000, f0 + 10);
  assert.equal(still.programme?.source, 'ls-caoloc');
  await hall.screenshot({ path: join(ARTIFACTS, 'e2e-floor-commune.png') });
  await contributor.screenshot({ path: join(ARTIFACTS, 'e2e-floor-contributor.png') });

  // Floor taken back with nobody in the studio: a calm "waiting" message.
  const back = await setFloor(null);
  assert.equal(back.floor, null);
  await waitFor('commune waiting for the programme', async () => (await hallView(hall)).phase === 'waiting', 30_000);
  assert.match(await hall.locator('#status').innerText(), /Đang chờ tín hiệu hội nghị/);

  // The studio comes back on air: the waiting hall picks it up by itself.
  const waitingAt = (await hallView(hall)).consumeCount;
  const studio2 = await spine.page();
  await studio2.goto(spine.studioUrl());
  await waitFor('commune back on the studio', async () => {
    const v = await hallView(hall);
    return v.consumeCount > waitingAt && v.programme?.source === 'tw' && v.phase === 'playing';
  }, 30_000);
  await waitDecoding(hall, 'commune decoding the studio again', 30_000);
});
