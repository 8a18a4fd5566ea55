// Running a conference: state machine, agenda pushed live to every site,
// presence joins/leaves with connected time, check-in/out, incidents,
// rehearsal results, floor requests; and the service endpoints
// (/openapi.json, /metrics, /healthz, static web apps).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Socket } from 'socket.io-client';
import { AccountRoutes } from '../../signaling/accounts.js';
import { ControlRoutes } from '../../signaling/control-routes.js';
import { ControlEvents, ControlPushes, type Agenda, type Incident, type PresencePush, type Snapshot } from '../../signaling/control.js';
import { waitFor as poll } from '../support/wait.js';
import { api, CONF, connect, emit, setupConference, testEnv, token, waitFor, type Env } from './helpers.js';

let env: Env;
let base: string;
let org: string;
const P = `/api/conferences/${CONF}`;
const sockets: Socket[] = [];
const staticDir = `test-artifacts/control-static`;

beforeAll(async () => {
  await mkdir(staticDir, { recursive: true });
  await writeFile(`${staticDir}/index.html`, '<!doctype html><title>Điểm Cầu</title>');
  env = testEnv('ops', { staticDir, mediaNodes: { p: 'http://127.0.0.1:7202' } });
  base = (await env.start()).url;
  org = (await setupConference(base, 2, 2)).org;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env.cleanup();
});

test('conference state machine', async () => {
  const st = async (state: string) => (await api(base, org, 'POST', `${P}/state`, { state })).status;
  assert.equal(await st('ended'), 409, 'draft cannot end');
  assert.equal((await api(base, org, 'POST', `${P}/agenda/x/start`)).status, 409, 'no agenda while draft');
  assert.equal(await st('rehearsal'), 200);
  assert.equal(await st('live'), 200);
  assert.equal(await st('draft'), 409, 'live cannot go back');
});

test('agenda: start, auto-end of the previous item, reorder; every site learns it live', async () => {
  const items = [1, 2, 3].map((n) => ({ id: `a${n}`, title: `Mục ${n}`, presenter: 'Ban', plannedStart: `2030-01-15T${String(7 + n).padStart(2, "0")}:00:00+07:00`, plannedDurationMin: 30 }));
  assert.equal((await api(base, org, 'PUT', `${P}/agenda`, { items })).status, 200);
  const hall = await connect(base, token('viewer', CONF, 'd02-c02'), 'hall');
  sockets.push(hall);
  const snap = (await emit<Snapshot>(hall, ControlEvents.subscribe, { conf: CONF }));
  assert.ok(snap.ok);
  assert.equal(snap.data.agenda.items.length, 3);
  assert.equal(snap.data.sites.find((s) => s.id === 'd02-c02')?.mediaUrl, 'http://127.0.0.1:7202');
  const o = await connect(base, org, 'organizer');
  sockets.push(o);
  await emit(o, ControlEvents.subscribe, { conf: CONF });
  let pushed = waitFor<Agenda>(hall, ControlPushes.agenda, (a) => a.current === 'a1');
  assert.ok((await emit(o, ControlEvents.agendaStart, { item: 'a1' })).ok);
  await pushed;
  pushed = waitFor<Agenda>(hall, ControlPushes.agenda, (a) => a.current === 'a2');
  const r = await emit<Agenda>(o, ControlEvents.agendaStart, { item: 'a2' });
  assert.ok(r.ok);
  const a = await pushed;
  assert.equal(a.items[0]!.state, 'done');
  assert.ok(a.items[0]!.actualEnd! >= a.items[0]!.actualStart!);
  assert.equal(a.items[1]!.state, 'running');
  assert.equal((await emit(o, ControlEvents.agendaStart, { item: 'a1' }) as any).error.code, 'CONFLICT', 'an ended item cannot restart');
  assert.equal((await emit(o, ControlEvents.agendaEnd, { item: 'a3' }) as any).error.code, 'CONFLICT');
  assert.equal((await emit(o, ControlEvents.agendaReorder, { order: ['a3', 'a1'] }) as any).error.code, 'BAD_REQUEST');
  const re = await emit<Agenda>(o, ControlEvents.agendaReorder, { order: ['a1', 'a3', 'a2'] });
  assert.ok(re.ok);
  assert.deepEqual(re.data.items.map((i) => i.id), ['a1', 'a3', 'a2']);
  assert.ok((await emit(o, ControlEvents.agendaEnd, { item: 'a2' })).ok);
  const report = (await api(base, org, 'GET', `${P}/reports/agenda`)).body.data;
  assert.equal(report.filter((x: any) => x.actualDurationMin !== undefined).length, 2);
});

