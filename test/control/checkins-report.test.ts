// Per-person check-ins in the reports: the check-ins report (JSON, CSV, XLSX) and
// the full workbook's sheet read back — site and group by name, Vietnam time,
// in ≤ out, minutes present — and the attendance report's "checked in" beside
// the technician's headcount, which check-ins never change.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { api, CONF, setupConference, testEnv, token, type Env } from './helpers.js';
import { fromVnTime, parseCsv, sheetRows } from '../support/csv.js';

let env: Env;
let base: string;
let org: string;
const P = `/api/conferences/${CONF}`;
const SHEET = 'Đăng ký cá nhân (Check-ins)';
const HEADER = ['Mã điểm cầu / Site', 'Tên điểm cầu / Site name', 'Tên thành phần / Group name', 'Họ và tên / Person',
  'Đơn vị công tác / Unit', 'Giờ vào / In', 'Giờ ra / Out', 'Số phút có mặt / Minutes present'];
let from = 0;
let to = 0;
const ids: Record<string, string> = {};


/** The same instant written independently of the service: UTC+7, dd/mm/yyyy HH:mm:ss. */
function vn(ms: number): string {
  const iso = new Date(ms + 7 * 3600_000).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}


const get = (path: string, tok = org) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tok}` } });

beforeAll(async () => {
  env = testEnv('checkins-report');
  base = (await env.start()).url;
  await setupConference(base, 2, 2);
  org = token('organizer', CONF);
  await api(base, org, 'POST', `${P}/state`, { state: 'live' });
  // the technician's headcount of the hall, before and independent of any check-in
  await api(base, token('technician', CONF, 'd01-c01'), 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 5, 'c-b': 1 } });
  await api(base, token('technician', CONF, 'd01'), 'PUT', `${P}/attendance/d01`, { present: { 'd-a': 7 } });
  from = Date.now();
  const tech = token('technician', CONF, 'd01-c01');
  const part = token('participant', CONF, 'd02-c01');
  const ci = async (tok: string, body: object, key: string) => {
    const r = await api(base, tok, 'POST', `${P}/checkins`, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    ids[key] = r.body.data.id;
  };
  await ci(tech, { site: 'd01-c01', group: 'c-a', name: 'Nguyễn Văn An', unit: 'Đảng ủy xã, "Khối dân vận"' }, 'an');
  await ci(tech, { site: 'd01-c01', group: 'c-a', name: 'Trần Thị Bình' }, 'binh');
  await ci(tech, { site: 'd01-c01', group: 'c-b', name: 'Lê Văn Cường', unit: 'UBND xã' }, 'cuong');
  await ci(part, { site: 'd02-c01', group: 'c-a', name: 'Phạm Thị Dung', unit: 'Hội Phụ nữ' }, 'dung');
  await ci(org, { site: 'd01', group: 'd-a', name: 'Hoàng Văn Em', unit: 'Huyện ủy' }, 'em');
  await new Promise((r) => setTimeout(r, 1100)); // the out time lands on a later second than the in time
  assert.equal((await api(base, tech, 'POST', `${P}/checkins/${ids.an}/out`)).status, 200);
  assert.equal((await api(base, org, 'POST', `${P}/checkins/${ids.em}/out`)).status, 200);
  to = Date.now();
});
afterAll(async () => { await env.cleanup(); });

test('check-ins report: JSON rows carry names, times and minutes; CSV reads back in Vietnam time', async () => {
  const json = (await api(base, org, 'GET', `${P}/reports/checkins`)).body.data as any[];
  // tree order of sites (d01 before its communes), then group order, then time of check-in
  assert.deepEqual(json.map((r) => r.id), [ids.em, ids.an, ids.binh, ids.cuong, ids.dung]);
  const an = json.find((r) => r.id === ids.an);
  assert.equal(an.siteName, 'Xã 1.1');
  assert.equal(an.groupName, 'Xã A');
  assert.ok(an.outAt >= an.inAt);
  assert.equal(an.minutes, Math.round((an.outAt - an.inAt) / 600) / 100);
  const binh = json.find((r) => r.id === ids.binh);
  assert.equal(binh.outAt, undefined, 'still checked in');
  assert.ok(binh.minutes >= 0 && binh.minutes <= (Date.now() - binh.inAt) / 60_000 + 0.01, 'minutes so far while still checked in');

  const res = await get(`${P}/reports/checkins?format=csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(res.headers.get('content-disposition') ?? '', /dang-ky-ca-nhan-hn-test\.csv/);
  const text = await res.text();
  await mkdir('test-artifacts', { recursive: true });
  await writeFile('test-artifacts/control-checkins.csv', text);
  const [header, ...body] = parseCsv(text);
  assert.deepEqual(header, HEADER);
  assert.equal(body.length, 5);
  const row = (name: string) => Object.fromEntries(header!.map((h, i) => [h, body.find((r) => r[3] === name)![i]!]));
  const a = row('Nguyễn Văn An');
  assert.equal(a['Mã điểm cầu / Site'], 'd01-c01');
  assert.equal(a['Tên điểm cầu / Site name'], 'Xã 1.1');
  assert.equal(a['Tên thành phần / Group name'], 'Xã A');
  assert.equal(a['Đơn vị công tác / Unit'], 'Đảng ủy xã, "Khối dân vận"', 'comma and quotes survive');
  const inAt = fromVnTime(a['Giờ vào / In']!);
  const outAt = fromVnTime(a['Giờ ra / Out']!);
  assert.ok(inAt >= from - 1000 && inAt <= outAt && outAt <= to, `in ${a['Giờ vào / In']} ≤ out ${a['Giờ ra / Out']}`);
  assert.equal(a['Giờ vào / In'], vn(an.inAt), 'Vietnam time (UTC+7)');
  assert.equal(a['Giờ ra / Out'], vn(an.outAt));
  assert.equal(Number(a['Số phút có mặt / Minutes present']), an.minutes);
  const e = row('Hoàng Văn Em');
  assert.deepEqual([e['Mã điểm cầu / Site'], e['Tên điểm cầu / Site name'], e['Tên thành phần / Group name']], ['d01', 'Huyện 1', 'Huyện A']);
  assert.ok(fromVnTime(e['Giờ vào / In']!) <= fromVnTime(e['Giờ ra / Out']!));
  const b = row('Trần Thị Bình');
  assert.equal(b['Giờ ra / Out'], '', 'no out time while still checked in');
  assert.equal(b['Đơn vị công tác / Unit'], '');
  assert.deepEqual([row('Phạm Thị Dung')['Tên điểm cầu / Site name'], row('Lê Văn Cường')['Tên thành phần / Group name']], ['Xã 2.1', 'Xã B']);
  for (const r of body) fromVnTime(r[5]!);
});

