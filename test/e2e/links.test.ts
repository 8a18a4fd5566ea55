// One test per link profile (good, adsl, weak, poor; udp-blocked and only-443
// are udp-blocked.test.ts and turn.test.ts): the studio's simulcast at the
// centre, relayed to langson, played by a hall in Chromium whose only way to
// langson is the impaired link. Everything asserted is what the hall's own
// receiver stats show (frames decoded, the picture's layer, audio samples and
// concealment) and the layer langson forwards to it — no wall-clock timings.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, hallLog, waitDecoding, waitFor } from './harness.js';
import { sampleHall, startLinkBed, type HallFigures, type LinkBed } from './link-bed.js';
import type { ProfileName } from '../support/impair.js';

/** Seconds each profile is watched, after the hall's bandwidth estimate had time to settle. */
const SETTLE_S = 8;
const WATCH_S = 12;
/** The typical second: a loss burst may cost a second or two, what the hall shows most of the time counts. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('links', { timeout: 240_000 }, () => {
  let bed: LinkBed;
  let hall: Page | null = null;

  beforeAll(async () => {
    bed = await startLinkBed('links', 'good');
  });

  afterAll(async () => {
    await bed?.close();
  });

  /**
   * A fresh hall on `profile`: plays, settles, then is watched. With `topLayer`, the watch starts once
   * the node forwards the top layer (at most 40 s): the hall's estimate ramps up from a low start, and a
   * step down taken on the way (a partial frame rate on the top layer) is tried again after 10 s.
   */
  async function watch(profile: ProfileName, topLayer = false): Promise<HallFigures> {
    await hall?.context().close();
    await bed.link.setProfile(profile);
    const page = await bed.openHall();
    hall = page;
    const first = await waitDecoding(page, `the hall decoding on ${profile}`, 60_000)
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await hallLog(page)}`); });
    await waitDecoding(page, 'frames advancing', 30_000, first.stats!.video.framesDecoded + 20);
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    if (topLayer) {
      const until = Date.now() + 40_000;
      while (Date.now() < until && (await bed.forwardedLayer()) !== 2) await new Promise((r) => setTimeout(r, 500));
    }
    const f = await sampleHall(page, WATCH_S, () => bed.forwardedLayer());
    console.log(`[links] ${profile}: ${JSON.stringify(f)}`);
    // every hop's protection, as the hall's consumers were set up
    assert.deepEqual(f.resilience, { opusFec: true, videoNack: true, videoRtx: true });
    assert.equal(f.protocol, 'udp');
    assert.equal(f.relayed, false);
    await page.screenshot({ path: join(ARTIFACTS, `e2e-links-${profile}.png`) });
    return f;
  }

  test('good: the top layer, smooth, every sound sample', async () => {
    const f = await watch('good', true);
    assert.equal(f.layer, 2);
    assert.ok(f.fps >= 20, `fps ${f.fps}`);
    assert.equal(f.audioGaps, 0);
  });

  test('adsl (4 Mbit/s, 40 ms, 0.5 % loss): the top layer at full rate, continuous sound', async () => {
    const f = await watch('adsl', true);
    assert.equal(f.layer, 2);
    assert.ok(f.fps >= 20, `fps ${f.fps}`);
    assert.equal(f.audioGaps, 0);
  });

  test('weak (1 Mbit/s, 150 ms, 3 % loss): the middle or lowest layer at 20 fps or more, continuous sound', async () => {
    const f = await watch('weak');
    assert.ok(f.layer === 0 || f.layer === 1, `layer ${f.layer}`);
    assert.ok(median(f.perSecondFps) >= 20, `fps ${f.perSecondFps.join(' ')}`);
    // at 3 % random loss a second with over a fifth of its sound concealed can happen once in the
    // watch when the shared box stalls the browser (seen once in CI: 1 such second, 5.9 % concealed)
    assert.ok(f.audioGaps <= 1, `audio gaps: ${f.audioGaps} (concealed ${f.concealedPct.toFixed(1)} %)`);
  });

  test('poor (512 kbit/s, 250 ms, 5 % loss): continuous sound and the lowest layer; the picture climbs back when the link recovers', async () => {
    const f = await watch('poor');
    assert.equal(f.layer, 0);
    // the lowest layer keeps moving every second: at least its base temporal layer (a quarter of
    // 30 fps); how many of its frames fit is the bandwidth estimate's call (bench p7 has the figures)
    assert.ok(f.minFps > 0, `the picture stopped: ${f.perSecondFps.join(' ')}`);
    assert.ok(median(f.perSecondFps) >= 6, `fps ${f.perSecondFps.join(' ')}`);
    assert.ok(f.audioGaps <= 1, `audio gaps: ${f.audioGaps} (concealed ${f.concealedPct.toFixed(1)} %)`);
    assert.ok(f.concealedPct < 10, `concealed ${f.concealedPct.toFixed(1)} %`);
    // no error on the hall page: still playing
    assert.equal(await hall!.evaluate(() => (window as unknown as { __hall: { phase: string } }).__hall.phase), 'playing');
    await bed.link.setProfile('good');
    const layer = await waitFor('a higher layer once the link is good again', async () => {
      const l = await bed.forwardedLayer();
      return l !== undefined && l > 0 ? l : null;
    }, 60_000, 1000);
    const recovered = await sampleHall(hall!, 3, () => bed.forwardedLayer());
    console.log(`[links] poor → good: layer ${layer}, ${JSON.stringify(recovered)}`);
    assert.ok(recovered.fps > 0);
  });
});
