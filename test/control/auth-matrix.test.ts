// Role × scope: for every action and every kind of token, forbidden actions are
// refused (401/403, or a FORBIDDEN ack) and allowed ones succeed.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { signToken } from '../../signaling/token.js';
import { ControlEvents } from '../../signaling/control.js';
import { api, CONF, receiptFor, connect, emit, SECRET, setupConference, testEnv, token, type Env } from './helpers.js';

let env: Env;
let base: string;
const A = 'd01-c01';
const B = 'd01-c02';
const P = `/api/conferences/${CONF}`;
const TOKENS = {
  organizer: token('organizer', CONF),
  otherOrganizer: token('organizer', 'other-conf'),
  techA: token('technician', CONF, A),
  techB: token('technician', CONF, B),
  partA: token('participant', CONF, A),
  viewer: token('viewer', CONF),
  viewerA: token('viewer', CONF, A),
};
type Who = keyof typeof TOKENS;
const ALL: Who[] = Object.keys(TOKENS) as Who[];
const sockets: Socket[] = [];
let sha = '';
let proof = '';

beforeAll(async () => {
  env = testEnv('authz');
  base = (await env.start()).url;
  await setupConference(base, 1, 2);
  const org = TOKENS.organizer;
  await api(base, org, 'POST', `${P}/state`, { state: 'live' });
  await api(base, org, 'PUT', `${P}/agenda`, { items: [
    { id: 'a1', title: 'Một', presenter: 'Ban', plannedStart: '2030-01-15T08:00:00+07:00', plannedDurationMin: 5 },
    { id: 'a2', title: 'Hai', presenter: 'Ban', plannedStart: '2030-01-15T08:05:00+07:00', plannedDurationMin: 5 }] });
  const text = 'tài liệu';
  sha = createHash('sha256').update(text).digest('hex');
  const up = await api(base, org, 'POST', `${P}/materials?id=tl-1&title=T&filename=t.txt&targets=${A}`, text, { 'content-type': 'text/plain' });
  assert.equal(up.status, 201);
  proof = (await receiptFor(base, token('technician', CONF, A), CONF, 'tl-1', text)).proof;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env.cleanup();
});

const newIncident = async () => (await api(base, TOKENS.organizer, 'POST', `${P}/incidents`, { site: A, title: 'Mất tiếng' })).body.data.id as string;
const newInvite = async () => (await api(base, TOKENS.organizer, 'POST', `${P}/invitations`, { role: 'viewer' })).body.data.jti as string;

interface RestCase { name: string; allow: Who[]; call: (t: string) => Promise<number> }
const rest = (method: string, path: string | (() => Promise<string>), body?: unknown, headers?: Record<string, string>) =>
  async (t: string) => (await api(base, t, method, typeof path === 'string' ? path : await path(), body, headers)).status;

