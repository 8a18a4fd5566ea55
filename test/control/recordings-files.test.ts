// A recording's chapters, files, pushes and deletion, on real WebM segments
// (ffmpeg, 3 × 4 s, a keyframe a second) uploaded through the node route: chapters are the agenda
// items' actual times placed on the segments' timeline (a gap between runs
// collapses); the whole file lasts the sum of the segments and an item's file
// its chapter (ffprobe); a push is a material with a working receipt; a
// deletion needs the id confirmed and is logged.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Agenda, Material } from '../../signaling/control.js';
import type { Recording, RecordingAuditEntry, RecordingStatus } from '../../signaling/recording.js';
import { api, CONF, receiptFor, setupConference, testEnv, token, type Env } from './helpers.js';
import { makeSegments, NODE_SECRET, nodeToken, probeCodecs, probeMs, segmentMeta, uploadSegment, type SegmentFile } from './recording-support.js';

let env: Env;
let base: string;
let org: string;
let segs: SegmentFile[];
const P = `/api/conferences/${CONF}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ok = <T>(r: { status: number; body: any }): T => {
  assert.ok(r.body.ok, `${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data as T;
};

beforeAll(async () => {
  env = testEnv('recfiles', { nodeSecret: NODE_SECRET, delivery: { attempts: 2, backoffMs: 100, receiptTimeoutMs: 2000 } });
  base = (await env.start()).url;
  org = (await setupConference(base, 1, 2)).org; // root, prov, d01, d01-c01, d01-c02
  const item = (id: string, title: string, n: number) => ({ id, title, presenter: 'Ban Tuyên giáo', plannedStart: `2030-01-15T${String(8 + n).padStart(2, '0')}:00:00+07:00`, plannedDurationMin: 30 });
  ok(await api(base, org, 'PUT', `${P}/agenda`, { items: [item('khai-mac', 'Khai mạc', 0), item('bao-cao', 'Báo cáo chính trị', 1), item('tham-luan', 'Tham luận', 2)] }));
  segs = await makeSegments(join(env.dataDir, 'fixtures'), 3, 4);
});
afterAll(async () => {
  await env.cleanup();
});

/** Downloads to a file and returns its path, with the response. */
async function download(path: string, tok: string | null, name: string, headers: Record<string, string> = {}) {
  const r = await fetch(base + path, { headers: { ...(tok ? { authorization: `Bearer ${tok}` } : {}), ...headers } });
  const bytes = Buffer.from(await r.arrayBuffer());
  const file = join(env.dataDir, 'fixtures', name);
  await writeFile(file, bytes);
  return { r, bytes, file };
}

