// The printable results report (A4 PDF): the administrative header of a Party
// body, sites and delegate groups by name, every time in Vietnam time, the
// preview before sending and the frozen figures and sent time after it. The
// text is read back with pdftotext (Debian poppler-utils).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { waitFor } from '../support/wait.js';
import { api, CONF, groups, setupConference, testEnv, token, type Env } from './helpers.js';

let env: Env;
let base: string;
let org: string;
const P = `/api/conferences/${CONF}`;
const PDF = `${P}/reports/results.pdf`;
const ART = 'test-artifacts';

/** dd/mm/yyyy HH:mm in Vietnam time, by the platform's own time-zone data (not the service's code). */
function vn(ms: number | string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

async function pdfText(tok: string, name: string): Promise<string> {
  const r = await fetch(base + PDF, { headers: { authorization: `Bearer ${tok}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition') ?? '', /bao-cao-ket-qua-hn-test\.pdf/);
  const buf = Buffer.from(await r.arrayBuffer());
  assert.equal(buf.subarray(0, 5).toString(), '%PDF-');
  await mkdir(ART, { recursive: true });
  await writeFile(`${ART}/${name}.pdf`, buf);
  // collapse the line breaks of wrapped cells so phrases can be matched whole
  return execFileSync('pdftotext', ['-enc', 'UTF-8', `${ART}/${name}.pdf`, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

const present = { 'c-a': 7, 'c-b': 4, 'd-a': 5, 'd-b': 2, 'p-a': 9 };
let agendaStart = 0;
let incidentAt = 0;

beforeAll(async () => {
  env = testEnv('results-pdf');
  base = (await env.start()).url;
  const { sites } = await setupConference(base, 2, 2);
  org = token('organizer', CONF);
  await api(base, org, 'PATCH', P, { organizer: 'Ban Tuyên giáo Tỉnh uỷ Thử Nghiệm', reportsTo: 'Ban Thường vụ Tỉnh uỷ; Ban Tuyên giáo Trung ương' });
  let total = 0;
  for (const s of sites) {
    const g = groups.filter((x) => x.level === s.level).map((x) => x.id as keyof typeof present);
    if (!g.length) continue;
    await api(base, org, 'PUT', `${P}/sites/${s.id}/expected`, { counts: Object.fromEntries(g.map((x) => [x, 10])) });
    await api(base, token('technician', CONF, s.id), 'PUT', `${P}/attendance/${s.id}`, { present: Object.fromEntries(g.map((x) => [x, present[x]])) });
    total += g.reduce((a, x) => a + present[x], 0);
  }
  await waitFor('the roll-up to count every headcount', async () => (await api(base, org, 'GET', `${P}/rollups/root`)).body.data.totalPresent === total, 5000, 50);
  await api(base, org, 'PUT', `${P}/agenda`, { items: [
    { id: 'a1', title: 'Khai mạc hội nghị', presenter: 'Ban Tổ chức', plannedStart: '2030-01-15T08:00:00+07:00', plannedDurationMin: 10 },
    { id: 'a2', title: 'Quán triệt kết luận', presenter: 'Ban Tuyên giáo Trung ương', plannedStart: '2030-01-15T08:10:00+07:00', plannedDurationMin: 30 }] });
  await api(base, org, 'POST', `${P}/state`, { state: 'live' });
  agendaStart = (await api(base, org, 'POST', `${P}/agenda/a1/start`)).body.data.items[0].actualStart;
  await api(base, org, 'POST', `${P}/agenda/a1/end`);
  const inc = await api(base, token('technician', CONF, 'd01-c01'), 'POST', `${P}/incidents`, { site: 'd01-c01', title: 'Mất tiếng', detail: 'Loa hội trường không có tiếng', severity: 'high' });
  incidentAt = inc.body.data.createdAt;
  await api(base, org, 'POST', `${P}/incidents/${inc.body.data.id}/handle`, { note: 'Đã thay dây loa' });
});
afterAll(async () => { await env.cleanup(); });

test('results PDF: preview before sending, names and Vietnam times', async () => {
  const t = await pdfText(org, 'results-report-preview');
  assert.match(t, /BẢN XEM TRƯỚC/);
  assert.match(t, /Chưa gửi báo cáo tổng hợp tới Ban Thường vụ Tỉnh uỷ; Ban Tuyên giáo Trung ương; hạn gửi: 20\/01\/2030 17:00/);
  assert.match(t, /ĐẢNG CỘNG SẢN VIỆT NAM/);
  assert.match(t, /TỈNH UỶ THỬ NGHIỆM/);
  assert.match(t, /BAN TUYÊN GIÁO/);
  assert.match(t, /BÁO CÁO KẾT QUẢ HỘI NGHỊ THỬ NGHIỆM/);
  assert.match(t, /Kế hoạch số 1-KH\/TEST/);
  assert.match(t, /TRƯỞNG BAN/);
});

test('results PDF: after sending, the sent time and the frozen figures', async () => {
  const sent = (await api(base, org, 'POST', `${P}/reports/upward/send`, { note: 'Tổ chức đúng kế hoạch, đủ thành phần' })).body.data;
  assert.ok(sent.sentAt);
  // a headcount changed after sending must not change the printed (frozen) figures
  await api(base, token('technician', CONF, 'd01-c01'), 'PUT', `${P}/attendance/d01-c01`, { present: { 'c-a': 0 } });
  const t = await pdfText(org, 'results-report');
  assert.doesNotMatch(t, /BẢN XEM TRƯỚC/);
  const d = new Date(sent.sentAt + 7 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const month = d.getUTCMonth() + 1;
  assert.match(t, new RegExp(`Thử Nghiệm, ngày ${two(d.getUTCDate())} tháng ${month < 3 ? two(month) : month} năm ${d.getUTCFullYear()}`));
  assert.ok(t.includes(`Đã gửi báo cáo tổng hợp tới Ban Thường vụ Tỉnh uỷ; Ban Tuyên giáo Trung ương lúc ${vn(sent.sentAt)} (giờ Việt Nam)`), 'sent time in Vietnam time');
  assert.ok(t.includes(`Tổng số đại biểu dự kiến ${sent.root.totalExpected}, có mặt ${sent.root.totalPresent} `), 'frozen totals');
  assert.match(t, /Ý kiến, kiến nghị: Tổ chức đúng kế hoạch, đủ thành phần/);
  // sites and groups by name, never by id
  for (const name of ['Huyện 1', 'Huyện 2', 'Tỉnh', 'Toàn hội nghị', 'Xã 1.1', ...groups.map((g) => g.name)]) assert.ok(t.includes(name), `shows ${name}`);
  for (const id of ['d01', 'd02-c01', 'c-a', 'p-a', 'prov']) assert.ok(!new RegExp(`(^|[\\s(])${id}([\\s),]|$)`).test(t), `no id ${id}`);
  // per level, agenda planned vs actual, incidents — all in Vietnam time
  for (const lv of ['Trung ương', 'Huyện', 'Xã', 'Tổng cộng']) assert.ok(t.includes(lv));
  assert.ok(t.includes('15/01/2030 08:00'), 'planned start');
  assert.ok(t.includes(vn(agendaStart)), 'actual start');
  for (const cell of [vn(incidentAt), 'Mất tiếng: Loa hội trường không có tiếng', 'Cao']) assert.ok(t.includes(cell), `incident: ${cell}`);
  assert.match(t, /Đã xử lý lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}: Đã thay dây loa/);
  assert.match(t, /Trang 1\/\d/);
  try { execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', `${ART}/results-report.pdf`, `${ART}/results-report`]); } catch { /* a picture for people only */ }
});

test('results PDF: organizer and viewer may print it, a site technician may not', async () => {
  const viewer = await fetch(base + PDF, { headers: { authorization: `Bearer ${token('viewer', CONF)}` } });
  assert.equal(viewer.status, 200);
  const tech = await api(base, token('technician', CONF, 'd01'), 'GET', PDF);
  assert.equal(tech.status, 403);
  assert.equal(tech.body.ok, false);
  assert.equal((await api(base, token('organizer', 'other-conf'), 'GET', PDF)).status, 403);
});
