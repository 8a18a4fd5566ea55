// The operator's media nodes in Chromium: "add a media node" shows a one-time
// code once; a real media node process started with only its id, the control
// URL and that code shows up online in the list with its sites, CPU and
// memory; a wrong id is named in the form; revoking it shows it revoked and
// cuts its link. Screenshots in test-artifacts/ui-media-nodes-*.png.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyring } from '../../signaling/token.js';
import { admin, linkIn, PASSWORD } from '../control/account-helpers.js';
import { NodeProc, REPO_ROOT, waitFor } from '../media/procs.js';
import { startUi, shot, type UiEnv } from './harness.js';

let env: UiEnv;
let node: NodeProc | null = null;
const DATA = join(REPO_ROOT, '.cache', 'test-data', `ui-media-nodes-${process.pid}`);
beforeAll(async () => { env = await startUi('media-nodes', { tokenKeys: generateKeyring('t-ui-nodes').signing }); });
afterAll(async () => {
  await node?.stop();
  await env?.close();
  rmSync(DATA, { recursive: true, force: true });
});

test('an operator adds a media node, the node enrols with the code and shows online, then is revoked', { timeout: 120_000 }, async () => {
  const { url } = linkIn(await admin(env.redisPrefix, env.url, 'create-operator', 'vanhanh'));
  const page = await env.page();
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  await page.fill('input[name=new-password]', PASSWORD);
  await page.fill('input[name=new-password-again]', PASSWORD);
  await page.click('[data-testid=setup-submit]');
  await page.locator('[data-testid=media-nodes]').waitFor({ timeout: 15_000 });

  // a wrong id is named, then the node is added and its code shown once
  await page.click('[data-testid=node-add]');
  await page.fill('[data-testid=node-add-dialog] input[name=id]', 'Trung Ương');
  await page.fill('[data-testid=node-add-dialog] input[name=name]', 'Máy chủ Trung ương');
  await page.click('[data-testid=node-add-submit]');
  assert.match(await page.locator('[data-testid=node-add-dialog] [role=alert]').innerText(), /Mã máy chủ: chỉ chữ thường không dấu/);
  await page.fill('[data-testid=node-add-dialog] input[name=id]', 'centre');
  await page.click('[data-testid=node-add-submit]');
  const code = (await page.locator('[data-testid=enrol-code]').innerText()).trim();
  assert.match(code, /^[A-Za-z0-9_-]{32}$/);
  assert.match(await page.locator('[data-testid=node-code]').innerText(), /MEDIA_NODE_ID=centre CONTROL_URL=http:\/\/127\.0\.0\.1:\d+ ENROL_CODE=/);
  await shot(page, 'media-nodes-code');
  await page.locator('[data-testid=node-code] .btn-primary').click();
  assert.match(await page.locator('tr[data-node=centre]').innerText(), /Chờ đăng ký/);

  // the node, started with only its id, control's URL and the code
  node = await new NodeProc({ nodeId: 'centre', controlUrl: env.url, enrolCode: code, dataDir: join(DATA, 'centre'), workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' }, 'ui-media-nodes-centre').start(60_000);
  const row = page.locator('tr[data-node=centre][data-online=true]');
  await row.waitFor({ timeout: 20_000 });
  await waitFor('load shown', async () => /\d+ MB/.test(await row.innerText()), 20_000);
  const text = await row.innerText();
  assert.match(text, /Trực tuyến/);
  assert.match(text, /\(gốc\)/);
  assert.match(text, /\d+ %/);
  await shot(page, 'media-nodes-online');

  // revoked: the list says so, and the node's link to control is cut
  await page.locator('tr[data-node=centre] [data-action=revoke]').click();
  await page.locator('tr[data-node=centre][data-state=revoked]').waitFor({ timeout: 10_000 });
  assert.match(await page.locator('tr[data-node=centre]').innerText(), /Đã thu hồi/);
  await waitFor('the node lost control', async () => (await node!.health()).control?.state !== 'connected', 15_000);
  await shot(page, 'media-nodes-revoked');
});
