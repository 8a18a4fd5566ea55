// TLS everywhere, on an address other than 127.0.0.1: a browser in a network
// namespace reaches the control service and two media nodes by the host's
// address on a veth link, trusting the local CA the demo makes (imported into
// its own certificate store, as a person would). The studio page gets the
// camera (a secure context, which plain http would not give on this address),
// a province hall one hop down decodes it, and the node-to-node and
// node-to-control links run over wss with the same CA. The nodes take no
// invitation: both pages exchange theirs at control for media tokens.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort, REPO_ROOT } from '../../infra/proc.js';
import { ensureTls, readTls, type TlsFiles } from '../../infra/tls.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import { signToken } from '../../signaling/token.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { NetNs } from '../support/netns.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { NodeProc } from '../media/procs.js';
import { ARTIFACTS, ensureClientBuilt, hallView, studioPhase, waitDecoding, waitFor } from './harness.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-tls-${randomBytes(4).toString('hex')}:`;
const TLS_DIR = resolve(REPO_ROOT, `.cache/test-data/${PREFIX.slice(0, -1)}-tls`);
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });

describe('TLS on a non-loopback address', { timeout: 240_000 }, () => {
  let ns: NetNs;
  let tls: TlsFiles;
  let controlSvc: ControlHandle;
  let centre: NodeProc, langson: NodeProc;
  let chrome: Chromium;

  beforeAll(async () => {
    await ensureClientBuilt();
    ns = NetNs.create('tls');
    tls = ensureTls([ns.hostIp], TLS_DIR);
    const controlPort = await freePort();
    const controlUrl = `https://${ns.hostIp}:${controlPort}`;
    controlSvc = await startControl({
      port: controlPort, host: '0.0.0.0', redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`,
      demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET, tls: readTls(tls),
    });
    // the nodes take no invitation: pages exchange theirs at control for short-lived media tokens
    const node = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '0.0.0.0', announcedIp: ns.hostIp, controlUrl, tls: { certFile: tls.certFile, keyFile: tls.keyFile }, requireMediaTokens: true };
    centre = new NodeProc({ ...node, nodeId: 'centre', sites: ['tw'], listenPort: await freeUdpTcpPort('127.0.0.1') }, 'tls-centre');
    centre.env = { NODE_EXTRA_CA_CERTS: tls.caFile };
    await centre.start();
    langson = new NodeProc({ ...node, nodeId: 'langson', sites: ['ls'], parent: centre.url }, 'tls-langson');
    langson.env = { NODE_EXTRA_CA_CERTS: tls.caFile };
    await langson.start();
    chrome = await launchChromium({ trustCa: tls.caFile, netns: ns.name });
  });

  afterAll(async () => {
    await chrome?.close();
    for (const n of [langson, centre]) await n?.stop();
    await controlSvc?.close();
    await deletePrefix(PREFIX);
    ns?.close();
    rmSync(TLS_DIR, { recursive: true, force: true });
  });

  test('the nodes link over wss to each other and to control, and plain http is not served', async () => {
    assert.match(centre.url, /^https:\/\/10\./);
    // this process does not trust the demo CA: read the nodes' health from the browser, which does
    const page = await chrome.page({ viewport: { width: 800, height: 600 }, permissions: [] });
    // (each node's own page: a page of one node may not call another node, by its CSP)
    const health = async (url: string) => {
      const r = await page.goto(`${url}/health`);
      return JSON.parse(await r!.text());
    };
    await waitFor('the province linked to the centre over wss', async () => (await health(langson.url)).parent?.state === 'connected', 30_000);
    const h = await health(langson.url);
    assert.match(h.parent.url, /^https:/);
    await waitFor('both nodes linked to control over wss', async () =>
      (await health(centre.url)).control?.state === 'connected' && (await health(langson.url)).control?.state === 'connected', 30_000);
    const plain = await fetch(centre.url.replace('https:', 'http:') + '/health').then((r) => r.status, (e: Error) => e.message);
    assert.notEqual(plain, 200);
    await page.context().close();
  });

  test('from the namespace, the studio gets the camera over https and a province hall decodes it', async () => {
    const studio = await chrome.page({ viewport: { width: 960, height: 540 }, permissions: ['camera', 'microphone'] });
    const control = encodeURIComponent(`https://${ns.hostIp}:${controlSvc.port}`);
    await studio.goto(`${centre.url}/studio.html?site=tw&token=${encodeURIComponent(tok('organizer'))}&control=${control}`);
    assert.equal(await studio.evaluate(() => window.isSecureContext && location.protocol), 'https:');
    await waitFor('studio publishing', async () => (await studioPhase(studio)) === 'publishing', 30_000);
    const hall = await chrome.page({ viewport: { width: 960, height: 540 }, permissions: [] });
    await hall.goto(`${langson.url}/hall.html?site=ls&token=${encodeURIComponent(tok('viewer', 'ls'))}&control=${control}`);
    const seen = await waitDecoding(hall, 'the province hall decoding the studio over the veth link');
    assert.equal(seen.programme?.source, 'tw');
    assert.equal((await hallView(hall)).phase, 'playing');
    // the overlay reached control over https too (the maket shows)
    await hall.waitForSelector('#overlay [data-view]', { timeout: 20_000 });
    await hall.screenshot({ path: join(ARTIFACTS, 'e2e-tls-netns-hall.png') });
  });
});
