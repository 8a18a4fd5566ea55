// The recorder on a conference's root: a real mediasoup worker and session, an
// ffmpeg test pattern (a white flash and a 1 kHz beep at the start of every
// second) fed through the ingest, real GStreamer writing WebM segments, the
// files decoded with ffmpeg and played in real Chromium.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createIngest, type Ingest } from '../../media/ingest.js';
import { Cascade } from '../../media/cascade.js';
import { Recorder, type RecorderOptions } from '../../media/recorder.js';
import { Recorders } from '../../media/recorders.js';
import { sha256File, type SegmentFile } from '../../media/recording-files.js';
import { Session } from '../../media/session.js';
import { StatsRegistry } from '../../media/stats.js';
import { WorkerPool } from '../../media/workers.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ARTIFACTS, sleep, waitFor } from './procs.js';
import { avOffsets, concat, decode, decodesCleanly, FlashFeed, median, playInChromium, type Colour } from './recording-support.js';

const log = pino({ level: 'debug' }, pino.destination({ dest: join(ARTIFACTS, 'recording.log'), mkdir: true, sync: false }));
const ROOT = join(ARTIFACTS, `recording-${randomBytes(3).toString('hex')}`);
const IP = '127.0.0.1';
const exec = promisify(execFile);

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
  const ingest = async (session: Session, site: string, tag: 'source' | 'contributor', contribution?: string, codec: 'VP8' | 'H264' = 'VP8'): Promise<Ingest> => {
    const i = await createIngest({ session, site, tag, ...(contribution ? { contribution } : {}), streams: [{ kind: 'video', codec }, { kind: 'audio' }], listenIp: IP, announcedIp: IP, stats });
    closers.push(() => i.close());
    return i;
  };
  const feed = (i: Ingest, colour: Colour, seconds?: number, codec?: 'VP8' | 'H264') => {
    const f = new FlashFeed(i.res, { colour, ...(seconds ? { seconds } : {}), ...(codec ? { codec } : {}) }).start();
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

  test('an H.264 studio (a hardware encoder) is recorded as WebM/VP8; a floor switch to a VP8 district joins into one file that plays', async () => {
    const { session, recorder, segments, runs } = await setup('rec-h264', { segmentMs: 4000 });
    const src = await ingest(session, 'tw', 'source', undefined, 'H264');
    const dist = await ingest(session, 'ls-caoloc', 'contributor', 'caoloc-cam');
    const feeds = [feed(src, 'blue', undefined, 'H264'), feed(dist, 'red')];
    await waitFor('recording the H.264 centre', () => runs.length >= 1 && recorder.status().state === 'recording', 20_000);
    await sleep(9000);
    session.setFloor('ls-caoloc', 'caoloc-cam');
    await waitFor('recording the district', () => runs.length === 2 && recorder.status().state === 'recording', 20_000);
    await sleep(6000);
    await recorder.close();
    // the encoders stop here, not at the end of the file: the tests after this one time a pipeline on this box
    await Promise.all(feeds.map((f) => f.stop()));
    await session.close();
    segments.sort(byStart);
    const order: string[] = [];
    for (const sg of segments) if (order.at(-1) !== sg.meta.source) order.push(sg.meta.source ?? '-');
    expect(order).toEqual(['tw', 'ls-caoloc']);

    const whole = join(ROOT, 'rec-h264-whole.webm');
    await concat(segments.map((sg) => sg.file), whole);
    const { stdout: codecs } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', whole]);
    expect(codecs.trim().split('\n').sort()).toEqual(['opus', 'vp8']);
    const d = await decode(whole);
    expect(colourRuns(d.colours)).toEqual(['blue', 'red']);
    const recorded = segments.reduce((n, sg) => n + sg.meta.durationMs, 0) / 1000;
    // the H.264 part's sound and picture line up as the VP8 part's do (timestamps come from RTP, not from when the encoder finished)
    const h264Part = segments.filter((sg) => sg.meta.source === 'tw').reduce((n, sg) => n + sg.meta.durationMs, 0) / 1000;
    const offsets = avOffsets({ ...d, flashes: d.flashes.filter((t) => t < h264Part - 1), beeps: d.beeps.filter((t) => t < h264Part - 1) });
    console.log(`[recording] H.264 studio: ${segments.length} segments, ${recorded.toFixed(2)} s recorded (${h264Part.toFixed(2)} s of it from H.264), file ${d.duration.toFixed(2)} s, ${offsets.length} flash/beep pairs in the H.264 part, A/V offset median ${median(offsets)} ms, max |offset| ${Math.max(...offsets.map(Math.abs))} ms`);
    expect(h264Part).toBeGreaterThan(6);
    expect(Math.abs(d.duration - recorded)).toBeLessThan(1.5);
    expect(offsets.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...offsets.map(Math.abs))).toBeLessThanOrEqual(100);

    const [played] = await playInChromium([whole]);
    console.log(`[recording] H.264 studio, Chromium: ${JSON.stringify(played)}`);
    expect(played!.error).toBeNull();
    expect(played!.frames).toBeGreaterThan(0);
    expect(played!.advanced).toBeGreaterThan(1);
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

  test('the pipeline killed mid-recording: the finished segments play, recording resumes in a new run', async () => {
    const { session, recorder, segments, runs } = await setup('rec-kill', { segmentMs: 3000, retry: { minMs: 500, maxMs: 2000 } });
    const src = await ingest(session, 'tw', 'source');
    feed(src, 'blue');
    await waitFor('two segments of the first run', () => runs.length >= 1 && segments.filter((s) => s.meta.run === runs.at(-1)).length >= 2, 30_000);
    const first = runs.at(-1)!;
    const alarms: string[] = [];
    recorder.on('state', (s) => { if (s.alarm) alarms.push(s.alarm); });
    process.kill(recorder.pid!, 'SIGKILL');
    await waitFor('a segment of a new run', () => segments.some((s) => s.meta.run !== first), 30_000);
    await recorder.close();
    const before = segments.filter((s) => s.meta.run === first).sort((a, b) => a.meta.index - b.meta.index);
    const after = segments.filter((s) => s.meta.run !== first);
    console.log(`[recording] pipeline killed: ${before.length} segments finished before, ${after.length} after in run ${after[0]!.meta.run}; alarms ${alarms.join(', ')}`);
    expect(alarms).toContain('failed');
    expect(before.map((s) => s.meta.index)).toEqual(before.map((_, i) => i));
    for (const s of before) expect(await decodesCleanly(s.file)).toEqual({ ok: true, errors: '' });
    // the segment open at the kill is gone, with nothing half-written left behind
    const dir = join(ROOT, 'rec-kill', 'rec-kill-r1');
    const names = readdirSync(dir);
    for (const n of names.filter((x) => x.endsWith('.webm'))) expect(names).toContain(n.replace(/\.webm$/, '.json'));
    const played = await playInChromium(before.slice(0, 2).map((s) => s.file));
    console.log(`[recording] Chromium on the segments before the kill: ${JSON.stringify(played)}`);
    for (const p of played) {
      expect(p.error).toBeNull();
      expect(p.advanced).toBeGreaterThan(0.5);
      expect(p.frames).toBeGreaterThan(0);
    }
  });

  test('below the free-space threshold: alarm disk-full and no pipeline; with room again it records by itself', async () => {
    const huge = 1e15;
    const { session, recorder, segments, runs } = await setup('rec-disk', { segmentMs: 3000, minFreeBytes: huge });
    const src = await ingest(session, 'tw', 'source');
    feed(src, 'blue');
    await waitFor('alarm disk-full', () => recorder.status().alarm === 'disk-full', 10_000);
    await sleep(3000);
    expect(recorder.status()).toMatchObject({ state: 'alarm', alarm: 'disk-full', minFreeBytes: huge });
    expect(recorder.status().freeBytes).toBeGreaterThan(0);
    expect(recorder.pid).toBeUndefined();
    expect(runs).toEqual([]);

    recorder.minFreeBytes = 1 << 20;
    await waitFor('recording again', () => recorder.status().state === 'recording', 20_000);
    await waitFor('a segment', () => segments.length >= 1, 20_000);
    // full again while recording: the open segment is finished, the pipeline stops
    const n = segments.length;
    recorder.minFreeBytes = huge;
    await waitFor('alarm disk-full again', () => recorder.status().alarm === 'disk-full' && !recorder.pid, 20_000);
    await waitFor('the open segment finished', () => segments.length > n, 10_000);
    recorder.minFreeBytes = 1 << 20;
    await waitFor('a new run', () => runs.length === 2 && recorder.status().state === 'recording', 20_000);
    await recorder.close();
    console.log(`[recording] disk guard: ${segments.length} segments in ${runs.length} runs`);
    for (const s of segments) expect((await decodesCleanly(s.file)).ok).toBe(true);
  });

  test('the recorders of a node follow control\'s record set and the cascade: a new recording id restarts, an ended conference closes', async () => {
    const cascade = new Cascade({ nodeId: 'rec-node', sites: ['tw', 'ls-caoloc'], hasParent: false, listenIp: IP, announcedIp: IP, pool, stats, log });
    const recorders = new Recorders({ cascade, nodeId: 'rec-node', root: ROOT, minFreeBytes: 1 << 20, segmentMs: 3000, tokenSecret: 'x'.repeat(32), log });
    closers.push(() => recorders.close(), () => cascade.close());
    expect(await recorders.apply({ confs: [{ conf: 'rc-a', recording: 'rec-1' }, { conf: 'rc-b', recording: 'rec-9' }] })).toEqual({ confs: [{ conf: 'rc-a', recording: 'rec-1' }, { conf: 'rc-b', recording: 'rec-9' }] });
    expect(recorders.states().map((s) => [s.conf, s.recording, s.state])).toEqual([['rc-a', 'rec-1', 'waiting'], ['rc-b', 'rec-9', 'waiting']]);
    const src = await ingest(await cascade.session('rc-a'), 'tw', 'source');
    feed(src, 'blue', 8);
    await waitFor('rc-a recording', () => recorders.states().find((s) => s.conf === 'rc-a')?.state === 'recording', 20_000);
    // the same set again changes nothing; a new recording id for rc-a restarts it; rc-b left out stops
    const a1 = recorders.get('rc-a');
    await recorders.apply({ confs: [{ conf: 'rc-a', recording: 'rec-1' }, { conf: 'rc-b', recording: 'rec-9' }] });
    expect(recorders.get('rc-a')).toBe(a1);
    expect(await recorders.apply({ confs: [{ conf: 'rc-a', recording: 'rec-2' }] })).toEqual({ confs: [{ conf: 'rc-a', recording: 'rec-2' }] });
    expect(a1!.closed).toBe(true);
    expect(recorders.states().map((s) => [s.conf, s.recording])).toEqual([['rc-a', 'rec-2']]);
    await waitFor('rc-a recording rec-2', () => recorders.states()[0]?.state === 'recording', 20_000);
    // the conference ends here: its recorder closes with it, and it is not recorded again
    await cascade.endConference('rc-a');
    await waitFor('the recorder closed', () => recorders.states().length === 0 && !recorders.get('rc-a'), 10_000);
    expect(await recorders.apply({ confs: [{ conf: 'rc-a', recording: 'rec-2' }] })).toEqual({ confs: [] });
    const files = readdirSync(join(ROOT, 'rc-a', 'rec-1')).filter((f) => f.endsWith('.webm'));
    console.log(`[recording] recorders: rec-1 left ${files.length} segment files, rec-2 ${readdirSync(join(ROOT, 'rc-a', 'rec-2')).filter((f) => f.endsWith('.webm')).length}`);
    expect(files.length).toBeGreaterThanOrEqual(1);
  });
});
