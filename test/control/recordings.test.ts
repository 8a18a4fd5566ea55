// Recording in the control service: on at "live" and off at "ended" (auto),
// the organizer's switch, the record command reaching the root node's channel,
// and the node's segment upload refusing anything that is not exactly what the
// node declared (nothing kept), with real WebM segments made by ffmpeg.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { MediaLinkEvents, type NodeReport } from '../../signaling/control-media.js';
import type { RecordCommand, RecorderState, Recording, RecordingStatus } from '../../signaling/recording.js';
import { signToken } from '../../signaling/token.js';
import { waitFor } from '../support/wait.js';
import { api, CONF, SECRET, setupConference, testEnv, token, type Env } from './helpers.js';
import { linkNode, makeSegments, NODE_SECRET, nodeToken, segmentMeta, uploadSegment, type SegmentFile } from './recording-support.js';

let env: Env;
let base: string;
let org: string;
let segs: SegmentFile[];
const sockets: Socket[] = [];
const P = `/api/conferences/${CONF}`;

beforeAll(async () => {
  env = testEnv('recordings', { nodeSecret: NODE_SECRET });
  base = (await env.start()).url;
  org = (await setupConference(base, 1, 1)).org; // root (node centre), prov, d01, d01-c01 (node p)
  segs = await makeSegments(join(env.dataDir, 'fixtures'), 2, 2);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env.cleanup();
});

