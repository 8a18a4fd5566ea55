// Who is really watching: two commune halls (real Chromium) play the centre's
// programme through the cascade; each page tells its media node what it plays,
// the nodes tell control, and the organizer's tree shows per site "đang xem",
// "đã kết nối" (video paused) and "mất tín hiệu" (page closed); the "not
// playing" filter lists exactly the sites without a picture; the presence
// workbook has each hall's join / leave and its watching time.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { freePort } from '../../infra/proc.js';
import { Cascade } from '../../infra/cascade.js';
import { IngestRes, MediaRoutes } from '../../signaling/media.js';
import type { SiteWatch } from '../../signaling/watching.js';
import { sheetRows, fromVnTime } from '../support/csv.js';
import { FfmpegFeed } from '../media/procs.js';
import { shot, startUi, waitFor, type UiEnv } from '../ui/harness.js';
import { SPINE_NODES } from './harness.js';

const CONF = 'ls-135';
const A = 'ls-trangdinh-01';
const B = 'ls-caoloc-01';

let env: UiEnv;
let cascade: Cascade;
let feed: FfmpegFeed | undefined;

beforeAll(async () => {
  // the hall pages are served by control and name their node (node=): control lists the nodes as
  // its deployment's origins, so their ports are chosen first
  const ports: Record<string, number> = {};
  for (const n of SPINE_NODES) ports[n.nodeId] = await freePort();
  env = await startUi('watching', { mediaNodes: Object.fromEntries(Object.entries(ports).map(([id, p]) => [id, `http://127.0.0.1:${p}`])) });
  cascade = await Cascade.start({
    nodes: SPINE_NODES, tokenSecret: env.tokenSecret, nodeSecret: randomBytes(16).toString('hex'),
    logDir: 'test-artifacts/e2e-watching-logs', controlUrl: env.url, ports,
  });
  await cascade.waitLinked(30_000);
  const r = await fetch(`${cascade.urls.centre}${MediaRoutes.ingest}`, {
    method: 'POST', headers: { authorization: `Bearer ${env.links.organizer}`, 'content-type': 'application/json' }, body: JSON.stringify({ site: 'tw' }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  feed = new FfmpegFeed(IngestRes.parse(await r.json()), { size: '320x180' }).start();
}, 180_000);

afterAll(async () => {
  await feed?.stop();
  await cascade?.close();
  await env?.close();
});

const watch = async (): Promise<Map<string, SiteWatch>> => {
  const r = await fetch(`${env.url}/api/conferences/${CONF}/watch`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  const body = (await r.json()) as { data: SiteWatch[] };
  return new Map(body.data.map((w) => [w.site, w]));
};
const hallPhase = (p: Page) => p.evaluate(() => (window as unknown as { __hall: { phase: string } }).__hall.phase);
const rowState = (org: Page, site: string) => org.evaluate((s) => document.querySelector(`[data-site="${s}"] .watch`)?.getAttribute('data-watch') ?? null, site);
const search = async (org: Page, q: string) => {
  await org.fill('input[type=search]', q);
};

test('the organizer sees which halls really play, within seconds, and the presence workbook has their sessions', { timeout: 240_000 }, async () => {
  const hall = async (site: string) => {
    const p = await env.page({ width: 640, height: 360 });
    await p.goto(env.link('hall', env.links.sites[site]!.viewer, site, { node: cascade.urlOfSite(site) }));
    return p;
  };
  const [ha, hb] = [await hall(A), await hall(B)];
  await waitFor('both halls playing', async () => (await hallPhase(ha)) === 'playing' && (await hallPhase(hb)) === 'playing', 60_000);
  await waitFor('control to see both halls play', async () => {
    const w = await watch();
    return w.get(A)?.state === 'playing' && w.get(B)?.state === 'playing';
  }, 20_000);
  // the figures (fps, bitrate) follow within a refresh period
  const w0 = await waitFor('frames per second and bitrate of A', async () => {
    const w = await watch();
    return (w.get(A)?.fps ?? 0) > 0 && (w.get(A)?.bitrateKbps ?? 0) > 0 ? w : null;
  }, 20_000);
  assert.equal(w0.get(A)!.node, 'd-trangdinh');
  assert.equal(w0.get(B)!.node, 'd-caoloc');
  assert.notEqual(w0.get(A)!.quality, 'unknown');
  assert.equal(w0.get('ls-trangdinh-02')?.state, 'none', 'a hall that never joined');

  const org = await env.page();
  await org.goto(env.link('organizer', env.links.organizer));
  await search(org, 'ls-');
  await waitFor('the tree to show both halls playing', async () => (await rowState(org, A)) === 'playing' && (await rowState(org, B)) === 'playing', 20_000);
  await shot(org, 'watching-both-playing');

  // A's video paused on the hall display: connected, no picture
  let t0 = Date.now();
  await ha.evaluate(() => document.querySelector('video')!.pause());
  await waitFor('the tree to show A connected without a picture', async () => (await rowState(org, A)) === 'connected', 15_000, 100);
  const pausedMs = Date.now() - t0;

  // B's page closed: signal lost
  t0 = Date.now();
  await hb.close();
  await waitFor('the tree to show B lost', async () => (await rowState(org, B)) === 'lost', 15_000, 100);
  const closedMs = Date.now() - t0;
  console.log(`[watching] video paused → tree in ${pausedMs} ms; page closed → tree in ${closedMs} ms`);
  assert.match(await org.locator(`[data-site="${B}"] .watch`).innerText(), /Mất tín hiệu/);
  assert.match(await org.locator(`[data-site="${A}"] .watch`).innerText(), /Chưa có hình/);
  assert.match(await org.locator(`[data-site="${A}"] .watch`).getAttribute('title') ?? '', /Đã kết nối/);

  // "not playing" lists A and B; once A plays again, only B
  await search(org, '');
  await org.locator('[data-testid=not-playing]').check();
  await search(org, 'ls-trangdinh-01');
  await waitFor('A in the not-playing list', async () => (await rowState(org, A)) === 'connected');
  await search(org, 'ls-caoloc-01');
  await waitFor('B in the not-playing list', async () => (await rowState(org, B)) === 'lost');
  await shot(org, 'watching-not-playing');
  await search(org, 'ls-trangdinh-01');
  await ha.evaluate(() => void document.querySelector('video')!.play());
  await waitFor('A to leave the not-playing list once it plays again', async () => (await org.locator(`[data-site="${A}"]`).count()) === 0, 15_000, 100);

  // the presence workbook: per site the picture state and watched time; per hall endpoint its session
  const res = await fetch(`${env.url}/api/conferences/${CONF}/reports/presence?format=xlsx`, { headers: { authorization: `Bearer ${env.links.organizer}` } });
  assert.equal(res.status, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
  const sites = sheetRows(wb.getWorksheet('Kết nối')!);
  const rowOf = (s: string) => sites.find((r) => r['Mã điểm cầu / Site'] === s)!;
  assert.match(String(rowOf(A)['Trạng thái hình / Picture now']), /đang xem/);
  assert.match(String(rowOf(B)['Trạng thái hình / Picture now']), /mất tín hiệu/);
  for (const s of [A, B]) assert.ok(Number(rowOf(s)['Thời gian xem (phút) / Watched (min)']) > 0, `${s} watched time`);
  assert.match(String(rowOf('ls-trangdinh-02')['Trạng thái hình / Picture now']), /chưa kết nối/);
  const sessions = sheetRows(wb.getWorksheet('Phiên xem')!);
  const of = (s: string) => sessions.filter((r) => r['Mã điểm cầu / Site'] === s);
  assert.ok(of(A).length >= 1 && of(B).length >= 1, JSON.stringify(sessions));
  const b = of(B).at(-1)!;
  assert.equal(b['Máy chủ truyền hình / Media node'], 'd-caoloc');
  const joined = fromVnTime(String(b['Vào / Joined']));
  const left = fromVnTime(String(b['Rời / Left']));
  assert.ok(left >= joined, `B left (${b['Rời / Left']}) after it joined (${b['Vào / Joined']})`);
  assert.ok(Number(b['Thời gian xem (phút) / Watched (min)']) > 0);
  assert.ok(!of(A).at(-1)!['Rời / Left'], 'A is still there');
});
