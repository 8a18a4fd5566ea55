// Organizer dashboard at national size: the organizer page in headless
// Chromium with a generated tree of 31,000 sites (test/support/national-sheet.ts,
// imported like a user's spreadsheet). Per run, on a fresh page:
// - load: navigation → the tree's first rows drawn with the whole tree counted
//   ("… / 31.000 điểm cầu"), and first contentful paint;
// - filter: tick "Chỉ điểm chưa có hình" (not playing) → rows drawn again;
// - scroll: 40 jumps through the virtual list, each until the next frame;
// - burst: every party cell of one province reports its headcount at once (one
//   technician link each, REST, 100 in flight) → the last change of that
//   province's roll-up on the page, and how many long tasks the page had;
// - page memory (JS heap used, DOM nodes) from the DevTools protocol.
// Usage: node --import tsx bench/dashboard.ts [--rows 31000] [--runs 3]
// Needs Redis (REDIS_URL) and the built apps (dist/client). Writes bench/results/dashboard.json.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signToken } from '../signaling/token.js';
import { startControlProcess } from './lib/control-proc.js';
import { deletePrefix } from '../test/support/redis.js';
import { launchChromium } from '../test/support/browser.js';
import { NATIONAL_GROUPS, nationalTree, nationalXlsx } from '../test/support/national-sheet.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const ROWS = Number(arg('rows', '31000'));
const TIMEOUT_MS = Number(arg('timeout-ms', '120000'));
const RUNS = Number(arg('runs', '3'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(16).toString('hex');
const CONF = 'toan-quoc';
const PROVINCE = '01';
const round = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!existsSync(resolve(ROOT, 'dist/client/organizer.html'))) throw new Error('build the apps first: npx vite build --config client/vite.config.ts');

const startService = (prefix: string) => startControlProcess({ prefix, redisUrl: REDIS_URL, tokenSecret: SECRET });

async function call(url: string, tok: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(url + path, { method, headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const j = (await r.json()) as { ok: boolean; data: any };
  if (!j.ok) throw new Error(`${method} ${path}: ${JSON.stringify(j).slice(0, 400)}`);
  return j.data;
}

const tree = nationalTree(ROWS);
const xlsx = await nationalXlsx(tree);
// the burst: every party cell ("chi bộ") under the province's communes reports its expected count present
const communesOfProvince = new Set(tree.rows.filter((r) => r[2] === PROVINCE).map((r) => String(r[0])));
const cbCol = 12 + NATIONAL_GROUPS.findIndex((g) => g.id === 'cb-1');
const burst = tree.rows.filter((r) => r[3] === 'chi-bo' && communesOfProvince.has(String(r[2]))).map((r) => ({ site: String(r[0]), present: Number(r[cbCol]) }));

type Run = { loadMs: number; fcpMs: number; filterMs: number; scrollFrameMsMedian: number; scrollFrameMsMax: number; burstSites: number; burstSentMs: number; burstVisibleMs: number; burstLongTasks: number; heapUsedMb: number; domNodes: number };
const runs: Run[] = [];
const prefix = `bench-dash-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
const { child, url } = await startService(prefix);
const chrome = await launchChromium();
try {
  const org = signToken(SECRET, { role: 'organizer', conf: CONF });
  await call(url, org, 'PUT', `/api/conferences/${CONF}`, { title: 'Hội nghị toàn quốc (bench)', planNumber: 'BENCH', date: '2026-02-07', plannedStart: '2026-02-07T07:30:00+07:00', plannedDurationMin: 240, maket: [], rootSite: 'tw', reportsTo: 'Trung ương', reportDeadline: '2026-02-20T17:00:00+07:00' });
  const checked = await call(url, org, 'POST', `/api/conferences/${CONF}/sites/import`, { filename: 'toan-quoc.xlsx', file: xlsx.toString('base64') });
  await call(url, org, 'POST', `/api/conferences/${CONF}/sites/import`, { filename: 'toan-quoc.xlsx', file: xlsx.toString('base64'), apply: true, version: checked.version });
  for (const state of ['rehearsal', 'live']) await call(url, org, 'POST', `/api/conferences/${CONF}/state`, { state });
  console.log(`conference of ${tree.sites} sites ready; burst of ${burst.length} party cells of province ${PROVINCE}`);

  for (let run = 0; run < RUNS; run++) {
    // a fresh start each run: nobody present yet in the province
    await Promise.all(burst.map((b) => call(url, signToken(SECRET, { role: 'technician', conf: CONF, site: b.site }), 'PUT', `/api/conferences/${CONF}/attendance/${b.site}`, { present: { 'cb-1': 0 } })));
    const page = await chrome.page({ viewport: { width: 1366, height: 768 }, permissions: [], echoErrors: true, echoConsole: (m) => m.type() === 'error' });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const t0 = Date.now();
    await page.goto(`${url}/organizer.html?token=${encodeURIComponent(org)}`);
    // the tree is drawn and counts the whole national tree
    await page.waitForFunction((n) => {
      const bar = document.querySelector('[data-testid="online-count"]')?.parentElement?.textContent ?? '';
      // numbers are written the Vietnamese way (31.000)
      return document.querySelectorAll('.site-row').length > 0 && [...bar.replace(/\./g, '').matchAll(/\d+/g)].some((m) => m[0] === String(n));
    }, tree.sites, { timeout: TIMEOUT_MS, polling: 50 }).catch(async (err: Error) => {
      await page.screenshot({ path: resolve(ROOT, 'test-artifacts/bench-dashboard-failed.png') });
      throw new Error(`${err.message}\npage: ${(await page.locator('body').innerText()).slice(0, 800)}`);
    });
    const loadMs = Date.now() - t0;
    const fcpMs = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);

    const filterMs = await page.evaluate(async () => {
      const box = document.querySelector<HTMLInputElement>('[data-testid="not-playing"]')!;
      const s = performance.now();
      box.click();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return performance.now() - s;
    });
    await page.evaluate(async () => {
      document.querySelector<HTMLInputElement>('[data-testid="not-playing"]')!.click();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    });

    const frames = await page.evaluate(async () => {
      const list = document.querySelector<HTMLElement>('.vlist')!;
      const out: number[] = [];
      for (let i = 1; i <= 40; i++) {
        const s = performance.now();
        list.scrollTop = (list.scrollHeight - list.clientHeight) * (i % 2 ? i / 40 : 1 - i / 40);
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        out.push(performance.now() - s);
      }
      list.scrollTop = 0;
      return out;
    });

    // the province's row, found by the search box, and a watch on its roll-up cell
    await page.fill('input[type="search"]', `Tỉnh số ${PROVINCE}`);
    await page.waitForSelector(`.site-row[data-site="${PROVINCE}"] .att`, { timeout: 30_000 });
    await page.evaluate((site) => {
      const w = window as unknown as { __changes: number[]; __longTasks: number };
      w.__changes = [];
      w.__longTasks = 0;
      new PerformanceObserver((l) => { w.__longTasks += l.getEntries().length; }).observe({ type: 'longtask' });
      // no named inner functions here: the page has no __name helper of the bundler
      const sel = `.site-row[data-site="${site}"] .att`;
      let last = document.querySelector(sel)?.textContent;
      new MutationObserver(() => {
        const now = document.querySelector(sel)?.textContent;
        if (now !== last) { last = now; w.__changes.push(Date.now()); }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }, PROVINCE);
    const b0 = Date.now();
    const queue = [...burst];
    await Promise.all(Array.from({ length: 100 }, async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        await call(url, signToken(SECRET, { role: 'technician', conf: CONF, site: b.site }), 'PUT', `/api/conferences/${CONF}/attendance/${b.site}`, { present: { 'cb-1': b.present } });
      }
    }));
    const burstSentMs = Date.now() - b0;
    // settled: no change of the province's figure for 3 s
    let seen = -1;
    for (;;) {
      await new Promise((r) => setTimeout(r, 3000));
      const n = await page.evaluate(() => (window as unknown as { __changes: number[] }).__changes.length);
      if (n === seen) break;
      seen = n;
    }
    const { changes, longTasks } = await page.evaluate(() => {
      const w = window as unknown as { __changes: number[]; __longTasks: number };
      return { changes: w.__changes, longTasks: w.__longTasks };
    });
    if (changes.length === 0) throw new Error('the province\'s roll-up never changed on the page');
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const metric = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
    const r: Run = {
      loadMs, fcpMs: round(fcpMs), filterMs: round(filterMs),
      scrollFrameMsMedian: round(median(frames)), scrollFrameMsMax: round(Math.max(...frames)),
      burstSites: burst.length, burstSentMs, burstVisibleMs: changes.at(-1)! - b0, burstLongTasks: longTasks,
      heapUsedMb: round(metric('JSHeapUsedSize') / 2 ** 20), domNodes: metric('Nodes'),
    };
    runs.push(r);
    console.log(`run ${run + 1}: ${JSON.stringify(r)}`);
    await page.context().close();
  }
} finally {
  await chrome.close();
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
  await deletePrefix(prefix, REDIS_URL);
  await rm(resolve(ROOT, `.cache/bench-data/${prefix.slice(0, -1)}`), { recursive: true, force: true });
}

const keys = Object.keys(runs[0]!) as (keyof Run)[];
const summary = Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))]));
const out = {
  bench: 'Organizer dashboard in Chromium with a national tree: load, "not playing" filter, scrolling, live roll-up during a burst, page memory',
  at: new Date().toISOString(), cpus: cpus().length, node: process.version, sites: tree.sites, runs: RUNS,
  method: 'one control process and Redis on this machine, headless Chromium (1366x768) on the organizer page with an organizer token; medians over runs, each on a fresh page; the burst is REST headcounts from technician links (100 in flight), its visible time is the last change of the province\'s roll-up cell on the page',
  summary, perRun: runs,
};
await mkdir(resolve(ROOT, 'bench/results'), { recursive: true });
await writeFile(resolve(ROOT, 'bench/results/dashboard.json'), `${JSON.stringify(out, null, 2)}\n`);
console.log(`median: ${JSON.stringify(summary)}`);
console.log('wrote bench/results/dashboard.json');
process.exit(0);
