// The organizer's setup screens in Chromium against the real service and Redis:
// settings saved through the screen show on a hall's overlay and in the live
// preview, a stale edit is refused and changes nothing; the agenda is edited
// (add, edit, reorder, delete) and the running item cannot be deleted;
// invitations for every site, reissue and revoke per site, the printable sheet
// (one card per site with its name and short link) and short links that open
// a working page.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { startUi, waitFor, shot, ARTIFACTS, HALL, REDIS_URL, type UiEnv } from './harness.js';

let env: UiEnv;
let redis: Redis;
beforeAll(async () => { env = await startUi('setup'); redis = new Redis(REDIS_URL); });
afterAll(async () => { await redis?.quit(); await env?.close(); });

const P = '/api/conferences/ls-135';
const CONFLICT = 'Hội nghị đã được người khác sửa; hãy tải lại. / Changed by someone else, reload.';
// moving by themselves: queues, heartbeats, streams, the guess counter, and the demo materials' delivery retries
// not the conference's records: queues, heartbeats, rate-limit counters (a page's media-token exchange counts as a write)
const SKIP = /^(bull|hb:|insts|stream:|short:rl|dlv:|rl:)/;
/** Every record under this run's prefix, key → contents (to say which one changed). */
async function hash(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const keys = (await redis.keys(`${env.redisPrefix}*`)).filter((k) => !SKIP.test(k.slice(env.redisPrefix.length))).sort();
  const read = async (k: string): Promise<unknown> => {
    switch (await redis.type(k)) {
      case 'string': return redis.get(k);
      case 'hash': return Object.entries(await redis.hgetall(k)).sort();
      case 'set': return (await redis.smembers(k)).sort();
      case 'zset': return redis.zrange(k, '0', '-1', 'WITHSCORES');
      case 'list': return redis.lrange(k, 0, -1);
      default: return redis.type(k);
    }
  };
  for (const k of keys) out.set(k.slice(env.redisPrefix.length), JSON.stringify(await read(k)));
  return out;
}
function same(a: Map<string, string>, b: Map<string, string>, what: string): void {
  const changed = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
  assert.deepEqual(changed, [], `${what}: these records changed`);
}
async function call(method: string, path: string, body?: unknown, token = env.links.organizer) {
  const r = await fetch(env.url + path, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json() as { ok: boolean; data: any; error: { code: string; message: string } } };
}
const data = async (method: string, path: string, body?: unknown) => {
  const r = await call(method, path, body);
  assert.ok(r.body.ok, `${method} ${path}: ${JSON.stringify(r.body)}`);
  return r.body.data;
};
async function organizer(tab: string): Promise<Page> {
  const p = await env.page();
  p.on('dialog', (d) => void d.accept());
  await p.goto(`${env.link('organizer', env.links.organizer)}#${tab}`);
  await p.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  return p;
}
const previewText = (p: Page) => p.evaluate(() => (document.querySelector('[data-testid=hall-preview]') as HTMLIFrameElement | null)?.contentDocument?.body.innerText ?? '');

