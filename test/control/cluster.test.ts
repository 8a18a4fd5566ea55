// Two instances on one Redis with the socket.io Redis adapter: a change made
// through one reaches an organizer connected to the other.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { ControlEvents, ControlPushes, type Agenda, type FloorState, type PresencePush, type RollupPush } from '../../signaling/control.js';
import { waitFor as poll } from '../support/wait.js';
import { api, CONF, connect, emit, setupConference, testEnv, token, waitFor, type Env } from './helpers.js';

let env: Env;
let a: string;
let b: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  env = testEnv('cluster');
  a = (await env.start()).url;
  b = (await env.start()).url;
  assert.notEqual(a, b);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env.cleanup();
});

test('a headcount written on instance A is pushed to an organizer on instance B', async () => {
  const { org } = await setupConference(a, 2, 2);
  const orgB = await connect(b, org, 'organizer');
  sockets.push(orgB);
  assert.ok((await emit(orgB, ControlEvents.subscribe, { conf: CONF })).ok);

  const presence = waitFor<PresencePush>(orgB, ControlPushes.presence, (p) => p.changes.some((c) => c.site === 'd02-c01' && c.online));
  const techA = await connect(a, token('technician', CONF, 'd02-c01'), 'console');
  sockets.push(techA);
  await presence;

  const hallB = await connect(b, token('viewer', CONF, 'd02-c01'), 'hall');
  const consoleB = await connect(b, token('technician', CONF, 'd02-c01'), 'console');
  sockets.push(hallB, consoleB);
  assert.ok((await emit(hallB, ControlEvents.subscribe, { conf: CONF })).ok);
  assert.ok((await emit(consoleB, ControlEvents.subscribe, { conf: CONF })).ok);
  let hallRollups = 0;
  hallB.on(ControlPushes.rollup, () => hallRollups++);
  const hallPush = waitFor<RollupPush>(consoleB, ControlPushes.rollup, (p) => p.sites[0]?.site === 'd02-c01' && p.sites[0].present['c-b'] === 17);
  const pushed = waitFor<RollupPush>(orgB, ControlPushes.rollup, (p) => p.rollups.some((r) => r.site === 'root' && r.present['c-b'] === 17));
  const w = await emit(techA, ControlEvents.headcount, { site: 'd02-c01', group: 'c-b', present: 17 });
  assert.ok(w.ok);
  const p = await pushed;
  const d02 = p.rollups.find((r) => r.site === 'd02');
  assert.equal(d02?.present['c-b'], 17);
  assert.equal(p.sites.find((s) => s.site === 'd02-c01')?.present['c-b'], 17);
  // the site's own console on B gets only its own figures; its hall screen, which shows none, gets no figures
  const hp = await hallPush;
  assert.deepEqual(hp.sites.map((s) => s.site), ['d02-c01']);
  assert.deepEqual(hp.rollups.map((r) => r.site), ['d02-c01']);
  assert.equal(hallRollups, 0);

  // REST on B, push to a site console on A
  const agendaPush = waitFor<Agenda>(techA, ControlPushes.agenda, (ag) => ag.items.length === 1);
  assert.ok((await emit(techA, ControlEvents.subscribe, { conf: CONF })).ok);
  await api(b, org, 'PUT', `/api/conferences/${CONF}/agenda`, { items: [{ id: 'x1', title: 'Mục 1', presenter: 'Ban', plannedStart: '2030-01-15T08:00:00+07:00', plannedDurationMin: 5 }] });
  assert.equal((await agendaPush).items[0]!.id, 'x1');

  // floor request on A seen on B
  const floor = waitFor<FloorState>(orgB, ControlPushes.floor, (f) => f.requests.some((r) => r.site === 'd02-c01' && r.state === 'waiting'));
  assert.ok((await emit(techA, ControlEvents.floorRequest, { site: 'd02-c01', note: 'Xin phát biểu' })).ok);
  await floor;
  const granted = waitFor<FloorState>(techA, ControlPushes.floor, (f) => f.granted === 'd02-c01');
  assert.ok((await emit(orgB, ControlEvents.floorGrant, { site: 'd02-c01' })).ok);
  await granted;

  // a token revoked on B closes the socket on A
  const techToken = (await api(b, org, 'POST', `/api/conferences/${CONF}/invitations`, { role: 'technician', site: 'd01-c01' })).body.data;
  const victim = await connect(a, techToken.token, 'console');
  sockets.push(victim);
  const gone = new Promise((r) => victim.once('disconnect', r));
  assert.equal((await api(b, org, 'DELETE', `/api/conferences/${CONF}/invitations/${techToken.jti}`)).status, 200);
  await gone;
  await assert.rejects(connect(a, techToken.token, 'console'));
  assert.equal((await api(a, techToken.token, 'GET', `/api/conferences/${CONF}/agenda`)).status, 401);
});

test('the console that writes a headcount is answered with its figures, not pushed them again; the site\'s other screens on any instance are pushed them', async () => {
  const org = token('organizer', CONF);
  const writer = await connect(a, token('technician', CONF, 'd01-c02'), 'console');
  const sameInstance = await connect(a, token('technician', CONF, 'd01-c02'), 'checkin');
  const otherInstance = await connect(b, token('technician', CONF, 'd01-c02'), 'console');
  sockets.push(writer, sameInstance, otherInstance);
  for (const s of [writer, sameInstance, otherInstance]) assert.ok((await emit(s, ControlEvents.subscribe, { conf: CONF })).ok);
  // the site going online is a change of its own, pushed to every screen with its current figures:
  // let it be stored and pushed before the write, so that no push but the write's can carry 23
  await poll('the site online', async () => {
    const snap = await emit<{ attendance: { site: string; online: boolean }[] }>(writer, ControlEvents.subscribe, { conf: CONF });
    return snap.ok && snap.data.attendance.some((x) => x.site === 'd01-c02' && x.online);
  }, 10_000, 100);
  await new Promise((r) => setTimeout(r, 300));
  const own: RollupPush[] = [];
  writer.on(ControlPushes.rollup, (p: RollupPush) => own.push(p));
  const is = (n: number) => (p: RollupPush) => p.sites.some((s) => s.site === 'd01-c02' && s.present['c-b'] === n);

  const here = waitFor<RollupPush>(sameInstance, ControlPushes.rollup, is(23));
  const there = waitFor<RollupPush>(otherInstance, ControlPushes.rollup, is(23));
  const w = await emit<{ present: Record<string, number>; seq?: number }>(writer, ControlEvents.headcount, { site: 'd01-c02', group: 'c-b', present: 23 });
  assert.ok(w.ok);
  assert.equal(w.data.present['c-b'], 23);
  assert.ok(typeof w.data.seq === 'number' && w.data.seq > 0, 'the answer carries the write\'s sequence number');
  await Promise.all([here, there]);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(own.filter(is(23)).length, 0, 'the writer got its own write pushed back');

  // a write that came another way (REST, by the organizer) reaches the console too
  const rest = waitFor<RollupPush>(writer, ControlPushes.rollup, is(31));
  await api(b, org, 'PUT', `/api/conferences/${CONF}/attendance/d01-c02`, { present: { 'c-b': 31 } });
  await rest;
});
