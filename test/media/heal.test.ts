// A cascade heals by itself: a district started before its province node exists,
// and a province unreachable for 20 s (frozen, as a WAN outage looks), both
// longer than any fixed retry budget; the commune gets the centre feed each time.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { freeUdpTcpPort } from '../../media/workers.js';
import { signToken } from '../../signaling/token.js';
import { HallPeer } from './peer.js';
import { FfmpegFeed, NodeProc, sleep, waitFor } from './procs.js';

const CONF = 'ls-heal';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
// default retry backoff (0.5 s doubling to 15 s): what production runs
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, returnAfterMs: 2000 };

describe('the cascade heals without anyone touching it', { timeout: 240_000 }, () => {
  const centre = new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] }, 'heal-centre');
  let langson: NodeProc;
  let district: NodeProc;
  let feed: FfmpegFeed;
  let peer: HallPeer;
  let sourceIds: string[];

  beforeAll(async () => {
    await centre.start();
    const ingest = await centre.ingest(tok('organizer'), { site: 'tw' });
    sourceIds = ingest.streams.map((s) => s.producerId).sort();
    feed = new FfmpegFeed(ingest, { size: '320x180' }).start();
    langson = new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, listenPort: await freeUdpTcpPort('127.0.0.1') }, 'heal-langson');
  });

  afterAll(async () => {
    await peer?.close();
    await feed?.stop();
    for (const n of [district, langson, centre]) await n?.stop();
  });

  async function receiving(minVideo: number, notConsumers: string[] = []) {
    return waitFor('commune receiving the centre feed', async () => {
      if (peer.programmeIds.slice().sort().join() !== sourceIds.join()) return false;
      if (peer.consumers.some((c) => notConsumers.includes(c.id))) return false;
      const inb = await peer.inbound();
      const v = inb.find((x) => x.kind === 'video');
      const a = inb.find((x) => x.kind === 'audio');
      return v && a && v.packets >= minVideo && a.packets >= 20 && (v.framesDecoded ?? 0) > 5 ? inb : false;
    }, 60_000);
  }

  test('a district started before its parent exists gets media once the parent appears', async () => {
    district = await new NodeProc({ ...base, nodeId: 'd-binhgia', sites: ['ls-binhgia', 'ls-binhgia-01'], parent: `http://127.0.0.1:${langson.config.listenPort}` }, 'heal-binhgia').start();
    peer = new HallPeer({ url: district.url, token: tok('viewer', 'ls-binhgia-01'), site: 'ls-binhgia-01' });
    await waitFor('commune joined', () => peer.joins > 0);
    // more than the five tries a hop used to get before giving up
    await waitFor('the district to have tried its absent parent more than five times', async () =>
      ((await district.health()).parent?.failedAttempts ?? 0) > 5, 60_000);
    assert.notEqual((await district.health()).parent?.state, 'connected');
    assert.equal(peer.programmeIds.length, 0);
    await langson.start();
    await receiving(40);
    assert.equal((await district.health()).parent?.state, 'connected');
  });

  test('a province unreachable for 20 s: the district moves to the centre meanwhile, the commune keeps the feed, and the district goes back after', async () => {
    const before = peer.consumers.map((c) => c.id);
    const pid = langson.pid!;
    // frozen, as a hung host looks: no TCP reset, only silence. Its mediasoup worker (another process)
    // keeps forwarding, so the heartbeat sees media still arriving and the socket's own ping timeout decides
    process.kill(pid, 'SIGSTOP');
    const frozenAt = Date.now();
    try {
      await waitFor('the district attached to the centre', async () => {
        const p = (await district.health()).parent;
        return p?.nodeId === 'centre' && p.state === 'connected';
      }, 30_000, 100);
      const movedMs = Date.now() - frozenAt;
      // fresh consumers (the programme went empty and came back through the centre)
      await receiving(40, before);
      console.log(`[heal] province frozen → district on the centre after ${movedMs} ms, commune receiving after ${Date.now() - frozenAt} ms`);
      // the outage itself lasts 20 s (the scenario, not a wait for a condition)
      await sleep(Math.max(0, frozenAt + 20_000 - Date.now()));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const during = peer.consumers.map((c) => c.id);
    await waitFor('the district back under the province', async () => {
      const p = (await district.health()).parent;
      return p?.nodeId === 'langson' && p.state === 'connected';
    }, 60_000, 200);
    await receiving(40, during);
    assert.deepEqual((await centre.health()).children.map((c) => c.nodeId), ['langson']);
    assert.equal(peer.joins, 1, 'the commune kept its district node');
  });
});
