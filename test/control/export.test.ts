// Reports: the XLSX we produce is read back and its numbers checked against
// the live roll-ups; CSV, agenda timing, and the upward report (sent once).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Rollup } from '../../signaling/control.js';
import { api, CONF, setupConference, sleep, testEnv, token, type Env } from './helpers.js';

let env: Env;
let base: string;
let org: string;
const P = `/api/conferences/${CONF}`;

before(async () => {
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
  await sleep(50);
  await api(base, org, 'POST', `${P}/agenda/a2/start`);
  await api(base, org, 'POST', `${P}/agenda/a2/end`);
});
after(async () => { await env.cleanup(); });

function sheetRows(ws: ExcelJS.Worksheet): Record<string, unknown>[] {
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const v = (row.values as unknown[]).slice(1);
    out.push(Object.fromEntries(header.map((h, i) => [h, v[i]])));
  });
  return out;
}

test('full XLSX: summary and attendance sheets agree with the roll-ups', async () => {
  const res = await fetch(`${base}${P}/reports/full.xlsx`, { headers: { authorization: `Bearer ${org}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /spreadsheetml/);
  const buf = Buffer.from(await res.arrayBuffer());
  await mkdir('test-artifacts', { recursive: true });
  await writeFile('test-artifacts/control-report.xlsx', buf);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  assert.deepEqual(wb.worksheets.map((w) => w.name), ['Tổng hợp', 'Điểm danh', 'Kết nối', 'Chương trình']);

  const rollups: Rollup[] = (await api(base, org, 'GET', `${P}/rollups`)).body.data;
  const ru = new Map(rollups.map((r) => [r.site, r]));
  const summary = sheetRows(wb.getWorksheet('Tổng hợp')!);
  const rootRow = summary[0]!;
  assert.equal(rootRow['Có mặt / Present'], ru.get('root')!.totalPresent);
  assert.equal(rootRow['Dự kiến / Expected'], ru.get('root')!.totalExpected);
  for (const r of summary.slice(1)) {
    const live = ru.get(String(r['Mã điểm cầu / Site']))!;
    assert.equal(r['Có mặt / Present'], live.totalPresent, `present of ${live.site}`);
    assert.equal(r['Dự kiến / Expected'], live.totalExpected);
    assert.equal(r['Số điểm cầu / Sites'], live.sites);
  }
  assert.ok(summary.some((r) => r['Mã điểm cầu / Site'] === 'd02'));

  const att = sheetRows(wb.getWorksheet('Điểm danh')!);
  const own = att.filter((r) => String(r['Loại / Kind']).startsWith('tại điểm'));
  // sum of every hall's own rows = root roll-up, per group
  const perGroup = new Map<string, number>();
  for (const r of own) perGroup.set(String(r['Thành phần / Group']), (perGroup.get(String(r['Thành phần / Group'])) ?? 0) + Number(r['Có mặt / Present']));
  for (const [g, v] of perGroup) assert.equal(v, ru.get('root')!.present[g] ?? 0, `group ${g}`);
  // roll-up rows of d01 equal the live d01 roll-up
  for (const r of att.filter((x) => x['Mã điểm cầu / Site'] === 'd01' && String(x['Loại / Kind']).startsWith('tổng hợp'))) {
    assert.equal(r['Có mặt / Present'], ru.get('d01')!.present[String(r['Thành phần / Group'])]);
  }
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
  assert.deepEqual(rows.map((r) => r['Có mặt / Present']), json.map((r: any) => r.present));
  const csv = await (await fetch(`${base}${P}/reports/agenda?format=csv`, { headers: { authorization: `Bearer ${org}` } })).text();
  const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1]!, /^a1,Khai mạc,Ban Tổ chức,/);
  const pres = await fetch(`${base}${P}/reports/presence?format=csv`, { headers: { authorization: `Bearer ${org}` } });
  assert.equal(pres.status, 200);
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