test('check-ins in the XLSX report and in the full workbook', async () => {
  const csv = parseCsv(await (await get(`${P}/reports/checkins?format=csv`)).text());
  const single = await get(`${P}/reports/checkins?format=xlsx`);
  assert.equal(single.status, 200);
  assert.match(single.headers.get('content-type') ?? '', /spreadsheetml/);
  const wb1 = new ExcelJS.Workbook();
  await wb1.xlsx.load(Buffer.from(await single.arrayBuffer()) as unknown as ArrayBuffer);
  assert.deepEqual(wb1.worksheets.map((w) => w.name), [SHEET]);

  const full = await get(`${P}/reports/full.xlsx`);
  assert.equal(full.status, 200);
  const buf = Buffer.from(await full.arrayBuffer());
  await mkdir('test-artifacts', { recursive: true });
  await writeFile('test-artifacts/control-report-checkins.xlsx', buf);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  assert.ok(wb.getWorksheet(SHEET), `sheet ${SHEET}`);

  for (const ws of [wb1.worksheets[0]!, wb.getWorksheet(SHEET)!]) {
    assert.deepEqual((ws.getRow(1).values as unknown[]).slice(1), HEADER);
    const rows = sheetRows(ws, '');
    // the sheet says the same as the CSV, cell by cell (minutes as numbers); minutes of people still
    // checked in grow between the two downloads, so those are compared within a minute
    const MIN = HEADER.indexOf('Số phút có mặt / Minutes present');
    const sheet = rows.map((r) => HEADER.map((h) => String(r[h])));
    assert.deepEqual(sheet.map((r) => r.filter((_, i) => i !== MIN)), csv.slice(1).map((r) => r.filter((_, i) => i !== MIN)));
    sheet.forEach((r, i) => assert.ok(Math.abs(Number(r[MIN]) - Number(csv[i + 1]![MIN])) <= 1, `minutes of row ${i + 1}`));
    assert.ok(rows.every((r) => typeof r['Số phút có mặt / Minutes present'] === 'number'));
    const em = rows.find((r) => r['Họ và tên / Person'] === 'Hoàng Văn Em')!;
    assert.equal(em['Tên điểm cầu / Site name'], 'Huyện 1');
    assert.equal(em['Tên thành phần / Group name'], 'Huyện A');
    assert.ok(fromVnTime(String(em['Giờ vào / In'])) <= fromVnTime(String(em['Giờ ra / Out'])));
  }
});

