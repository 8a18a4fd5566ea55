// Property-based fuzzing of the running control service: every REST route and
// every socket event gets generated malformed payloads (from the zod schemas in
// signaling/: wrong types, missing and extra fields, huge strings, deep
// nesting, unicode, broken JSON, ids of another conference or site). Each must
// be refused with a typed 4xx / error ack, never a 5xx, and must leave every
// record in Redis as it was. Generated valid payloads are accepted and stored.
// FC_SEED=<seed> reproduces a run (the seed is printed).
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc, { type Arbitrary } from 'fast-check';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { ErrorCode } from '../../signaling/common.js';
import {
  CheckInReq, ControlEvents, ControlEventSchemas, ExpectedReq, HeadcountReq, IncidentReq, RehearsalReq, type SiteAttendance,
} from '../../signaling/control.js';
import { REDIS_URL, stateHash } from '../support/redis.js';
import { FUZZ_SEED, malformedArb, validArb } from '../support/zod-arb.js';
import { createOperator, createOrganizer } from './account-helpers.js';
import { FUZZ_ORGANIZER, OTHER, restCases, routes, type RestCase } from './fuzz-cases.js';
import { api, CONF, connect, emit, setupConference, testEnv, token, type Env } from './helpers.js';

const RUNS = { rest: 1200, socket: 1000, valid: 120 };
// Keys that move without any request: bullmq's own bookkeeping, instance heartbeats.
// queues, heartbeats, and the write rate-limit counters (a refused write still counts against its link)
// background writers, as the setup-screens test skips them too: queues, heartbeats, rate-limit
// counters, delivery bookkeeping and event streams (a refused request writes none of them)
const VOLATILE = /^(bull|hb:|insts|rl:|dlv:|stream:)/;
const CODES = new Set<string>(ErrorCode.options);
const P = `/api/conferences/${CONF}`;

let env: Env;
let base: string;
let org: string;
let redis: Redis;
let communes: string[];
/** Account sessions for the account routes: an operator, and an organizer of CONF only. */
const sessions = { operator: '', organizer: '' };
const sockets: Socket[] = [];
const tally = { rest: new Map<string, number>(), socket: new Map<string, number>() };
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
const hash = () => stateHash(redis, env.prefix, VOLATILE);

beforeAll(async () => {
  // the material's delivery makes one try and then waits (an hour) for a receipt: no background
  // change of the delivery state can land in the middle of a request and look like its doing
  env = testEnv('fuzz', { delivery: { attempts: 1, backoffMs: 1000, receiptTimeoutMs: 3_600_000 } });
  base = (await env.start()).url;
  const { sites } = await setupConference(base, 2, 2);
  org = token('organizer', CONF);
  communes = sites.filter((s) => s.level === 'commune').map((s) => s.id);
  await api(base, org, 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 7 } });
  await api(base, org, 'POST', `${P}/incidents`, { site: 'd01-c01', title: 'Mất tiếng' });
  await api(base, org, 'POST', `${P}/materials?id=tl-1&title=T&filename=t.txt&targets=d01-c01`, 'abc', { 'content-type': 'text/plain' });
  // a second conference on the same service: its ids must never be reachable with this conference's tokens
  const other = token('organizer', OTHER);
  const ok = (r: { status: number }) => assert.ok(r.status < 300, `setup of ${OTHER}: ${r.status}`);
  ok(await api(base, other, 'PUT', `/api/conferences/${OTHER}`, { title: 'Hội nghị khác', planNumber: '2-KH/TEST', date: '2030-02-01', plannedStart: '2030-02-01T08:00:00+07:00', plannedDurationMin: 60, maket: ['HỘI NGHỊ'], rootSite: 'khac-goc', reportsTo: 'Cấp trên', reportDeadline: '2030-02-05T17:00:00+07:00' }));
  ok(await api(base, other, 'PUT', `/api/conferences/${OTHER}/sites/khac-goc`, { id: 'khac-goc', parent: null, level: 'centre', name: 'Gốc khác', mediaNode: 'centre' }));
  ok(await api(base, other, 'PUT', `/api/conferences/${OTHER}/sites/khac-xa`, { id: 'khac-xa', parent: 'khac-goc', level: 'commune', name: 'Xã khác', mediaNode: 'centre' }));
  const op = await createOperator(env.prefix, base, 'quantri-fuzz');
  sessions.operator = op.token;
  sessions.organizer = (await createOrganizer(base, op, CONF, FUZZ_ORGANIZER)).token;
  redis = new Redis(REDIS_URL);
  // setup is over when the state stops moving (the delivery's one try, pushes)
  let last = '';
  for (let i = 0; i < 40; i++) {
    const h = await hash();
    if (h === last) break;
    last = h;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`[fuzz control] seed=${FUZZ_SEED} (FC_SEED=${FUZZ_SEED} reproduces this run)`);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  const fmt = (m: Map<string, number>) => JSON.stringify(Object.fromEntries([...m].sort()));
  console.log(`[fuzz control] seed=${FUZZ_SEED} REST refusals by code ${fmt(tally.rest)}; socket refusals by code ${fmt(tally.socket)}`);
  await redis?.quit();
  await env?.cleanup();
});

