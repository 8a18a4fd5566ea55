// Hardware encoders and the national feed send H.264: an ffmpeg H.264 + Opus
// feed enters the centre through the RTP ingest and a commune hall three hops
// down (centre → langson → d-trangdinh) decodes it as H.264 — forwarded as it
// came, never transcoded on the way.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { IngestRes } from '../../signaling/media.js';
import { FfmpegFeed } from '../media/procs.js';
import { ARTIFACTS, hallLog, hallView, startSpine, waitDecoding, type Spine } from './harness.js';

let spine: Spine;
let feed: FfmpegFeed | null = null;
beforeAll(async () => { spine = await startSpine('e2e-h264'); });
afterAll(async () => {
  await feed?.stop();
  await spine?.close();
});

test('an H.264 feed through the ingest plays at a commune hall three hops down', async () => {
  const centre = spine.cascade.urlOfSite('tw');
  const r = await fetch(`${centre}/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${decodeURIComponent(spine.token('organizer'))}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'tw', streams: [{ kind: 'video', codec: 'H264' }, { kind: 'audio' }] }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  const ingest = IngestRes.parse(await r.json());
  assert.equal(ingest.streams.find((s) => s.kind === 'video')?.mimeType, 'video/H264');
  assert.equal(ingest.streams.find((s) => s.kind === 'audio')?.parameters?.useinbandfec, 1, 'the encoder is told to send Opus in-band FEC');
  feed = new FfmpegFeed(ingest, { codec: 'H264', size: '640x360' }).start();

  const commune = await spine.page();
  await commune.goto(spine.hallUrl('ls-trangdinh-01'));
  let seen;
  try {
    seen = await waitDecoding(commune, 'the commune hall decoding the H.264 feed', 45_000);
    seen = await waitDecoding(commune, 'more H.264 frames', 15_000, seen.stats!.video.framesDecoded + 25);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nffmpeg: ${feed.output}\nhall: ${await hallLog(commune)}`);
  }
  assert.equal(seen.programme?.source, 'tw');
  assert.equal(seen.stats!.video.codec, 'video/H264');
  assert.equal(seen.stats!.video.frameWidth, 640);
  assert.ok(seen.stats!.audio.packetsReceived > 0);
  // the ingested Opus keeps its in-band FEC down to the commune, and video its NACK + RTX on every hop
  assert.deepEqual(seen.stats!.resilience, { opusFec: true, videoNack: true, videoRtx: true });
  console.log(`[h264] commune hall: ${seen.stats!.video.framesDecoded} H.264 frames decoded, ${seen.stats!.video.frameWidth}x${seen.stats!.video.frameHeight}`);
  await commune.screenshot({ path: join(ARTIFACTS, 'e2e-h264-commune.png') });

  // the ingest refuses a codec on the audio stream with a sentence, and opens nothing
  const bad = await fetch(`${centre}/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${decodeURIComponent(spine.token('organizer'))}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'tw', streams: [{ kind: 'audio', codec: 'H264' }] }),
  });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /codec is for the video stream/);
  assert.equal((await hallView(commune)).programme?.source, 'tw');
});