const READ_A: Who[] = ['organizer', 'techA', 'partA', 'viewer', 'viewerA'];
const CONF_ALL: Who[] = ['organizer', 'techA', 'techB', 'partA', 'viewer', 'viewerA'];
const restCases: RestCase[] = [
  { name: 'me', allow: ALL, call: rest('GET', '/api/me') },
  { name: 'get conference', allow: CONF_ALL, call: rest('GET', P) },
  { name: 'patch conference', allow: ['organizer'], call: rest('PATCH', P, { organizer: 'Ban Tuyên giáo' }) },
  { name: 'set state', allow: ['organizer'], call: rest('POST', `${P}/state`, { state: 'live' }) },
  { name: 'snapshot', allow: CONF_ALL, call: rest('GET', `${P}/snapshot`) },
  { name: 'put site', allow: ['organizer'], call: rest('PUT', `${P}/sites/${A}`, { id: A, parent: 'd01', level: 'commune', name: 'Xã 1.1', mediaNode: 'p' }) },
  { name: 'patch site hall', allow: ['organizer', 'techA'], call: rest('PATCH', `${P}/sites/${A}`, { hall: 'Hội trường mới' }) },
  { name: 'patch site eligibility', allow: ['organizer'], call: rest('PATCH', `${P}/sites/${A}`, { eligible: true }) },
  { name: 'put groups', allow: ['organizer'], call: async (t) => rest('PUT', `${P}/groups`, { groups: (await api(base, TOKENS.organizer, 'GET', `${P}/groups`)).body.data })(t) },
  { name: 'put expected', allow: ['organizer'], call: rest('PUT', `${P}/sites/${A}/expected`, { counts: { 'c-a': 10 } }) },
  { name: 'put headcounts A', allow: ['organizer', 'techA'], call: rest('PUT', `${P}/attendance/${A}`, { present: { 'c-a': 5 } }) },
  { name: 'get attendance A', allow: READ_A, call: rest('GET', `${P}/attendance/${A}`) },
  { name: 'all roll-ups', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/rollups`) },
  { name: 'roll-up A', allow: READ_A, call: rest('GET', `${P}/rollups/${A}`) },
  { name: 'check-in at A', allow: ['organizer', 'techA', 'partA'], call: rest('POST', `${P}/checkins`, { site: A, group: 'c-a', name: 'Trần Thị B' }) },
  { name: 'list check-ins of A', allow: ['organizer', 'techA'], call: rest('GET', `${P}/checkins?site=${A}`) },
  { name: 'presence', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/presence`) },
  { name: 'presence events A', allow: ['organizer', 'techA'], call: rest('GET', `${P}/presence/${A}/events`) },
  { name: 'get agenda', allow: CONF_ALL, call: rest('GET', `${P}/agenda`) },
  { name: 'put agenda', allow: ['organizer'], call: async (t) => rest('PUT', `${P}/agenda`, { items: (await api(base, TOKENS.organizer, 'GET', `${P}/agenda`)).body.data.items.map(({ id, title, presenter, plannedStart, plannedDurationMin }: any) => ({ id, title, presenter, plannedStart, plannedDurationMin })) })(t) },
  { name: 'start agenda item', allow: ['organizer'], call: rest('POST', `${P}/agenda/a1/start`) },
  { name: 'reorder agenda', allow: ['organizer'], call: rest('POST', `${P}/agenda/reorder`, { order: ['a1', 'a2'] }) },
  { name: 'list materials', allow: CONF_ALL, call: rest('GET', `${P}/materials`) },
  { name: 'upload material', allow: ['organizer'], call: rest('POST', `${P}/materials?id=tl-2&title=X&filename=x.txt&targets=${B}`, 'x', { 'content-type': 'text/plain' }) },
  { name: 'download material for A', allow: READ_A, call: rest('GET', `${P}/materials/tl-1/file`) },
  { name: 'deliveries', allow: ['organizer'], call: rest('GET', `${P}/materials/tl-1/deliveries`) },
  { name: 'receipt for A', allow: ['organizer', 'techA'], call: async (t) => rest('POST', `${P}/materials/tl-1/receipts`, { site: A, version: 1, sha256: sha, proof })(t) },
  { name: 'redeliver', allow: ['organizer'], call: rest('POST', `${P}/materials/tl-1/redeliver`, {}) },
  { name: 'report incident at A', allow: ['organizer', 'techA'], call: rest('POST', `${P}/incidents`, { site: A, title: 'Mất hình' }) },
  { name: 'list incidents of A', allow: ['organizer', 'techA'], call: rest('GET', `${P}/incidents?site=${A}`) },
  { name: 'handle incident', allow: ['organizer'], call: rest('POST', async () => `${P}/incidents/${await newIncident()}/handle`, { note: 'đã xử lý' }) },
  { name: 'rehearsal at A', allow: ['organizer', 'techA'], call: rest('POST', `${P}/rehearsals`, { site: A, passed: true, rttMs: 40 }) },
  { name: 'floor request A', allow: ['organizer', 'techA'], call: rest('POST', `${P}/floor/requests`, { site: A }) },
  { name: 'floor grant', allow: ['organizer'], call: rest('POST', `${P}/floor/grant`, { site: null }) },
  { name: 'get floor', allow: CONF_ALL, call: rest('GET', `${P}/floor`) },
  { name: 'attendance report', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/reports/attendance?format=csv`) },
  { name: 'check-ins report', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/reports/checkins?format=xlsx`) },
  { name: 'full report', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/reports/full.xlsx`) },
  { name: 'upward report', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/reports/upward`) },
  { name: 'results PDF', allow: ['organizer', 'viewer'], call: rest('GET', `${P}/reports/results.pdf`) },
  { name: 'issue invitation', allow: ['organizer'], call: rest('POST', `${P}/invitations`, { role: 'technician', site: A }) },
  { name: 'list invitations', allow: ['organizer'], call: rest('GET', `${P}/invitations`) },
  { name: 'revoke invitation', allow: ['organizer'], call: rest('DELETE', async () => `${P}/invitations/${await newInvite()}`) },
  { name: 'reissue a site invitation', allow: ['organizer'], call: rest('POST', `${P}/invitations/reissue`, { site: A, role: 'technician' }) },
  { name: 'invitation sheet PDF', allow: ['organizer'], call: rest('GET', `${P}/invitations/sheet.pdf?role=technician&origin=${encodeURIComponent('https://hoinghi.example.vn')}`) },
];