// ---------------------------------------------------------------- REST

async function send(c: RestCase): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${c.as ? sessions[c.as] : org}` };
  let payload: string | undefined;
  if (c.rawText !== undefined) { payload = c.rawText; headers['content-type'] = c.contentType!; }
  else if (c.body !== undefined) { payload = JSON.stringify(c.body); headers['content-type'] = 'application/json'; }
  const r = await fetch(base + c.path, { method: c.method, headers, body: payload });
  const text = await r.text();
  let body: any;
  try { body = JSON.parse(text); } catch { body = { raw: text.slice(0, 200) }; }
  return { status: r.status, body };
}

describe('fuzz: control service', { timeout: 300_000 }, () => {
  test(`REST: ${RUNS.rest} generated malformed payloads on every route → typed 4xx, nothing changed`, async () => {
    const seen = new Set<string>();
    await fc.assert(fc.asyncProperty(restCases(), async (c) => {
      const before = await hash();
      const r = await send(c);
      seen.add(c.route);
      const where = `${c.method} ${c.path.slice(0, 120)} (${c.route}, ${c.how})`;
      assert.ok(r.status >= 400 && r.status < 500, `${where}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.equal(r.body.ok, false, `${where}: ok:false`);
      assert.ok(CODES.has(r.body.error?.code), `${where}: typed error code, got ${JSON.stringify(r.body).slice(0, 200)}`);
      assert.equal(typeof r.body.error.message, 'string');
      bump(tally.rest, r.body.error.code);
      assert.equal(await hash(), before, `${where}: nothing changed`);
    }), { seed: FUZZ_SEED, numRuns: RUNS.rest, endOnFailure: true });
    const withInput = routes.filter(([, d]) => d.body || d.query || Object.keys(d.params?.shape ?? {}).length).map(([n]) => n);
    assert.deepEqual(withInput.filter((n) => !seen.has(n)), [], 'every route with an input was fuzzed');
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the service is still up');
  });

  test(`socket events: ${RUNS.socket} generated malformed payloads on every event → error acks, nothing changed`, async () => {
    const orgSock = await connect(base, org, 'organizer');
    const tech = await connect(base, token('technician', CONF, 'd01-c01'), 'console');
    sockets.push(orgSock, tech);
    const events = Object.entries(ControlEventSchemas);
    type Ev = { event: string; payload: unknown; how: string; as: 'organizer' | 'technician' };
    const cases: Arbitrary<Ev> = fc.oneof(...events.flatMap(([event, { req }]) => [
      fc.tuple(malformedArb(req), fc.constantFrom('organizer' as const, 'technician' as const)).map(([{ how, value }, as]) => ({ event, payload: value, how, as })),
      // well-formed, but naming another conference's site or conference
      ...(['site', 'conf'].some((k) => k in req.shape) ? [validArb(req).map((v) => ({
        event, payload: { ...(v as object), ...('site' in req.shape ? { site: 'khac-xa' } : {}), ...('conf' in req.shape ? { conf: OTHER } : {}) }, how: 'other-conference', as: 'technician' as const,
      }))] : []),
    ]));
    const seen = new Set<string>();
    await fc.assert(fc.asyncProperty(cases, async (c) => {
      const before = await hash();
      const r = await emit(c.as === 'organizer' ? orgSock : tech, c.event, c.payload);
      seen.add(c.event);
      const where = `${c.event} as ${c.as} (${c.how}) ${JSON.stringify(c.payload)?.slice(0, 120)}`;
      assert.equal(r.ok, false, `${where}: refused`);
      assert.ok(!r.ok && CODES.has(r.error.code), `${where}: typed error ${JSON.stringify(r).slice(0, 200)}`);
      if (!r.ok) bump(tally.socket, r.error.code);
      assert.equal(await hash(), before, `${where}: nothing changed`);
    }), { seed: FUZZ_SEED, numRuns: RUNS.socket, endOnFailure: true });
    assert.deepEqual(events.map(([e]) => e).filter((e) => !seen.has(e)), [], 'every event was fuzzed');
    assert.ok(orgSock.connected && tech.connected, 'both sockets still connected');
  });

  test(`valid payloads: ${RUNS.valid} generated headcounts, expected counts, incidents, check-ins and link tests are accepted and stored`, async () => {
    const tech = (site: string) => token('technician', CONF, site);
    const communeCounts = fc.dictionary(fc.constantFrom('c-a', 'c-b'), fc.integer({ min: 0, max: 100_000 }), { minKeys: 1, maxKeys: 2 });
    const site = fc.constantFrom(...communes);
    type V = { kind: string; run: () => Promise<void> };
    const cases: Arbitrary<V> = fc.oneof(
      fc.tuple(site, communeCounts).map(([s, present]) => ({ kind: 'headcounts', run: async () => {
        const r = await api<SiteAttendance>(base, tech(s), 'PUT', `${P}/attendance/${s}`, { present });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        const stored = (await api<SiteAttendance>(base, org, 'GET', `${P}/attendance/${s}`)).body.data;
        // a count of 0 is stored as no count
        for (const [g, n] of Object.entries(present)) assert.equal(stored.present[g] ?? 0, n, `${s} ${g}`);
      } })),
      fc.tuple(site, communeCounts).map(([s, counts]) => ({ kind: 'expected', run: async () => {
        assert.ok(ExpectedReq.safeParse({ counts }).success);
        const r = await api<SiteAttendance>(base, org, 'PUT', `${P}/sites/${s}/expected`, { counts });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        for (const [g, n] of Object.entries(counts)) assert.equal(r.body.data.expected[g] ?? 0, n);
      } })),
      fc.tuple(site, validArb(IncidentReq)).map(([s, v]) => ({ kind: 'incident', run: async () => {
        const r = await api(base, tech(s), 'POST', `${P}/incidents`, { ...v, site: s });
        assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
        const list = (await api(base, org, 'GET', `${P}/incidents?site=${s}`)).body.data as { id: string }[];
        assert.ok(list.some((i) => i.id === r.body.data.id), 'the incident is listed');
      } })),
      fc.tuple(site, fc.constantFrom('c-a', 'c-b'), validArb(CheckInReq)).map(([s, group, v]) => ({ kind: 'check-in', run: async () => {
        const r = await api(base, token('participant', CONF, s), 'POST', `${P}/checkins`, { ...v, site: s, group });
        assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
        assert.equal(r.body.data.name, v.name.trim());
      } })),
      fc.tuple(site, validArb(RehearsalReq)).map(([s, v]) => ({ kind: 'rehearsal', run: async () => {
        const r = await api(base, tech(s), 'POST', `${P}/rehearsals`, { ...v, site: s });
        assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
        assert.equal(r.body.data.passed, v.passed);
      } })),
      fc.tuple(site, fc.constantFrom('c-a', 'c-b'), fc.integer({ min: 0, max: 100_000 })).map(([s, group, present]) => ({ kind: 'socket headcount', run: async () => {
        assert.ok(HeadcountReq.safeParse({ site: s, group, present }).success);
        const sock = await connect(base, tech(s), 'console');
        try {
          const r = await emit<SiteAttendance>(sock, ControlEvents.headcount, { site: s, group, present });
          assert.ok(r.ok, JSON.stringify(r));
          assert.equal(r.data.present[group] ?? 0, present);
        } finally { sock.close(); }
      } })),
    );
    const kinds = new Map<string, number>();
    await fc.assert(fc.asyncProperty(cases, async (c) => { await c.run(); bump(kinds, c.kind); }), { seed: FUZZ_SEED, numRuns: RUNS.valid, endOnFailure: true });
    console.log(`[fuzz control] valid payloads accepted: ${JSON.stringify(Object.fromEntries(kinds))}`);
    assert.equal(kinds.size, 6, 'every kind of valid payload was tried');
  });
});
