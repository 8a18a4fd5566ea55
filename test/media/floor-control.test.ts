// The floor follows the control service: a grant recorded in control (no
// organizer page involved) switches every hall; a root node that restarts, a
// control service that restarts, and a floor changed at the media node behind
// control's back all end with the programme control recorded; ending the
// conference in control frees every mediasoup object it held on every node.
// What goes on air is the contribution bound to the grant: a second producer of
// the floor site never reaches the programme, not even across a root restart.
// Real control
// service (demo conference, real Redis), real media node processes, an ffmpeg
// source at the centre, an ffmpeg contribution at Cao Lộc, a libwebrtc hall
// at a Tràng Định commune.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort } from '../../infra/proc.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import type { NodeObjects } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { HallPeer } from './peer.js';
import { FfmpegFeed, NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-floorctl-${randomBytes(4).toString('hex')}:`;
const DATA_DIR = `.cache/test-data/${PREFIX.slice(0, -1)}`;
const tok = (role: 'organizer' | 'technician' | 'viewer', site?: string) => signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const ORG = tok('organizer');
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' };

describe('the floor follows the control service', { timeout: 240_000 }, () => {
  let controlPort: number;
  let control: ControlHandle | null = null;
  let centre: NodeProc, langson: NodeProc, trangdinh: NodeProc, caoloc: NodeProc;
  let hall: HallPeer;
  const feeds: FfmpegFeed[] = [];
  let floorIds: string[] = [];
  const idle = new Map<string, NodeObjects>();
  let sourceIds: string[] = [];

  const startControlService = async () => {
    control = await startControl({
      port: controlPort, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: DATA_DIR, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET,
    });
  };
  const grant = async (site: string | null, console?: string) => {
    const r = await fetch(`${control!.url}/api/conferences/${CONF}/floor/grant`, {
      method: 'POST', headers: { authorization: `Bearer ${ORG}`, 'content-type': 'application/json' }, body: JSON.stringify({ site, ...(console ? { console } : {}) }),
    });
    assert.equal(r.status, 200, await r.clone().text());
  };
  const floorInControl = async () => {
    const r = await fetch(`${control!.url}/api/conferences/${CONF}/floor`, { headers: { authorization: `Bearer ${ORG}` } });
    return ((await r.json()) as { data: { granted: string | null; console?: string | null } }).data;
  };
  let firstContribution = '';
  let secondIds: string[] = [];
  const floorAtRoot = async () => (await centre.health().catch(() => null))?.conferences.find((c) => c.conf === CONF)?.floor;
  const ingestSource = async () => {
    const ingest = await centre.ingest(ORG, { site: 'tw' });
    sourceIds = ingest.streams.map((s) => s.producerId).sort();
    feeds.push(new FfmpegFeed(ingest, { size: '320x180' }).start());
  };
  async function receiving(ids: string[], what: string) {
    const before = (await hall.inbound()).find((x) => x.kind === 'video')?.framesDecoded ?? 0;
    return waitFor(what, async () => {
      if (hall.programmeIds.slice().sort().join() !== ids.join()) return false;
      const inb = await hall.inbound();
      const v = inb.find((x) => x.kind === 'video');
      const a = inb.find((x) => x.kind === 'audio');
      return !!v && !!a && a.packets > 10 && (v.framesDecoded ?? 0) > before + 5;
    }, 40_000);
  }

  beforeAll(async () => {
    controlPort = await freePort();
    const controlUrl = `http://127.0.0.1:${controlPort}`;
    // fixed ports for the root, so a restart comes back where its children and halls expect it
    centre = new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'], controlUrl, listenPort: await freeUdpTcpPort('127.0.0.1'), rtcPort: await freeUdpTcpPort('127.0.0.1') }, 'floorctl-centre');
    await centre.start();
    langson = await new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, controlUrl }, 'floorctl-langson').start();
    trangdinh = new NodeProc({ ...base, nodeId: 'd-trangdinh', sites: ['ls-trangdinh', 'ls-trangdinh-01'], parent: langson.url, controlUrl }, 'floorctl-trangdinh');
    caoloc = new NodeProc({ ...base, nodeId: 'd-caoloc', sites: ['ls-caoloc', 'ls-caoloc-01'], parent: langson.url, controlUrl }, 'floorctl-caoloc');
    await Promise.all([trangdinh.start(), caoloc.start()]);
    await startControlService();
    for (const n of [centre, langson, trangdinh, caoloc]) idle.set(n.nodeId, (await n.health()).objects);
    await waitFor('districts registered', async () => (await langson.health()).children.length === 2);
    await ingestSource();
    const contribution = await caoloc.ingest(tok('technician', 'ls-caoloc'), { site: 'ls-caoloc' });
    floorIds = contribution.streams.map((s) => s.producerId).sort();
    firstContribution = contribution.contribution!;
    feeds.push(new FfmpegFeed(contribution, { pattern: 'smptebars', size: '320x180', tone: 660 }).start());
    hall = new HallPeer({ url: trangdinh.url, token: tok('viewer', 'ls-trangdinh-01'), site: 'ls-trangdinh-01' });
    await receiving(sourceIds, 'the commune playing the centre');
  });

  afterAll(async () => {
    await hall?.close();
    for (const f of feeds) await f.stop();
    await control?.close();
    for (const n of [caoloc, trangdinh, langson, centre]) await n?.stop();
    await deletePrefix(PREFIX);
  });

  test('a grant recorded in control switches the hall, with no organizer page open', async () => {
    const t0 = Date.now();
    await grant('ls-caoloc');
    await waitFor('the root node to take the floor from control', async () => (await floorAtRoot()) === 'ls-caoloc', 10_000, 50);
    const atRoot = Date.now() - t0;
    // the programme names the floor once the contribution has come up to the root and back down
    await waitFor('the commune programme to name Cao Lộc', () => hall.programme?.floor === 'ls-caoloc', 10_000, 50);
    console.log(`[floor-control] grant → root node switched in ${atRoot} ms, commune programme in ${Date.now() - t0} ms`);
    await receiving(floorIds, 'the commune playing Cao Lộc');
  });

  test('a second producer of the floor site (not the granted one) never reaches the programme', async () => {
    // the grant named no contribution: the root bound the first to arrive, and control recorded it
    await waitFor('control to record the bound contribution', async () => (await floorInControl()).console === firstContribution, 10_000, 50);
    const second = await caoloc.ingest(tok('technician', 'ls-caoloc'), { site: 'ls-caoloc', contribution: 'second-camera' });
    assert.equal(second.contribution, 'second-camera');
    secondIds = second.streams.map((x) => x.producerId).sort();
    feeds.push(new FfmpegFeed(second, { pattern: 'rgbtestsrc', size: '320x180', tone: 880 }).start());
    // it is newer than the granted one and produces for seconds: the programme never names it
    const until = Date.now() + 4000;
    while (Date.now() < until) {
      assert.deepEqual(hall.programmeIds.slice().sort(), floorIds, 'the hall stays on the granted contribution');
      const prog = (await langson.health()).conferences.find((c) => c.conf === CONF);
      assert.equal(prog?.contribution, firstContribution, 'the province node relays the bound contribution');
      await new Promise((r) => setTimeout(r, 200));
    }
    // the organizer binds the grant to the second camera on purpose: then, and only then, it goes on air
    await grant('ls-caoloc', 'second-camera');
    await receiving(secondIds, 'the commune playing the second camera once granted to it');
    await grant('ls-caoloc', firstContribution);
    await receiving(floorIds, 'the commune back on the first camera');
  });

  test('a floor changed at the media node behind control\'s back is put back', async () => {
    const r = await centre.post('/floor', ORG, { site: null });
    assert.equal(r.status, 200);
    const t0 = Date.now();
    await waitFor('control to put Cao Lộc back on the floor', async () => (await floorAtRoot()) === 'ls-caoloc', 10_000, 50);
    console.log(`[floor-control] floor changed at the node → repaired by control in ${Date.now() - t0} ms`);
    await waitFor('the commune back on Cao Lộc', () => hall.programme?.floor === 'ls-caoloc', 10_000, 50);
  });

  test('the root node restarts while Cao Lộc holds the floor: control gives it the floor again', async () => {
    await centre.stop('SIGKILL');
    await centre.start();
    const t0 = Date.now();
    await waitFor('the restarted root to hold the floor again', async () => (await floorAtRoot()) === 'ls-caoloc', 15_000, 50);
    console.log(`[floor-control] root node back → floor restored in ${Date.now() - t0} ms`);
    await ingestSource();
    await waitFor('the commune programme to name Cao Lộc after the restart', () => hall.programme?.floor === 'ls-caoloc', 40_000);
    // both cameras of Cao Lộc come up again in whatever order: the bound one, recorded in control, is on air
    await receiving(floorIds, 'the commune playing Cao Lộc after the root restart');
    assert.ok(!hall.programmeIds.some((id) => secondIds.includes(id)));
  });

  test('the control service restarts: nothing changes on air', async () => {
    const seen = new Set<string | null | undefined>();
    let sampling = true;
    const sampler = (async () => { while (sampling) { seen.add(await floorAtRoot()); await new Promise((r) => setTimeout(r, 100)); } })();
    await control!.close();
    control = null;
    await new Promise((r) => setTimeout(r, 1500)); // the outage itself
    await startControlService();
    await waitFor('the root node to report to the restarted control service', async () => {
      const r = await fetch(`${control!.url}/healthz`);
      return r.ok;
    });
    // two report periods after control is back
    await new Promise((r) => setTimeout(r, 2500));
    sampling = false;
    await sampler;
    assert.deepEqual([...seen], ['ls-caoloc'], 'the floor at the root never moved');
    assert.equal(hall.programme?.floor, 'ls-caoloc');
  });

  test('taking the floor back in control returns the hall to the centre', async () => {
    await grant(null);
    await waitFor('the root node to give the floor back', async () => (await floorAtRoot()) === null, 10_000, 50);
    await receiving(sourceIds, 'the commune playing the centre again');
    assert.equal(hall.programme?.floor, null);
  });

  test('ending the conference in control frees every router, transport, producer, consumer and port on every node', async () => {
    const nodes = [centre, langson, trangdinh, caoloc];
    const busy = await Promise.all(nodes.map(async (n) => (await n.health()).objects));
    assert.ok(busy.every((o) => o.routers > 0), `every node holds the conference: ${JSON.stringify(busy)}`);
    for (const state of ['rehearsal', 'live', 'ended']) {
      const r = await fetch(`${control!.url}/api/conferences/${CONF}/state`, {
        method: 'POST', headers: { authorization: `Bearer ${ORG}`, 'content-type': 'application/json' }, body: JSON.stringify({ state }),
      });
      assert.ok(r.status === 200 || r.status === 409, `${state}: ${r.status}`);
    }
    const t0 = Date.now();
    for (const n of nodes) {
      await waitFor(`${n.nodeId} back to its idle objects ${JSON.stringify(idle.get(n.nodeId))}`, async () => {
        const h = await n.health();
        return JSON.stringify(h.objects) === JSON.stringify(idle.get(n.nodeId)) && !h.conferences.some((c) => c.conf === CONF);
      }, 15_000, 100);
    }
    console.log(`[floor-control] conference ended → every node back to idle in ${Date.now() - t0} ms`);
    // the hall keeps trying, and is refused: nothing comes back
    await new Promise((r) => setTimeout(r, 2000)); // two report periods
    for (const n of nodes) assert.deepEqual((await n.health()).objects, idle.get(n.nodeId), `${n.nodeId} stays idle`);
  });
});
