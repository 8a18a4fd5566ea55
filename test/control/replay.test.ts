// Replay sessions ("học tập lại") against the real control service and Redis:
// posting, every refusal changing nothing, the technician bound to its site, the
// organizer's push, and the reports keeping replay apart from live attendance.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { ControlEvents, ControlPushes } from '../../signaling/control.js';
import type { ReplaySession } from '../../signaling/recording.js';
import { REDIS_URL, stateHash } from '../support/redis.js';
import { parseCsv, sheetRows } from '../support/csv.js';
import { waitFor as pollUntil } from '../support/wait.js';
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

describe('reports keep replay apart from live', () => {
  const live: Record<string, Record<string, number>> = { 'd01-c01': { 'c-a': 7, 'c-b': 3 }, 'd02-c01': { 'c-a': 5 }, d01: { 'd-a': 4 }, prov: { 'p-a': 2 } };
  const liveTotal = 7 + 3 + 5 + 4 + 2;
  let replayDate = '';
  let sessions: ReplaySession[] = [];
  const get = (path: string) => fetch(`${base}${P}${path}`, { headers: { authorization: `Bearer ${org}` } });
  const xlsx = async (path: string, file: string) => {
    const buf = Buffer.from(await (await get(path)).arrayBuffer());
    await mkdir('test-artifacts', { recursive: true });
    await writeFile(`test-artifacts/${file}`, buf);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    return wb;
  };

  beforeAll(async () => {
    for (const [site, present] of Object.entries(live)) ok(await api(base, techOf(site), 'PUT', `${P}/attendance/${site}`, { present }));
    ok(await api(base, org, 'PUT', `${P}/sites/d02-c03/expected`, { counts: { 'c-a': 15, 'c-b': 8 } }));
    await pollUntil('the live roll-up', async () => (await api(base, org, 'GET', `${P}/rollups/root`)).body.data.totalPresent === liveTotal, 5000, 50);
    // a commune that could not join live studies the conference from the recording
    replayDate = vnDay(-3);
    ok(await api(base, techOf('d02-c03'), 'POST', `${P}/replays`, { site: 'd02-c03', date: replayDate, items: ['a2', 'a3'], counts: { 'c-a': 12, 'c-b': 5 }, source: 'recording', note: 'Chiếu bản ghi tại hội trường' }));
    sessions = ok(await api(base, org, 'GET', `${P}/replays`));
  });

  test('a replay session at a commune: headcounts entered; the XLSX shows them as replay, not live', async () => {
    const replayTotal = sessions.reduce((a, r) => a + Object.values(r.counts).reduce((x, y) => x + y, 0), 0);
    const ru = ok(await api(base, org, 'GET', `${P}/rollups/root`));
    assert.equal(ru.totalPresent, liveTotal, 'the live totals are unchanged by replay sessions');
    assert.equal(ok(await api(base, org, 'GET', `${P}/attendance/d02-c03`)).reported, false, 'the commune has no live headcount');

    const wb = await xlsx('/reports/attendance?format=xlsx', 'replay-attendance.xlsx');
    assert.deepEqual(wb.worksheets.map((w) => w.name), ['Điểm danh', 'Học tập lại (Replay)']);
    const att = sheetRows(wb.getWorksheet('Điểm danh')!);
    const LIVE = 'Có mặt — Trực tiếp (Live) / Present';
    const REPLAY = 'Có mặt — Học tập lại (Replay) / Present at replay';
    const row = (site: string, group: string, kind = 'tại điểm') => att.find((r) => r['Mã điểm cầu / Site'] === site && r['Mã thành phần / Group code'] === group && String(r['Loại / Kind']).startsWith(kind))!;
    assert.equal(row('d02-c03', 'c-a')[LIVE], 0, 'no live figure at the commune');
    assert.equal(row('d02-c03', 'c-a')[REPLAY], 12);
    assert.equal(row('d02-c03', 'c-b')[REPLAY], 5);
    assert.equal(row('d02-c03', 'c-a')['Số buổi học tập lại (Replay) / Replay sessions'], 1);
    assert.equal(row('d01-c01', 'c-a')[LIVE], 7);
    assert.equal(row('d01-c01', 'c-a')[REPLAY], 4, 'the earlier replay of d01-c01 sits beside its live figure');
    // sums over the halls' own rows: live = the live roll-up, replay = every session, each in its own column
    const own = att.filter((r) => String(r['Loại / Kind']).startsWith('tại điểm'));
    assert.equal(own.reduce((a, r) => a + Number(r[LIVE]), 0), liveTotal);
    assert.equal(own.reduce((a, r) => a + Number(r[REPLAY]), 0), replayTotal);
    assert.equal(row('d02', 'c-a', 'tổng hợp')[REPLAY], 3 + 12, 'the district roll-up row sums its communes\' replays');
    assert.equal(row('d02', 'c-a', 'tổng hợp')[LIVE], 5);
    // one row per session on the replay sheet, dates dd/mm/yyyy
    const rp = sheetRows(wb.getWorksheet('Học tập lại (Replay)')!);
    assert.equal(rp.length, sessions.length);
    const c3 = rp.find((r) => r['Mã điểm cầu / Site'] === 'd02-c03')!;
    const [y, m, d] = replayDate.split('-');
    assert.equal(c3['Ngày học tập lại / Date'], `${d}/${m}/${y}`);
    assert.equal(c3['Nội dung đã xem / Items watched'], '2. Quán triệt Kết luận; 3. Tham luận');
    assert.equal(c3['Xã A (c-a)'], 12);
    assert.equal(c3['Xã B (c-b)'], 5);
    assert.equal(c3['Tổng số người — Học tập lại (Replay) / Total'], 17);
    assert.equal(c3['Nguồn / Source'], 'Bản ghi hội nghị / Recording');
    assert.equal(c3['Tên điểm cầu / Site name'], 'Xã 2.3');
    assert.equal(c3['Người nhập / Entered by'], 'Kỹ thuật viên / Technician');
    assert.equal(rp.find((r) => r['Mã điểm cầu / Site'] === 'd02-c01')!['Nội dung đã xem / Items watched'], 'Toàn bộ hội nghị / Whole conference');

    // the full workbook: summary with live and replay side by side, and the replay sheet
    const full = await xlsx('/reports/full.xlsx', 'replay-full.xlsx');
    assert.deepEqual(full.worksheets.map((w) => w.name), ['Tổng hợp', 'Điểm danh', 'Học tập lại (Replay)', 'Đăng ký cá nhân (Check-ins)', 'Kết nối', 'Chương trình']);
    const sum = sheetRows(full.getWorksheet('Tổng hợp')!);
    assert.equal(sum[0]![LIVE], liveTotal);
    assert.equal(sum[0]![REPLAY], replayTotal);
    assert.equal(sum[0]!['Số buổi học tập lại (Replay) / Replay sessions'], sessions.length);
    const d02 = sum.find((r) => r['Mã điểm cầu / Site'] === 'd02')!;
    assert.deepEqual([d02[LIVE], d02[REPLAY], d02['Điểm cầu học tập lại (Replay) / Sites with a replay']], [5, 3 + 17, 2]);
    assert.equal(sheetRows(full.getWorksheet('Học tập lại (Replay)')!).length, sessions.length);
  });

  test('CSV and JSON: replay in its own labelled columns', async () => {
    const csv = parseCsv(await (await get('/reports/attendance?format=csv')).text());
    const h = csv[0]!;
    const iLive = h.indexOf('Có mặt — Trực tiếp (Live) / Present');
    const iReplay = h.indexOf('Có mặt — Học tập lại (Replay) / Present at replay');
    assert.ok(iLive > 0 && iReplay === iLive + 1, 'replay right beside live');
    const c3 = csv.find((r) => r[0] === 'd02-c03' && r[5] === 'c-a')!;
    assert.deepEqual([c3[iLive], c3[iReplay]], ['0', '12']);
    const c1 = csv.find((r) => r[0] === 'd01-c01' && r[5] === 'c-a')!;
    assert.deepEqual([c1[iLive], c1[iReplay]], ['7', '4']);
    const json = ok(await api(base, org, 'GET', `${P}/reports/attendance`)) as any[];
    const j = json.find((r) => r.site === 'd02-c03' && r.group === 'c-b');
    assert.deepEqual([j.present, j.replay, j.replaySessions], [0, 5, 1]);
  });

  test('the upward report and the results PDF keep replay beside live, not added in', async () => {
    const replayTotal = sessions.reduce((a, r) => a + Object.values(r.counts).reduce((x, y) => x + y, 0), 0);
    const up = ok(await api(base, org, 'GET', `${P}/reports/upward`));
    assert.equal(up.root.totalPresent, liveTotal, 'live total without replays');
    assert.equal(up.replay.root.totalPresent, replayTotal);
    assert.equal(up.replay.root.sessions, sessions.length);
    assert.equal(up.replay.root.sites, new Set(sessions.map((s) => s.site)).size);
    assert.deepEqual(up.replay.units.map((u: any) => u.site), up.units.map((u: any) => u.site), 'the same units');
    const d01 = up.replay.units.find((u: any) => u.site === 'd01');
    assert.equal(d01.totalPresent, 20 + 9 + 4);
    assert.equal(up.units.find((u: any) => u.site === 'd01').totalPresent, 7 + 3 + 4);
    assert.deepEqual(up.replay.levels.map((l: any) => [l.level, l.present]), [['commune', replayTotal]]);

    const pdf = Buffer.from(await (await get('/reports/results.pdf')).arrayBuffer());
    await writeFile('test-artifacts/replay-results.pdf', pdf);
    const t = execFileSync('pdftotext', ['-enc', 'UTF-8', 'test-artifacts/replay-results.pdf', '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.ok(t.includes(`có mặt ${liveTotal} `), 'the live total is the live headcount');
    assert.match(t, /4\. Học tập lại \(Replay\) — báo cáo riêng, không cộng vào số có mặt trực tiếp/);
    assert.ok(t.includes(`${new Set(sessions.map((s) => s.site)).size} điểm cầu đã tổ chức ${sessions.length} buổi học tập lại với ${replayTotal} lượt đại biểu`));

    // once sent, the report is frozen; a later replay session is said apart in the PDF
    const sent = ok(await api(base, org, 'POST', `${P}/reports/upward/send`, {}));
    assert.equal(sent.replay.root.totalPresent, replayTotal);
    ok(await api(base, techOf('d01-c03'), 'POST', `${P}/replays`, { site: 'd01-c03', date: vnToday(), items: 'all', counts: { 'c-b': 6 } }));
    assert.equal(ok(await api(base, org, 'GET', `${P}/reports/upward`)).replay.root.totalPresent, replayTotal, 'the sent report is frozen');
    await writeFile('test-artifacts/replay-results-sent.pdf', Buffer.from(await (await get('/reports/results.pdf')).arrayBuffer()));
    const t2 = execFileSync('pdftotext', ['-enc', 'UTF-8', 'test-artifacts/replay-results-sent.pdf', '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(t2, /Sau khi gửi báo cáo, các điểm cầu báo thêm 1 buổi học tập lại với 6 lượt đại biểu/);
  });
});
