// Attacks on the control service with the links a deployment hands out
// (security issue): what a hall QR code, a leaked link or a stranger on the
// network would try, and what must happen instead.
//
// Failed on the old code: the hall link reading every technician's phone, the
// aborted downloads leaking a file each, a formula in a site name reaching the
// CSV as a formula, no nosniff / CSP / frame-ancestors, /metrics to anyone
// with its credential unset or wrong, and a body parsed before the token was
// checked (a broken body without a token answered 400, not 401), no write
// rate limit, and no bound on a site's check-ins.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { parseCsv } from '../support/csv.js';
import { waitFor as poll } from '../support/wait.js';
import { Redis } from 'ioredis';
import { ControlEvents } from '../../signaling/control.js';
import { MAX_CHECKINS_PER_SITE } from '../../server/store/attendance.js';
import { api, CONF, connect, emit, REDIS_URL, setupConference, testEnv, token, type Env } from './helpers.js';

let env: Env;
let base = '';
let org = '';
const METRICS = 'metrics-credential-for-the-test';

beforeAll(async () => {
  env = testEnv('attacks');
  base = (await env.start({ metricsToken: METRICS })).url;
  org = (await setupConference(base, 1, 2)).org;
  const r = await api(base, org, 'PATCH', `/api/conferences/${CONF}/sites/d01-c01`, { technician: { name: 'Nguyễn Văn Kỹ', phone: '0912 345 678' } });
  assert.ok(r.body.ok, JSON.stringify(r.body));
  await api(base, org, 'PATCH', `/api/conferences/${CONF}/sites/d01-c02`, { name: '=HYPERLINK("http://x","bấm vào")', technician: { name: 'Trần Thị Hai', phone: '0987 000 111' } });
});
afterAll(async () => { await env.cleanup(); });

test('a hall link (and any other site) cannot read the technicians\' names and phones', async () => {
  const hall = token('viewer', CONF, 'd01-c02');
  const sites = (await api(base, hall, 'GET', `/api/conferences/${CONF}/sites`)).body.data as { id: string; technician?: unknown }[];
  assert.ok(sites.length > 0);
  assert.ok(sites.every((s) => s.technician === undefined), 'no contact in the site list of a hall link');
  const one = (await api(base, hall, 'GET', `/api/conferences/${CONF}/sites/d01-c01`)).body.data as { technician?: unknown };
  assert.equal(one.technician, undefined);
  const snap = (await api(base, hall, 'GET', `/api/conferences/${CONF}/snapshot`)).body.data as { sites: { technician?: unknown }[] };
  assert.ok(snap.sites.every((s) => s.technician === undefined));
  // a site's own technician sees its own contact, not the neighbour's
  const tech = token('technician', CONF, 'd01-c01');
  const mine = (await api(base, tech, 'GET', `/api/conferences/${CONF}/sites`)).body.data as { id: string; technician?: { phone?: string } }[];
  assert.equal(mine.find((s) => s.id === 'd01-c01')?.technician?.phone, '0912 345 678');
  assert.equal(mine.find((s) => s.id === 'd01-c02')?.technician, undefined);
  // organizers see them all
  const all = (await api(base, org, 'GET', `/api/conferences/${CONF}/sites`)).body.data as { id: string; technician?: { phone?: string } }[];
  assert.equal(all.find((s) => s.id === 'd01-c02')?.technician?.phone, '0987 000 111');
});

test('aborted material downloads do not leak file descriptors', async () => {
  const body = new Uint8Array(4 * 1024 * 1024).fill(65);
  const up = await api(base, org, 'POST', `/api/conferences/${CONF}/materials?title=${encodeURIComponent('Tài liệu lớn')}&filename=lon.bin&targets=all`, body, { 'content-type': 'application/octet-stream' });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const id = (up.body.data as { id: string }).id;
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  const url = new URL(`${base}/api/conferences/${CONF}/materials/${id}/file?token=${encodeURIComponent(org)}`);
  for (let i = 0; i < 40; i++) {
    await new Promise<void>((res) => {
      const req = request(url, (r) => { r.once('data', () => { req.destroy(); res(); }); });
      req.on('error', () => res());
      req.end();
    });
  }
  // each aborted download closes its file once the server sees the socket go
  await poll('file descriptors back near where they were', async () => fds() <= before + 5, 10_000, 200);
});

