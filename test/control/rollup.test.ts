// 200 sites updating headcounts at the same time: every roll-up equals its own
// hall plus the sum of its children, and the organizer's pushes converge to it.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { ControlEvents, ControlPushes, type Rollup, type RollupPush, type SiteAttendance } from '../../signaling/control.js';
import { api, CONF, connect, emit, setupConference, testEnv, token, waitFor, type Env } from './helpers.js';

let env: Env;
let base: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  env = testEnv('rollup');
  base = (await env.start()).url;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env.cleanup();
});

test('roll-ups stay equal to the sum of their children under 200 concurrent sites', async () => {
  const { org, sites } = await setupConference(base, 10, 19); // 1 province + 10 districts + 190 communes = 201
  const writers = sites.filter((s) => s.level === 'district' || s.level === 'commune' || s.level === 'province');
  assert.ok(writers.length >= 200);
  // expected counts for a handful of sites
  for (const s of writers.slice(0, 5)) {
    const g = s.level === 'commune' ? 'c-a' : s.level === 'district' ? 'd-a' : 'p-a';
    const r = await api(base, org, 'PUT', `/api/conferences/${CONF}/sites/${s.id}/expected`, { counts: { [g]: 50 } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const orgSock = await connect(base, org, 'organizer');
  sockets.push(orgSock);
  const sub = await emit(orgSock, ControlEvents.subscribe, { conf: CONF });
  assert.ok(sub.ok);
  const latestRoot: Rollup[] = [];
  orgSock.on(ControlPushes.rollup, (p: RollupPush) => { for (const r of p.rollups) if (r.site === 'root') latestRoot.push(r); });

  const techs = await Promise.all(writers.map((s) => connect(base, token('technician', CONF, s.id), 'console')));
  sockets.push(...techs);
  const last = new Map<string, Record<string, number>>();
  // every site sends 5 rounds of updates, all sites at once
  for (let round = 0; round < 5; round++) {
    await Promise.all(writers.map(async (s, i) => {
      const gs = s.level === 'commune' ? ['c-a', 'c-b'] : s.level === 'district' ? ['d-a', 'd-b'] : ['p-a'];
      const present = Object.fromEntries(gs.map((g, k) => [g, (i * 7 + round * 13 + k * 5) % 97]));
      const ev = round % 2 === 0 ? ControlEvents.headcounts : ControlEvents.headcount;
      const res = ev === ControlEvents.headcounts
        ? await emit<SiteAttendance>(techs[i]!, ev, { site: s.id, present })
        : await Promise.all(gs.map((g) => emit<SiteAttendance>(techs[i]!, ev, { site: s.id, group: g, present: present[g] })));
      for (const r of [res].flat()) assert.ok(r.ok, JSON.stringify(r));
      last.set(s.id, present);
    }));
  }

  const rollups = (await api<Rollup[]>(base, org, 'GET', `/api/conferences/${CONF}/rollups`)).body;
  assert.ok(rollups.ok);
  const byId = new Map(rollups.data.map((r) => [r.site, r]));
  const own = new Map<string, SiteAttendance>();
  for (const s of sites) {
    const r = await api<SiteAttendance>(base, org, 'GET', `/api/conferences/${CONF}/attendance/${s.id}`);
    assert.ok(r.body.ok);
    own.set(s.id, r.body.data);
    if (last.has(s.id)) assert.deepEqual(r.body.data.present, last.get(s.id), `own counts of ${s.id}`);
  }
  // every roll-up = own + children roll-ups, per group, for present and expected, plus site counters
  for (const s of sites) {
    const kids = sites.filter((k) => k.parent === s.id);
    const ru = byId.get(s.id)!;
    for (const kind of ['present', 'expected'] as const) {
      const want: Record<string, number> = { ...own.get(s.id)![kind] };
      for (const k of kids) for (const [g, v] of Object.entries(byId.get(k.id)![kind])) want[g] = (want[g] ?? 0) + v;
      const clean = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));
      assert.deepEqual(clean(ru[kind]), clean(want), `${kind} roll-up of ${s.id}`);
    }
    assert.equal(ru.sites, 1 + kids.reduce((a, k) => a + byId.get(k.id)!.sites, 0), `site count of ${s.id}`);
    assert.equal(ru.reported, (own.get(s.id)!.reported ? 1 : 0) + kids.reduce((a, k) => a + byId.get(k.id)!.reported, 0));
  }
  const grand = [...last.values()].reduce((a, p) => a + Object.values(p).reduce((x, y) => x + y, 0), 0);
  assert.equal(byId.get('root')!.totalPresent, grand);
  assert.equal(byId.get('root')!.reported, writers.length);
  assert.equal(byId.get('root')!.online, writers.length, 'every technician console counts as online');
  assert.equal(byId.get('root')!.totalExpected, 250);
  // the organizer's pushes converge on the final root totals
  await waitFor(orgSock, ControlPushes.rollup, () => latestRoot.at(-1)?.totalPresent === grand, 3000).catch(() => undefined);
  assert.equal(latestRoot.at(-1)?.totalPresent, grand);
  assert.ok(latestRoot.length < writers.length * 5, `pushes were coalesced (${latestRoot.length} root updates for ${writers.length * 5} rounds)`);
});