test('check-ins do not change the headcount; the attendance report shows them beside it', async () => {
  const own = (await api(base, org, 'GET', `${P}/attendance/d01-c01`)).body.data;
  assert.deepEqual(own.present, { 'c-a': 5, 'c-b': 1 }, 'the hall count stays what the technician entered');
  const root = (await api(base, org, 'GET', `${P}/rollups/root`)).body.data;
  assert.equal(root.totalPresent, 5 + 1 + 7);
  const up = (await api(base, org, 'GET', `${P}/reports/upward`)).body.data;
  assert.equal(up.root.totalPresent, 13, 'the upward report counts heads, not check-ins');

  const rows = (await api(base, org, 'GET', `${P}/reports/attendance`)).body.data as any[];
  const pick = (site: string, group: string, kind: string) => rows.find((r) => r.site === site && r.group === group && r.kind === kind);
  assert.deepEqual([pick('d01-c01', 'c-a', 'own').present, pick('d01-c01', 'c-a', 'own').checkedIn], [5, 2]);
  assert.deepEqual([pick('d01-c01', 'c-b', 'own').present, pick('d01-c01', 'c-b', 'own').checkedIn], [1, 1]);
  assert.deepEqual([pick('d02-c01', 'c-a', 'own').present, pick('d02-c01', 'c-a', 'own').checkedIn], [0, 1], 'a check-in where no headcount was entered shows the gap');
  assert.equal(pick('d01-c02', 'c-a', 'own').checkedIn, 0);
  assert.deepEqual([pick('d01', 'd-a', 'own').present, pick('d01', 'd-a', 'own').checkedIn], [7, 1], 'checked out still counts as checked in');
  // roll-ups: the subtree's check-ins beside the subtree's headcount
  assert.deepEqual([pick('d01', 'c-a', 'rollup').present, pick('d01', 'c-a', 'rollup').checkedIn], [5, 2]);
  assert.deepEqual([pick('d02', 'c-a', 'rollup').present, pick('d02', 'c-a', 'rollup').checkedIn], [0, 1], 'a roll-up row appears for check-ins alone');
  assert.deepEqual([pick('root', 'c-a', 'rollup').present, pick('root', 'c-a', 'rollup').checkedIn], [5, 3]);
  assert.equal(pick('root', 'd-a', 'rollup').checkedIn, 1);
  assert.equal(pick('d01-c01', 'c-a', 'own').groupName, 'Xã A');
  assert.equal(pick('d01-c01', 'c-a', 'own').parentName, 'Huyện 1');
});

test('check-ins report: only organizer and viewer, a bad format is refused', async () => {
  assert.equal((await get(`${P}/reports/checkins?format=csv`, token('viewer', CONF))).status, 200);
  assert.equal((await get(`${P}/reports/checkins`, token('technician', CONF, 'd01-c01'))).status, 403);
  assert.equal((await fetch(`${base}${P}/reports/checkins?format=csv&token=${org}`)).status, 200, 'a download link with ?token=');
  const bad = await api(base, org, 'GET', `${P}/reports/checkins?format=pdf`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'BAD_REQUEST');
});
