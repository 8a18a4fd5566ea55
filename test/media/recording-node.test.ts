// Recording through the real services: the control service (demo conference,
// real Redis) switches recording on, the root media node (its own process)
// records the ffmpeg feed of its ingest and uploads every finished segment.
// Then control goes away (segments wait on the node's disk) and the node
// process is killed; both come back: the node uploads what it had finished
// from its disk and records on, in a new run of the same recording. The whole
// recording, downloaded from control, decodes and plays in Chromium.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort } from '../../infra/proc.js';
import type { RecordingStatus } from '../../signaling/recording.js';
import { signToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { ARTIFACTS, NodeProc, waitFor } from './procs.js';
import { decode, decodesCleanly, FlashFeed, playInChromium } from './recording-support.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-recnode-${randomBytes(4).toString('hex')}:`;
const DATA_DIR = `.cache/test-data/${PREFIX.slice(0, -1)}`;
const RECORD_DIR = join(ARTIFACTS, `recnode-${randomBytes(3).toString('hex')}`);
const ORG = signToken(TOKEN_SECRET, { role: 'organizer', conf: CONF });
const P = `/api/conferences/${CONF}`;

describe('recording on the root media node, through the control service', { timeout: 240_000 }, () => {
  let controlPort: number;
  let control: ControlHandle | null = null;
  let centre: NodeProc;
  let feed: FlashFeed | null = null;

  const startControlService = async () => {
    control = await startControl({ port: controlPort, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: DATA_DIR, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${control!.url}${path}`, {
      method, headers: { authorization: `Bearer ${ORG}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const j = (await r.json()) as { ok: boolean; data: T; error?: unknown };
    if (!j.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.error)}`);
    return j.data;
  };
  const status = () => api<RecordingStatus>('GET', `${P}/recording`);
  /** Segment files control keeps for `rec`: `<run>-<index>-<sha>.webm` → run-index. */
  const stored = (rec: string) => {
    const dir = join(DATA_DIR, 'recordings', CONF, rec);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.webm')).map((f) => f.replace(/-[0-9a-f]{12}\.webm$/, '')) : [];
  };
  /** Finished segments waiting on the node's disk for `rec` (`<run>-<index>` with zero-padded index). */
  const waiting = (rec: string) => {
    const dir = join(RECORD_DIR, CONF, rec);
    return existsSync(dir) ? readdirSync(dir).filter((f) => /^[^.]+\.json$/.test(f)).map((f) => f.replace(/\.json$/, '')) : [];
  };
  /** gst-launch processes writing into this test's recording folder. */
  const pipelines = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmd.startsWith('gst-launch-1.0') && cmd.includes(RECORD_DIR);
    } catch {
      return false;
    }
  });
  const startFeed = async () => {
    const ingest = await centre.ingest(ORG, { site: 'tw' });
    feed = new FlashFeed(ingest, { colour: 'blue' }).start();
  };
  const runIndex = (name: string) => {
    const m = /^(.+)-(\d+)$/.exec(name)!;
    return { run: m[1]!, index: Number(m[2]) };
  };

  beforeAll(async () => {
    controlPort = await freePort();
    const controlUrl = `http://127.0.0.1:${controlPort}`;
    centre = new NodeProc({
      tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1',
      nodeId: 'centre', sites: ['tw'], controlUrl, recordDir: RECORD_DIR, recordSegmentSeconds: 3, recordMinFreeMb: 1,
    }, 'recnode-centre');
    await centre.start();
    await startControlService();
    await startFeed();
  });

  afterAll(async () => {
    await feed?.stop();
    await control?.close();
    await centre?.stop();
    await deletePrefix(PREFIX);
    await rm(DATA_DIR, { recursive: true, force: true });
    await rm(RECORD_DIR, { recursive: true, force: true });
  });

  test('segments reach control; control down and the node killed, both back: nothing finished is lost and recording goes on in a new run', async () => {
    const on = await api<RecordingStatus>('POST', `${P}/recording`, { mode: 'on' });
    const rec = on.current!.id;
    await waitFor('the root node recording', async () => (await status()).recorder?.state === 'recording', 30_000);
    await waitFor('two segments at control', () => stored(rec).length >= 2, 30_000);
    const st = await status();
    console.log(`[recording-node] recorder ${JSON.stringify(st.recorder)}`);
    expect(st.recorder).toMatchObject({ conf: CONF, recording: rec, alarm: null });

    // control away: finished segments wait on the node's disk, retried
    await control!.close();
    control = null;
    await waitFor('two segments waiting on the node', () => waiting(rec).length >= 2, 30_000);
    await centre.stop('SIGKILL');
    await feed!.stop();
    const left = waiting(rec);
    // the pipeline of the killed process ends by itself (nothing arrives, its parent is gone)
    await waitFor('no pipeline left from the killed node', () => !pipelines().length, 15_000);
    const before = stored(rec);
    console.log(`[recording-node] node killed with ${left.length} finished segments not yet uploaded (${left.join(', ')}); control had ${before.length}`);

    await startControlService();
    await centre.start();
    await startFeed();
    const leftRI = left.map(runIndex);
    const has = (names: string[], r: { run: string; index: number }) => names.some((n) => { const x = runIndex(n); return x.run === r.run && x.index === r.index; });
    await waitFor('the segments left on disk uploaded after the restart', () => leftRI.every((r) => has(stored(rec), r)), 60_000);
    const firstRuns = new Set([...before, ...left].map((n) => runIndex(n).run));
    await waitFor('two segments of a new run', () => stored(rec).filter((n) => !firstRuns.has(runIndex(n).run)).length >= 2, 60_000);
    expect((await status()).current?.id).toBe(rec);
    await waitFor('the uploaded segments gone from the node', () => !waiting(rec).some((n) => left.includes(n)), 30_000);

    // every run's segments are contiguous from 0, except at most the one open at the kill (the last)
    const byRun = new Map<string, number[]>();
    for (const n of stored(rec)) {
      const { run, index } = runIndex(n);
      byRun.set(run, [...(byRun.get(run) ?? []), index].sort((a, b) => a - b));
    }
    const killedRun = runIndex(left[0]!).run;
    const salvaged = (byRun.get(killedRun) ?? []).filter((i) => !leftRI.some((r) => r.run === killedRun && r.index === i) && !before.some((n) => runIndex(n).run === killedRun && runIndex(n).index === i));
    console.log(`[recording-node] control holds runs ${JSON.stringify([...byRun])}; segment open at the kill finished by its pipeline and uploaded: ${salvaged.length ? salvaged.join(', ') : 'none'}`);
    expect(byRun.size).toBeGreaterThanOrEqual(2);
    for (const idx of byRun.values()) expect(idx).toEqual(idx.map((_, i) => i));

    // the whole recording from control: decodes, plays
    const r = await fetch(`${control!.url}${P}/recordings/${rec}/file`, { headers: { authorization: `Bearer ${ORG}` } });
    expect(r.status).toBe(200);
    const whole = join(RECORD_DIR, 'whole.webm');
    writeFileSync(whole, Buffer.from(await r.arrayBuffer()));
    expect(await decodesCleanly(whole)).toEqual({ ok: true, errors: '' });
    const d = await decode(whole);
    const view = (await api<{ id: string; durationMs: number; segments: number }[]>('GET', `${P}/recordings`)).find((x) => x.id === rec)!;
    console.log(`[recording-node] recording ${rec}: ${view.segments} segments, ${view.durationMs} ms; downloaded file ${d.duration.toFixed(2)} s, ${d.flashes.length} flashes`);
    const [played] = await playInChromium([whole]);
    console.log(`[recording-node] Chromium: ${JSON.stringify(played)}`);
    expect(played!.error).toBeNull();
    expect(played!.advanced).toBeGreaterThan(1);
    expect(played!.frames).toBeGreaterThan(0);
  });
});
