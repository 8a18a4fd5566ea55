// A hall behind a network that drops UDP: Chromium in a network namespace
// whose link to the host carries TCP only (every UDP packet dropped, both
// ways). The hall still plays, over ICE-TCP straight to its media node (the
// node's WebRTC port takes TCP too), with no TURN relay and no `tcp=1` in the
// link. Real node, real Chromium, ffmpeg source. Over https, as any hall on an
// address other than 127.0.0.1 must be: WebRTC pages need a secure context.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { rmSync } from 'node:fs';
import { REPO_ROOT } from '../../infra/proc.js';
import { ensureTls, trustCa, type TlsFiles } from '../../infra/tls.js';
import { signToken } from '../../signaling/token.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { NetNs } from '../support/netns.js';
import { FfmpegFeed, NodeProc } from '../media/procs.js';
import { ARTIFACTS, ensureClientBuilt, hallLog, waitDecoding } from './harness.js';

const CONF = 'ls-udp';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const TLS_DIR = resolve(REPO_ROOT, `.cache/test-data/udp-blocked-${randomBytes(3).toString('hex')}-tls`);
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });

describe('UDP blocked', { timeout: 180_000 }, () => {
  let ns: NetNs;
  let node: NodeProc;
  let feed: FfmpegFeed;
  let chrome: Chromium;
  let tls: TlsFiles;

  beforeAll(async () => {
    await ensureClientBuilt();
    ns = NetNs.create('noudp');
    ns.blockUdp();
    tls = ensureTls([ns.hostIp], TLS_DIR);
    trustCa(tls.caFile);
    node = await new NodeProc({
      tokenSecret: TOKEN_SECRET, nodeSecret: randomBytes(16).toString('hex'), workers: 1, nodeId: 'centre', sites: ['tw'],
      listenIp: ns.hostIp, announcedIp: ns.hostIp, rtcPort: await freeUdpTcpPort('127.0.0.1'), tls: { certFile: tls.certFile, keyFile: tls.keyFile },
    }, 'udp-blocked-centre').start();
    // the source sends from the host to the node's own address: not through the link
    feed = new FfmpegFeed(await node.ingest(tok('organizer'), { site: 'tw' }), { size: '320x180' }).start();
    chrome = await launchChromium({ netns: ns.name, trustCa: tls.caFile });
  });

  afterAll(async () => {
    await chrome?.close();
    await feed?.stop();
    await node?.stop();
    ns?.close();
    rmSync(TLS_DIR, { recursive: true, force: true });
  });

  test('the hall plays over ICE-TCP to its node', async () => {
    const hall = await chrome.page({ viewport: { width: 960, height: 540 }, permissions: [] });
    await hall.goto(`${node.url}/hall.html?site=tw&token=${encodeURIComponent(tok('viewer', 'tw'))}`);
    const first = await waitDecoding(hall, 'the hall decoding with UDP dropped', 60_000)
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await hallLog(hall)}`); });
    const seen = await waitDecoding(hall, 'frames still coming over TCP', 20_000, first.stats!.video.framesDecoded + 25);
    assert.equal(seen.stats!.protocol, 'tcp');
    assert.equal(seen.stats!.relayed, false);
    console.log(`[udp-blocked] hall decoding over ICE-TCP: ${seen.stats!.video.framesDecoded} frames`);
    await hall.screenshot({ path: join(ARTIFACTS, 'e2e-udp-blocked.png') });
  });
});
