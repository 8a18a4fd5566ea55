// Recovery without a human: a hall's page reload, a restart (kill -9 and start
// again) of the district node serving the hall, of the province node above it,
// of the root (the studio publishes again), and a cut of the hall's signalling
// link; each time video comes back.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ARTIFACTS, TcpRelay, hallLog, hallView, startSpine, studioPhase, waitDecoding, waitFor, type Spine } from './harness.js';

let spine: Spine;
beforeAll(async () => { spine = await startSpine('e2e-recovery'); });
afterAll(async () => { await spine?.close(); });

test('hall reload, district and province node restarts: video comes back by itself', async () => {
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

  // The province node in the middle restarts: the hall's own node stays up, the relay is rebuilt
  // above it, and the hall follows the programme pushes (or its stall watchdog) back to video.
  const before = (await hallView(hall)).consumeCount;
  await spine.cascade.restartNode('langson');
  await spine.cascade.waitLinked(30_000);
  const healed = await waitFor('commune decoding after the province node restart', async () => {
    const v = await hallView(hall);
    return v.consumeCount > before && v.phase === 'playing' && (v.stats?.video.framesDecoded ?? 0) > 0 ? v : null;
  }, 60_000, 300).catch(async (err: Error) => { throw new Error(`${err.message}\nhall log:\n${await hallLog(hall)}`); });
  await waitDecoding(hall, 'frames keep coming after the province restart', 15_000, healed.stats!.video.framesDecoded + 10);
  if (process.env.E2E_CONSOLE) console.log(await hallLog(hall));
  await hall.context().close();
  await studio.context().close();
});

test('root node restart: the studio publishes again and the commune gets it back', async () => {
  const studio = await spine.page();
  await studio.goto(spine.studioUrl());
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing');
  const hall = await spine.page();
  await hall.goto(spine.hallUrl('ls-trangdinh-01'));
  const first = await waitDecoding(hall, 'commune decoding before the root restart');

  await spine.cascade.restartNode('centre');
  await waitFor('studio published again', () => studio.evaluate(() =>
    (window as unknown as { __studio: { phase: string; publishCount: number } }).__studio.publishCount >= 2
    && (window as unknown as { __studio: { phase: string } }).__studio.phase === 'publishing'), 60_000);
  await spine.cascade.waitLinked(30_000);
  const healed = await waitFor('commune decoding after the root restart', async () => {
    const v = await hallView(hall);
    return v.consumeCount > first.consumeCount && v.phase === 'playing' && (v.stats?.video.framesDecoded ?? 0) > 0 ? v : null;
  }, 60_000, 300).catch(async (err: Error) => { throw new Error(`${err.message}\nhall log:\n${await hallLog(hall)}`); });
  await waitDecoding(hall, 'frames keep coming after the root restart', 15_000, healed.stats!.video.framesDecoded + 10);
  await studio.screenshot({ path: join(ARTIFACTS, 'e2e-recovery-studio.png') });
  await hall.context().close();
  await studio.context().close();
});

test('signalling link cut for a few seconds: the hall comes back without the node restarting', async () => {
  const studio = await spine.page();
  await studio.goto(spine.studioUrl());
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing');
  // The hall reaches its node through a relay we can cut (the node itself stays up).
  const relay = await TcpRelay.start(spine.cascade.urlOfSite('ls-trangdinh-01'));
  try {
    const hall = await spine.page();
    await hall.goto(`${relay.url}/hall.html?site=ls-trangdinh-01&token=${spine.token('viewer', 'ls-trangdinh-01')}`);
    const first = await waitDecoding(hall, 'commune decoding through the relay');
    relay.cut();
    await waitFor('hall noticed the drop', async () => (await hallView(hall)).phase === 'reconnecting', 15_000);
    assert.match(await hall.locator('#status').innerText(), /Mất kết nối, đang tự kết nối lại/);
    // the link stays down until the hall has tried to reconnect through it and been refused
    await waitFor('the hall to retry through the cut link', async () => relay.refused >= 1, 20_000);
    relay.restore();
    const back = await waitFor('commune decoding after the link came back', async () => {
      const v = await hallView(hall);
      return v.consumeCount > first.consumeCount && v.phase === 'playing' && (v.stats?.video.framesDecoded ?? 0) > 0 ? v : null;
    }, 30_000, 300).catch(async (err: Error) => { throw new Error(`${err.message}\nhall log:\n${await hallLog(hall)}`); });
    await waitDecoding(hall, 'frames keep coming after the link came back', 15_000, back.stats!.video.framesDecoded + 10);
  } finally {
    await relay.close();
  }
});