test('REST: every route refuses what the token may not do and performs what it may', async () => {
  for (const c of restCases) {
    for (const who of ALL) {
      const status = await c.call(TOKENS[who]);
      if (c.allow.includes(who)) assert.ok(status >= 200 && status < 300, `${c.name} as ${who}: expected success, got ${status}`);
      else assert.equal(status, 403, `${c.name} as ${who}: expected 403, got ${status}`);
    }
    assert.equal(await c.call(''), 401, `${c.name} without token`);
  }
  // bad signature / expired / node tokens
  const forged = signToken('wrong-secret-of-the-right-length', { role: 'organizer', conf: CONF });
  const expired = signToken(SECRET, { role: 'organizer', conf: CONF, exp: Math.floor(Date.now() / 1000) - 10 });
  const node = signToken(SECRET, { role: 'node', conf: CONF });
  assert.equal((await api(base, forged, 'GET', P)).status, 401);
  assert.equal((await api(base, expired, 'GET', P)).status, 401);
  assert.equal((await api(base, node, 'GET', P)).status, 403);
  assert.equal((await api(base, 'garbage', 'GET', P)).status, 401);
});

test('socket events: same matrix', async () => {
  const socks = {} as Record<Who, Socket>;
  for (const who of ALL) sockets.push((socks[who] = await connect(base, TOKENS[who])));
  await assert.rejects(connect(base, 'garbage'));
  await assert.rejects(connect(base, signToken('wrong-secret-of-the-right-length', { role: 'organizer', conf: CONF })));
  const prepRequest = async () => { await emit(socks.organizer, ControlEvents.floorRequest, { site: A }); };
  const cases: { event: string; payload: () => Promise<unknown> | unknown; allow: Who[]; prep?: () => Promise<void> }[] = [
    { event: ControlEvents.subscribe, payload: () => ({ conf: CONF }), allow: CONF_ALL },
    { event: ControlEvents.headcount, payload: () => ({ site: A, group: 'c-b', present: 3 }), allow: ['organizer', 'techA'] },
    { event: ControlEvents.headcounts, payload: () => ({ site: A, present: { 'c-b': 4 } }), allow: ['organizer', 'techA'] },
    { event: ControlEvents.checkIn, payload: () => ({ site: A, group: 'c-b', name: 'Lê Văn C' }), allow: ['organizer', 'techA', 'partA'] },
    { event: ControlEvents.checkOut, payload: async () => ({ id: (await emit(socks.organizer, ControlEvents.checkIn, { site: A, group: 'c-a', name: 'D' })).ok && (await api(base, TOKENS.organizer, 'GET', `${P}/checkins?site=${A}`)).body.data.filter((c: any) => !c.outAt).at(-1).id }), allow: ['organizer', 'techA', 'partA'] },
    { event: ControlEvents.agendaStart, payload: () => ({ item: 'a1' }), allow: ['organizer'] },
    { event: ControlEvents.agendaReorder, payload: () => ({ order: ['a1', 'a2'] }), allow: ['organizer'] },
    { event: ControlEvents.conferenceState, payload: () => ({ state: 'live' }), allow: ['organizer'] },
    { event: ControlEvents.receipt, payload: () => ({ site: A, material: 'tl-1', version: 1, sha256: sha, proof }), allow: ['organizer', 'techA'] },
    { event: ControlEvents.incidentReport, payload: () => ({ site: A, title: 'Chập chờn' }), allow: ['organizer', 'techA'] },
    { event: ControlEvents.incidentHandle, payload: async () => ({ id: await newIncident() }), allow: ['organizer'] },
    { event: ControlEvents.rehearsal, payload: () => ({ site: A, passed: false, lossPct: 12 }), allow: ['organizer', 'techA'] },
    { event: ControlEvents.floorRequest, payload: () => ({ site: A }), allow: ['organizer', 'techA'] },
    { event: ControlEvents.floorWithdraw, payload: () => ({ site: A }), allow: ['organizer', 'techA'], prep: prepRequest },
    { event: ControlEvents.floorDismiss, payload: () => ({ site: A }), allow: ['organizer'], prep: prepRequest },
    { event: ControlEvents.floorGrant, payload: () => ({ site: A }), allow: ['organizer'] },
  ];
  for (const c of cases) {
    for (const who of ALL) {
      if (who === 'otherOrganizer') continue; // checked below
      await c.prep?.();
      const r = await emit(socks[who], c.event, await c.payload());
      if (c.allow.includes(who)) assert.ok(r.ok, `${c.event} as ${who}: ${JSON.stringify(r)}`);
      else assert.equal(!r.ok && r.error.code, 'FORBIDDEN', `${c.event} as ${who}: ${JSON.stringify(r)}`);
    }
    // an organizer of another conference can do nothing here
    const r = await emit(socks.otherOrganizer, c.event, await c.payload());
    assert.equal(r.ok, false, `${c.event} as otherOrganizer`);
  }
  // floor granted last to A: a technician of B cannot take it back
  assert.equal((await emit(socks.techB, ControlEvents.floorGrant, { site: null }) as any).error.code, 'FORBIDDEN');
});
