// The organizer's upward report: the service's reminder shows as a notice and a
// banner, the preview lists units by name with the deadline in Vietnam time,
// sending asks for confirmation, then the sent state shows its time and how the
// live figures moved since; the printable PDF downloads. Real service, Redis, Chromium.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startUi, waitFor, shot, ARTIFACTS, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('upward'); });
afterAll(async () => { await env?.close(); });

const P = '/api/conferences/ls-135';
/** dd/mm/yyyy HH:mm in Vietnam time, by the platform's time-zone data. */
function vn(ms: number | string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}
async function rest(method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(env.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const j = await r.json() as { ok: boolean; data: any };
  assert.ok(j.ok, `${method} ${path}: ${JSON.stringify(j)}`);
  return j.data;
}

test('upward report: reminder, preview, send with confirmation, sent state, PDF', async () => {
  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#report`);
  await org.waitForSelector('[data-connection=online]', { timeout: 20_000 });

  // The demo's deadline (02/10/2023) has passed and nothing was sent: the banner says so.
  await org.waitForSelector('[data-testid=report-due][data-due=overdue]', { timeout: 15_000 });
  assert.match(await org.locator('[data-testid=upward-deadline]').innerText(), /02\/10\/2023 17:00/);

  // A deadline two hours from now: the service's reminder fires at once (lead 24 h) and reaches the page.
  const deadlineMs = Math.floor(Date.now() / 60_000) * 60_000 + 2 * 3600_000;
  const iso = `${new Date(deadlineMs + 7 * 3600_000).toISOString().slice(0, 16)}:00+07:00`;
  await rest('PATCH', P, env.links.organizer, { reportDeadline: iso });
  await org.locator('.notice', { hasText: `Nhắc hạn: báo cáo lên cấp trên cần gửi trước ${vn(deadlineMs)}` }).waitFor({ timeout: 15_000 });
  await org.waitForSelector('[data-testid=report-due][data-due=soon]', { timeout: 10_000 });
  assert.match(await org.locator('[data-testid=report-due]').innerText(), /còn 1 giờ 59 phút|còn 2 giờ 0 phút/);

  // Preview: units by name with their level, the new deadline in Vietnam time.
  await org.click('[data-testid=upward-refresh]');
  await waitFor('the new deadline in the panel', async () => (await org.locator('[data-testid=upward-deadline]').innerText()).includes(vn(deadlineMs)), 10_000);
  const td = org.locator('tr[data-unit=ls-trangdinh]');
  assert.match(await td.innerText(), /Tràng Định\s+Huyện/);
  assert.match(await org.locator('[data-testid=upward-to]').innerText(), /Ban Thường vụ Tỉnh uỷ; Ban Tuyên giáo Trung ương/);
  assert.ok(await org.locator('[data-testid=upward-preview]').isVisible());

  // Send: a confirmation first; cancelling sends nothing.
  await org.fill('[data-testid=upward-note-input]', 'Hội nghị tổ chức đúng kế hoạch; 2 điểm cầu xã học sau qua tài liệu.');
  await org.click('[data-testid=upward-send]');
  assert.match(await org.locator('[data-testid=upward-confirm]').innerText(), /Số liệu sẽ được chốt/);
  await org.click('[data-testid=upward-confirm] button:not([data-testid])');
  assert.equal(await org.locator('[data-testid=upward-confirm]').count(), 0);
  assert.equal((await rest('GET', `${P}/reports/upward`, env.links.organizer)).sentAt, undefined, 'cancel sent nothing');
  await org.click('[data-testid=upward-send]');
  await org.click('[data-testid=upward-confirm-send]');
  const sentBox = org.locator('[data-testid=upward-sent]');
  await sentBox.waitFor({ timeout: 10_000 });
  const sentAt = Number(await sentBox.getAttribute('data-sent-at'));
  assert.ok(sentAt > 0);
  assert.match(await sentBox.innerText(), new RegExp(`Đã gửi lúc ${vn(sentAt)}`));
  assert.match(await org.locator('[data-testid=upward-note]').innerText(), /đúng kế hoạch/);
  await org.waitForSelector('[data-testid=report-due]', { state: 'detached', timeout: 5000 });
  assert.equal((await rest('GET', `${P}/reports/upward`, env.links.organizer)).sentAt, sentAt);

  // A commune reports after sending: the frozen figure stays, the live column shows the difference.
  const frozen = await td.locator('[data-present]').innerText();
  await rest('PUT', `${P}/attendance/ls-trangdinh-01`, env.links.sites['ls-trangdinh-01']!.technician, { present: { 'xa-1': 37 } });
  await org.waitForSelector('[data-testid=upward-changed]', { timeout: 10_000 });
  assert.equal(await td.locator('[data-present]').innerText(), frozen);
  assert.match(await td.locator('[data-live]').innerText(), /\+\d+ có mặt/);
  await shot(org, 'upward-report-1366');

  // The printable report downloads and carries the names, Vietnam times and the sent state.
  const [download] = await Promise.all([org.waitForEvent('download'), org.click('[data-testid=upward-pdf]')]);
  assert.match(download.suggestedFilename(), /^bao-cao-ket-qua_ls-135_\d{2}-\d{2}-\d{4}\.pdf$/);
  const pdf = resolve(ARTIFACTS, 'ui-upward-report.pdf');
  await copyFile((await download.path())!, pdf);
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const s of ['ĐẢNG CỘNG SẢN VIỆT NAM', 'TỈNH UỶ LẠNG SƠN', 'BAN TUYÊN GIÁO', '135-KH/TU', 'Tràng Định', 'Cao Lộc', 'Uỷ viên Ban Chấp hành Đảng bộ huyện', `lúc ${vn(sentAt)} (giờ Việt Nam)`]) {
    assert.ok(text.includes(s), `PDF shows ${s}`);
  }
  try { execFileSync('pdftoppm', ['-png', '-r', '60', pdf, resolve(ARTIFACTS, 'ui-upward-report-pdf')]); } catch { /* pictures for people only */ }
});
