// The recorder on a conference's root: a real mediasoup worker and session, an
// ffmpeg test pattern (a white flash and a 1 kHz beep at the start of every
// second) fed through the ingest, real GStreamer writing WebM segments, the
// files decoded with ffmpeg and played in real Chromium.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createIngest, type Ingest } from '../../media/ingest.js';
import { Recorder, type RecorderOptions } from '../../media/recorder.js';
import { sha256File, type SegmentFile } from '../../media/recording-files.js';
import { Session } from '../../media/session.js';
import { StatsRegistry } from '../../media/stats.js';
import { WorkerPool } from '../../media/workers.js';
import { ARTIFACTS, sleep, waitFor } from './procs.js';
import { avOffsets, concat, decode, decodesCleanly, FlashFeed, median, playInChromium, type Colour } from './recording-support.js';

const log = pino({ level: 'debug' }, pino.destination({ dest: join(ARTIFACTS, 'recording.log'), mkdir: true, sync: false }));
const ROOT = join(ARTIFACTS, `recording-${randomBytes(3).toString('hex')}`);
const IP = '127.0.0.1';

describe('recorder on the root node', { timeout: 240_000 }, () => {
  let pool: WorkerPool;
  const stats = new StatsRegistry('rec-test');
  const closers: (() => unknown)[] = [];

  beforeAll(async () => {
    mkdirSync(ROOT, { recursive: true });
    pool = await WorkerPool.create({ count: 1, rtcPort: 0, listenIp: IP, announcedIp: IP, logLevel: 'warn', log, onDied: (err) => { throw err; } });
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    pool?.close();
    stats.close();
    log.flush();
    if (!process.env.KEEP_RECORDINGS) await rm(ROOT, { recursive: true, force: true });
  });

  /** A fresh session of `conf` with a source site and a district, and a recorder on it collecting segments. */
  async function setup(conf: string, o: Partial<RecorderOptions> = {}) {
    const session = await Session.create(conf, ['tw', 'ls-caoloc'], pool);
    const segments: SegmentFile[] = [];
    const recorder = new Recorder({ session, recording: `${conf}-r1`, root: ROOT, segmentMs: 10_000, minFreeBytes: 1 << 20, onSegment: (s) => segments.push(s), log, ...o });
    const runs: string[] = [];
    recorder.on('run', (r) => runs.push(r.id));
    closers.push(() => recorder.close(), () => session.close());
    return { session, recorder, segments, runs };
  }
  const ingest = async (session: Session, site: string, tag: 'source' | 'contributor', contribution?: string): Promise<Ingest> => {
    const i = await createIngest({ session, site, tag, ...(contribution ? { contribution } : {}), streams: [{ kind: 'video' }, { kind: 'audio' }], listenIp: IP, announcedIp: IP, stats });
    closers.push(() => i.close());
    return i;
  };
  const feed = (i: Ingest, colour: Colour, seconds?: number) => {
    const f = new FlashFeed(i.res, { colour, ...(seconds ? { seconds } : {}) }).start();
    closers.push(() => f.stop());
    return f;
  };
  const byStart = (a: SegmentFile, b: SegmentFile) => a.meta.startedAt - b.meta.startedAt;
  /** Stretches of one colour at least `min` frames long, in order, merged. */
  const colourRuns = (c: { colour: string; frames: number }[], min = 10) => {
    const out: string[] = [];
    for (const r of c) if (r.frames >= min && r.colour !== 'other' && out.at(-1) !== r.colour) out.push(r.colour);
    return out;
  };

  test('60 s on air: duration within 2 %, audio/video offset ≤ 100 ms on flashes and beeps, plays in Chromium', async () => {
    const { session, recorder, segments } = await setup('rec-60');
    const src = await ingest(session, 'tw', 'source');
    await waitFor('the recorder pipeline listening', () => recorder.pid, 20_000);
    const SECONDS = 60;
    const f = feed(src, 'blue', SECONDS);
    await waitFor('recording', () => recorder.status().state === 'recording', 20_000);
    await f.done;
    await sleep(1000);
    await recorder.close();
    segments.sort(byStart);

    expect(segments.length).toBeGreaterThanOrEqual(5);
    expect(new Set(segments.map((s) => s.meta.run)).size).toBe(1);
    expect(segments.map((s) => s.meta.index)).toEqual(segments.map((_, i) => i));
    for (const s of segments) {
      expect(s.conf).toBe('rec-60');
      expect(s.meta).toMatchObject({ recording: 'rec-60-r1', source: 'tw', video: true, audio: true });
      expect(statSync(s.file).size).toBe(s.meta.bytes);
      expect(await sha256File(s.file)).toBe(s.meta.sha256);
    }
    const total = segments.reduce((n, s) => n + s.meta.durationMs, 0) / 1000;
    const errorPct = (Math.abs(total - SECONDS) / SECONDS) * 100;
    const wall = (f.endedAt - f.startedAt) / 1000;
    console.log(`[recording] ${segments.length} segments (${segments.map((s) => (s.meta.durationMs / 1000).toFixed(2)).join(', ')} s), total ${total.toFixed(3)} s for ${SECONDS} s on air (ffmpeg ran ${wall.toFixed(2)} s wall): duration error ${errorPct.toFixed(2)} %`);
    expect(errorPct).toBeLessThanOrEqual(2);

    // wall-clock starts: the first near the feed's start, each next one where the previous ended
    const gaps = segments.slice(1).map((s, i) => s.meta.startedAt - (segments[i]!.meta.startedAt + segments[i]!.meta.durationMs));
    console.log(`[recording] first segment starts ${segments[0]!.meta.startedAt - f.startedAt} ms after ffmpeg started; gaps between segments ${gaps.join(', ')} ms`);
    expect(Math.abs(segments[0]!.meta.startedAt - f.startedAt)).toBeLessThan(2000);
    for (const g of gaps) expect(Math.abs(g)).toBeLessThan(300);

    const whole = join(ROOT, 'rec-60-whole.webm');
    await concat(segments.map((s) => s.file), whole);
    const d = await decode(whole);
    const offsets = avOffsets(d);
    const abs = offsets.map(Math.abs);
    console.log(`[recording] whole file ${d.duration.toFixed(2)} s, ${d.flashes.length} flashes, ${d.beeps.length} beeps, A/V offset (audio − video) median ${median(offsets)} ms, max |offset| ${Math.max(...abs)} ms over ${offsets.length} pairs`);
    expect(Math.abs(d.duration - SECONDS) / SECONDS).toBeLessThanOrEqual(0.02);
    expect(offsets.length).toBeGreaterThanOrEqual(SECONDS - 5);
    expect(Math.max(...abs)).toBeLessThanOrEqual(100);
    expect(colourRuns(d.colours)).toEqual(['blue']);

    const [played] = await playInChromium([whole]);
    console.log(`[recording] Chromium: ${JSON.stringify(played)}`);
    expect(played!.error).toBeNull();
    expect(played!.duration).toBeGreaterThan(SECONDS - 2);
    expect(played!.advanced).toBeGreaterThan(1);
    expect(played!.frames).toBeGreaterThan(0);
    expect(played!.seekedAdvanced).toBeGreaterThan(0.5);
    expect(played!.seekedFrames).toBeGreaterThan(0);
  });

  test('a floor switch to a district and back: both in the recording, in order, one run each', async () => {
    const { session, recorder, segments, runs } = await setup('rec-floor', { segmentMs: 4000 });
    const src = await ingest(session, 'tw', 'source');
    const dist = await ingest(session, 'ls-caoloc', 'contributor', 'caoloc-cam');
    feed(src, 'blue');
    feed(dist, 'red');
    await waitFor('recording the centre', () => runs.length >= 1 && recorder.status().state === 'recording', 20_000);
    const before = runs.length;
    await sleep(6000);
    session.setFloor('ls-caoloc', 'caoloc-cam');
    await waitFor('recording the district', () => runs.length === before + 1 && recorder.status().state === 'recording', 20_000);
    await sleep(6000);
    session.setFloor(null);
    await waitFor('recording the centre again', () => runs.length === before + 2 && recorder.status().state === 'recording', 20_000);
    await sleep(6000);
    await recorder.close();
    segments.sort(byStart);

    const order: { run: string; source: string | null }[] = [];
    for (const s of segments) if (order.at(-1)?.run !== s.meta.run) order.push({ run: s.meta.run, source: s.meta.source });
    console.log(`[recording] floor switch: ${segments.length} segments, runs ${JSON.stringify(order)}`);
    expect(order.map((o) => o.source)).toEqual(['tw', 'ls-caoloc', 'tw']);
    expect(order.map((o) => o.run)).toEqual(runs);
    for (const run of new Set(segments.map((s) => s.meta.run))) {
      const idx = segments.filter((s) => s.meta.run === run).map((s) => s.meta.index);
      expect(idx).toEqual(idx.map((_, i) => i));
    }
    const whole = join(ROOT, 'rec-floor-whole.webm');
    await concat(segments.map((s) => s.file), whole);
    const d = await decode(whole);
    console.log(`[recording] floor switch colours: ${JSON.stringify(d.colours.filter((c) => c.frames >= 10).map((c) => [c.colour, +c.from.toFixed(2), c.frames]))}`);
    expect(colourRuns(d.colours)).toEqual(['blue', 'red', 'blue']);
    expect((await decodesCleanly(whole)).ok).toBe(true);
  });
});
