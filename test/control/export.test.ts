// Reports: the XLSX we produce is read back and its numbers checked against
// the live roll-ups; CSV, agenda timing, and the upward report (sent once).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { waitFor } from '../support/wait.js';
import type { Rollup } from '../../signaling/control.js';
import { api, CONF, connect, setupConference, testEnv, token, type Env } from './helpers.js';
import { fromVnTime, parseCsv, sheetRows } from '../support/csv.js';

let env: Env;
let base: string;
let org: string;
const P = `/api/conferences/${CONF}`;
let presenceFrom = 0;
let presenceTo = 0;


beforeAll(async () => {
  env = testEnv('export');
  base = (await env.start()).url;
  const { sites } = await setupConference(base, 3, 4);
  org = token('organizer', CONF);
  for (const [i, s] of sites.entries()) {
    const g = s.level === 'commune' ? ['c-a', 'c-b'] : s.level === 'district' ? ['d-a', 'd-b'] : s.level === 'province' ? ['p-a'] : [];
    if (!g.length) continue;
    await api(base, org, 'PUT', `${P}/sites/${s.id}/expected`, { counts: Object.fromEntries(g.map((x, k) => [x, 20 + i + k])) });
    await api(base, token('technician', CONF, s.id), 'PUT', `${P}/attendance/${s.id}`, { present: Object.fromEntries(g.map((x, k) => [x, 10 + ((i * 3 + k) % 9)])) });
  }
  await api(base, org, 'POST', `${P}/state`, { state: 'live' });
  await api(base, org, 'PUT', `${P}/agenda`, { items: [
    { id: 'a1', title: 'Khai mạc', presenter: 'Ban Tổ chức', plannedStart: '2030-01-15T08:00:00+07:00', plannedDurationMin: 10 },
    { id: 'a2', title: 'Báo cáo, tham luận', presenter: 'Ban Tuyên giáo', plannedStart: '2030-01-15T08:10:00+07:00', plannedDurationMin: 30 }] });
  await api(base, org, 'POST', `${P}/agenda/a1/start`);
  await api(base, org, 'POST', `${P}/agenda/a2/start`);
  await api(base, org, 'POST', `${P}/agenda/a2/end`);
  // one hall screen joins and leaves: a presence row with one join and its times
  presenceFrom = Date.now();
  const hall = await connect(base, token('viewer', CONF, 'd01-c01'), 'hall');
  await waitFor('the hall to count as connected', async () => (await api(base, org, 'GET', `${P}/presence`)).body.data.find((x: any) => x.site === 'd01-c01')?.online, 5000, 50);
  hall.close();
  await waitFor('the hall to count as gone', async () => (await api(base, org, 'GET', `${P}/presence`)).body.data.find((x: any) => x.site === 'd01-c01')?.online === false, 5000, 50);
  presenceTo = Date.now();
});
afterAll(async () => { await env.cleanup(); });


