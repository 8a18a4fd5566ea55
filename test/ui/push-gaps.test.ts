// The organizer page in Chromium does not stay stale after a lost push: a
// second control process acknowledges a commune's headcount and is killed
// before its batched push goes out; with no further write the page's
// whole-conference figure still reaches the stored value (it notices the
// sequence number no push brought and re-reads its snapshot).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { spawnControl } from '../control/helpers.js';
import { startUi, waitFor, type UiEnv } from './harness.js';

let env: UiEnv;
let b: ChildProcess | undefined;
const dataDirB = `.cache/test-data/ui-push-gaps-b-${process.pid}`;

beforeAll(async () => { env = await startUi('push-gaps'); }, 120_000);
afterAll(async () => {
  if (b && b.exitCode === null && b.signalCode === null) b.kill('SIGKILL');
  await env?.close();
  await rm(dataDirB, { recursive: true, force: true });
});

const rootPresent = async (p: Page) => Number((await p.locator('[data-testid=root-present]').first().innerText()).replace(/\D/g, ''));

test('an instance dies holding a headcount\'s push: the organizer page shows the stored total with no new write', async () => {
  const conf = env.links.conference;
  const site = 'ls-trangdinh-01';
  const org = await env.page();
  await org.goto(`${env.link('organizer', env.links.organizer)}#attendance`);
  await org.waitForSelector('[data-connection=online]', { timeout: 20_000 });
  const before = await rootPresent(org);

  // a second instance on the same Redis that batches its pushes for 5 s; its heartbeat outlives the test
  const started = spawnControl({ CONTROL_PORT: '0', REDIS_PREFIX: env.redisPrefix, TOKEN_SECRET: env.tokenSecret, DATA_DIR: dataDirB,
    PUSH_INTERVAL_MS: '5000', HEARTBEAT_TTL_MS: '120000' });
  b = started.child;
  const urlB = (await started.ready).url;
  const tech = env.links.sites[site]!.technician;
  const groups = (await (await fetch(`${env.url}/api/conferences/${conf}/groups`, { headers: { authorization: `Bearer ${tech}` } })).json()).data as { id: string; level: string }[];
  const group = groups.find((g) => g.level === env.links.sites[site]!.level)!.id;
  const stored = (await (await fetch(`${env.url}/api/conferences/${conf}/attendance/${site}`, { headers: { authorization: `Bearer ${tech}` } })).json()).data as { present: Record<string, number> };
  const base = before - (stored.present[group] ?? 0);
  const put = async (n: number) => {
    const r = await fetch(`${urlB}/api/conferences/${conf}/attendance/${site}`, {
      method: 'PUT', headers: { authorization: `Bearer ${tech}`, 'content-type': 'application/json' }, body: JSON.stringify({ present: { [group]: n } }),
    });
    assert.equal(r.status, 200, await r.text());
  };
  // B's first push goes at once; the next one would wait ~5 s, and B dies before that
  await put(5);
  await waitFor('the first write on the page', async () => (await rootPresent(org)) === base + 5, 10_000, 50);
  await put(12);
  b.kill('SIGKILL');
  const t0 = Date.now();
  await waitFor('the stored total on the page', async () => (await rootPresent(org)) === base + 12, 20_000, 100);
  console.log(`Chromium organizer page: lost push made good ${Date.now() - t0} ms after the instance died`);
}, 90_000);
