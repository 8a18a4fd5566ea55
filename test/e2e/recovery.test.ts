// Recovery without a human: a hall's page reload, then a restart (kill -9 and
// start again) of the district node serving the hall; video comes back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, hallView, startSpine, studioPhase, waitDecoding, waitFor, type Spine } from './harness.js';

let spine: Spine;
before(async () => { spine = await startSpine('e2e-recovery'); });
after(async () => { await spine?.close(); });

test('hall reload and district node restart: video comes back by itself', async () => {
  const studio = await spine.page();
  await studio.goto(spine.studioUrl());
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing');

  const hall = await spine.page();
  await hall.goto(spine.hallUrl('ls-trangdinh-01'));
  await waitDecoding(hall, 'commune decoding before anything breaks');

  await hall.reload();
  const reloaded = await waitDecoding(hall, 'commune decoding after a page reload');
  assert.equal(reloaded.phase, 'playing');

  const node = spine.cascade.nodeOfSite('ls-trangdinh-01');
  assert.equal(node, 'd-trangdinh');
  await spine.cascade.restartNode(node);
  // The page noticed (socket dropped) and came back on its own.
  const back = await waitFor('commune decoding after the district node restart', async () => {
    const v = await hallView(hall);
    return v.consumeCount >= 2 && v.phase === 'playing' && (v.stats?.video.framesDecoded ?? 0) > 0 && (v.stats?.audio.packetsReceived ?? 0) > 0 ? v : null;
  }, 60_000, 300);
  const f = back.stats!.video.framesDecoded;
  const flowing = await waitDecoding(hall, 'frames keep coming after the restart', 15_000, f + 10);
  assert.equal(flowing.programme?.source, 'tw');
  await hall.screenshot({ path: join(ARTIFACTS, 'e2e-recovery-commune.png') });
});