test('full XLSX: summary and attendance sheets agree with the roll-ups', async () => {
  const res = await fetch(`${base}${P}/reports/full.xlsx`, { headers: { authorization: `Bearer ${org}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /spreadsheetml/);
  const buf = Buffer.from(await res.arrayBuffer());
  await mkdir('test-artifacts', { recursive: true });
  await writeFile('test-artifacts/control-report.xlsx', buf);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  assert.deepEqual(wb.worksheets.map((w) => w.name), ['Tổng hợp', 'Điểm danh', 'Học tập lại (Replay)', 'Đăng ký cá nhân (Check-ins)', 'Kết nối', 'Chương trình']);

  const rollups: Rollup[] = (await api(base, org, 'GET', `${P}/rollups`)).body.data;
  const ru = new Map(rollups.map((r) => [r.site, r]));
  const summary = sheetRows(wb.getWorksheet('Tổng hợp')!);
  const rootRow = summary[0]!;
  assert.equal(rootRow['Có mặt — Trực tiếp (Live) / Present'], ru.get('root')!.totalPresent);
  assert.equal(rootRow['Dự kiến / Expected'], ru.get('root')!.totalExpected);
  for (const r of summary.slice(1)) {
    const live = ru.get(String(r['Mã điểm cầu / Site']))!;
    assert.equal(r['Có mặt — Trực tiếp (Live) / Present'], live.totalPresent, `present of ${live.site}`);
    assert.equal(r['Dự kiến / Expected'], live.totalExpected);
    assert.equal(r['Số điểm cầu / Sites'], live.sites);
  }
  assert.ok(summary.some((r) => r['Mã điểm cầu / Site'] === 'd02'));

  const att = sheetRows(wb.getWorksheet('Điểm danh')!);
  const own = att.filter((r) => String(r['Loại / Kind']).startsWith('tại điểm'));
  // sum of every hall's own rows = root roll-up, per group
  const perGroup = new Map<string, number>();
  for (const r of own) perGroup.set(String(r['Mã thành phần / Group code']), (perGroup.get(String(r['Mã thành phần / Group code'])) ?? 0) + Number(r['Có mặt — Trực tiếp (Live) / Present']));
  for (const [g, v] of perGroup) assert.equal(v, ru.get('root')!.present[g] ?? 0, `group ${g}`);
  // roll-up rows of d01 equal the live d01 roll-up
  for (const r of att.filter((x) => x['Mã điểm cầu / Site'] === 'd01' && String(x['Loại / Kind']).startsWith('tổng hợp'))) {
    assert.equal(r['Có mặt — Trực tiếp (Live) / Present'], ru.get('d01')!.present[String(r['Mã thành phần / Group code'])]);
  }
  // groups and parents by name as well as by code
  const groupNames: Record<string, string> = { 'p-a': 'Tỉnh A', 'd-a': 'Huyện A', 'd-b': 'Huyện B', 'c-a': 'Xã A', 'c-b': 'Xã B' };
  for (const r of att) assert.equal(r['Tên thành phần / Group name'], groupNames[String(r['Mã thành phần / Group code'])], `group name of ${r['Mã điểm cầu / Site']}`);
  const c11 = att.find((r) => r['Mã điểm cầu / Site'] === 'd01-c01')!;
  assert.equal(c11['Mã trực thuộc / Parent code'], 'd01');
  assert.equal(c11['Tên trực thuộc / Parent name'], 'Huyện 1');
  assert.equal(att.find((r) => r['Mã điểm cầu / Site'] === 'd02')!['Tên trực thuộc / Parent name'], 'Tỉnh');
  assert.equal(att.find((r) => r['Mã điểm cầu / Site'] === 'prov')!['Tên trực thuộc / Parent name'], 'Trung ương');
  // no check-ins in this conference: the column is there and reads 0, the check-in sheet has its header only
  assert.ok(att.every((r) => r['Đăng ký cá nhân / Checked in'] === 0));
  assert.deepEqual(sheetRows(wb.getWorksheet('Đăng ký cá nhân (Check-ins)')!), []);
  const ag = sheetRows(wb.getWorksheet('Chương trình')!);
  assert.equal(ag.length, 2);
  assert.ok(ag.every((r) => r['Bắt đầu thực tế / Actual start'] && r['Kết thúc thực tế / Actual end']));
});

test('single-report XLSX and CSV exports', async () => {
  const x = await fetch(`${base}${P}/reports/attendance?format=xlsx`, { headers: { authorization: `Bearer ${org}` } });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as unknown as ArrayBuffer);
  const rows = sheetRows(wb.worksheets[0]!);
  const json = (await api(base, org, 'GET', `${P}/reports/attendance`)).body.data;
  assert.equal(rows.length, json.length);
  assert.deepEqual(rows.map((r) => r['Có mặt — Trực tiếp (Live) / Present']), json.map((r: any) => r.present));
  assert.deepEqual(rows.map((r) => r['Tên thành phần / Group name']), json.map((r: any) => r.groupName));
  assert.deepEqual(rows.map((r) => r['Tên trực thuộc / Parent name'] || null), json.map((r: any) => r.parentName));
  // attendance CSV: group and parent names beside their codes
  const attCsv = parseCsv(await (await fetch(`${base}${P}/reports/attendance?format=csv`, { headers: { authorization: `Bearer ${org}` } })).text());
  assert.deepEqual(attCsv[0], ['Mã điểm cầu / Site', 'Tên / Name', 'Cấp / Level', 'Mã trực thuộc / Parent code', 'Tên trực thuộc / Parent name',
    'Mã thành phần / Group code', 'Tên thành phần / Group name', 'Dự kiến / Expected', 'Có mặt — Trực tiếp (Live) / Present', 'Có mặt — Học tập lại (Replay) / Present at replay',
    'Số buổi học tập lại (Replay) / Replay sessions', 'Đăng ký cá nhân / Checked in', 'Loại / Kind']);
  assert.deepEqual(attCsv.slice(1).find((r) => r[0] === 'd02-c01' && r[5] === 'c-b')!.slice(0, 7), ['d02-c01', 'Xã 2.1', 'commune', 'd02', 'Huyện 2', 'c-b', 'Xã B']);
  const csv = await (await fetch(`${base}${P}/reports/agenda?format=csv`, { headers: { authorization: `Bearer ${org}` } })).text();
  const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /^a1,Khai mạc,Ban Tổ chức,/);
  assert.match(lines[1]!, /^a1,Khai mạc,Ban Tổ chức,15\/01\/2030 08:00:00,10,\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2},/, 'planned and actual times in Vietnam time');

  // presence CSV: one row per site, read back; the hall that came and went has its join and leave
  const pres = await fetch(`${base}${P}/reports/presence?format=csv`, { headers: { authorization: `Bearer ${org}` } });
  assert.equal(pres.status, 200);
  assert.match(pres.headers.get('content-type') ?? '', /text\/csv/);
  const [header, ...body] = parseCsv(await pres.text());
  assert.deepEqual(header, ['Mã điểm cầu / Site', 'Tên / Name', 'Cấp / Level', 'Trực tuyến / Online', 'Số lần kết nối / Joins',
    'Thời gian kết nối (phút) / Connected (min)', 'Vào lần cuối / Last join', 'Rời lần cuối / Last leave', 'Sự kiện / Events',
    'Trạng thái hình / Picture now', 'Số lần màn hình vào / Hall joins', 'Thời gian xem (phút) / Watched (min)']);
  const sites = (await api(base, org, 'GET', `${P}/sites`)).body.data as { id: string; name: string }[];
  assert.deepEqual(body.map((r) => r[0]).sort(), sites.map((s) => s.id).sort(), 'one row per site');
  const row = Object.fromEntries(header!.map((h, i) => [h, body.find((r) => r[0] === 'd01-c01')![i]!]));
  assert.equal(row['Tên / Name'], sites.find((s) => s.id === 'd01-c01')!.name);
  assert.equal(row['Trực tuyến / Online'], '0');
  // no media node reported a hall of it: the picture columns say so (test/e2e/watching.test.ts has halls that play)
  assert.match(row['Trạng thái hình / Picture now']!, /chưa kết nối/);
  assert.equal(row['Thời gian xem (phút) / Watched (min)'], '0');
  assert.equal(row['Số lần kết nối / Joins'], '1');
  const joined = fromVnTime(row['Vào lần cuối / Last join']!);
  const left = fromVnTime(row['Rời lần cuối / Last leave']!);
  // times are whole seconds in the export
  assert.ok(joined >= presenceFrom - 1000 && joined <= left && left <= presenceTo, `join ${row['Vào lần cuối / Last join']} → leave ${row['Rời lần cuối / Last leave']}`);
  assert.ok(Number(row['Thời gian kết nối (phút) / Connected (min)']) <= (presenceTo - presenceFrom) / 60_000 + 0.01);
  assert.deepEqual(row['Sự kiện / Events']!.split('; ').map((e) => e.split(' ')[0]), ['vào', 'rời']);
  for (const r of body.filter((r) => r[0] !== 'd01-c01')) assert.equal(r[4], '0', `${r[0]} never joined`);
});

test('upward report: preview, send once, then frozen', async () => {
  const preview = (await api(base, org, 'GET', `${P}/reports/upward`)).body.data;
  assert.equal(preview.sentAt, undefined);
  const rootLive = (await api(base, org, 'GET', `${P}/rollups/root`)).body.data;
  assert.equal(preview.root.totalPresent, rootLive.totalPresent);
  assert.equal(preview.units.filter((u: any) => u.level === 'district').length, 3);
  const sent = await api(base, org, 'POST', `${P}/reports/upward/send`, { note: 'Đã tổ chức đúng kế hoạch' });
  assert.equal(sent.status, 200);
  assert.ok(sent.body.data.sentAt);
  assert.equal((await api(base, org, 'POST', `${P}/reports/upward/send`, {})).status, 409);
  await api(base, token('technician', CONF, 'd01-c01'), 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 0 } });
  const again = (await api(base, org, 'GET', `${P}/reports/upward`)).body.data;
  assert.equal(again.root.totalPresent, sent.body.data.root.totalPresent, 'the sent report is frozen');
});