test('settings: saved through the screen, shown by the preview and on a hall; a stale edit is refused and changes nothing', async () => {
  const hall = await env.page(HALL);
  await hall.goto(env.link('hall', env.links.sites['ls-trangdinh-01']!.viewer, 'ls-trangdinh-01'));
  await hall.waitForSelector('#overlay [data-view=maket]', { timeout: 20_000 });

  const a = await organizer('settings');
  const b = await organizer('settings');
  await a.waitForSelector('[data-testid=settings-form]');
  await b.waitForSelector('[data-testid=settings-form]');
  // B starts editing first; A saves in the meantime
  await b.fill('input[name=title]', 'Tiêu đề của người thứ hai');

  const maket = ['TỈNH UỶ LẠNG SƠN', '*', 'HỘI NGHỊ TRỰC TUYẾN', 'QUÁN TRIỆT KẾT LUẬN SỐ 57-KL/TW', '….., ngày... tháng 10 năm 2023'];
  await a.fill('textarea[name=maket]', maket.join('\n'));
  await a.fill('input[name=date]', '05/10/2023');
  await a.fill('input[name=time]', '14:00');
  await a.fill('input[name=rehearsalDate]', '04/10/2023');
  await a.fill('input[name=rehearsalTime]', '15:30');
  await a.fill('input[name=reportsTo]', 'Ban Thường vụ Tỉnh uỷ');
  // the preview follows the typing, with the place and date filled as a hall fills them
  await waitFor('the preview shows the new maket', async () => /QUÁN TRIỆT KẾT LUẬN SỐ 57.KL\/TW/iu.test(await previewText(a)) && /Lạng Sơn, ngày 05 tháng 10 năm 2023/iu.test(await previewText(a)))
    .catch(async (e: Error) => { throw new Error(`${e.message}; the preview shows: ${await previewText(a)}`); });
  assert.match(await previewText(a), /Hội nghị sắp bắt đầu · 14:00/);
  await shot(a, 'setup-settings-1366');
  await a.click('[data-testid=settings-save]');
  await a.locator('.notice-ok').first().waitFor({ timeout: 10_000 });

  const saved = await data('GET', P);
  assert.deepEqual(saved.maket, maket);
  assert.equal(saved.date, '2023-10-05');
  assert.equal(Date.parse(saved.plannedStart), Date.parse('2023-10-05T14:00:00+07:00'));
  assert.equal(Date.parse(saved.rehearsalAt), Date.parse('2023-10-04T15:30:00+07:00'));
  assert.equal(saved.reportsTo, 'Ban Thường vụ Tỉnh uỷ');
  // the agenda moved with the conference to its new date, same times of day
  const moved = (await data('GET', `${P}/agenda`)).items as { plannedStart: string }[];
  assert.ok(moved.length > 0 && moved.every((i) => i.plannedStart.startsWith('2023-10-05T')), JSON.stringify(moved.map((i) => i.plannedStart)));
  // the hall shows it by itself: same banner as the preview
  await waitFor('the hall shows the new maket', async () => /QUÁN TRIỆT KẾT LUẬN/.test(await hall.locator('#overlay').innerText()));
  const hallText = await hall.locator('#overlay .dc-maket-inner').innerText();
  assert.match(hallText, /Lạng Sơn, ngày 05 tháng 10 năm 2023/iu);
  assert.match(hallText, /Hội nghị sắp bắt đầu · 14:00/);
  // the preview drew exactly the hall's banner
  assert.equal((await previewText(a)).split('\n').slice(0, 6).join('\n'), hallText.split('\n').slice(0, 6).join('\n'));
  await shot(hall, 'setup-hall-after-settings-1920');

  // B edited the old version: it is warned, and its save is refused without touching A's settings
  await b.waitForSelector('[data-testid=settings-stale]', { timeout: 10_000 });
  const before = await hash();
  await b.click('[data-testid=settings-save]');
  await b.waitForSelector('[data-testid=settings-error]', { timeout: 10_000 });
  assert.match(await b.locator('[data-testid=settings-error]').innerText(), /Hội nghị đã được người khác sửa; hãy tải lại\./);
  await shot(b, 'setup-settings-conflict-1366');
  same(await hash(), before, 'the refused edit changed nothing');
  assert.equal((await data('GET', P)).title, saved.title);

  // the same through the API: a stale version is CONFLICT with the sentence, nothing changes
  const r = await call('PATCH', P, { title: 'Cũ', baseVersion: saved.version - 1 });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.message, CONFLICT);
  // bad input: typed errors, nothing changed
  for (const body of [{ baseVersion: saved.version }, { date: '05/10/2023', baseVersion: saved.version }, { rehearsalAt: 'mai', baseVersion: saved.version }, { baseVersion: -1, title: 'x' }]) {
    const bad = await call('PATCH', P, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.body.error.code, 'BAD_REQUEST');
  }
  same(await hash(), before, 'nothing changed');
  // B reloads and saves its title on the new version; a rehearsal can be removed
  await b.click('[data-testid=settings-error] button');
  await b.fill('input[name=title]', 'Tiêu đề của người thứ hai');
  await b.fill('input[name=rehearsalDate]', '');
  await b.fill('input[name=rehearsalTime]', '');
  await b.click('[data-testid=settings-save]');
  await waitFor('B saved', async () => (await data('GET', P)).title === 'Tiêu đề của người thứ hai');
  await b.click('button.lang');
  await b.waitForSelector('text=Conference settings');
  await shot(b, 'setup-settings-en-1366');
  const last = await data('GET', P);
  assert.equal(last.rehearsalAt, undefined);
  assert.deepEqual(last.maket, maket, "B's save kept A's maket");
});

