// Audio only on a link too thin for the lowest picture (media/audio-only.ts).
// First what the decision does with nothing to judge (no media, no estimate),
// on a real mediasoup consumer; then a real hall in Chromium in a
// network namespace: its link drops to `starved` (150 kbit/s), the node pauses
// its video and the hall shows the title card with the badge while the sound
// keeps playing; the link recovers and the picture returns by itself.
import { afterAll, beforeAll, describe, onTestFinished, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Page } from 'playwright-core';
import { mediaCodecs } from '../../media/workers.js';
import { LayerPolicy } from '../../media/layer-policy.js';
import { ARTIFACTS, hallLog, waitDecoding, waitFor } from './harness.js';
import { sampleHall, startLinkBed, type LinkBed } from './link-bed.js';

describe('the audio-only decision, on a real consumer', { timeout: 20_000 }, () => {
  /** A simulcast producer (no media needed) and a hall consumer on a transport estimating `bitrate`. */
  async function consumerAt(bitrate: number): Promise<{ consumer: ms.Consumer; transport: ms.WebRtcTransport }> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    onTestFinished(() => worker.close());
    const router = await worker.createRouter({ mediaCodecs });
    const source = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    const vp8 = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/VP8')!;
    const producer = await source.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [1111, 2222, 3333].map((ssrc) => ({ ssrc, scalabilityMode: 'L1T3' })),
      },
    });
    assert.ok(vp8);
    const transport = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], initialAvailableOutgoingBitrate: bitrate,
    });
    const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    assert.equal(consumer.type, 'simulcast');
    return { consumer, transport };
  }

  test('a source sending nothing on a hall transport with no estimate yet (not connected) never pauses the video', async () => {
    const { consumer, transport } = await consumerAt(100_000);
    const policy = new LayerPolicy(consumer, { transport, audioOnly: { holdMs: 300, checkMs: 50 } });
    onTestFinished(() => policy.close());
    await waitFor('a few checks', async () => policy.fallback?.last ?? null, 3000, 50);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(consumer.paused, false);
    assert.equal(policy.fallback?.audioOnly, false);
    assert.deepEqual(policy.fallback?.last, { layer: null, available: null, need: 148_000, thin: false });
  });

  test('a layer policy without the hall\'s transport, or with audioOnly false, has no fallback', async () => {
    const { consumer, transport } = await consumerAt(100_000);
    for (const p of [new LayerPolicy(consumer), new LayerPolicy(consumer, { transport, audioOnly: false })]) {
      onTestFinished(() => p.close());
      assert.equal(p.fallback, null);
    }
  });
});

const hallState = (page: Page) => page.evaluate(() => {
  const h = (window as unknown as { __hall: { audioOnly: boolean; phase: string } }).__hall;
  const badge = document.querySelector<HTMLElement>('[data-testid="audio-only"]');
  const card = document.getElementById('audio-only-card');
  return { audioOnly: h.audioOnly, phase: h.phase, badge: badge && !badge.hidden ? badge.innerText : null, card: !!card && !card.hidden };
});

describe('a hall on a starved link', { timeout: 150_000 }, () => {
  let bed: LinkBed;
  beforeAll(async () => { bed = await startLinkBed('aonly', 'good'); });
  afterAll(async () => { await bed?.close(); });

  test('goes audio only with the badge, the sound continuing, and gets the picture back by itself', async () => {
    const hall = await bed.openHall();
    const first = await waitDecoding(hall, 'the hall decoding', 60_000).catch(async (err: Error) => { throw new Error(`${err.message}\n${await hallLog(hall)}`); });
    await waitDecoding(hall, 'frames advancing', 30_000, first.stats!.video.framesDecoded + 10);

    await bed.link.setProfile('starved');
    const t0 = Date.now();
    await waitFor('the hall audio only', async () => (await hallState(hall)).audioOnly || null, 40_000, 500)
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await hallLog(hall)}`); });
    const wentAudioOnlyS = (Date.now() - t0) / 1000;
    const during = await hallState(hall);
    assert.equal(during.phase, 'playing');
    assert.match(during.badge ?? '', /Chỉ có tiếng — đường truyền yếu/);
    assert.match(during.badge ?? '', /Audio only — weak link/);
    assert.equal(during.card, true, 'the title card covers the paused picture');
    await hall.screenshot({ path: join(ARTIFACTS, 'e2e-audio-only.png') });
    // the sound keeps coming while the picture is paused
    const f = await sampleHall(hall, 6, () => bed.forwardedLayer());
    console.log(`[audio-only] starved after ${wentAudioOnlyS.toFixed(1)} s: ${JSON.stringify(f)}`);
    assert.ok(f.audioGaps <= 1, `audio gaps: ${f.audioGaps} (concealed ${f.concealedPct.toFixed(1)} %)`);
    assert.ok(f.concealedPct < 10, `concealed ${f.concealedPct.toFixed(1)} %`);

    await bed.link.setProfile('good');
    const t1 = Date.now();
    await waitFor('the picture back', async () => ((await hallState(hall)).audioOnly ? null : true), 60_000, 500)
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await hallLog(hall)}`); });
    const backS = (Date.now() - t1) / 1000;
    const after = await hallState(hall);
    assert.equal(after.badge, null);
    assert.equal(after.card, false);
    const stats = await waitDecoding(hall, 'frames decoding again', 20_000, (await hall.evaluate(() => (window as unknown as { __hall: { stats(): Promise<{ video: { framesDecoded: number } } | null> } }).__hall.stats()))!.video.framesDecoded + 10);
    console.log(`[audio-only] picture back ${backS.toFixed(1)} s after the link recovered; ${stats.stats!.video.frameHeight}p`);
    assert.equal(after.phase, 'playing');
    console.log(await hallLog(hall));
  });
});