test('presence: joins, leaves, connected time, pushed to the organizer', async () => {
  const o = await connect(base, org, 'organizer');
  sockets.push(o);
  await emit(o, ControlEvents.subscribe, { conf: CONF });
  const online = waitFor<PresencePush>(o, ControlPushes.presence, (p) => p.changes.some((c) => c.site === 'd01-c01' && c.online));
  const presence = async () => (await api(base, org, 'GET', `${P}/presence`)).body.data.find((x: any) => x.site === 'd01-c01');
  const t0 = Date.now();
  const c1 = await connect(base, token('technician', CONF, 'd01-c01'), 'console');
  await online;
  const c2 = await connect(base, token('viewer', CONF, 'd01-c01'), 'hall');
  const part = await connect(base, token('participant', CONF, 'd01-c01'), 'checkin');
  // the check-in phone connected last: once the hall counts, a phone that counted would show as 3
  let pres = await poll('presence to count the console and the hall', async () => { const p = await presence(); return p.connections >= 2 && p; }, 5000, 50);
  assert.equal(pres.connections, 2, 'console + hall count, a check-in phone does not');
  assert.equal(pres.joins, 1);
  c1.close();
  pres = await poll('presence to drop the closed console', async () => { const p = await presence(); return p.connections === 1 && p; }, 5000, 50);
  assert.equal(pres.online, true);
  const offline = waitFor<PresencePush>(o, ControlPushes.presence, (p) => p.changes.some((c) => c.site === 'd01-c01' && !c.online));
  c2.close();
  await offline;
  part.close();
  pres = (await api(base, org, 'GET', `${P}/presence`)).body.data.find((x: any) => x.site === 'd01-c01');
  assert.equal(pres.online, false);
  const wall = Date.now() - t0;
  assert.ok(pres.totalMs > 0 && pres.totalMs <= wall, `connected time ${pres.totalMs} ms within the ${wall} ms the sockets were open`);
  assert.ok(pres.lastLeave >= pres.lastJoin);
  const ev = (await api(base, org, 'GET', `${P}/presence/d01-c01/events`)).body.data;
  assert.deepEqual(ev.map((e: any) => e.kind), ['join', 'join', 'leave', 'leave']);
  assert.equal((await api(base, org, 'GET', `${P}/rollups/d01`)).body.data.online, 0);
  assert.equal((await api(base, org, 'GET', `${P}/rollups/root`)).body.data.online, 1, 'only the hall screen of d02-c02 is still connected');
});