test('the organizer switches recording on; chapters are the agenda times on the segment timeline; whole and item files', async () => {
  // switched on before going live: the organizer's word counts at once
  const st = ok<RecordingStatus>(await api(base, org, 'POST', `${P}/recording`, { mode: 'on' }));
  assert.equal(st.mode, 'on');
  assert.equal(st.current?.id, 'rec-1');
  assert.equal(st.current?.state, 'recording');
  assert.equal((await api(base, token('technician', CONF, 'd01-c01'), 'POST', `${P}/recording`, { mode: 'off' })).status, 403);
  const seen = ok<RecordingStatus>(await api(base, token('viewer', CONF, 'd01-c01'), 'GET', `${P}/recording`));
  assert.equal(seen.current?.id, 'rec-1', 'a hall sees the indicator');
  ok(await api(base, org, 'POST', `${P}/state`, { state: 'live' }));
  assert.equal(ok<RecordingStatus>(await api(base, org, 'GET', `${P}/recording`)).current?.id, 'rec-1', 'going live keeps the recording');

  ok(await api(base, org, 'POST', `${P}/agenda/khai-mac/start`));
  await sleep(1500);
  ok(await api(base, org, 'POST', `${P}/agenda/bao-cao/start`));
  await sleep(1500);
  const agenda = ok<Agenda>(await api(base, org, 'POST', `${P}/agenda/bao-cao/end`));
  const tA = agenda.items.find((i) => i.id === 'khai-mac')!.actualStart!;
  const tB = agenda.items.find((i) => i.id === 'bao-cao')!.actualStart!;
  const tE = agenda.items.find((i) => i.id === 'bao-cao')!.actualEnd!;
  const [d0, d1, d2] = segs.map((s) => s.durationMs) as [number, number, number];

  // run 1: one segment from 3 s before the opening; a gap (node restart); run 2 from 300 ms after the report began
  const node = nodeToken('centre');
  const metas = [
    segmentMeta(segs[0]!, 'rec-1', 'r1', 0, tA - 3000),
    segmentMeta(segs[1]!, 'rec-1', 'r2', 0, tB + 300),
    segmentMeta(segs[2]!, 'rec-1', 'r2', 1, tB + 300 + d1),
  ];
  assert.ok(tB > tA - 3000 + d0, 'the report starts inside the gap');
  // uploaded out of order: the wall clock orders them
  for (const i of [2, 0, 1]) assert.equal((await uploadSegment(base, node, CONF, metas[i]!, segs[i]!.bytes)).status, 201);

  const rec = ok<Recording>(await api(base, org, 'GET', `${P}/recordings/rec-1`));
  assert.equal(rec.segments, 3);
  assert.equal(rec.durationMs, d0 + d1 + d2);
  assert.equal(rec.bytes, segs.reduce((n, s) => n + s.bytes.length, 0));
  // opening: 3 s into run 1 until the gap (which collapses); report: from run 2's start (inside the gap) for tE - (tB + 300)
  assert.deepEqual(rec.chapters.map((c) => [c.item, c.startMs, c.endMs]), [
    ['khai-mac', 3000, d0],
    ['bao-cao', d0, d0 + (tE - (tB + 300))],
  ]);
  assert.equal(Date.parse(rec.chapters[0]!.actualStart), tA);
  assert.equal(Date.parse(rec.chapters[1]!.actualEnd!), tE);
  assert.match(rec.chapters[0]!.actualStart, /\+07:00$/);
  assert.equal(rec.chapters[0]!.title, 'Khai mạc');

  // the whole recording: the segments joined, streams copied
  const tech = token('technician', CONF, 'd01-c01');
  const whole = await download(`${P}/recordings/rec-1/file?token=${encodeURIComponent(tech)}`, null, 'whole.webm');
  assert.equal(whole.r.status, 200);
  assert.equal(whole.r.headers.get('content-type'), 'video/webm');
  assert.deepEqual((await probeCodecs(whole.file)).sort(), ['opus', 'vp8']);
  const wholeMs = await probeMs(whole.file);
  console.log(`whole: ${wholeMs} ms for segments of ${d0 + d1 + d2} ms`);
  assert.ok(Math.abs(wholeMs - (d0 + d1 + d2)) <= 0.02 * (d0 + d1 + d2), `whole ${wholeMs} ms ≈ ${d0 + d1 + d2} ms`);
  // cached, resumable: the same ETag, a Range, If-None-Match
  const etag = whole.r.headers.get('etag')!;
  const again = await download(`${P}/recordings/rec-1/file`, org, 'whole2.webm', { range: 'bytes=100-199' });
  assert.equal(again.r.status, 206);
  assert.equal(again.r.headers.get('etag'), etag);
  assert.deepEqual(again.bytes, whole.bytes.subarray(100, 200));
  assert.equal((await fetch(`${base}${P}/recordings/rec-1/file`, { headers: { authorization: `Bearer ${org}`, 'if-none-match': etag } })).status, 304);

  // one item: cut at its chapter (inside a segment at a keyframe, or at a run's start)
  for (const ch of rec.chapters) {
    const item = await download(`${P}/recordings/rec-1/file?item=${ch.item}`, org, `item-${ch.item}.webm`);
    assert.equal(item.r.status, 200);
    const itemMs = await probeMs(item.file);
    console.log(`item ${ch.item}: ${itemMs} ms for a chapter of ${ch.endMs - ch.startMs} ms`);
    // streams are copied, so a cut starts at the keyframe at or before the chapter (one a second here)
    const len = ch.endMs - ch.startMs;
    assert.ok(itemMs >= len - 100 && itemMs <= len + 1000 + 100, `item ${ch.item} ${itemMs} ms ≈ chapter ${len} ms (+ at most a keyframe interval)`);
  }
  const notRecorded = await api(base, org, 'GET', `${P}/recordings/rec-1/file?item=tham-luan`);
  assert.equal(notRecorded.status, 404);
  assert.match(notRecorded.body.error.message, /tải cả bản ghi/);
  assert.equal((await api(base, token('participant', CONF, 'd01-c01'), 'GET', `${P}/recordings/rec-1/file`)).status, 403);

  // a new segment makes a new file (and the stale one goes)
  const late = segmentMeta(segs[0]!, 'rec-1', 'r2', 2, tB + 300 + d1 + d2);
  assert.equal((await uploadSegment(base, node, CONF, late, segs[0]!.bytes)).status, 201);
  const third = await fetch(`${base}${P}/recordings/rec-1/file`, { headers: { authorization: `Bearer ${org}`, 'if-none-match': etag } });
  assert.equal(third.status, 200);
  assert.notEqual(third.headers.get('etag'), etag);
  await third.arrayBuffer();
  const cached = (await readdir(join(env.dataDir, 'recordings', CONF, 'rec-1', 'cache'))).filter((f) => f.startsWith('whole-'));
  assert.equal(cached.length, 1);
});

