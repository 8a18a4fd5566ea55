// The control service tells every node its ancestors in the planned tree (the
// node serving the parent site of its sites, and up), so a district node with
// a wrong parent URL, or whose parent is down when it starts, still gets the
// programme through the nearest live node above it, and settles under its
// planned parent once that one runs. Real control service (demo conference,
// real Redis), real node processes, an ffmpeg source at the centre, a
// libwebrtc hall at a Tràng Định commune.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort } from '../../infra/proc.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import { signToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { HallPeer } from './peer.js';
import { FfmpegFeed, NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-plantree-${randomBytes(4).toString('hex')}:`;
const DATA_DIR = `.cache/test-data/${PREFIX.slice(0, -1)}`;
const tok = (role: 'organizer' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', returnAfterMs: 1500 };

describe('nodes find their place from the planned tree', { timeout: 240_000 }, () => {
  let control: ControlHandle;
  let centre: NodeProc, langson: NodeProc, trangdinh: NodeProc, caoloc: NodeProc;
  let feed: FfmpegFeed;
  let peer: HallPeer;
  let sourceIds: string[];
  let wrongUrl = '';

  const parentOf = async (n: NodeProc) => {
    const p = (await n.health()).parent;
    return p?.state === 'connected' ? p.nodeId : undefined;
  };
  const receiving = (notConsumers: string[] = []) => waitFor('the commune receiving the centre', async () => {
    if (peer.programmeIds.slice().sort().join() !== sourceIds.join()) return false;
    if (peer.consumers.some((c) => notConsumers.includes(c.id))) return false;
    const v = (await peer.inbound()).find((x) => x.kind === 'video');
    return !!v && (v.framesDecoded ?? 0) > 5;
  }, 40_000);

  beforeAll(async () => {
    const controlPort = await freePort();
    const controlUrl = `http://127.0.0.1:${controlPort}`;
    control = await startControl({ port: controlPort, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: DATA_DIR, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
    centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'], controlUrl }, 'plantree-centre').start();
    // the province node's address is fixed, but it is not running yet
    langson = new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, controlUrl, listenPort: await freeUdpTcpPort('127.0.0.1'), rtcPort: await freeUdpTcpPort('127.0.0.1') }, 'plantree-langson');
    wrongUrl = `http://127.0.0.1:${await freePort()}`;
    caoloc = await new NodeProc({ ...base, nodeId: 'd-caoloc', sites: ['ls-caoloc', 'ls-caoloc-01'], parent: `http://127.0.0.1:${langson.config.listenPort}`, controlUrl }, 'plantree-caoloc').start();
    trangdinh = await new NodeProc({ ...base, nodeId: 'd-trangdinh', sites: ['ls-trangdinh', 'ls-trangdinh-01'], parent: wrongUrl, controlUrl }, 'plantree-trangdinh').start();
    const ingest = await centre.ingest(tok('organizer'), { site: 'tw' });
    sourceIds = ingest.streams.map((s) => s.producerId).sort();
    feed = new FfmpegFeed(ingest, { size: '320x180' }).start();
  });

  afterAll(async () => {
    await peer?.close();
    await feed?.stop();
    for (const n of [trangdinh, caoloc, langson, centre]) await n?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
  });

  test('a wrong parent URL and a parent down at start: both districts attach to the centre and the commune plays', async () => {
    await waitFor('both districts under the centre', async () => (await parentOf(trangdinh)) === 'centre' && (await parentOf(caoloc)) === 'centre', 30_000, 200);
    const h = await trangdinh.health();
    assert.equal(h.parent?.planned, wrongUrl);
    // the plan from control: the province node (whose address control learns only once it runs), then the centre
    assert.deepEqual(h.parent?.fallbacks, [centre.url]);
    peer = new HallPeer({ url: trangdinh.url, token: tok('viewer', 'ls-trangdinh-01'), site: 'ls-trangdinh-01' });
    await receiving();
  });

  test('the province node starts: both districts settle under it, the commune plays through it', async () => {
    const before = peer.consumers.map((c) => c.id);
    await langson.start();
    await waitFor('both districts under the province', async () => (await parentOf(trangdinh)) === 'langson' && (await parentOf(caoloc)) === 'langson', 40_000, 200);
    await receiving(before);
    assert.deepEqual((await centre.health()).children.map((c) => c.nodeId), ['langson']);
    assert.deepEqual((await langson.health()).children.map((c) => c.nodeId).sort(), ['d-caoloc', 'd-trangdinh']);
    assert.equal(peer.joins, 1, 'the commune kept its district node');
  });
});
