// Malformed payloads on every REST route and every socket event: typed 4xx
// errors / BAD_REQUEST acks, the service keeps running, and nothing changes.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { ControlRoutes, type RouteDef } from '../../signaling/control-routes.js';
import { ControlEventSchemas, ErrorCodeList } from './malformed-support.js';
import { api, CONF, connect, emit, setupConference, testEnv, token, type Env } from './helpers.js';

let env: Env;
let base: string;
let org: string;
const P = `/api/conferences/${CONF}`;

beforeAll(async () => {
  env = testEnv('malformed');
  base = (await env.start()).url;
  org = (await setupConference(base, 1, 2)).org;
  await api(base, org, 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 7 } });
  await api(base, org, 'POST', `${P}/incidents`, { site: 'd01-c01', title: 'x' });
  await api(base, org, 'POST', `${P}/materials?id=tl-1&title=T&filename=t.txt&targets=d01-c01`, 'abc', { 'content-type': 'text/plain' });
});
afterAll(async () => { await env.cleanup(); });

/** Everything observable, minus clocks. */
async function digest() {
  const get = async (p: string) => (await api(base, org, 'GET', p)).body.data;
  const snap = await get(`${P}/snapshot`);
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (['updatedAt', 'generatedAt', 'seq', 'totalMs', 'at'].includes(k) ? undefined : v)));
  return strip({
    snap, rollups: await get(`${P}/rollups`), inv: await get(`${P}/invitations`), inc: await get(`${P}/incidents`),
    reh: await get(`${P}/rehearsals`), ci: await get(`${P}/checkins`), dl: await get(`${P}/deliveries`), floor: await get(`${P}/floor`),
    upward: (await get(`${P}/reports/upward`)).sentAt ?? null,
  });
}

const fill = (path: string, bad: boolean) =>
  path.replace(':conf', bad ? 'BAD%20ID!' : CONF).replace(/:([a-z]+)/g, (_, k) => (bad ? 'Ü%2F..' : ({ site: 'd01-c01', item: 'a1', material: 'tl-1', id: 'inc-x', jti: 'j' } as Record<string, string>)[k] ?? 'x'));

test('REST: bad params, bad bodies, broken JSON → typed 4xx, nothing changed', async () => {
  const before = await digest();
  let checked = 0;
  for (const [name, d] of Object.entries(ControlRoutes) as [string, RouteDef][]) {
    const method = d.method.toUpperCase();
    if (d.params && Object.keys(d.params.shape).length) {
      const r = await api(base, org, method, fill(d.path, true), d.body ? {} : undefined);
      assert.ok(r.status >= 400 && r.status < 500, `${name} bad params: ${r.status}`);
      assert.equal(r.body.ok, false);
      assert.ok(ErrorCodeList.includes(r.body.error.code), `${name}: typed code`);
      checked++;
    }
    if (d.body) {
      const bads: unknown[] = ['{"broken json', '[]', '"just a string"', '42', { site: 123, present: 'many', items: 'no', groups: 5, counts: { 'c-a': -1 }, state: 'exploded', order: [1], role: 'king', sha256: 'zz', note: 5 }];
      if (!d.body.safeParse({}).success) bads.push({});
      for (const b of bads) {
        const r = await api(base, org, method, fill(d.path, false), typeof b === 'string' ? b : b, { 'content-type': 'application/json' });
        assert.ok(r.status >= 400 && r.status < 500, `${name} body ${JSON.stringify(b)}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(r.body.ok, false);
        assert.ok(ErrorCodeList.includes(r.body.error.code));
        checked++;
      }
    }
    if (d.query) {
      const r = await api(base, org, method, `${fill(d.path, false)}?format=pdf&site=NOT%20AN%20ID&title=`, d.rawBody ? 'x' : undefined, d.rawBody ? { 'content-type': 'text/plain' } : {});
      assert.equal(r.status, 400, `${name} bad query`);
      checked++;
    }
  }
  // numbers out of range, unknown groups for the level, huge strings
  for (const [p, body] of [
    [`${P}/attendance/d01-c01`, { present: { 'c-a': 1e9 } }],
    [`${P}/attendance/d01-c01`, { present: { 'd-a': 3 } }],
    [`${P}/attendance/d01-c01`, { present: { 'c-a': 2.5 } }],
    [`${P}/sites/d01-c01/expected`, { counts: { 'no-such-group': 1 } }],
  ] as const) {
    const r = await api(base, org, 'PUT', p, body);
    assert.equal(r.status, 400, `${p} ${JSON.stringify(body)}`);
    assert.equal(r.body.error.code, 'BAD_REQUEST');
    assert.ok(Array.isArray(r.body.error.issues));
  }
  assert.equal((await api(base, org, 'POST', `${P}/incidents`, { site: 'd01-c01', title: 'x'.repeat(10_000) })).status, 400);
  assert.equal((await api(base, org, 'GET', '/api/no-such-route')).status, 404);
  assert.ok(checked > 60, `checked ${checked} cases`);
  assert.deepEqual(await digest(), before, 'nothing changed');
  assert.equal((await fetch(`${base}/healthz`)).status, 200);
});

test('socket events: garbage payloads → BAD_REQUEST acks, no crash, nothing changed', async () => {
  const before = await digest();
  const s = await connect(base, org, 'organizer');
  const tech = await connect(base, token('technician', CONF, 'd01-c01'), 'checkin');
  const garbage: unknown[] = [null, 42, 'text', [], {}, { site: {}, conf: 5, present: -3, group: '', item: 'BAD ID', state: 'nope', sha256: 'x', version: 0, order: 'a' }];
  for (const event of Object.keys(ControlEventSchemas)) {
    for (const g of garbage) {
      for (const sock of [s, tech]) {
        const r = await emit(sock, event, g);
        assert.equal(r.ok, false, `${event} ${JSON.stringify(g)}`);
        assert.equal(!r.ok && r.error.code, 'BAD_REQUEST', `${event} ${JSON.stringify(g)}: ${JSON.stringify(r)}`);
      }
    }
    s.emit(event, { junk: true }); // no ack callback at all
    s.emit(event);
  }
  assert.ok(s.connected && tech.connected);
  // a handshake without a token or with a malformed auth object is refused
  await assert.rejects(connect(base, ''));
  s.close();
  tech.close();
  assert.deepEqual(await digest(), before, 'nothing changed');
});
