// The organizer's recordings panel in Chromium: the header indicator while the
// conference is recorded, a recording with its Vietnamese labels, start time
// (dd/mm/yyyy hh:mm, Vietnam time), chapters and downloads; sending it to a
// chosen site, the indicator on the studio page, the alarm banner when the root node's disk is nearly full,
// switching recording off and deleting after the confirmation dialog.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { MediaLinkEvents } from '../../signaling/control-media.js';
import type { RecorderState } from '../../signaling/recording.js';
import { linkNode, makeSegments, NODE_SECRET, nodeToken, segmentMeta, uploadSegment } from '../control/recording-support.js';
import { shot, startUi, waitFor, type UiEnv } from './harness.js';

let env: UiEnv;
let node: Socket | null = null;
const DATA = `.cache/test-data/ui-recordings-fixtures-${process.pid}`;
beforeAll(async () => { env = await startUi('recordings', { nodeSecret: NODE_SECRET }); });
afterAll(async () => { node?.close(); await env?.close(); });

async function call(method: string, path: string, body?: unknown) {
  const r = await fetch(`${env.url}/api/conferences/${env.links.conference}${path}`, {
    method, headers: { authorization: `Bearer ${env.links.organizer}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json() as { ok: boolean; data: any; error?: unknown };
  assert.ok(j.ok, `${method} ${path}: ${JSON.stringify(j.error)}`);
  return j.data;
}

test('recordings panel: indicator, list, chapters, push, alarm, delete', async () => {
  const conf = env.links.conference;
  // the conference live with recording on, two agenda items held, two segments from the root node
  const c = await call('GET', '');
  if (c.state !== 'live') await call('POST', '/state', { state: 'live' });
  await call('POST', '/recording', { mode: 'on' });
  const status = await call('GET', '/recording');
  const rec = status.current.id as string;
  const items = (await call('GET', '/agenda')).items as { id: string; title: string }[];
  await call('POST', `/agenda/${items[0]!.id}/start`);
  await new Promise((r) => setTimeout(r, 1500));
  await call('POST', `/agenda/${items[1]!.id}/start`);
  await new Promise((r) => setTimeout(r, 1500));
  const agenda = await call('POST', `/agenda/${items[1]!.id}/end`);
  const t0 = agenda.items[0].actualStart as number;
  const segs = await makeSegments(join(DATA, 'seg'), 2, 3);
  const root = await call('GET', `/sites/${c.rootSite}`);
  for (const [i, f] of segs.entries()) {
    const r = await uploadSegment(env.url, nodeToken(root.mediaNode), conf, segmentMeta(f, rec, 'r1', i, t0 - 1000 + i * f.durationMs), f.bytes);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }

  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#recordings`);
  await org.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  const indicator = org.locator('.app-header [data-testid=rec-indicator]');
  await indicator.waitFor({ timeout: 10_000 });
  assert.equal(await indicator.getAttribute('data-state'), 'recording');
  assert.match((await indicator.textContent()) ?? '', /● Đang ghi hình/);
  const row = org.locator(`tr[data-recording="${rec}"]`);
  await row.waitFor({ timeout: 10_000 });
  const panel = await org.locator('#recordings').innerText();
  for (const label of ['Ghi hình hội nghị', 'Tự động', 'Bật', 'Tắt', 'Bắt đầu', 'Thời lượng', 'Dung lượng', 'Nội dung (chương)', 'Đã gửi tới', 'Tải cả bản ghi', 'Gửi tới điểm cầu', 'Xoá']) {
    assert.ok(panel.includes(label), `label "${label}" in the panel`);
  }
  assert.match(await row.locator('[data-testid=rec-start]').innerText(), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  assert.match(await row.locator('[data-testid=rec-duration]').innerText(), /^00:0[56]$/);
  assert.equal(await row.locator('.rec-chapters li').count(), 2);
  assert.match(await row.locator('.rec-chapters').innerText(), new RegExp(items[0]!.title.slice(0, 10)));
  assert.equal(await org.locator('[data-testid=rec-switch] [aria-pressed=true]').getAttribute('data-mode'), 'on');
  // the whole-recording link downloads a WebM with the page's token
  const href = await row.locator('[data-testid=rec-download]').getAttribute('href');
  const dl = await fetch(new URL(href!, env.url));
  assert.equal(dl.status, 200);
  assert.equal(dl.headers.get('content-type'), 'video/webm');
  await dl.arrayBuffer();
  await shot(org, 'organizer-recordings-1366');

  // send one item to a chosen site
  await row.locator('[data-testid=rec-push]').click();
  const dialog = org.locator('[data-testid=rec-push-dialog]');
  await dialog.waitFor();
  await dialog.locator('[data-testid=rec-push-item]').selectOption(items[0]!.id);
  await dialog.locator('[data-testid=rec-push-some]').check();
  const site = Object.keys(env.links.sites)[0]!;
  await dialog.locator('input:not([type])').first().fill(site);
  await dialog.locator(`input[data-site="${site}"]`).check();
  await shot(org, 'organizer-recordings-push-1366');
  await dialog.locator('[data-testid=rec-push-send]').click();
  await waitFor('the push listed', async () => (await row.locator('.rec-pushes').innerText()).includes('→'), 20_000);
  const pushed = (await call('GET', `/recordings/${rec}`)).pushes;
  assert.equal(pushed.length, 1);
  assert.deepEqual(pushed[0].targets, [site]);

  // the studio shows it too (the page read from control, which served it)
  const studio = await env.page();
  await studio.goto(env.link('studio', env.links.sites[c.rootSite]!.technician, c.rootSite));
  const studioRec = studio.locator('#rec[data-state=recording]');
  await studioRec.waitFor({ timeout: 15_000 });
  assert.match((await studioRec.textContent()) ?? '', /● Đang ghi hình \/ Recording/);
  await shot(studio, 'studio-recording-1366');
  await studio.close();

  // the root node's recorder stops: disk nearly full → the alarm banner, on any tab
  node = await linkNode(env.url, nodeToken(root.mediaNode));
  node.on(MediaLinkEvents.record, (cmd: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: cmd }));
  for (const ev of [MediaLinkEvents.roots, MediaLinkEvents.carry, MediaLinkEvents.floor, MediaLinkEvents.open]) node.on(ev, (_cmd: unknown, ack: (r: unknown) => void) => ack({ ok: false, error: { code: 'UNAVAILABLE', message: 'test node' } }));
  const alarm: RecorderState = { conf, recording: rec, state: 'alarm', alarm: 'disk-full', since: Date.now(), uploaded: 2, pending: 1, freeBytes: 0.8 * 1024 ** 3, minFreeBytes: 2 * 1024 ** 3 };
  const report = () => node!.emit(MediaLinkEvents.report, { nodeId: root.mediaNode, root: true, conferences: [], rooted: [], parent: null, carries: null, recording: [alarm] }, () => undefined);
  const timer = setInterval(report, 500);
  try {
    const banner = org.locator('[data-testid=rec-alarm]');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /Ghi hình đã dừng vì ổ đĩa sắp đầy — giải phóng dung lượng trên máy chủ media/);
    assert.equal(await indicator.getAttribute('data-state'), 'alarm');
    await org.click('[data-tab=control]');
    await banner.waitFor();
    await shot(org, 'organizer-recording-alarm-1366');
  } finally {
    clearInterval(timer);
  }
  node.close();
  node = null;

  // switch off, then delete after the dialog
  await org.click('[data-tab=recordings]');
  await org.click('[data-testid=rec-switch] [data-mode=off]');
  await waitFor('the recording stopped', async () => (await row.getAttribute('data-state')) === 'stopped', 15_000);
  await indicator.waitFor({ state: 'detached', timeout: 10_000 });
  await row.locator('[data-testid=rec-delete]').click();
  const confirmDialog = org.locator('[data-testid=rec-delete-dialog]');
  await confirmDialog.waitFor();
  assert.match(await confirmDialog.innerText(), /xoá vĩnh viễn/);
  await shot(org, 'organizer-recordings-delete-1366');
  await confirmDialog.locator('[data-testid=rec-delete-confirm]').click();
  await row.waitFor({ state: 'detached', timeout: 10_000 });
  const log = (await call('GET', '/recording/log')) as { action: string }[];
  assert.equal(log[0]!.action, 'delete');
});
