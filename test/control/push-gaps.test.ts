// A roll-up push that never reaches the organizer page must not leave it
// stale. Two control processes on one Redis; the organizer's page-side client
// (client/ui/control-client.ts, the one the browser runs) is on A, a commune's
// console on B. B acknowledges a headcount and dies before its batched push
// goes out: no push will ever carry that figure, and nobody writes again. The
// page learns from A's periodic `push:seq` that a sequence number exists that
// no push carried, re-reads the snapshot and shows the stored figure. Also: a
// page whose socket drops while a write happens ends right after it
// reconnects, normal traffic over both instances causes no re-read, and a
// re-read snapshot keeps a newer push that arrived while it was on its way.
import { afterAll, beforeAll, expect, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'socket.io-client';
import { ControlClient } from '../../client/ui/control-client.js';
import { SeqCoverage } from '../../client/ui/seq-coverage.js';
import { ConferenceStore } from '../../client/ui/store.js';
import { ControlEvents, ControlPushes, type RollupPush, type Snapshot } from '../../signaling/control.js';
import { waitFor as poll } from '../support/wait.js';
import { CONF, connect, emit, setupConference, spawnControl, testEnv, token, waitFor } from './helpers.js';

const env = testEnv('push-gaps');
const children: ChildProcess[] = [];
const sockets: Socket[] = [];
const clients: ControlClient[] = [];

/** A control process; B batches pushes for 5 s so it can die holding one. Heartbeats outlive the test: no presence sweep repairs the figures. */
async function start(extra: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const s = spawnControl({ CONTROL_PORT: '0', REDIS_PREFIX: env.prefix, DATA_DIR: env.dataDir, HEARTBEAT_TTL_MS: '120000', ...extra });
  children.push(s.child);
  return s.ready;
}

/**
 * An organizer page. B holds its pushes for up to 5 s, so a page that must not re-read during normal
 * traffic waits longer than that for a push (the default 3 s grace is for the default 50 ms batching).
 */
function page(base: string, gapGraceMs?: number): ControlClient {
  const c = new ControlClient({ base, token: token('organizer', CONF), client: 'organizer', conf: CONF, ...(gapGraceMs ? { gapGraceMs } : {}) }).start();
  clients.push(c);
  return c;
}

const present = (c: ControlClient, site: string) => c.store.attendance.value.get(site)?.present['c-a'];
const rollupOf = (c: ControlClient, site: string) => c.store.rollups.value.get(site)?.present['c-a'];

let a: string;
let b: string;
let killB: () => void;

beforeAll(async () => {
  const [pa, pb] = await Promise.all([start(), start({ PUSH_INTERVAL_MS: '5000' })]);
  a = pa.url;
  b = pb.url;
  killB = () => pb.child.kill('SIGKILL');
  await setupConference(a, 2, 2);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.close();
  for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) { ch.kill('SIGTERM'); await new Promise((r) => ch.once('exit', r)); }
  await env.cleanup();
});

test('an instance dies holding an acknowledged write\'s push: the organizer page on the other instance shows the figure without a new write', async () => {
  const org = page(a, 8000);
  await poll('organizer page online', async () => org.connection.value === 'online', 10_000);
  // what an older page sees: only the pushes themselves
  const raw = await connect(a, token('organizer', CONF), 'organizer');
  sockets.push(raw);
  assert.ok((await emit(raw, ControlEvents.subscribe, { conf: CONF })).ok);
  let rawSeen = 0;
  raw.on(ControlPushes.rollup, (p: RollupPush) => { for (const s of p.sites) if (s.site === 'd01-c01') rawSeen = Math.max(rawSeen, s.present['c-a'] ?? 0); });

  const consoleA = await connect(a, token('technician', CONF, 'd02-c01'), 'console');
  const consoleB = await connect(b, token('technician', CONF, 'd01-c01'), 'console');
  sockets.push(consoleA, consoleB);
  // normal traffic through both instances: every push arrives, nothing is re-read
  for (let i = 1; i <= 3; i++) {
    assert.ok((await emit(consoleA, ControlEvents.headcount, { site: 'd02-c01', group: 'c-a', present: i })).ok);
    assert.ok((await emit(consoleB, ControlEvents.headcount, { site: 'd01-c01', group: 'c-a', present: i })).ok);
  }
  await poll('both writes pushed', async () => present(org, 'd02-c01') === 3 && present(org, 'd01-c01') === 3, 15_000);
  // two periodic sequence pushes and a grace period go by
  await new Promise((r) => setTimeout(r, 12_000));
  expect(org.resyncs.value).toBe(0);
  expect(org.coverage.missing).toBe(false);
  assert.equal(rollupOf(org, 'root'), 6);

  // after a quiet spell B pushes a write at once (4), so its next push waits ~5 s; it acknowledges 9 and dies before that
  assert.ok((await emit(consoleB, ControlEvents.headcount, { site: 'd01-c01', group: 'c-a', present: 4 })).ok);
  await poll('4 pushed', async () => present(org, 'd01-c01') === 4 && rawSeen === 4, 5000, 5);
  const w = await emit(consoleB, ControlEvents.headcount, { site: 'd01-c01', group: 'c-a', present: 9 });
  assert.ok(w.ok);
  killB();
  const t0 = Date.now();
  await poll('the page shows the acknowledged figure', async () => present(org, 'd01-c01') === 9, 20_000);
  const took = Date.now() - t0;
  console.log(`lost push: the organizer page showed the stored figure ${took} ms after the write (push:seq every 3 s, 8 s grace)`);
  assert.equal(rollupOf(org, 'd01'), 9);
  assert.equal(rollupOf(org, 'root'), 12);
  assert.equal(present(org, 'd02-c01'), 3);
  expect(org.resyncs.value).toBe(1);
  expect(org.coverage.missing).toBe(false);
  // the push really was lost: the raw subscriber never got 9
  assert.equal(rawSeen, 4);
}, 60_000);

