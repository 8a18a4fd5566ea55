// From nothing, as a province would: an operator created with the admin command
// signs in through its one-time link, adds a media node (started with only its
// id, the control URL and the code), creates a conference, imports its site
// tree from an XLSX file, adds an agenda item, issues the halls' invitations
// and downloads the printable sheet, starts the conference; the studio
// publishes and a commune's hall, opened from its invitation, plays it through
// that node. Real control service (no demo, Ed25519 keys), Redis, a media node
// process and Chromium.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { generateKeyring } from '../../signaling/token.js';
import { admin, linkIn, PASSWORD } from '../control/account-helpers.js';
import { NodeProc, REPO_ROOT } from '../media/procs.js';
import { NATIONAL_GROUPS, nationalXlsx } from '../support/national-sheet.js';
import { ARTIFACTS, startUi, shot, type UiEnv } from '../ui/harness.js';
import { ensureClientBuilt, hallLog, studioPhase, waitDecoding, waitFor } from './harness.js';

const CONF = 'hn-tu-dau';
const NODE = 'may-langson';
const COMMUNE = 'ls-xa-01';
const DATA = join(REPO_ROOT, '.cache', 'test-data', `from-nothing-${process.pid}`);

let env: UiEnv;
let node: NodeProc | null = null;
beforeAll(async () => {
  await ensureClientBuilt(); // the media node serves the built pages
  env = await startUi('from-nothing', { demo: false, tokenKeys: generateKeyring('t-from-nothing').signing });
}, 180_000);
afterAll(async () => {
  await node?.stop();
  await env?.close();
  rmSync(DATA, { recursive: true, force: true });
});

/** A small two-tier tree in the import format: the province and two of its communes, all on the enrolled node. */
async function treeXlsx(): Promise<string> {
  const row = (id: string, name: string, parent: string, kind: string) =>
    [id, name, parent, kind, `Hội trường ${name}`, '', '', '', 'Có', NODE, '', '', ...NATIONAL_GROUPS.map((g) => (g.level === kind ? 20 : ''))];
  const rows = [
    row('ls', 'Tỉnh uỷ Lạng Sơn', '', 'tinh'),
    row(COMMUNE, 'Xã Tân Tiến', 'ls', 'xa'),
    row('ls-phuong-01', 'Phường Đông Kinh', 'ls', 'phuong'),
  ];
  const file = resolve(ARTIFACTS, 'e2e-from-nothing-tree.xlsx');
  await writeFile(file, await nationalXlsx({ rows, total: 0, perProvince: new Map(), sites: rows.length }));
  return file;
}

const tab = async (p: Page, id: string) => { await p.click(`nav.tabs [data-tab=${id}]`); };