const ok = <T>(r: { status: number; body: any }): T => {
  assert.ok(r.body.ok, `${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data as T;
};
const filesOf = async (rec: string) => (await readdir(join(env.dataDir, 'recordings', CONF, rec)).catch(() => [] as string[])).filter((f) => f.endsWith('.webm'));

test('auto: recording starts at live; the root node is told to record it, and a node that stops being told stops', async () => {
  const node = await linkNode(base, nodeToken('centre'));
  sockets.push(node);
  const commands: RecordCommand[] = [];
  let recorders: RecorderState[] = [];
  node.on(MediaLinkEvents.record, (cmd: RecordCommand, ack: (r: unknown) => void) => {
    commands.push(cmd);
    recorders = cmd.confs.map((c) => ({ ...c, state: 'recording', alarm: null, since: Date.now(), uploaded: 0, pending: 0, freeBytes: 1e12, minFreeBytes: 1e9 }));
    ack({ ok: true, data: cmd });
  });
  for (const ev of [MediaLinkEvents.roots, MediaLinkEvents.carry]) node.on(ev, (cmd: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: cmd }));
  node.on(MediaLinkEvents.open, (cmd: { conf: string }, ack: (r: unknown) => void) => ack({ ok: true, data: { conf: cmd.conf, floor: null, contribution: null } }));
  const report = (): NodeReport => ({ nodeId: 'centre', root: true, conferences: [{ conf: CONF, floor: null, contribution: null }], rooted: [], parent: null, carries: [], recording: recorders });
  const timer = setInterval(() => node.emit(MediaLinkEvents.report, report(), () => undefined), 200);
  try {
    // draft: nothing recorded, nothing asked of the node
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(commands.length, 0);
    ok(await api(base, org, 'POST', `${P}/state`, { state: 'live' }));
    const cmd = await waitFor('the record command', async () => commands.find((c) => c.confs.length > 0));
    assert.deepEqual(cmd.confs, [{ conf: CONF, recording: 'rec-1' }]);
    // the node now reports the recorder: no further command while it agrees
    const n = commands.length;
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(commands.length, n, 'a node that agrees is not told again');
    // the status shows the recording and the root node's recorder
    const st = ok<RecordingStatus>(await api(base, token('viewer', CONF, 'd01-c01'), 'GET', `${P}/recording`));
    assert.equal(st.mode, 'auto');
    assert.equal(st.current?.id, 'rec-1');
    assert.equal(st.recorder?.state, 'recording');
    // the node's alarm (its disk nearly full) shows on the recording
    recorders = recorders.map((r) => ({ ...r, state: 'alarm', alarm: 'disk-full', freeBytes: 5e8 }));
    await waitFor('the alarm on the recording', async () => ok<RecordingStatus>(await api(base, org, 'GET', `${P}/recording`)).current?.alarm === 'disk-full');
    assert.equal(ok<RecordingStatus>(await api(base, org, 'GET', `${P}/recording`)).recorder?.alarm, 'disk-full');
    recorders = recorders.map((r) => ({ ...r, state: 'recording', alarm: null, freeBytes: 1e12 }));
    await waitFor('the alarm cleared', async () => ok<RecordingStatus>(await api(base, org, 'GET', `${P}/recording`)).current?.alarm === null);
  } finally {
    clearInterval(timer);
  }
});

test('segment upload: exact bytes kept once; wrong sha, unknown recording, person token, oversize, bad header refused and nothing kept', async () => {
  const node = nodeToken('centre');
  const t0 = Date.now() - 10_000;
  const meta = segmentMeta(segs[0]!, 'rec-1', 'run-a', 0, t0);
  const first = await uploadSegment(base, node, CONF, meta, segs[0]!.bytes);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.data.stored, true);
  // the same run + index again: accepted, one copy
  const again = await uploadSegment(base, node, CONF, meta, segs[0]!.bytes);
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.data.stored, false);
  assert.equal((await filesOf('rec-1')).length, 1);

  const next = segmentMeta(segs[1]!, 'rec-1', 'run-a', 1, t0 + segs[0]!.durationMs);
  const refusals: [string, Promise<{ status: number; body: any }>, number, string][] = [
    ['wrong sha256', uploadSegment(base, node, CONF, { ...next, sha256: segs[0]!.sha256 }, segs[1]!.bytes), 409, 'CONFLICT'],
    ['wrong size', uploadSegment(base, node, CONF, { ...next, bytes: next.bytes + 1 }, segs[1]!.bytes), 409, 'CONFLICT'],
    ['unknown recording', uploadSegment(base, node, CONF, { ...next, recording: 'rec-99' }, segs[1]!.bytes), 404, 'NOT_FOUND'],
    ['unknown conference', uploadSegment(base, node, 'khong-co', next, segs[1]!.bytes), 404, 'NOT_FOUND'],
    ['organizer token', uploadSegment(base, org, CONF, next, segs[1]!.bytes), 403, 'FORBIDDEN'],
    ['node token of another secret', uploadSegment(base, signToken(SECRET.replace(/.$/, 'x'), { role: 'node', conf: '*', site: 'centre' }), CONF, next, segs[1]!.bytes), 401, 'UNAUTHORIZED'],
    ['no token', uploadSegment(base, null, CONF, next, segs[1]!.bytes), 401, 'UNAUTHORIZED'],
    ['header not JSON', uploadSegment(base, node, CONF, next, segs[1]!.bytes, { header: '{nope' }), 400, 'BAD_REQUEST'],
    ['header missing a field', uploadSegment(base, node, CONF, next, segs[1]!.bytes, { header: JSON.stringify({ ...next, sha256: undefined }) }), 400, 'BAD_REQUEST'],
    ['path name not run-index', uploadSegment(base, node, CONF, next, segs[1]!.bytes, { name: 'run-a-7' }), 400, 'BAD_REQUEST'],
    ['declared larger than the limit', uploadSegment(base, node, CONF, { ...next, bytes: 600 * 1024 * 1024 }, segs[1]!.bytes), 413, 'TOO_LARGE'],
  ];
  for (const [what, p, status, code] of refusals) {
    const r = await p;
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error?.code, code, what);
    assert.ok(r.body.error.message.length > 10, `${what}: a message`);
  }
  // a technician's token is no node token either
  const tech = await uploadSegment(base, token('technician', CONF, 'root'), CONF, next, segs[1]!.bytes);
  assert.equal(tech.status, 403);
  // nothing of the refused uploads was kept (one file, no temporary left behind)
  assert.deepEqual(await filesOf('rec-1'), [first.body.data.segment.file]);
  assert.deepEqual(await readdir(join(env.dataDir, 'recordings', 'tmp')), []);
  // the same segment name with other content is a conflict, not a second copy
  const clash = await uploadSegment(base, node, CONF, { ...meta, bytes: segs[1]!.bytes.length, sha256: segs[1]!.sha256 }, segs[1]!.bytes);
  assert.equal(clash.status, 409);
  assert.equal((await filesOf('rec-1')).length, 1);
  // and the right upload of the next one is kept (named as a node names its file: a zero-padded index)
  assert.equal((await uploadSegment(base, node, CONF, next, segs[1]!.bytes, { name: 'run-a-00001' })).status, 201);
  assert.equal((await filesOf('rec-1')).length, 2);
});

test('control refuses segments when its own disk is below the threshold', async () => {
  const h = await env.start({ nodeSecret: NODE_SECRET, recordingMinFreeBytes: Number.MAX_SAFE_INTEGER });
  const meta = segmentMeta(segs[1]!, 'rec-1', 'run-b', 0, Date.now());
  const r = await uploadSegment(h.url, nodeToken('centre'), CONF, meta, segs[1]!.bytes);
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'UNAVAILABLE');
  assert.match(r.body.error.message, /Ổ đĩa .* sắp đầy/);
  assert.equal((await filesOf('rec-1')).length, 2);
  await h.close();
});

test('auto: recording stops at ended and the root node is told to stop', async () => {
  const node = sockets[0]!;
  const got = new Promise<RecordCommand>((resolve) => node.on(MediaLinkEvents.record, (cmd: RecordCommand) => { if (cmd.confs.length === 0) resolve(cmd); }));
  const timer = setInterval(() => node.emit(MediaLinkEvents.report, { nodeId: 'centre', root: true, conferences: [], rooted: [], parent: null, carries: [], recording: [{ conf: CONF, recording: 'rec-1', state: 'recording', alarm: null, since: 1, uploaded: 2, pending: 0, freeBytes: 1e12, minFreeBytes: 1e9 }] }, () => undefined), 200);
  try {
    ok(await api(base, org, 'POST', `${P}/state`, { state: 'ended' }));
    assert.deepEqual((await got).confs, []);
    const st = ok<RecordingStatus>(await api(base, org, 'GET', `${P}/recording`));
    assert.equal(st.current, null);
    const [rec] = ok<Recording[]>(await api(base, org, 'GET', `${P}/recordings`));
    assert.equal(rec!.state, 'stopped');
    assert.ok(rec!.stoppedAt! >= rec!.startedAt);
    assert.equal(rec!.segments, 2);
    assert.equal(rec!.startedBy, 'auto');
    // an ended conference is not recorded again
    const again = await api(base, org, 'POST', `${P}/recording`, { mode: 'on' });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /đã kết thúc/);
    assert.equal(ok<RecordingStatus>(await api(base, org, 'GET', `${P}/recording`)).current, null);
  } finally {
    clearInterval(timer);
  }
});