test('agenda: add, edit, reorder, delete through the screen; the running item cannot be deleted; a stale edit is refused', async () => {
  const org = await organizer('agenda');
  const rows = org.locator('tr[data-edit-item]');
  await waitFor('the demo agenda', async () => (await rows.count()) >= 9);
  const n0 = await rows.count();

  await org.click('[data-testid=agenda-add]');
  await org.fill('[data-testid=agenda-form] input[name=title]', 'Tham luận của Huyện uỷ Tràng Định');
  await org.fill('[data-testid=agenda-form] input[name=presenter]', 'Huyện uỷ Tràng Định');
  await org.fill('[data-testid=agenda-form] input[name=time]', '11:05');
  await org.fill('[data-testid=agenda-form] input[name=duration]', '12');
  await org.click('[data-testid=agenda-save]');
  await waitFor('the new row', async () => (await rows.count()) === n0 + 1);
  let agenda = await data('GET', `${P}/agenda`);
  const added = agenda.items.find((i: any) => i.title === 'Tham luận của Huyện uỷ Tràng Định');
  assert.ok(added, 'stored');
  assert.equal(added.presenter, 'Huyện uỷ Tràng Định');
  assert.equal(added.plannedDurationMin, 12);
  assert.equal(Date.parse(added.plannedStart), Date.parse(`${(await data('GET', P)).date}T11:05:00+07:00`));
  assert.equal(added.order, n0);

  // edit
  await org.click(`tr[data-edit-item=${added.id}] [data-act=edit]`);
  await org.fill('[data-testid=agenda-form] input[name=title]', 'Tham luận: Tràng Định đưa thông tin đối ngoại lên mạng');
  await org.click('[data-testid=agenda-save]');
  await waitFor('the edited title', async () => /đưa thông tin đối ngoại/.test(await org.locator(`tr[data-edit-item=${added.id}]`).innerText()));
  // reorder: up one
  await org.click(`tr[data-edit-item=${added.id}] [data-act=up]`);
  await waitFor('moved up', async () => (await data('GET', `${P}/agenda`)).items.find((i: any) => i.id === added.id).order === n0 - 1);
  // the service has the new order; the screen shows it once the agenda push arrives
  await waitFor('moved up on the screen', async () => (await rows.nth(n0 - 1).getAttribute('data-edit-item')) === added.id);
  await shot(org, 'setup-agenda-1366');
  // delete
  await org.click(`tr[data-edit-item=${added.id}] [data-act=delete]`);
  await waitFor('deleted', async () => (await rows.count()) === n0);
  agenda = await data('GET', `${P}/agenda`);
  assert.equal(agenda.items.some((i: any) => i.id === added.id), false);

  // the running item: the service refuses with its reason, the screen shows it, nothing changes
  const first = agenda.items.find((i: any) => i.order === 0);
  await data('POST', `${P}/state`, { state: 'live' });
  await data('POST', `${P}/agenda/${first.id}/start`);
  await waitFor('running on the screen', async () => (await org.locator(`tr[data-edit-item=${first.id}].running`).count()) === 1);
  const before = await hash();
  await org.click(`tr[data-edit-item=${first.id}] [data-act=delete]`);
  await org.waitForSelector('[data-testid=agenda-error]', { timeout: 10_000 });
  assert.match(await org.locator('[data-testid=agenda-error]').innerText(), /Không thể xoá nội dung đang trình bày .*; hãy kết thúc nội dung đó trước\./);
  await shot(org, 'setup-agenda-running-refused-1366');
  same(await hash(), before, 'nothing changed');
  assert.equal(await rows.count(), n0);

  // a stale version is refused; bad input is a typed error; nothing changes
  const cur = await data('GET', `${P}/agenda`);
  const inputs = cur.items.map(({ id, title, presenter, plannedStart, plannedDurationMin }: any) => ({ id, title, presenter, plannedStart, plannedDurationMin }));
  const stale = await call('PUT', `${P}/agenda`, { items: inputs.slice(1).concat(inputs[0]), baseVersion: cur.editVersion - 1 });
  assert.equal(stale.status, 409);
  assert.match(stale.body.error.message, /Chương trình đã được người khác sửa; hãy tải lại\./);
  const staleOrder = await call('POST', `${P}/agenda/reorder`, { order: inputs.map((i: any) => i.id).reverse(), baseVersion: cur.editVersion + 5 });
  assert.equal(staleOrder.status, 409);
  for (const [m, path, body] of [
    ['PUT', `${P}/agenda`, { items: inputs, baseVersion: 'x' }],
    ['PUT', `${P}/agenda`, { items: [...inputs, inputs[1]] }],
    ['POST', `${P}/agenda/reorder`, { order: ['khong-co'], baseVersion: cur.editVersion }],
    ['POST', `${P}/agenda/reorder`, { order: inputs.map((i: any) => i.id), baseVersion: 1.5 }],
  ] as const) {
    const r = await call(m, path, body);
    assert.equal(r.status, 400, `${m} ${path} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`);
  }
  same(await hash(), before, 'nothing changed');
});

