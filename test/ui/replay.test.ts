// Replay ("học tập lại") in Chromium: a commune's technician reports a replay
// session from the console (a refused date shows the service's sentence, nothing
// is stored), the organizer's attendance view shows it beside the live figure;
// the replay page plays a recording made of real WebM segments (ffmpeg, uploaded
// through the node route) with its chapters and the maket, streamed, and from
// the site's own copy while the link is down; the session is recorded from it.
// Real service, real Redis, real Chromium.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import type { Agenda, Material } from '../../signaling/control.js';
import type { Recording, RecordingStatus, ReplaySession } from '../../signaling/recording.js';
import { makeSegments, NODE_SECRET, nodeToken, segmentMeta, uploadSegment } from '../control/recording-support.js';
import { startUi, waitFor, shot, HALL, type UiEnv } from './harness.js';

let env: UiEnv;
let fixtures = '';
beforeAll(async () => {
  env = await startUi('replay', { nodeSecret: NODE_SECRET });
  fixtures = await mkdtemp(join(tmpdir(), 'replay-ui-'));
});
afterAll(async () => {
  await env?.close();
  if (fixtures) await rm(fixtures, { recursive: true, force: true });
});

const COMMUNE = 'ls-trangdinh-01';
const online = (p: Page) => p.waitForSelector('[data-connection=online]', { timeout: 20_000 });
const text = (p: Page, sel: string) => p.locator(sel).first().innerText();
const vnDmy = (offsetDays = 0) => {
  const d = new Date(Date.now() + 7 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10).split('-');
  return `${d[2]}/${d[1]}/${d[0]}`;
};
async function replays(): Promise<ReplaySession[]> {
  const r = await fetch(`${env.url}/api/conferences/${env.links.conference}/replays`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  return ((await r.json()) as { data: ReplaySession[] }).data;
}

test('a commune technician reports a replay session; the organizer sees it beside the live figure', async () => {
  const tech = await env.page({ width: 1366, height: 1100 });
  await tech.goto(env.link('technician', env.links.sites[COMMUNE]!.technician, COMMUNE));
  await online(tech);
  await tech.waitForSelector('[data-testid=replay-form]');
  assert.equal(await tech.inputValue('[data-testid=replay-date]'), vnDmy(), "today's date, dd/mm/yyyy in Vietnam time");
  assert.ok(await tech.isDisabled('[data-testid=replay-submit]'), 'nothing to send before a headcount');

  await tech.click('[data-testid=replay-some]');
  await tech.check('[data-testid=replay-form] input[data-item=nd-1]');
  await tech.check('[data-testid=replay-form] input[data-item=nd-2]');
  await tech.fill('input[data-replay-group=xa-1]', '20');
  await tech.fill('input[data-replay-group=xa-2]', '7');
  assert.equal(await text(tech, '[data-testid=replay-total]'), '27');
  await tech.selectOption('[data-testid=replay-source]', 'materials');
  await tech.fill('[data-testid=replay-note]', 'Học tập lại tại hội trường UBND xã');

  // a day in the future: refused with the service's own sentence, nothing stored
  await tech.fill('[data-testid=replay-date]', vnDmy(3));
  await tech.click('[data-testid=replay-submit]');
  const err = await tech.waitForSelector('[data-testid=replay-error]', { timeout: 10_000 });
  assert.match(await err.innerText(), /tương lai/);
  assert.deepEqual(await replays(), []);

  await tech.fill('[data-testid=replay-date]', vnDmy(-1));
  await tech.click('[data-testid=replay-submit]');
  await tech.waitForSelector('[data-testid=replay-history] [data-replay-id]', { timeout: 10_000 });
  const stored = await replays();
  assert.equal(stored.length, 1);
  const [y, m, d] = new Date(Date.now() + 7 * 3600_000 - 86_400_000).toISOString().slice(0, 10).split('-');
  assert.deepEqual({ site: stored[0]!.site, date: stored[0]!.date, items: stored[0]!.items, counts: stored[0]!.counts, source: stored[0]!.source, note: stored[0]!.note },
    { site: COMMUNE, date: `${y}-${m}-${d}`, items: ['nd-1', 'nd-2'], counts: { 'xa-1': 20, 'xa-2': 7, 'xa-3': 0 }, source: 'materials', note: 'Học tập lại tại hội trường UBND xã' });
  assert.match(await text(tech, '[data-testid=replay-history]'), new RegExp(`${d}/${m}/${y} — Nội dung 1, 2 · 27 người · Tài liệu`));
  await tech.locator('#replay').scrollIntoViewIfNeeded();
  await shot(tech, 'replay-technician-form');

  // the organizer: replay total beside the live one, in the subtree of the district too
  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#attendance`);
  await online(org);
  await waitFor('the replay total on the dashboard', async () => (await text(org, '[data-testid=root-replay]')) === '27');
  const live = Number((await text(org, '[data-testid=root-present]')).replace(/\D/g, ''));
  await org.click('.bar-row[data-site=ls-trangdinh]');
  await waitFor('the district replay figure', async () => (await text(org, '[data-testid=sel-replay]')) === '27');
  assert.equal(await text(org, 'tr[data-group=xa-1] td[data-replay=xa-1]'), '20');
  assert.match(await text(org, '[data-testid=replay-list]'), /Nội dung 1, 2/);
  // a second session pushed while the dashboard is open
  const r = await fetch(`${env.url}/api/conferences/${env.links.conference}/replays`, {
    method: 'POST', headers: { authorization: `Bearer ${env.links.sites['ls-trangdinh-02']!.technician}`, 'content-type': 'application/json' },
    body: JSON.stringify({ site: 'ls-trangdinh-02', date: `${y}-${m}-${d}`, items: 'all', counts: { 'xa-1': 5 } }),
  });
  assert.equal(r.status, 200);
  await waitFor('the pushed replay session', async () => (await text(org, '[data-testid=sel-replay]')) === '32');
  assert.equal(Number((await text(org, '[data-testid=root-present]')).replace(/\D/g, '')), live, 'the live figure did not move');
  await shot(org, 'replay-organizer-attendance');
});

/** A call of the control API as the organizer (or `tok`), the data of its answer. */
async function call<T>(method: string, path: string, body?: unknown, tok = env.links.organizer): Promise<T> {
  const r = await fetch(`${env.url}/api/conferences/${env.links.conference}${path}`, {
    method, headers: { authorization: `Bearer ${tok}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const j = (await r.json()) as { ok: boolean; data: T; error?: unknown };
  if (!j.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.error)}`);
  return j.data;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const replayTime = (p: Page) => p.evaluate(() => (window as unknown as { __replay?: { currentTime: number } }).__replay?.currentTime ?? -1);
/** The video really plays: its time moves on and frames are decoded. */
async function assertPlays(p: Page, what: string): Promise<void> {
  const t0 = await waitFor(`${what}: playback starts`, async () => { const t = await replayTime(p); return t > 0.3 ? t : null; }, 20_000);
  const t1 = await waitFor(`${what}: currentTime advances`, async () => { const t = await replayTime(p); return t > t0 + 1 ? t : null; }, 20_000);
  const frames = await p.evaluate(() => (document.getElementById('replay-video') as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
  console.log(`[replay ui] ${what}: currentTime ${t0.toFixed(2)} → ${t1.toFixed(2)} s, ${frames} frames decoded`);
  assert.ok(frames > 10, `${what}: frames decoded (${frames})`);
}

/** The recording of the demo conference: two items on air, two real 5 s WebM segments from 2 s before the first. */
async function makeRecording(): Promise<Recording> {
  const st = await call<RecordingStatus>('POST', '/recording', { mode: 'on' });
  const rec = st.current!.id;
  await call('POST', '/state', { state: 'live' }).catch(() => undefined); // the demo may be live already
  await call('POST', '/agenda/nd-1/start');
  await sleep(2000);
  await call('POST', '/agenda/nd-2/start');
  await sleep(2000);
  const agenda = await call<Agenda>('POST', '/agenda/nd-2/end');
  const tA = agenda.items.find((i) => i.id === 'nd-1')!.actualStart!;
  const segs = await makeSegments(fixtures, 2, 5);
  const node = nodeToken('centre');
  let at = tA - 2000;
  for (const [i, seg] of segs.entries()) {
    const r = await uploadSegment(env.url, node, env.links.conference, segmentMeta(seg, rec, 'r1', i, at), seg.bytes);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    at += seg.durationMs;
  }
  const out = await call<Recording>('GET', `/recordings/${rec}`);
  assert.deepEqual(out.chapters.map((c) => c.item), ['nd-1', 'nd-2']);
  return out;
}

test('the replay page plays the recording with its chapters and the maket, streamed and from the site\'s own copy with the link down; the session is recorded from it', async () => {
  const rec = await makeRecording();
  const [c1, c2] = rec.chapters as [Recording['chapters'][number], Recording['chapters'][number]];
  console.log(`[replay ui] recording ${rec.id}: ${rec.durationMs} ms, chapters ${JSON.stringify(rec.chapters.map((c) => [c.item, c.startMs, c.endMs]))}`);

  // a commune without a copy: streamed from the control service
  const hall = await env.page(HALL);
  await hall.goto(env.link('replay', env.links.sites['ls-trangdinh-02']!.technician, 'ls-trangdinh-02'));
  assert.ok(!hall.url().includes('token='), 'the token left the address bar');
  await hall.click(`[data-recording=${rec.id}] [data-testid=replay-play-all]`);
  await hall.waitForSelector('[data-testid=replay-player][data-from=stream]');
  await assertPlays(hall, 'streamed');
  assert.deepEqual(await hall.locator('[data-testid=replay-chapters] [data-chapter]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chapter'))), ['nd-1', 'nd-2']);
  // before the first item: the maket, as the hall showed it live
  await hall.evaluate(() => { const v = document.getElementById('replay-video') as HTMLVideoElement; v.pause(); v.currentTime = 0.5; });
  await hall.waitForSelector('.replay-overlay [data-view=maket]');
  assert.match(await text(hall, '[data-testid=hall-status]'), /Hội nghị sắp bắt đầu/);
  assert.match(await text(hall, '.replay-overlay'), /HỘI NGHỊ/);
  await shot(hall, 'replay-maket-before');
  // a chapter: seek there, highlighted, the item's bar on screen
  await hall.click('[data-chapter=nd-2]');
  await hall.waitForSelector('[data-chapter=nd-2].current');
  await hall.waitForSelector('[data-testid=replay-item][data-item=nd-2]');
  const at = await replayTime(hall);
  assert.ok(at >= c2.startMs / 1000 - 0.05 && at < c2.endMs / 1000, `seeked into item 2 (${at} s)`);
  assert.equal(await hall.locator('[data-chapter].current').count(), 1);
  await shot(hall, 'replay-chapter');
  // after the last item: the maket says the conference has ended
  await hall.evaluate((t) => { const v = document.getElementById('replay-video') as HTMLVideoElement; v.pause(); v.currentTime = t; }, c2.endMs / 1000 + 0.5);
  await waitFor('the closing maket', async () => /đã kết thúc/.test(await text(hall, '.replay-overlay')));
  // one item alone, streamed as its own file
  await hall.click('text=← Chọn lại');
  await hall.click(`[data-recording=${rec.id}] [data-play-item=nd-1]`);
  await hall.waitForSelector('[data-testid=replay-player][data-from=stream]');
  await assertPlays(hall, 'item 1 streamed');
  assert.deepEqual(await hall.locator('[data-testid=replay-chapters] [data-chapter]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chapter'))), ['nd-1']);

  // the organizer pushes the recording to a commune: its page stores the copy, then plays it with the link down
  const mat = await call<Material>('POST', `/recordings/${rec.id}/push`, { targets: [COMMUNE] });
  const site = await env.page(HALL);
  await site.goto(env.link('replay', env.links.sites[COMMUNE]!.technician, COMMUNE));
  await site.click(`[data-copy=${mat.id}] button`);
  await site.waitForSelector(`[data-recording=${rec.id}] [data-testid=replay-cached]`, { timeout: 30_000 });
  await site.context().setOffline(true);
  await site.waitForSelector('[data-testid=replay-offline]');
  await site.click(`[data-recording=${rec.id}] [data-testid=replay-play-all]`);
  await site.waitForSelector('[data-testid=replay-player][data-from=cache]');
  await assertPlays(site, 'own copy, link down');
  await waitFor('item 1 watched', async () => ((await replayTime(site)) > c1.startMs / 1000 + 1 ? true : null), 20_000);
  await shot(site, 'replay-offline-cache');
  await site.context().setOffline(false);

  // after playing: the replay session, items filled in from what was watched
  await site.evaluate(() => (document.getElementById('replay-video') as HTMLVideoElement).pause());
  const watched = await site.evaluate(() => (window as unknown as { __replay: { watched: string[] } }).__replay.watched);
  assert.ok(watched.includes('nd-1'), `item 1 counted as watched (${watched})`);
  await site.click('[data-testid=replay-record]');
  await site.waitForSelector('[data-testid=replay-dialog] [data-testid=replay-form]');
  if (watched.length === 2) assert.ok(await site.isChecked('[data-testid=replay-dialog] [data-testid=replay-all]'), 'every item watched: the whole conference');
  else {
    assert.ok(await site.isChecked('[data-testid=replay-dialog] input[data-item=nd-1]'), 'item 1 (watched) filled in');
    assert.ok(!(await site.isChecked('[data-testid=replay-dialog] input[data-item=nd-2]')), 'item 2 (not watched) left out');
  }
  assert.equal(await site.inputValue('[data-testid=replay-dialog] [data-testid=replay-recording]'), rec.id);
  await site.fill('[data-testid=replay-dialog] input[data-replay-group=xa-1]', '15');
  await site.fill('[data-testid=replay-dialog] input[data-replay-group=xa-3]', '4');
  await shot(site, 'replay-record-dialog');
  const before = (await call<ReplaySession[]>('GET', '/replays')).length;
  await site.click('[data-testid=replay-dialog] [data-testid=replay-submit]');
  await site.waitForSelector('[data-testid=replay-dialog]', { state: 'detached', timeout: 10_000 });
  const all = await call<ReplaySession[]>('GET', '/replays');
  assert.equal(all.length, before + 1);
  const s = all.find((r) => r.recording === rec.id)!;
  assert.equal(s.site, COMMUNE);
  assert.equal(s.source, 'recording');
  assert.deepEqual(s.items, watched.length === 2 ? 'all' : ['nd-1'], 'the items watched');
  assert.deepEqual([s.counts['xa-1'], s.counts['xa-3']], [15, 4]);
});