test('the page\'s socket drops while a write happens: after it reconnects it shows the write', async () => {
  const org = page(a);
  await poll('organizer page online', async () => org.connection.value === 'online', 10_000);
  const tech = await connect(a, token('technician', CONF, 'd02-c02'), 'console');
  sockets.push(tech);
  const before = org.resyncs.value;
  // the page's transport goes away (as when a network drops); socket.io reconnects by itself
  const sock = (org as unknown as { socket: Socket }).socket;
  const gone = new Promise((r) => sock.once('disconnect', r));
  sock.io.engine.close();
  await gone;
  assert.ok((await emit(tech, ControlEvents.headcount, { site: 'd02-c02', group: 'c-a', present: 4 })).ok);
  await poll('the page shows the write made while it was away', async () => org.connection.value === 'online' && present(org, 'd02-c02') === 4, 15_000);
  assert.equal(rollupOf(org, 'd02'), 7);
  assert.equal(org.resyncs.value, before, 'a reconnect re-reads by subscribing, not through the gap check');
}, 30_000);

test('an instance stopped in good order sends what it still held: the page shows it without re-reading', async () => {
  const org = page(a, 8000);
  await poll('organizer page online', async () => org.connection.value === 'online', 10_000);
  const c = await start({ PUSH_INTERVAL_MS: '5000' });
  const tech = await connect(c.url, token('technician', CONF, 'd01-c02'), 'console');
  sockets.push(tech);
  // the first write after a quiet spell goes at once; the second waits for C's next push, ~5 s away
  assert.ok((await emit(tech, ControlEvents.headcount, { site: 'd01-c02', group: 'c-a', present: 2 })).ok);
  await poll('2 pushed', async () => present(org, 'd01-c02') === 2, 10_000);
  const before = org.resyncs.value;
  assert.ok((await emit(tech, ControlEvents.headcount, { site: 'd01-c02', group: 'c-a', present: 5 })).ok);
  const t0 = Date.now();
  c.child.kill('SIGTERM');
  await poll('the page shows the write C held', async () => present(org, 'd01-c02') === 5, 15_000, 20);
  const took = Date.now() - t0;
  await new Promise((r) => c.child.exitCode !== null ? r(null) : c.child.once('exit', r));
  console.log(`stopped instance: its last push reached the page ${took} ms after SIGTERM`);
  // it came in C's last push, not through the page's gap check (which waits 8 s and re-reads)
  assert.equal(org.resyncs.value, before);
}, 40_000);

test('a snapshot read again keeps a push newer than itself; sequence numbers are seen in any order', () => {
  const store = new ConferenceStore();
  const att = (site: string, n: number) => ({ site, expected: {}, present: { 'c-a': n }, reported: true, online: true });
  const ru = (site: string, n: number) => ({ site, expected: {}, present: { 'c-a': n }, totalExpected: 0, totalPresent: n, sites: 1, online: 1, reported: 1 });
  const snap = (seq: number, n: number) => ({
    conference: {}, you: { role: 'organizer' }, sites: [], groups: [], agenda: null, floor: null, materials: [],
    rollups: [ru('x', n), ru('y', n)], attendance: [att('x', n), att('y', n)], seq,
  }) as unknown as Snapshot;
  store.loadSnapshot(snap(10, 1));
  // pushes from two instances out of order: the older one does not overwrite the newer
  store.applyRollups(14, [ru('x', 5)], [att('x', 5)]);
  store.applyRollups(12, [ru('x', 3)], [att('x', 3)]);
  assert.equal(store.attendance.value.get('x')!.present['c-a'], 5);
  // a re-read snapshot taken at 13 arrives after the push read at 14: x keeps 5, y takes the snapshot's
  store.loadSnapshot(snap(13, 2));
  assert.equal(store.attendance.value.get('x')!.present['c-a'], 5);
  assert.equal(store.rollups.value.get('x')!.totalPresent, 5);
  assert.equal(store.attendance.value.get('y')!.present['c-a'], 2);
  // and a later snapshot takes over again
  store.loadSnapshot(snap(20, 7));
  assert.equal(store.attendance.value.get('x')!.present['c-a'], 7);
  // a console's own write, answered at 30: another console's push read at 25 (it gets none of its own) does not undo it
  store.setAttendance({ ...att('x', 9), seq: 30 });
  store.applyRollups(25, [], [att('x', 4)]);
  assert.equal(store.attendance.value.get('x')!.present['c-a'], 9);
  store.applyRollups(31, [], [att('x', 6)]);
  assert.equal(store.attendance.value.get('x')!.present['c-a'], 6);

  const cov = new SeqCoverage();
  cov.snapshot(10);
  cov.cover([[13, 15]]);
  assert.equal(cov.missing, true);
  assert.equal(cov.upTo, 10);
  cov.cover([[11, 11]]);
  cov.cover([[12, 12], [16, 16]]);
  assert.equal(cov.upTo, 16);
  assert.equal(cov.missing, false);
  cov.known(18);
  assert.equal(cov.missing, true);
  cov.snapshot(18);
  assert.equal(cov.missing, false);
  // a failover lost writes 17-18 and hands their numbers out again: the page starts from the new snapshot
  cov.reset(16);
  assert.equal(cov.upTo, 16);
  cov.cover([[17, 17]]);
  assert.equal(cov.upTo, 17);
  store.loadSnapshot(snap(16, 8), true);
  assert.equal(store.attendance.value.get('x')!.present['c-a'], 8);
});