test('push to chosen sites: a material with a working receipt, listed on the recording', async () => {
  const r = await api<Material>(base, org, 'POST', `${P}/recordings/rec-1/push`, { targets: ['d01-c01'], item: 'bao-cao' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const m = r.body.data!;
  assert.deepEqual(m.targets, ['d01-c01']);
  assert.equal(m.mime, 'video/webm');
  assert.match(m.title, /Báo cáo chính trị/);
  // the chosen site downloads it (resumable, sha256) and confirms; another site may not
  const tech = token('technician', CONF, 'd01-c01');
  const dl = await fetch(base + m.url, { headers: { authorization: `Bearer ${tech}` } });
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('etag'), `"${m.sha256}"`);
  const bytes = Buffer.from(await dl.arrayBuffer());
  assert.equal(bytes.length, m.size);
  const receipt = await receiptFor(base, tech, CONF, m.id, bytes);
  assert.equal(receipt.sha256, m.sha256);
  const d = ok<{ state: string }>(await api(base, tech, 'POST', `${P}/materials/${m.id}/receipts`, { site: 'd01-c01', version: m.version, ...receipt }));
  assert.equal(d.state, 'delivered');
  assert.equal((await fetch(base + m.url, { headers: { authorization: `Bearer ${token('technician', CONF, 'd01-c02')}` } })).status, 403);
  // recorded on the recording: who, when, where, which item
  const rec = ok<Recording>(await api(base, org, 'GET', `${P}/recordings/rec-1`));
  assert.equal(rec.pushes.length, 1);
  assert.deepEqual({ ...rec.pushes[0], at: 0 }, { material: m.id, item: 'bao-cao', targets: ['d01-c01'], at: 0, by: rec.pushes[0]!.by });
  assert.match(rec.pushes[0]!.by, /^organizer:/);
  // all sites, the whole recording
  const all = ok<Material>(await api(base, org, 'POST', `${P}/recordings/rec-1/push`, { targets: 'all' }));
  assert.equal(all.targets, 'all');
  assert.equal((await api(base, org, 'POST', `${P}/recordings/rec-1/push`, { targets: ['khong-co'] })).status, 404);
});

test('delete: refused without the id confirmed or while recording; then gone, files removed, logged', async () => {
  const bare = await api(base, org, 'DELETE', `${P}/recordings/rec-1`);
  assert.equal(bare.status, 400);
  const wrong = await api(base, org, 'DELETE', `${P}/recordings/rec-1?confirm=rec-2`);
  assert.equal(wrong.status, 400);
  assert.match(wrong.body.error.message, /xác nhận/);
  const busy = await api(base, org, 'DELETE', `${P}/recordings/rec-1?confirm=rec-1`);
  assert.equal(busy.status, 409, 'the recording being written');
  assert.equal((await api(base, token('technician', CONF, 'd01-c01'), 'DELETE', `${P}/recordings/rec-1?confirm=rec-1`)).status, 403);
  assert.equal(ok<Recording>(await api(base, org, 'GET', `${P}/recordings/rec-1`)).segments, 4, 'nothing changed');

  const off = ok<RecordingStatus>(await api(base, org, 'POST', `${P}/recording`, { mode: 'off' }));
  assert.equal(off.current, null);
  const stopped = ok<Recording[]>(await api(base, org, 'GET', `${P}/recordings`));
  assert.equal(stopped[0]!.state, 'stopped');
  assert.ok(stopped[0]!.stoppedAt! >= stopped[0]!.startedAt);
  const del = await api(base, org, 'DELETE', `${P}/recordings/rec-1?confirm=rec-1`);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.deepEqual(del.body.data, { id: 'rec-1', deleted: true });
  assert.equal((await api(base, org, 'GET', `${P}/recordings/rec-1`)).status, 404);
  assert.deepEqual(ok(await api(base, org, 'GET', `${P}/recordings`)), []);
  assert.deepEqual(await readdir(join(env.dataDir, 'recordings', CONF)), []);
  // a late segment of the deleted recording is not kept
  assert.equal((await uploadSegment(base, nodeToken('centre'), CONF, segmentMeta(segs[1]!, 'rec-1', 'r3', 0, Date.now()), segs[1]!.bytes)).status, 404);

  const log = ok<RecordingAuditEntry[]>(await api(base, org, 'GET', `${P}/recording/log`));
  assert.deepEqual(log.map((e) => e.action), ['delete', 'stop', 'mode', 'push', 'push', 'start', 'mode']);
  assert.equal(log[0]!.recording, 'rec-1');
  assert.match(log[0]!.by, /^organizer:/);
  assert.equal((await api(base, token('technician', CONF, 'd01-c01'), 'GET', `${P}/recording/log`)).status, 403);
});
