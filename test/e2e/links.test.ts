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
  async function watch(profile: ProfileName, topLayer = false): Promise<HallFigures & { studioFps: number[]; studioLimits: string[] }> {
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
    const e0 = await bed.studioEncodings();
    const t0 = Date.now();
    const hallFigures = await sampleHall(page, WATCH_S, () => bed.forwardedLayer());
    const e1 = await bed.studioEncodings();
    const secs = (Date.now() - t0) / 1000;
    // what the studio's browser encoded on each layer meanwhile: the hall cannot show more frames
    const f = {
      ...hallFigures,
      studioFps: e1.map((e, i) => Math.round(((e.framesEncoded - (e0[i]?.framesEncoded ?? 0)) / secs) * 10) / 10),
      studioLimits: e1.map((e) => e.qualityLimitationReason),
    };
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
    // 20 fps or more, unless the studio's own browser encoded fewer on that layer (its encoder
    // starved of CPU on a loaded 2-core box; seen once in CI: 14 fps): then nearly all it sent
    const sent = f.studioFps[f.layer ?? 0] ?? 30;
    const need = Math.min(20, 0.85 * sent);
    assert.ok(median(f.perSecondFps) >= need, `fps ${f.perSecondFps.join(' ')}; the studio encoded ${sent} fps on layer ${f.layer} (limited by ${f.studioLimits[f.layer ?? 0]})`);
    // at 3 % random loss a second with over a fifth of its sound concealed can happen once in the
    // watch when the shared box stalls the browser (seen once in CI: 1 such second, 5.9 % concealed)
    assert.ok(f.audioGaps <= 1, `audio gaps: ${f.audioGaps} (concealed ${f.concealedPct.toFixed(1)} %)`);
  });

  test('poor (512 kbit/s, 250 ms, 5 % loss): continuous sound and the lowest layer; the picture climbs back when the link recovers', async () => {
    const f = await watch('poor');
    assert.equal(f.layer, 0);
    // every second the lowest layer moves (at least its base temporal layer, a quarter of 30 fps;
    // how many of its frames fit is the bandwidth estimate's call, bench p7 has the figures), or the
    // node has paused the video and the hall shows "audio only". A picture that stops without the
    // badge is the fallback still deciding (it waits ~7 s of a starved lowest layer, e2e/audio-only):
    // such a stretch may last no longer than that, and ends moving or with the badge.
    const frozen = f.perSecondFps.map((x, i) => x === 0 && !f.audioOnly[i]);
    let run = 0, longest = 0;
    for (const z of frozen) { run = z ? run + 1 : 0; longest = Math.max(longest, run); }
    const detail = `fps ${f.perSecondFps.join(' ')}; audio only ${f.audioOnly.map((a) => (a ? 1 : 0)).join('')}`;
    assert.ok(longest <= 8, `the picture stopped for ${longest} s without the audio-only badge: ${detail}`);
    assert.ok(!frozen.at(-1), `the picture stopped at the end of the watch without the badge: ${detail}`);
    const shown = f.perSecondFps.filter((x, i) => !f.audioOnly[i] && !frozen[i]);
    assert.ok(shown.length === 0 || median(shown) >= 6, `while it moves, the typical second: ${detail}`);
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
