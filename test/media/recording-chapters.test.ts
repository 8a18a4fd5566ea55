// A conference recorded from "live" to "ended" by default, through the real
// services: the control service (demo conference, real Redis) starts the
// recording at live, the root media node records the ffmpeg feed and uploads
// its segments, the organizer runs two agenda items, ends the conference, and
// the recording stops. Its chapters are the items' actual times on the
// recording's timeline; one item downloads on its own (streams copied, so a
// cut may start up to a keyframe interval early); the whole file's length is
// the time on air.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort } from '../../infra/proc.js';
import type { Agenda } from '../../signaling/control-model.js';
import type { Recording, RecordingStatus } from '../../signaling/recording.js';
import { signToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { ARTIFACTS, FfmpegFeed, NodeProc, sleep, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-recchap-${randomBytes(4).toString('hex')}:`;
const DATA_DIR = `.cache/test-data/${PREFIX.slice(0, -1)}`;
const RECORD_DIR = join(ARTIFACTS, `recchap-${randomBytes(3).toString('hex')}`);
const ORG = signToken(TOKEN_SECRET, { role: 'organizer', conf: CONF });
const P = `/api/conferences/${CONF}`;

const probeSeconds = (file: string) => Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString().trim());

describe('a recorded conference, chaptered by agenda item', { timeout: 240_000 }, () => {
  let control: ControlHandle;
  let centre: NodeProc;
  let feed: FfmpegFeed;

  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${control.url}${path}`, {
      method, headers: { authorization: `Bearer ${ORG}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return r;
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await call(method, path, body);
    const j = (await r.json()) as { ok: boolean; data: T; error?: unknown };
    if (!j.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.error)}`);
    return j.data;
  };

  beforeAll(async () => {
    const port = await freePort();
    control = await startControl({ port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: DATA_DIR, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
    centre = await new NodeProc({
      tokenSecret: TOKEN_SECRET, nodeSecret: randomBytes(16).toString('hex'), workers: 1, nodeId: 'centre', sites: ['tw'],
      controlUrl: control.url, recordDir: RECORD_DIR, recordSegmentSeconds: 4, recordMinFreeMb: 1,
    }, 'recchap-centre').start();
    feed = new FfmpegFeed(await centre.ingest(ORG, { site: 'tw' }), { size: '320x180' }).start();
  });

  afterAll(async () => {
    await feed?.stop();
    await centre?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
    await rm(DATA_DIR, { recursive: true, force: true });
    await rm(RECORD_DIR, { recursive: true, force: true });
  });

  test('recording follows live → ended, chapters match the items\' actual times, one item downloads alone', async () => {
    assert.equal((await api<RecordingStatus>('GET', `${P}/recording`)).mode, 'auto');
    await api('POST', `${P}/state`, { state: 'rehearsal' });
    await api('POST', `${P}/state`, { state: 'live' });
    const liveAt = Date.now();
    await waitFor('the root node recording', async () => (await api<RecordingStatus>('GET', `${P}/recording`)).recorder?.state === 'recording', 30_000, 200);
    const [first, second] = (await api<Agenda>('GET', `${P}/agenda`)).items;
    await sleep(3000);
    await api('POST', `${P}/agenda/${first!.id}/start`);
    await sleep(8000);
    await api('POST', `${P}/agenda/${second!.id}/start`);
    await sleep(8000);
    await api('POST', `${P}/agenda/${second!.id}/end`);
    await sleep(2000);
    await api('POST', `${P}/state`, { state: 'ended' });
    const onAirMs = Date.now() - liveAt;
    const rec = await waitFor('the recording stopped with its last segment in', async () => {
      const [r] = await api<Recording[]>('GET', `${P}/recordings`);
      return r !== undefined && r.state === 'stopped' && r.durationMs > onAirMs * 0.85 && ((await api<RecordingStatus>('GET', `${P}/recording`)).recorder?.pending ?? 0) === 0 ? r : false;
    }, 60_000, 500).catch(async (err: Error): Promise<never> => { throw new Error(`${err.message}: ${JSON.stringify(await api('GET', `${P}/recordings`))}`); });
    const agenda = await api<Agenda>('GET', `${P}/agenda`);
    const actual = (id: string) => agenda.items.find((i) => i.id === id)!;
    const chapter = (id: string) => rec.chapters.find((c) => c.item === id)!;
    for (const item of [first!, second!]) {
      const a = actual(item.id);
      const c = chapter(item.id);
      assert.ok(c, `a chapter for ${item.id}`);
      assert.equal(Date.parse(c.actualStart), a.actualStart);
      // on the media timeline: the item's length as it ran, to within a second
      const ranMs = a.actualEnd! - a.actualStart!;
      assert.ok(Math.abs((c.endMs - c.startMs) - ranMs) < 1000, `${item.id}: chapter ${c.endMs - c.startMs} ms, ran ${ranMs} ms`);
    }
    // the first item started ~3 s into the recording, the second where the first ended
    assert.ok(Math.abs(chapter(first!.id).startMs - (actual(first!.id).actualStart! - rec.startedAt)) < 1500);
    assert.ok(Math.abs(chapter(second!.id).startMs - chapter(first!.id).endMs) < 300);
    console.log(`[recording-chapters] on air ${onAirMs} ms, recorded ${rec.durationMs} ms in ${rec.segments} segments; chapters ${JSON.stringify(rec.chapters.map((c) => [c.item, c.startMs, c.endMs]))}`);

    const whole = join(ARTIFACTS, 'recchap-whole.webm');
    const w = await call('GET', `${P}/recordings/${rec.id}/file`);
    assert.equal(w.status, 200);
    assert.match(w.headers.get('content-type') ?? '', /video\/webm/);
    writeFileSync(whole, Buffer.from(await w.arrayBuffer()));
    const wholeS = probeSeconds(whole);
    assert.ok(Math.abs(wholeS * 1000 - rec.durationMs) < 1500, `whole file ${wholeS} s, recording ${rec.durationMs} ms`);

    const one = join(ARTIFACTS, 'recchap-item.webm');
    const i = await call('GET', `${P}/recordings/${rec.id}/file?item=${second!.id}`);
    assert.equal(i.status, 200);
    writeFileSync(one, Buffer.from(await i.arrayBuffer()));
    const itemS = probeSeconds(one);
    const chapS = (chapter(second!.id).endMs - chapter(second!.id).startMs) / 1000;
    // streams are copied, so the cut lands on keyframes (one a second here) and segment edges: it may
    // start up to a keyframe interval early, or at the edge of the segment holding the item's start
    const segS = rec.durationMs / rec.segments / 1000;
    assert.ok(itemS >= chapS - 1.5 && itemS <= chapS + Math.max(2.5, segS + 0.5), `item file ${itemS} s, chapter ${chapS} s, segments of ${segS.toFixed(1)} s`);
    console.log(`[recording-chapters] whole file ${wholeS.toFixed(2)} s, item file ${itemS.toFixed(2)} s for a ${chapS.toFixed(2)} s chapter`);
  });
});