test('an operator sets up a conference from nothing and a commune hall plays the studio through the enrolled node', { timeout: 300_000 }, async () => {
  // 1. the operator from the admin command signs in through the one-time link
  const { url } = linkIn(await admin(env.redisPrefix, env.url, 'create-operator', 'vanhanh'));
  const page = await env.page();
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  await page.fill('input[name=new-password]', PASSWORD);
  await page.fill('input[name=new-password-again]', PASSWORD);
  await page.click('[data-testid=setup-submit]');
  await page.locator('[data-testid=media-nodes]').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('[data-testid=who]').innerText(), /vanhanh/);
  assert.equal(await page.locator('tr[data-conf]').count(), 0, 'no conference exists yet');

  // 6 (first: the invitations carry the address of the node serving each hall). The node enrols with its code
  await page.click('[data-testid=node-add]');
  await page.fill('[data-testid=node-add-dialog] input[name=id]', NODE);
  await page.fill('[data-testid=node-add-dialog] input[name=name]', 'Máy chủ Tỉnh uỷ Lạng Sơn');
  await page.click('[data-testid=node-add-submit]');
  const code = (await page.locator('[data-testid=enrol-code]').innerText()).trim();
  await page.locator('[data-testid=node-code] .btn-primary').click();
  node = await new NodeProc({ nodeId: NODE, controlUrl: env.url, enrolCode: code, dataDir: join(DATA, NODE), workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' }, 'e2e-from-nothing-node').start(60_000);
  await page.locator(`tr[data-node=${NODE}][data-online=true]`).waitFor({ timeout: 30_000 });
  assert.match(await page.locator(`tr[data-node=${NODE}]`).innerText(), /Trực tuyến/);

  // 2. a conference through the form, then its organizer dashboard
  await page.click('[data-testid=create-open]');
  const form = '[data-testid=create-dialog]';
  await page.fill(`${form} input[name=title]`, 'Hội nghị học tập, quán triệt Nghị quyết Đại hội XIV của Đảng');
  await page.fill(`${form} input[name=id]`, CONF);
  await page.fill(`${form} input[name=planNumber]`, '301-KH/TU');
  await page.fill(`${form} input[name=date]`, '2026-12-10');
  await page.fill(`${form} input[name=time]`, '07:30');
  await page.fill(`${form} input[name=reportsTo]`, 'Ban Thường vụ Tỉnh uỷ');
  await page.fill(`${form} input[name=rootName]`, 'Tỉnh uỷ Lạng Sơn');
  await page.fill(`${form} input[name=rootSite]`, 'ls');
  await page.click('[data-testid=create-submit]');
  const confRow = page.locator(`tr[data-conf="${CONF}"]`);
  await confRow.waitFor({ timeout: 10_000 });
  assert.match(await confRow.innerText(), /07:30 10\/12\/2026[\s\S]*Bản nháp/);
  await confRow.locator('[data-action=open]').click();
  await page.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  assert.match(await page.locator('.conf-title').innerText(), /301-KH\/TU Hội nghị học tập/);
  const organizer = await page.evaluate(() => sessionStorage.getItem('diemcau.link-token:/organizer.html:'));
  assert.ok(organizer, 'the dashboard holds a token minted for the session');
  const get = async (path: string) => ((await (await fetch(`${env.url}/api/conferences/${CONF}${path}`, { headers: { authorization: `Bearer ${organizer}` } })).json()) as { data: any }).data;

  // 3. the site tree from the spreadsheet: preview, apply, the tree shows the communes
  await tab(page, 'sites');
  await page.setInputFiles('[data-testid=import-file]', await treeXlsx());
  await page.waitForSelector('[data-testid=import-preview]', { timeout: 30_000 });
  assert.match(await page.locator('[data-testid=diff-added]').innerText(), /^2 điểm cầu thêm mới/);
  await page.click('[data-testid=import-apply]');
  await page.waitForSelector('[data-testid=import-applied]', { timeout: 30_000 });
  await page.waitForSelector(`#tree [data-site=${COMMUNE}]`, { timeout: 15_000 });
  const sites = await get('/sites') as { id: string; path: string[]; mediaNode: string }[];
  assert.deepEqual(sites.map((s) => s.id).sort(), ['ls', COMMUNE, 'ls-phuong-01'].sort());
  assert.deepEqual(sites.find((s) => s.id === COMMUNE)?.path, ['ls']);
  assert.ok(sites.every((s) => s.mediaNode === NODE));
  await shot(page, 'from-nothing-sites');

  // 4. the agenda gets its first item
  await tab(page, 'agenda');
  await page.click('[data-testid=agenda-add]');
  await page.fill('[data-testid=agenda-form] input[name=title]', 'Khai mạc hội nghị');
  await page.fill('[data-testid=agenda-form] input[name=presenter]', 'Ban Tuyên giáo và Dân vận Tỉnh uỷ');
  await page.fill('[data-testid=agenda-form] input[name=time]', '07:30');
  await page.fill('[data-testid=agenda-form] input[name=duration]', '15');
  await page.click('[data-testid=agenda-save]');
  await page.locator('tr[data-edit-item]', { hasText: 'Khai mạc hội nghị' }).waitFor({ timeout: 10_000 });
  const items = (await get('/agenda')).items as { title: string; plannedStart: string; plannedDurationMin: number }[];
  assert.equal(items.length, 1);
  assert.equal(items[0]!.plannedDurationMin, 15);
  assert.equal(Date.parse(items[0]!.plannedStart), Date.parse('2026-12-10T07:30:00+07:00'));

  // 5. one hall-screen link per site, and the printable sheet
  await tab(page, 'invitations');
  await page.check('input[name=sheet-role][value=viewer]');
  await page.click('[data-testid=sheet-issue]');
  await waitFor('every site has a link', async () => /^3 \/ 3 /.test(await page.locator('[data-testid=sheet-count]').innerText()));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=sheet-pdf]')]);
  const pdf = await readFile((await download.path())!);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.match(download.suggestedFilename(), /\.pdf$/);
  const invitations = await get('/invitations') as { site?: string; role: string; short?: string; revoked: boolean }[];
  const hallInv = invitations.find((i) => i.role === 'viewer' && i.site === COMMUNE && !i.revoked);
  assert.ok(hallInv?.short, 'the commune has a hall link with a short code');

  // 7. rehearsal, then live, with the dashboard's buttons
  await tab(page, 'control');
  await page.getByRole('button', { name: 'Tổng duyệt', exact: true }).click();
  await waitFor('rehearsal', async () => (await page.locator('[data-testid=conf-state]').innerText()) === 'Tổng duyệt');
  await page.getByRole('button', { name: 'Khai mạc (trực tiếp)' }).click();
  await waitFor('live', async () => (await page.locator('[data-testid=conf-state]').innerText()) === 'Đang diễn ra');
  assert.equal((await get('')).state, 'live');

  // 8. the studio publishes on the node; the commune's hall opens its short link and plays it through the node
  const studio = await env.page();
  await studio.goto(`${node.url}/studio.html?site=ls&token=${encodeURIComponent(organizer)}&control=${encodeURIComponent(env.url)}`);
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing', 30_000);
  const hall = await env.page();
  await hall.goto(`${env.url}/l/${hallInv.short}`);
  assert.equal(new URL(new URL(hall.url()).searchParams.get('node') ?? 'http://none').origin, new URL(node.url).origin, 'the link names the node serving the commune');
  await waitDecoding(hall, 'the commune hall decoding the studio through the enrolled node').catch(async (err) => { throw new Error(`${err}\n${await hallLog(hall)}`); });
  assert.ok((await node.health()).sites.includes(COMMUNE));
  await shot(hall, 'from-nothing-hall');
});
