// Replay sessions ("học tập lại") against the real control service and Redis:
// posting, every refusal changing nothing, the technician bound to its site, the
// organizer's push, and the reports keeping replay apart from live attendance.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { ControlEvents, ControlPushes } from '../../signaling/control.js';
import type { ReplaySession } from '../../signaling/recording.js';
import { REDIS_URL, stateHash } from '../support/redis.js';
import { api, conferenceInput, connect, emit, groups, testEnv, token, treeSites, waitFor, type Env, type Res } from './helpers.js';

export const RCONF = 'hn-replay';
const P = `/api/conferences/${RCONF}`;
// a conference held in the past, so replay dates after it and up to today exist
const CONF_DATE = '2024-03-01';
const VOLATILE = /^(bull|hb:|insts|rl:)/;

let env: Env;
let base: string;
let org: string;
let redis: Redis;
const sockets: Socket[] = [];
const ok = <T = any>(r: Res<T>): T => { if (!r.body.ok) throw new Error(`${r.status} ${JSON.stringify(r.body)}`); return r.body.data as T; };
const hash = () => stateHash(redis, env.prefix, VOLATILE);
const techOf = (site: string) => token('technician', RCONF, site);
const vnToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const vnDay = (offsetDays: number) => new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

export async function setupReplayConference(url: string): Promise<string> {
  const o = token('organizer', RCONF);
  ok(await api(url, o, 'PUT', P, { ...conferenceInput, date: CONF_DATE, plannedStart: `${CONF_DATE}T08:00:00+07:00`, reportDeadline: `${CONF_DATE}T17:00:00+07:00` }));
  ok(await api(url, o, 'PUT', `${P}/groups`, { groups }));
  for (const s of treeSites(2, 3)) ok(await api(url, o, 'PUT', `${P}/sites/${s.id}`, s));
  ok(await api(url, o, 'PUT', `${P}/agenda`, { items: [
    { id: 'a1', title: 'Khai mạc', presenter: 'Ban Tổ chức', plannedStart: `${CONF_DATE}T08:00:00+07:00`, plannedDurationMin: 10 },
    { id: 'a2', title: 'Quán triệt Kết luận', presenter: 'Ban Tuyên giáo', plannedStart: `${CONF_DATE}T08:10:00+07:00`, plannedDurationMin: 60 },
    { id: 'a3', title: 'Tham luận', presenter: 'Các địa phương', plannedStart: `${CONF_DATE}T09:10:00+07:00`, plannedDurationMin: 30 }] }));
  return o;
}

beforeAll(async () => {
  env = testEnv('replay');
  base = (await env.start()).url;
  org = await setupReplayConference(base);
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await redis?.quit();
  await env?.cleanup();
});