test('invitations: one per site in bulk, reissue and revoke per site, the printable sheet and its short links', async () => {
  const sites = await data('GET', `${P}/sites`) as { id: string; name: string }[];
  const org = await organizer('invitations');
  await org.waitForSelector('[data-testid=sheet-count]');
  assert.match(await org.locator('[data-testid=sheet-count]').innerText(), new RegExp(`^0 / ${sites.length} `));
  // bad input first, while no page of a site is connected: typed errors, nothing changed
  const before = await hash();
  for (const [path, status, code] of [
    ['/l/abc', 400, 'BAD_REQUEST'], ['/l/0000-0000', 400, 'BAD_REQUEST'], ['/l/zzzz-zzzz', 404, 'NOT_FOUND'], [`/l/${'a'.repeat(60)}`, 400, 'BAD_REQUEST'],
  ] as const) {
    const r = await fetch(env.url + path, { redirect: 'manual', headers: { accept: 'application/json' } });
    assert.equal(r.status, status, path);
    const j = await r.json() as any;
    assert.equal(j.error.code, code, path);
    assert.match(j.error.message, /hãy gõ lại|Hãy gõ lại/);
  }
  for (const [m, path, body, status] of [
    ['POST', `${P}/invitations/reissue`, { site: 'khong-co', role: 'technician' }, 404],
    ['POST', `${P}/invitations/reissue`, { site: 'ls-trangdinh-01', role: 'organizer' }, 400],
    ['POST', `${P}/invitations/reissue`, { site: 'ls-trangdinh-01' }, 400],
    ['GET', `${P}/invitations/sheet.pdf?role=technician`, undefined, 400],
    ['GET', `${P}/invitations/sheet.pdf?role=admin&origin=${encodeURIComponent(env.url)}`, undefined, 400],
    ['GET', `${P}/invitations/sheet.pdf?origin=javascript:alert(1)`, undefined, 400],
    ['GET', `${P}/invitations/sheet.pdf?role=viewer&origin=${encodeURIComponent(env.url)}`, undefined, 409],
    ['GET', `${P}/invitations/sheet.pdf?under=khong-co&origin=${encodeURIComponent(env.url)}`, undefined, 404],
    ['GET', `${P}/invitations/sheet.pdf?under=BAD%20ID&origin=${encodeURIComponent(env.url)}`, undefined, 400],
  ] as const) {
    const r = await call(m, path, body);
    assert.equal(r.status, status, `${m} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.ok, false);
  }
  same(await hash(), before, 'nothing changed');
  await org.click('[data-testid=sheet-issue]');
  await waitFor('every site has a link', async () => new RegExp(`^${sites.length} / ${sites.length} `).test(await org.locator('[data-testid=sheet-count]').innerText()), 60_000);
  let list = (await data('GET', `${P}/invitations`)) as { jti: string; site?: string; role: string; short?: string; revoked: boolean }[];
  const tech = list.filter((i) => i.role === 'technician' && !i.revoked);
  assert.equal(tech.length, sites.length, 'one per site');
  assert.deepEqual(new Set(tech.map((i) => i.site)), new Set(sites.map((s) => s.id)));
  assert.ok(tech.every((i) => /^[2-9a-hjkmnp-z]{8}$/.test(i.short ?? '')), 'each has a short code');
  assert.equal(await org.locator('[data-testid=sheet-issue]').isDisabled(), true, 'nobody left without one');

  // the sheet: one card per site with its name, its code and its short link
  const [download] = await Promise.all([org.waitForEvent('download'), org.click('[data-testid=sheet-pdf]')]);
  const pdf = resolve(ARTIFACTS, 'ui-setup-invitation-sheet.pdf');
  await copyFile((await download.path())!, pdf);
  const raw = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
  const text = raw.replace(/\s+/g, ' ');
  const host = new URL(env.url).host;
  const cards = [...text.matchAll(/Mã điểm cầu: ([a-z0-9-]+)/g)].map((m) => m[1]);
  assert.equal(cards.length, sites.length, 'one card per site');
  assert.deepEqual([...cards].sort(), sites.map((s) => s.id).sort());
  for (const s of sites) assert.ok(text.includes(s.name), `card of ${s.name}`);
  for (const i of tech) assert.ok(text.includes(`${host}/l/${i.short!.slice(0, 4)}-${i.short!.slice(4)}`), `short link of ${i.site}`);
  assert.ok(text.includes('PHIẾU KẾT NỐI ĐIỂM CẦU') && text.includes('Cách làm:'), 'titles and what to do');
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
  assert.equal(pages, Math.ceil(sites.length / 6));
  execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', pdf, resolve(ARTIFACTS, 'ui-setup-invitation-sheet')]);
  // a district's own sheet: the district and its communes only
  const all = await data('GET', `${P}/sites`) as { id: string; path: string[] }[];
  const sub = all.filter((x) => x.id === 'ls-trangdinh' || x.path.includes('ls-trangdinh')).map((x) => x.id).sort();
  const part = await fetch(`${env.url}${P}/invitations/sheet.pdf?role=technician&under=ls-trangdinh&origin=${encodeURIComponent(env.url)}`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  assert.equal(part.status, 200);
  const partText = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: Buffer.from(await part.arrayBuffer()), encoding: 'utf8' }).replace(/\s+/g, ' ');
  assert.deepEqual([...partText.matchAll(/Mã điểm cầu: ([a-z0-9-]+)/g)].map((m) => m[1]).sort(), sub);

  // a short link, typed in capitals with its dash, opens a working technician console
  const site = 'ls-trangdinh-01';
  const inv = tech.find((i) => i.site === site)!;
  const typed = `${inv.short!.slice(0, 4)}-${inv.short!.slice(4)}`.toUpperCase();
  const hop = await fetch(`${env.url}/l/${typed}`, { redirect: 'manual' });
  assert.equal(hop.status, 302);
  const target = new URL(hop.headers.get('location')!, env.url);
  assert.equal(target.pathname, '/technician.html');
  assert.equal(target.searchParams.get('site'), site);
  const console1 = await env.page();
  await console1.goto(`${env.url}/l/${typed}`);
  await console1.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  assert.match(await console1.locator('.conf-title, body').first().innerText(), /Tràng Định|Xã|135-KH\/TU/);

  // reissue through the screen: the old link is revoked (its short link says so), a new one works
  await org.click(`tr[data-jti="${inv.jti}"] [data-act=reissue]`);
  await waitFor('a new link for the site', async () => {
    list = await data('GET', `${P}/invitations`);
    return list.some((i) => i.site === site && i.role === 'technician' && !i.revoked && i.jti !== inv.jti);
  });
  assert.ok(list.find((i) => i.jti === inv.jti)!.revoked, 'the old one is revoked');
  // the old link's token is refused
  assert.equal((await call('GET', '/api/me', undefined, target.searchParams.get('token')!)).status, 401);
  const old = await fetch(`${env.url}/l/${inv.short}`, { redirect: 'manual', headers: { accept: 'text/html' } });
  assert.equal(old.status, 401);
  assert.match(await old.text(), /đã bị Ban tổ chức thu hồi/);
  const fresh = list.find((i) => i.site === site && i.role === 'technician' && !i.revoked)!;
  assert.notEqual(fresh.short, inv.short);
  const console2 = await env.page();
  await console2.goto(`${env.url}/l/${fresh.short}`);
  await console2.waitForSelector('[data-connection=online]', { timeout: 20_000 });

  // revoke one site through the screen: the count drops, issuing again gives only that site a link
  const other = tech.find((i) => i.site === 'ls-caoloc')!;
  await org.click(`tr[data-jti="${other.jti}"] [data-act=revoke]`);
  await waitFor('one site without a link', async () => new RegExp(`^${sites.length - 1} / `).test(await org.locator('[data-testid=sheet-count]').innerText()));
  const gone = await fetch(`${env.url}/l/${other.short}`, { redirect: 'manual', headers: { accept: 'application/json' } });
  assert.equal(gone.status, 401);
  assert.equal(((await gone.json()) as any).error.code, 'UNAUTHORIZED');
  await org.click('[data-testid=sheet-issue]');
  await waitFor('all covered again', async () => new RegExp(`^${sites.length} / ${sites.length} `).test(await org.locator('[data-testid=sheet-count]').innerText()));
  list = await data('GET', `${P}/invitations`);
  assert.equal(list.filter((i) => i.role === 'technician').length, sites.length + 2, 'only the revoked site got a new one');
  await shot(org, 'setup-invitations-1366');

  // guessing codes: after 30 wrong ones an address waits, even for a right code
  let limited: Response | null = null;
  for (let n = 0; n < 40 && !limited; n++) {
    const r = await fetch(`${env.url}/l/zzzz-zz${'23456789ab'[n % 10]}${'23456789ab'[Math.floor(n / 10)]}`, { redirect: 'manual', headers: { accept: 'application/json' } });
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, 'wrong codes are limited');
  assert.match(((await limited.json()) as any).error.message, /Đã gõ sai mã quá nhiều lần; hãy chờ \d+ phút rồi thử lại\./);
  assert.equal((await fetch(`${env.url}/l/${fresh.short}`, { redirect: 'manual' })).status, 429);

});