test('a formula typed as a site name reaches the CSV as text, not as a formula', async () => {
  const r = await fetch(`${base}/api/conferences/${CONF}/reports/presence?format=csv`, { headers: { authorization: `Bearer ${org}` } });
  const [, ...rows] = parseCsv(await r.text());
  const name = rows.find((x) => x[0] === 'd01-c02')![1]!;
  assert.ok(name.startsWith("'="), `neutralised: ${name}`);
});

test('pages and answers carry security headers; /metrics needs its credential', async () => {
  for (const path of ['/', '/healthz', `/api/conferences/${CONF}/snapshot`]) {
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${org}` } });
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline scripts`);
  }
  assert.equal((await fetch(`${base}/metrics`)).status, 401);
  assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const m = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } });
  assert.equal(m.status, 200);
  assert.match(await m.text(), /dc_http_requests_total/);
});

test('a body is not parsed before the token is checked', async () => {
  const r = await fetch(`${base}/api/conferences/${CONF}/attendance/d01-c01`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"broken' + 'x'.repeat(1_000_000) });
  assert.equal(r.status, 401);
  assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
});

test('a link that floods writes is slowed down (per link, across instances); organizers are not', async () => {
  const techToken = token('technician', CONF, 'd01-c01');
  const tech = await connect(base, techToken, 'console');
  try {
    const codes: string[] = [];
    for (let i = 0; i < 70; i++) {
      const r = await emit(tech, ControlEvents.headcount, { site: 'd01-c01', group: 'c-a', present: i });
      codes.push(r.ok ? 'ok' : r.error.code);
    }
    assert.equal(codes.filter((c) => c === 'ok').length, 60, codes.join(' '));
    assert.ok(codes.slice(60).every((c) => c === 'RATE_LIMITED'));
    // a second instance shares the count (Redis), so a client cannot spread its flood
    const other = (await env.start({ metricsToken: METRICS })).url;
    const r2 = await api(other, techToken, 'PUT', `/api/conferences/${CONF}/attendance/d01-c01`, { present: { 'c-a': 3 } });
    assert.equal(r2.status, 429);
    for (let i = 0; i < 70; i++) assert.ok((await api(base, org, 'PATCH', `/api/conferences/${CONF}/sites/d01`, { hall: `Hội trường ${i}` })).body.ok, 'organizers are not limited');
  } finally {
    tech.close();
  }
});

test('a shared check-in QR code cannot grow the store without end', async () => {
  const part = token('participant', CONF, 'd01-c01');
  const first = await api(base, part, 'POST', `/api/conferences/${CONF}/checkins`, { site: 'd01-c01', group: 'c-a', name: 'Lê Văn Một' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  // the hall is full: the site's count at the cap (as after MAX_CHECKINS_PER_SITE check-ins)
  const redis = new Redis(REDIS_URL);
  await redis.hset(`${env.prefix}checkincount:${CONF}`, 'd01-c01', MAX_CHECKINS_PER_SITE);
  redis.disconnect();
  const more = await api(base, part, 'POST', `/api/conferences/${CONF}/checkins`, { site: 'd01-c01', group: 'c-a', name: 'Lê Văn Hai' });
  assert.equal(more.status, 413);
  assert.match(more.body.error.message, /tối đa/);
  const list = (await api(base, org, 'GET', `/api/conferences/${CONF}/checkins?site=d01-c01`)).body.data as unknown[];
  assert.equal(list.length, 1, 'nothing stored past the cap');
});
