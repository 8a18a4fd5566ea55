// A hall plays through media nodes that enrolled themselves, and follows its
// site when the operator moves it to another node. Real control service (demo
// conference, Ed25519 keys), the operator's "add a media node" route, media
// nodes started with only their id, the control URL and their one-time code
// (infra/cascade.ts enrolled mode), real Chromium with a fake camera.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Cascade } from '../../infra/cascade.js';
import { freePort, REPO_ROOT } from '../../infra/proc.js';
import { startControl, type ControlHandle } from '../../server/app.js';
import type { Session } from '../../signaling/accounts.js';
import { generateKeyring, loadKeyring, signToken } from '../../signaling/token.js';
import { createOperator } from '../control/account-helpers.js';
import { api } from '../control/helpers.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { CONF, ensureClientBuilt, hallLog, studioPhase, waitDecoding, waitFor } from './harness.js';

const PREFIX = `t-enrolhall-${randomBytes(4).toString('hex')}:`;
const DATA = join(REPO_ROOT, '.cache', 'test-data', PREFIX.slice(0, -1));
const keys = generateKeyring('t-enrolhall');
const signer = loadKeyring(keys.signing);
const tok = (role: 'organizer' | 'viewer', site?: string) => encodeURIComponent(signToken(signer, { role, conf: CONF, ...(site ? { site } : {}), ttlSeconds: 3600 }));

let control: ControlHandle;
let operator: Session;
let cascade: Cascade;
let chrome: Chromium;

beforeAll(async () => {
  await ensureClientBuilt();
  rmSync(DATA, { recursive: true, force: true });
  control = await startControl({ port: await freePort(), redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: join(DATA, 'control'), demo: true, logLevel: 'warn', tokenSecret: randomBytes(16).toString('hex'), tokenKeys: keys.signing });
  operator = await createOperator(PREFIX, control.url, 'vanhanh');
  cascade = await Cascade.start({
    // the ids and the order to start them in; sites and parents come from control
    nodes: [
      { nodeId: 'centre', parent: null, sites: ['tw'] },
      { nodeId: 'langson', parent: 'centre', sites: ['ls'] },
      { nodeId: 'd-trangdinh', parent: 'langson', sites: ['ls-trangdinh-01'] },
      { nodeId: 'd-caoloc', parent: 'langson', sites: ['ls-caoloc-01'] },
    ],
    controlUrl: control.url,
    logDir: 'test-artifacts/enrolled-hall-logs',
    enrol: {
      dataDir: DATA,
      code: async (id) => {
        const r = await api(control.url, operator.token, 'POST', '/api/media-nodes', { id, name: `Máy chủ ${id}` });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body.data.code as string;
      },
    },
  });
  await cascade.waitLinked(30_000);
  chrome = await launchChromium();
}, 180_000);

afterAll(async () => {
  await chrome?.close();
  await cascade?.close();
  await control?.close();
  await deletePrefix(PREFIX);
  rmSync(DATA, { recursive: true, force: true });
});

const page = (): Promise<Page> => chrome.page({ viewport: { width: 960, height: 540 }, permissions: ['camera', 'microphone'], echoConsole: () => !!process.env.E2E_CONSOLE });

test('a commune hall plays the studio through enrolled nodes, and follows its site to another node', { timeout: 180_000 }, async () => {
  const studio = await page();
  await studio.goto(`${cascade.urls.centre}/studio.html?site=tw&token=${tok('organizer')}&control=${encodeURIComponent(control.url)}`);
  await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing', 30_000);

  const hall = await page();
  await hall.goto(`${cascade.urls['d-trangdinh']}/hall.html?site=ls-trangdinh-01&token=${tok('viewer', 'ls-trangdinh-01')}&control=${encodeURIComponent(control.url)}`);
  await waitDecoding(hall, 'the commune hall decoding the studio through d-trangdinh').catch(async (err) => { throw new Error(`${err}\n${await hallLog(hall)}`); });

  // the operator moves the commune to the Cao Lộc node: neither node restarts
  const health = async (id: string) => (await cascade.health(id))!;
  const pids = ['d-trangdinh', 'd-caoloc'].map((id) => cascade.pid(id));
  const organizer = decodeURIComponent(tok('organizer'));
  const r = await api(control.url, organizer, 'PATCH', `/api/conferences/${CONF}/sites/ls-trangdinh-01`, { mediaNode: 'd-caoloc' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await waitFor('the hall page moved to d-caoloc', async () => hall.url().startsWith(cascade.urls['d-caoloc']!), 30_000);
  await waitDecoding(hall, 'the commune hall decoding again through d-caoloc').catch(async (err) => { throw new Error(`${err}\n${await hallLog(hall)}`); });
  assert.ok((await health('d-caoloc')).sites.includes('ls-trangdinh-01'));
  assert.ok(!(await health('d-trangdinh')).sites.includes('ls-trangdinh-01'));
  // the same processes, never restarted
  assert.deepEqual(['d-trangdinh', 'd-caoloc'].map((id) => cascade.pid(id)), pids);
  assert.ok(pids.every((p) => typeof p === 'number'));
  await studio.close();
  await hall.close();
});