test('check-in and out, incidents, rehearsal results, floor', async () => {
  const part = token('participant', CONF, 'd02-c01');
  const ci = (await api(base, part, 'POST', `${P}/checkins`, { site: 'd02-c01', group: 'c-b', name: 'Hoàng Thị E', unit: 'UBND xã' })).body.data;
  assert.ok(ci.inAt);
  assert.equal((await api(base, part, 'POST', `${P}/checkins`, { site: 'd02-c01', group: 'd-a', name: 'X' })).status, 400, 'group of another level');
  const out = (await api(base, part, 'POST', `${P}/checkins/${ci.id}/out`)).body.data;
  assert.ok(out.outAt >= out.inAt);
  assert.equal((await api(base, part, 'POST', `${P}/checkins/${ci.id}/out`)).status, 409);

  const techT = token('technician', CONF, 'd02-c01');
  const tech = await connect(base, techT, 'console');
  const o = await connect(base, org, 'organizer');
  sockets.push(tech, o);
  await emit(tech, ControlEvents.subscribe, { conf: CONF });
  await emit(o, ControlEvents.subscribe, { conf: CONF });
  const seen = waitFor<Incident>(o, ControlPushes.incident, (i) => i.site === 'd02-c01');
  const inc = await emit<Incident>(tech, ControlEvents.incidentReport, { site: 'd02-c01', title: 'Mất tín hiệu âm thanh', severity: 'high' });
  assert.ok(inc.ok);
  await seen;
  const handled = waitFor<Incident>(tech, ControlPushes.incident, (i) => i.state === 'handled');
  assert.ok((await emit(o, ControlEvents.incidentHandle, { id: inc.data.id, note: 'Đã khởi động lại bộ mã hoá' })).ok);
  assert.equal((await handled).handledNote, 'Đã khởi động lại bộ mã hoá');
  assert.equal((await api(base, techT, 'GET', `${P}/incidents`)).body.data[0].state, 'handled');

  assert.ok((await emit(tech, ControlEvents.rehearsal, { site: 'd02-c01', passed: true, rttMs: 35, lossPct: 0.2, bitrateKbps: 1800 })).ok);
  const reh = (await api(base, org, 'GET', `${P}/rehearsals?site=d02-c01`)).body.data;
  assert.equal(reh[0].passed, true);
  assert.ok(reh[0].at);

  const emitAny = async (sock: Parameters<typeof emit>[0], e: string, p: unknown): Promise<any> => emit<any>(sock, e, p);
  // the request names the console; the grant binds to it, and another console of the site cannot take it
  assert.ok((await emit(tech, ControlEvents.floorRequest, { site: 'd02-c01', note: 'Tham luận', console: 'c-may-1' })).ok);
  const f = (await api(base, org, 'GET', `${P}/floor`)).body.data;
  assert.deepEqual(f.requests.map((r: any) => [r.site, r.state, r.console]), [['d02-c01', 'waiting', 'c-may-1']]);
  const g = await emitAny(o, ControlEvents.floorGrant, { site: 'd02-c01' });
  assert.equal(g.ok && g.data.granted, 'd02-c01');
  assert.equal(g.data.console, 'c-may-1');
  assert.equal((await emitAny(tech, ControlEvents.floorRequest, { site: 'd02-c01' }) as any).error.code, 'CONFLICT');
  const other = await emitAny(tech, ControlEvents.floorClaim, { site: 'd02-c01', console: 'c-may-2' });
  assert.equal(other.error.code, 'CONFLICT');
  assert.match(other.error.message, /máy điều khiển khác/);
  assert.equal((await emitAny(tech, ControlEvents.floorClaim, { site: 'd02-c01', console: 'c-may-1' })).data.console, 'c-may-1', 'claiming its own grant is a no-op');
  // a grant without a request is claimed by the first console of the site, and only by the site
  const other2 = await connect(base, token('technician', CONF, 'd02-c02'), 'console');
  sockets.push(other2);
  const g2 = await emitAny(o, ControlEvents.floorGrant, { site: 'd02-c02' });
  assert.equal(g2.data.console, null);
  assert.equal((await emitAny(tech, ControlEvents.floorClaim, { site: 'd02-c02', console: 'c-may-1' })).error.code, 'FORBIDDEN');
  assert.equal((await emitAny(tech, ControlEvents.floorClaim, { site: 'd02-c01', console: 'c-may-1' })).error.code, 'CONFLICT', 'd02-c01 no longer holds the floor');
  assert.equal((await emitAny(other2, ControlEvents.floorClaim, { site: 'd02-c02', console: 'c-b' })).data.console, 'c-b');
  assert.equal((await emitAny(o, ControlEvents.floorGrant, { site: 'd02-c02', console: 'enc-1' })).data.console, 'enc-1', 'the organizer binds an encoder by name');
  const back = await emitAny(o, ControlEvents.floorGrant, { site: null });
  assert.equal(back.ok && back.data.granted, null);
  assert.equal(back.data.console, null);
});

test('service endpoints: OpenAPI covers every route, metrics, health, static apps', async () => {
  const doc = await (await fetch(`${base}/openapi.json`)).json() as any;
  const ops = Object.values(doc.paths).flatMap((p: any) => Object.values(p).map((o: any) => o.operationId));
  assert.deepEqual(ops.sort(), [...Object.keys(ControlRoutes), ...Object.keys(AccountRoutes).map((n) => `account.${n}`)].sort());
  assert.deepEqual(doc.paths['/api/account/sign-in'].post.security, [], 'sign-in needs no session');
  assert.ok(doc.paths['/api/conferences/{conf}/attendance/{site}'].put.requestBody);
  assert.equal(doc['x-socketio'].namespace, '/control');
  assert.ok(doc['x-socketio'].events['attendance:headcount'].payload.properties.present);
  assert.ok(doc['x-socketio'].pushes['push:rollup']);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  for (const m of ['dc_http_requests_total', 'dc_queue_jobs', 'dc_site_connections', 'dc_sockets', 'dc_attendance_writes_total']) assert.match(metrics, new RegExp(m));
  assert.match(metrics, new RegExp(`dc_conference_sites\\{conf="${CONF}",state="total"\\} 8`));
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
  // A hall page served by a media node reads the API from another origin.
  const pre = await fetch(`${base}${P}/snapshot`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:7203', 'Access-Control-Request-Headers': 'authorization' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  const cross = await fetch(`${base}${P}/snapshot`, { headers: { Origin: 'http://127.0.0.1:7203', Authorization: `Bearer ${org}` } });
  assert.equal(cross.status, 200);
  assert.equal(cross.headers.get('access-control-allow-origin'), '*');
  assert.match(await (await fetch(`${base}/`)).text(), /Điểm Cầu/);
});
