// A hall behind a firewall that lets only TCP 443 out: Chromium in a network
// namespace that can reach nothing of the host but three addresses on port 443
// — the media node's and the control service's https (behind TCP proxies, as
// behind a TLS terminator) and coturn's TURN over TLS. The media node itself
// listens on 127.0.0.1 only, so its own ICE candidates are out of reach: the
// hall plays through the TURN relay, with the short-lived credentials the node
// handed out (shared-secret scheme). Real coturn, real Chromium, ffmpeg source.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort, REPO_ROOT, type Service } from '../../infra/proc.js';
import { ensureTls, readTls, type TlsFiles } from '../../infra/tls.js';
import { startTurn } from '../../infra/turn.js';
import { IngestRes } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { launchChromium, type Chromium } from '../support/browser.js';
import { NetNs } from '../support/netns.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { FfmpegFeed, NodeProc } from '../media/procs.js';
import { ARTIFACTS, TcpRelay, ensureClientBuilt, hallLog, waitDecoding, waitFor } from './harness.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const TURN_SECRET = randomBytes(24).toString('hex');
const PREFIX = `t-turn-${randomBytes(4).toString('hex')}:`;
const TLS_DIR = resolve(REPO_ROOT, `.cache/test-data/${PREFIX.slice(0, -1)}-tls`);
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });

describe('only TCP 443 open', { timeout: 240_000 }, () => {
  let ns: NetNs;
  let tls: TlsFiles;
  let control: ControlHandle;
  let node: NodeProc;
  let turn: Service;
  let chrome: Chromium;
  let feed: FfmpegFeed;
  const relays: TcpRelay[] = [];
  let nodePublic = '';
  let controlPublic = '';

  beforeAll(async () => {
    await ensureClientBuilt();
    ns = NetNs.create('only443');
    const nodeIp = ns.addHostIp();
    const controlIp = ns.addHostIp();
    tls = ensureTls([ns.hostIp, nodeIp, controlIp], TLS_DIR);
    nodePublic = `https://${nodeIp}:443`;
    controlPublic = `https://${controlIp}:443`;
    const controlPort = await freePort();
    control = await startControl({
      port: controlPort, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`,
      demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET, tls: readTls(tls), mediaNodes: { centre: nodePublic },
    });
    relays.push(await TcpRelay.start(`https://127.0.0.1:${controlPort}`, { host: controlIp, port: 443 }));
    const nodePort = await freePort();
    node = new NodeProc({
      tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, nodeId: 'centre', sites: ['tw'], listenIp: '127.0.0.1', announcedIp: '127.0.0.1', listenPort: nodePort,
      controlUrl: `https://127.0.0.1:${controlPort}`, publicOrigins: [controlPublic], tls: { certFile: tls.certFile, keyFile: tls.keyFile },
      turn: { urls: [`turns:${ns.hostIp}:443?transport=tcp`], secret: TURN_SECRET, ttlSeconds: 600 },
    }, 'turn-centre');
    node.env = { NODE_EXTRA_CA_CERTS: tls.caFile };
    await node.start();
    relays.push(await TcpRelay.start(`https://127.0.0.1:${nodePort}`, { host: nodeIp, port: 443 }));
    turn = await startTurn({
      listenIp: ns.hostIp, tlsPort: 443, port: await freePort(), certFile: tls.certFile, keyFile: tls.keyFile, secret: TURN_SECRET,
      relayIp: '127.0.0.1', allowLoopbackPeers: true, logFile: 'test-artifacts/turn.log',
    });
    const r = await fetch(`${node.url.replace('https:', 'http:')}/health`).catch(() => null);
    assert.equal(r, null, 'the node serves https only');
    feed = new FfmpegFeed(await ingest(), { size: '320x180' }).start();
    chrome = await launchChromium({ trustCa: tls.caFile, netns: ns.name });
  });

  async function ingest(): Promise<IngestRes> {
    // from the host, trusting the test CA for this one call
    const { trustCa } = await import('../../infra/tls.js');
    trustCa(tls.caFile);
    const res = await fetch(`${node.url}/ingest`, { method: 'POST', headers: { authorization: `Bearer ${tok('organizer')}`, 'content-type': 'application/json' }, body: JSON.stringify({ site: 'tw' }) });
    assert.equal(res.status, 201, await res.clone().text());
    return IngestRes.parse(await res.json());
  }

  afterAll(async () => {
    await chrome?.close();
    await feed?.stop();
    for (const r of relays) await r.close();
    await turn?.stop();
    await node?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
    ns?.close();
    rmSync(TLS_DIR, { recursive: true, force: true });
  });

  test('the hall plays through TURN over TLS on 443', async () => {
    const hall = await chrome.page({ viewport: { width: 960, height: 540 }, permissions: [] });
    // nothing else of the host is reachable from the namespace: the node's own port is not
    const direct = await hall.evaluate(async (u) => fetch(u).then(() => 'reached', () => 'unreachable'), `https://${ns.hostIp}:${new URL(node.url).port}/health`);
    assert.equal(direct, 'unreachable');
    await hall.goto(`${nodePublic}/hall.html?site=tw&token=${encodeURIComponent(tok('viewer', 'tw'))}&control=${encodeURIComponent(controlPublic)}`);
    const first = await waitDecoding(hall, 'the hall decoding through the TURN relay', 45_000)
      .catch(async (err: Error) => { throw new Error(`${err.message}\n${await hallLog(hall)}`); });
    // frames keep coming, not a single keyframe
    const seen = await waitDecoding(hall, 'frames still coming through the relay', 20_000, first.stats!.video.framesDecoded + 25);
    assert.equal(seen.stats!.relayed, true, 'the media path goes through the TURN relay');
    assert.equal(seen.stats!.protocol, 'tcp');
    console.log(`[turn] hall decoding through TURN/TLS on 443: ${seen.stats!.video.framesDecoded} frames, rtt ${seen.stats!.rttMs ?? '?'} ms`);
    // the technician console reads the path from the node's stats, as the hall reported it
    const st = await waitFor('the node naming the hall path', async () => {
      const s = await node.stats(tok('organizer'));
      return s.streams.find((x) => x.hop === 'hall' && x.kind === 'video' && x.relayed !== undefined);
    }, 20_000);
    assert.equal(st.relayed, true);
    await hall.screenshot({ path: join(ARTIFACTS, 'e2e-turn-only-443.png') });
  });
});