describe('replay sessions', () => {
  test('a commune technician records a replay session; the organizer is pushed it; lists are scoped to the site', async () => {
    const orgSock = await connect(base, org, 'organizer');
    sockets.push(orgSock);
    assert.equal((await emit(orgSock, ControlEvents.subscribe, { conf: RCONF })).ok, true);
    const pushed = waitFor<ReplaySession>(orgSock, ControlPushes.replay, (p) => p.site === 'd01-c02');
    const r = await api<ReplaySession>(base, techOf('d01-c02'), 'POST', `${P}/replays`, {
      site: 'd01-c02', date: vnDay(-1), items: ['a1', 'a2'], counts: { 'c-a': 14, 'c-b': 6 }, source: 'materials', note: 'Học tại hội trường xã',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const s = r.body.data as ReplaySession;
    assert.deepEqual({ site: s.site, date: s.date, items: s.items, counts: s.counts, source: s.source, recording: s.recording, note: s.note },
      { site: 'd01-c02', date: vnDay(-1), items: ['a1', 'a2'], counts: { 'c-a': 14, 'c-b': 6 }, source: 'materials', recording: null, note: 'Học tại hội trường xã' });
    assert.match(s.by, /^technician:d01-c02#/);
    assert.equal((await pushed).id, s.id, 'the organizer got the push');
    // today (Vietnam time) and the whole conference, from the organizer for another site
    ok(await api(base, org, 'POST', `${P}/replays`, { site: 'd02-c01', date: vnToday(), items: 'all', counts: { 'c-a': 3 } }));
    // more than expected is allowed, as for live headcounts
    ok(await api(base, org, 'PUT', `${P}/sites/d01-c03/expected`, { counts: { 'c-a': 5 } }));
    ok(await api(base, techOf('d01-c03'), 'POST', `${P}/replays`, { site: 'd01-c03', date: CONF_DATE, items: ['a3'], counts: { 'c-a': 9 } }));

    const all: ReplaySession[] = ok(await api(base, org, 'GET', `${P}/replays`));
    assert.deepEqual(all.map((x) => x.site).sort(), ['d01-c02', 'd01-c03', 'd02-c01']);
    assert.equal(all[0]!.date, CONF_DATE, 'sorted by date');
    const mine: ReplaySession[] = ok(await api(base, techOf('d01-c02'), 'GET', `${P}/replays`));
    assert.deepEqual(mine.map((x) => x.site), ['d01-c02'], 'a technician lists its own site only');
    const forbidden = await api(base, techOf('d01-c02'), 'GET', `${P}/replays?site=d02-c01`);
    assert.equal(forbidden.status, 403);
    const filtered: ReplaySession[] = ok(await api(base, org, 'GET', `${P}/replays?site=d02-c01`));
    assert.deepEqual(filtered.map((x) => x.site), ['d02-c01']);
    // live attendance untouched: nobody has a live headcount
    const ru = ok(await api(base, org, 'GET', `${P}/rollups/root`));
    assert.equal(ru.totalPresent, 0, 'replay headcounts are not live headcounts');
    assert.equal(ru.reported, 0);
  });

  test('bad input is refused with a sentence and changes nothing', async () => {
    const good = { site: 'd01-c01', date: vnDay(-2), items: ['a1'], counts: { 'c-a': 4 } };
    const cases: [string, string, unknown, number, RegExp][] = [
      ['another site (technician)', techOf('d01-c01'), { ...good, site: 'd01-c02' }, 403, /another site/],
      ['a technician of a district for a commune', techOf('d01'), good, 403, /another site/],
      ['a hall viewer', token('viewer', RCONF, 'd01-c01'), good, 403, /may not/],
      ['unknown site', org, { ...good, site: 'khong-co' }, 400, /Không có điểm cầu "khong-co"/],
      ['unknown agenda item', org, { ...good, items: ['a1', 'a9'] }, 400, /không có nội dung a9/],
      ['an item twice', org, { ...good, items: ['a1', 'a1'] }, 400, /hai lần/],
      ['empty item list', org, { ...good, items: [] }, 400, /.+/],
      ['a district group at a commune', org, { ...good, counts: { 'd-a': 3 } }, 400, /không thuộc loại điểm cầu "commune"/],
      ['an unknown group', org, { ...good, counts: { 'x-z': 3 } }, 400, /x-z/],
      ['negative count', org, { ...good, counts: { 'c-a': -1 } }, 400, /.+/],
      ['fractional count', org, { ...good, counts: { 'c-a': 2.5 } }, 400, /.+/],
      ['count over 100,000', org, { ...good, counts: { 'c-a': 100_001 } }, 400, /.+/],
      ['nobody counted', org, { ...good, counts: { 'c-a': 0, 'c-b': 0 } }, 400, /ít nhất một thành phần/],
      ['a date that does not exist', org, { ...good, date: '2024-02-30' }, 400, /.+/],
      ['a date in the future', org, { ...good, date: vnDay(2) }, 400, /tương lai/],
      ['a date before the conference', org, { ...good, date: '2024-02-29' }, 400, /trước ngày hội nghị 01\/03\/2024/],
      ['dd/mm/yyyy instead of ISO', org, { ...good, date: '01/03/2024' }, 400, /.+/],
      ['a recording with another source', org, { ...good, source: 'materials', recording: 'rec-1' }, 400, /Bản ghi hội nghị/],
      ['an unknown source', org, { ...good, source: 'tv' }, 400, /.+/],
      ['an extra field', org, { ...good, present: 3 }, 400, /.+/],
      ['a note over 2000 characters', org, { ...good, note: 'x'.repeat(2001) }, 400, /.+/],
      ['another conference', token('organizer', 'hn-khac'), good, 403, /another conference/],
    ];
    for (const [what, tok, body, status, msg] of cases) {
      const before = await hash();
      const r = await api(base, tok, 'POST', `${P}/replays`, body);
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.ok, false, what);
      assert.match(r.body.error.message, msg, what);
      assert.equal(await hash(), before, `${what}: nothing changed`);
    }
    // the same session is accepted once the mistakes are gone
    ok(await api(base, techOf('d01-c01'), 'POST', `${P}/replays`, good));
  });
});
