// The organizer's "Điểm cầu" tab in Chromium, one site at a time: add a
// commune under a district through the form (a wrong count or phone is named
// and changes nothing), edit it, move it to another district (never under its
// own descendant), a second organizer's stale form is refused ("reload"); the
// kinds and their delegate groups edited as data; once live, a site with
// recorded attendance and a group with recorded counts cannot be removed.
// Real service (demo conference), Redis, Chromium. Screenshots in test-artifacts/ui-site-edit-*.png.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startUi, shot, type UiEnv } from './harness.js';

let env: UiEnv;
beforeAll(async () => { env = await startUi('siteedit'); });
afterAll(async () => { await env?.close(); });

const P = '/api/conferences/ls-135';
async function call(method: string, path: string, body?: unknown, token = env.links.organizer) {
  const r = await fetch(env.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json() as { ok: boolean; data: any; error?: { message: string } };
  assert.ok(json.ok, `${method} ${path}: ${JSON.stringify(json.error)}`);
  return json.data;
}
const get = (path: string) => call('GET', path);

async function organizer(): Promise<Page> {
  const p = await env.page();
  p.on('dialog', (d) => void d.accept());
  await p.goto(`${env.link('organizer', env.links.organizer)}#sites`);
  await p.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  await p.waitForSelector('#site-form');
  return p;
}
/** Finds a site with the tree's search box and opens it in the form. */
async function pick(p: Page, id: string): Promise<void> {
  await p.fill('#tree input[type=search]', id);
  await p.locator(`#tree [data-site="${id}"] button.name`).click();
  await p.waitForFunction((want) => (document.querySelector('[data-testid=site-form][data-mode=edit] input[name=site-code]') as HTMLInputElement | null)?.value === want, id);
}
/** Waits for the form's error to say `re` (a newer sentence replaces an older one). */
async function says(p: Page, testid: string, re: RegExp): Promise<void> {
  await p.locator(`[data-testid=${testid}]`, { hasText: re }).waitFor({ timeout: 10_000 });
}

test('add, edit and move one site through the form; bad fields, own descendant and a stale form are refused', async () => {
  const a = await organizer();
  await pick(a, 'ls-trangdinh');
  assert.equal(await a.inputValue('input[name=site-name]'), 'Huyện Tràng Định');

  // a new commune under Tràng Định
  await a.click('[data-testid=site-add-child]');
  await a.locator('[data-testid=site-form][data-mode=add]').waitFor();
  assert.equal(await a.inputValue('input[name=site-parent]'), 'ls-trangdinh');
  await a.fill('input[name=site-id]', 'ls-trangdinh-moi');
  await a.fill('input[name=site-name]', 'Xã Tân Tiến (mới lập)');
  await a.selectOption('select[name=site-level]', 'commune');
  await a.fill('input[name=site-hall]', 'Hội trường UBND xã Tân Tiến');
  await a.fill('input[name=site-technicianName]', 'Hoàng Văn Bình');
  await a.fill('input[name=site-technicianPhone]', 'gọi anh Bình');
  await a.fill('input[name=expected-xa-1]', '45');
  await a.fill('input[name=expected-xa-2]', '-3');
  const before = await get(`${P}/sites`);
  await a.click('[data-testid=site-save]');
  await says(a, 'site-form-error', /Hãy sửa ô “Dự kiến — Cán bộ xã, phường, thị trấn”: nhập số nguyên từ 0 đến 100\.000.*Chưa lưu gì/);
  await a.fill('input[name=expected-xa-2]', '12');
  await a.click('[data-testid=site-save]');
  await says(a, 'site-form-error', /Hãy sửa ô “Điện thoại kỹ thuật viên”: số điện thoại chỉ gồm chữ số.*Chưa lưu gì/);
  await shot(a, 'site-edit-error');
  assert.deepEqual(await get(`${P}/sites`), before, 'a refused form changes nothing');
  await a.fill('input[name=site-technicianPhone]', '0912 345 678');
  const rootBefore = await get(`${P}/rollups/tw`);
  await a.click('[data-testid=site-save]');
  await a.locator('[data-testid=site-form][data-mode=edit] input[name=site-name]').waitFor();
  await a.waitForSelector('#tree [data-site=ls-trangdinh-moi]');
  const made = await get(`${P}/sites/ls-trangdinh-moi`);
  assert.deepEqual(made.path, ['tw', 'ls', 'ls-trangdinh']);
  assert.deepEqual(made.technician, { name: 'Hoàng Văn Bình', phone: '0912 345 678' });
  assert.equal((await get(`${P}/rollups/tw`)).totalExpected, rootBefore.totalExpected + 57);
  await shot(a, 'site-edit-added');

  // edit and move it to Cao Lộc: the district roll-ups follow
  await a.fill('input[name=site-name]', 'Xã Tân Tiến');
  await a.fill('input[name=site-parent]', 'ls-caoloc');
  await a.locator('[data-testid=site-parent-name]', { hasText: 'Cao Lộc' }).waitFor();
  const caoloc = await get(`${P}/rollups/ls-caoloc`);
  await a.click('[data-testid=site-save]');
  // the whole new name: the old one, "Xã Tân Tiến (mới lập)", contains it and is there before the save lands
  await a.locator('#site-form h2', { hasText: /“Xã Tân Tiến”/ }).waitFor();
  const moved = await get(`${P}/sites/ls-trangdinh-moi`);
  assert.equal(moved.name, 'Xã Tân Tiến');
  assert.deepEqual(moved.path, ['tw', 'ls', 'ls-caoloc']);
  assert.equal((await get(`${P}/rollups/ls-caoloc`)).sites, caoloc.sites + 1);

  // a district under one of its own communes
  await pick(a, 'ls-caoloc');
  await a.fill('input[name=site-parent]', 'ls-caoloc-01');
  const tree = await get(`${P}/sites`);
  await a.click('[data-testid=site-save]');
  await says(a, 'site-form-error', /không chuyển được "Huyện Cao Lộc" vào "Xã số 01 \(Cao Lộc\)" vì đó là điểm cầu cấp dưới của chính nó/);
  assert.deepEqual(await get(`${P}/sites`), tree);

  // two organizers on the same site: the second one's stale form is refused and changes nothing
  const b = await organizer();
  await pick(a, 'ls-trangdinh-moi');
  await pick(b, 'ls-trangdinh-moi');
  await a.fill('input[name=site-hall]', 'Hội trường Đảng uỷ xã');
  await a.click('[data-testid=site-save]');
  await waitHall('Hội trường Đảng uỷ xã');
  await b.fill('input[name=site-hall]', 'Nhà văn hoá thôn');
  await b.click('[data-testid=site-save]');
  await says(b, 'site-form-error', /Cây điểm cầu vừa được người khác thay đổi; hãy tải lại trang rồi làm lại/);
  await shot(b, 'site-edit-conflict');
  assert.equal((await get(`${P}/sites/ls-trangdinh-moi`)).hall, 'Hội trường Đảng uỷ xã', 'the first save stands');
  await b.close();
  await a.close();
});

async function waitHall(hall: string) {
  for (let i = 0; i < 100; i++) {
    if ((await get(`${P}/sites/ls-trangdinh-moi`)).hall === hall) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`hall never became ${hall}`);
}

test('kinds and delegate groups as data; once live, a site with attendance and a counted group cannot go', async () => {
  const p = await organizer();
  await p.waitForSelector('[data-testid=kinds-table] [data-kind=commune]');
  // a new kind with one group; an empty code is named first
  await p.click('[data-testid=kind-add]');
  const rows = await p.locator('[data-testid=kinds-table] tr[data-kind]').count();
  const i = rows - 1;
  await p.fill(`input[name=kind-name-${i}]`, 'Đảng uỷ cơ quan');
  await p.click('[data-testid=kinds-groups-save]');
  await says(p, 'kinds-groups-error', new RegExp(`Loại điểm cầu dòng ${i + 1}, ô “Mã”: chỉ chữ thường không dấu.*Chưa lưu gì`));
  await p.fill(`input[name=kind-id-${i}]`, 'dang-uy-co-quan');
  await p.click('[data-action=add-group][data-for=dang-uy-co-quan]');
  const g = (await get(`${P}/groups`)).length;
  await p.fill(`input[name=group-id-${g}]`, 'duq-1');
  await p.fill(`input[name=group-name-${g}]`, 'Uỷ viên Ban Thường vụ Đảng uỷ');
  // rename an existing group
  const xa3 = (await get(`${P}/groups`)).findIndex((x: { id: string }) => x.id === 'xa-3');
  await p.fill(`input[name=group-name-${xa3}]`, 'Đại biểu quần chúng tiêu biểu');
  await p.click('[data-testid=kinds-groups-save]');
  await p.locator('[data-testid=kinds-table] [data-group=duq-1]').waitFor();
  const doc = await get(`${P}/kinds/groups`);
  assert.ok(doc.kinds.some((k: { id: string; name: string }) => k.id === 'dang-uy-co-quan' && k.name === 'Đảng uỷ cơ quan'));
  assert.deepEqual(doc.groups.find((x: { id: string }) => x.id === 'duq-1'), { id: 'duq-1', level: 'dang-uy-co-quan', name: 'Uỷ viên Ban Thường vụ Đảng uỷ', order: 0 });
  assert.equal(doc.groups.find((x: { id: string }) => x.id === 'xa-3').name, 'Đại biểu quần chúng tiêu biểu');
  await shot(p, 'site-edit-kinds');

  // live, with a headcount at one commune
  const state = (await get(P)).state as string;
  if (state === 'draft') await call('POST', `${P}/state`, { state: 'rehearsal' });
  if (state !== 'live') await call('POST', `${P}/state`, { state: 'live' });
  await call('PUT', `${P}/attendance/ls-trangdinh-02`, { present: { 'xa-1': 30 } }, env.links.sites['ls-trangdinh-02']!.technician);
  await p.reload();
  await p.waitForSelector('[data-testid=kinds-table] [data-group=xa-1]');
  const groupsBefore = await get(`${P}/groups`);
  await p.locator('[data-testid=kinds-table] [data-group=xa-1] [data-action=drop-group]').click();
  await p.click('[data-testid=kinds-groups-save]');
  await says(p, 'kinds-groups-error', /Thành phần đại biểu "Toàn thể đảng viên trong Đảng bộ, chi bộ": đã có 1 điểm cầu ghi số có mặt trong hội nghị đang diễn ra/);
  assert.deepEqual(await get(`${P}/groups`), groupsBefore, 'nothing changed');

  await pick(p, 'ls-trangdinh-02');
  await p.click('[data-testid=site-remove]');
  await says(p, 'site-form-error', /Không xoá được "Xã số 02 \(Tràng Định\)": điểm cầu đã có số liệu điểm danh trong hội nghị đang diễn ra/);
  await shot(p, 'site-edit-remove-refused');
  assert.equal((await get(`${P}/sites/ls-trangdinh-02`)).id, 'ls-trangdinh-02');
  // a site nobody was counted at can go
  await pick(p, 'ls-trangdinh-moi');
  await p.click('[data-testid=site-remove]');
  await p.locator('[data-testid=site-form-empty]').waitFor();
  assert.ok(!(await get(`${P}/sites`)).some((s: { id: string }) => s.id === 'ls-trangdinh-moi'));
  await p.close();
});
