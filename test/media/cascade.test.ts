// The media cascade end to end at Node level: four media node processes
// (centre → province → two districts), an ffmpeg VP8/Opus feed ingested at the
// centre, and libwebrtc peers as commune halls under the two districts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { freeUdpTcpPort } from '../../media/workers.js';
import type { StatsRes, StreamStats } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { HallPeer } from './peer.js';
import { FfmpegFeed, NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const tok = (role: 'organizer' | 'technician' | 'viewer', site?: string) =>
  signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const ORG = tok('organizer');

const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', returnAfterMs: 2000 };

const packetsOf = (s: StatsRes, f: (x: StreamStats) => boolean) => s.streams.filter(f).reduce((n, x) => n + x.packets, 0);

describe('media cascade centre → province → districts → communes', { timeout: 240_000 }, () => {
  const centre = new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] });
  let langson: NodeProc;
  const trangdinh = new NodeProc({ ...base, nodeId: 'd-trangdinh', sites: ['ls-trangdinh', 'ls-trangdinh-01', 'ls-trangdinh-02'] });
  let caoloc: NodeProc;
  const feeds: FfmpegFeed[] = [];
  const peers: HallPeer[] = [];
  let pTrangdinh: HallPeer;
  let pCaoloc: HallPeer;
  let sourceIds: string[] = [];

  beforeAll(async () => {
    await centre.start();
    langson = new NodeProc({
      ...base,
      nodeId: 'langson',
      sites: ['ls', 'ls-vanlang', 'ls-vanlang-01'],
      parent: centre.url,
      listenPort: await freeUdpTcpPort('127.0.0.1'),
    });
    await langson.start();
    trangdinh.config.parent = langson.url;
    caoloc = new NodeProc({
      ...base,
      nodeId: 'd-caoloc',
      sites: ['ls-caoloc', 'ls-caoloc-01'],
      parent: langson.url,
      // fixed ports so a restart comes back where the halls expect it
      listenPort: await freeUdpTcpPort('127.0.0.1'),
      rtcPort: await freeUdpTcpPort('127.0.0.1'),
    });
    await Promise.all([trangdinh.start(), caoloc.start()]);
    await waitFor('districts registered', async () => (await langson.health()).children.length === 2);

    const ingest = await centre.ingest(ORG, { site: 'tw' });
    assert.equal(ingest.streams.length, 2);
    sourceIds = ingest.streams.map((s) => s.producerId).sort();
    feeds.push(new FfmpegFeed(ingest, { pattern: 'testsrc2' }).start());

    pTrangdinh = new HallPeer({ url: trangdinh.url, token: tok('viewer', 'ls-trangdinh-01'), site: 'ls-trangdinh-01' });
    pCaoloc = new HallPeer({ url: caoloc.url, token: tok('viewer', 'ls-caoloc-01'), site: 'ls-caoloc-01' });
    peers.push(pTrangdinh, pCaoloc);
  });

  afterAll(async () => {
    for (const p of peers) await p.close();
    for (const f of feeds) await f.stop();
    for (const n of [caoloc, trangdinh, langson, centre]) await n?.stop();
  });

  async function receiving(peer: HallPeer, ids: string[], minVideo = 40) {
    return waitFor(`${peer.o.site} receiving ${ids.join(',')}`, async () => {
      const progIds = peer.programmeIds.slice().sort();
      if (progIds.join() !== ids.slice().sort().join()) return false;
      const inb = await peer.inbound();
      const v = inb.find((x) => x.kind === 'video');
      const a = inb.find((x) => x.kind === 'audio');
      return v && a && v.packets >= minVideo && a.packets >= 20 && (v.framesDecoded ?? 0) > 5 ? inb : false;
    }, 40_000);
  }

  test('the centre feed reaches communes under two districts, counted at every hop', async () => {
    await receiving(pTrangdinh, sourceIds);
    await receiving(pCaoloc, sourceIds);

    const sc = await centre.stats(ORG);
    const sl = await langson.stats(ORG);
    const st = await trangdinh.stats(ORG);
    const sk = await caoloc.stats(ORG);
    for (const kind of ['video', 'audio'] as const) {
      assert.ok(packetsOf(sc, (x) => x.hop === 'source' && x.kind === kind) > 0, `centre source ${kind}`);
      assert.ok(packetsOf(sc, (x) => x.hop === 'pipe' && x.direction === 'out' && x.peer === 'langson' && x.kind === kind) > 0, `centre→langson ${kind}`);
      assert.ok(packetsOf(sl, (x) => x.hop === 'pipe' && x.direction === 'in' && x.peer === 'centre' && x.kind === kind) > 0, `langson←centre ${kind}`);
      for (const d of ['d-trangdinh', 'd-caoloc']) {
        assert.ok(packetsOf(sl, (x) => x.hop === 'pipe' && x.direction === 'out' && x.peer === d && x.kind === kind) > 0, `langson→${d} ${kind}`);
      }
      for (const s of [st, sk]) {
        assert.ok(packetsOf(s, (x) => x.hop === 'pipe' && x.direction === 'in' && x.peer === 'langson' && x.kind === kind) > 0, `${s.nodeId}←langson ${kind}`);
      }
    }
    // each commune's consumers live on its own district's node, and only there
    const hallSites = (s: StatsRes) => new Set(s.streams.filter((x) => x.hop === 'hall' && x.packets > 0).map((x) => x.site));
    assert.deepEqual([...hallSites(st)], ['ls-trangdinh-01']);
    assert.deepEqual([...hallSites(sk)], ['ls-caoloc-01']);
    assert.equal(hallSites(sc).size, 0);
    assert.equal(hallSites(sl).size, 0);
    const hallVideo = st.streams.find((x) => x.hop === 'hall' && x.kind === 'video')!;
    assert.equal(hallVideo.peer, pTrangdinh.socket.id);
    assert.ok(hallVideo.bitrate > 0);
  });

  test('a child node with a wrong NODE_SECRET is refused', async () => {
    const intruder = new NodeProc({ ...base, nodeSecret: 'not-the-node-secret', nodeId: 'intruder', sites: ['ls-bacson'], parent: langson.url });
    try {
      await intruder.start();
      await waitFor('intruder refused', async () => (await intruder.health()).parent?.state === 'refused');
      assert.ok(!(await langson.health()).children.some((c) => c.nodeId === 'intruder'));
      await waitFor('refusal logged by the parent', () => /node connection refused/.test(langson.output));
      assert.match(intruder.output, /parent node refused this node/);
    } finally {
      await intruder.stop();
    }
  });

  test('malformed and unauthorised requests are refused and change nothing', async () => {
    const before = await langson.health();
    const bad = await centre.post('/floor', tok('viewer', 'ls-caoloc-01'), { site: 'ls-caoloc' });
    assert.equal(bad.status, 403);
    const malformed = await centre.post('/floor', ORG, { site: 42 });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.code, 'BAD_REQUEST');
    const r = await fetch(`${centre.url}/stats`);
    assert.equal(r.status, 401);
    const { call } = await import('./peer.js');
    await assert.rejects(call(pCaoloc.socket, 'media:consumer:layers', { consumerId: 7 }), /BAD_REQUEST/);
    await assert.rejects(call(pCaoloc.socket, 'media:floor:set', { site: 'ls-caoloc' }), /FORBIDDEN/);
    await assert.rejects(call(pCaoloc.socket, 'media:produce', { transportId: 'x', kind: 'video', rtpParameters: {} }), /FORBIDDEN/);
    assert.deepEqual((await langson.health()).conferences, before.conferences);
    assert.equal(pCaoloc.programme?.floor, null);
  });

  test('an ingest told the sender address takes RTP from it, and a contribution stays local without the floor', async () => {
    const from = await freeUdpTcpPort('127.0.0.1');
    const ingest = await langson.ingest(tok('technician', 'ls-vanlang'), {
      site: 'ls-vanlang',
      streams: [{ kind: 'video', payloadType: 96, ssrc: 4242, remote: { ip: '127.0.0.1', port: from, rtcpPort: from + 1 } }],
    });
    assert.equal(ingest.streams[0]!.payloadType, 96);
    assert.equal(ingest.streams[0]!.ssrc, 4242);
    const feed = new FfmpegFeed(ingest, { pattern: 'rgbtestsrc', size: '320x180', fromPorts: { video: from } }).start();
    try {
      const id = ingest.streams[0]!.producerId;
      await waitFor('explicit ingest receiving', async () => {
        const s = await langson.stats(ORG);
        return packetsOf(s, (x) => x.hop === 'source' && x.site === 'ls-vanlang') > 25;
      });
      const relayed = (s: StatsRes) => s.streams.some((x) => x.hop === 'pipe' && x.producerId === id);
      assert.ok(!relayed(await langson.stats(ORG)) && !relayed(await centre.stats(ORG)));
    } finally {
      await feed.stop();
    }
  });

  test('a district takes the floor, another district hears it, taking it back tears the upstream relay down', async () => {
    const ingest = await trangdinh.ingest(tok('technician', 'ls-trangdinh'), { site: 'ls-trangdinh' });
    const floorIds = ingest.streams.map((s) => s.producerId).sort();
    const feed = new FfmpegFeed(ingest, { pattern: 'smptebars', tone: 660 }).start();
    feeds.push(feed);
    // nothing moves up before the floor is given, though the district node is receiving it
    await waitFor('the contribution arriving at the district node', async () =>
      packetsOf(await trangdinh.stats(ORG), (x) => x.hop === 'source' && x.site === 'ls-trangdinh') > 50);
    assert.equal(packetsOf(await langson.stats(ORG), (x) => x.hop === 'pipe' && floorIds.includes(x.producerId)), 0);

    // the organizer's request may reach any node: it is forwarded to the root
    const given = await caoloc.post('/floor', ORG, { site: 'ls-trangdinh' });
    assert.equal(given.status, 200, JSON.stringify(given.json));
    await receiving(pCaoloc, floorIds, 30);
    assert.equal(pCaoloc.programme?.source, 'ls-trangdinh');
    assert.equal(pCaoloc.programme?.floor, 'ls-trangdinh');
    await receiving(pTrangdinh, floorIds, 30);
    const sc = await centre.stats(ORG);
    assert.ok(packetsOf(sc, (x) => x.hop === 'pipe' && x.direction === 'in' && x.peer === 'langson' && floorIds.includes(x.producerId)) > 0, 'floor media reached the root');

    const back = await centre.post('/floor', ORG, { site: null });
    assert.equal(back.status, 200);
    await receiving(pCaoloc, sourceIds, 30);
    assert.equal(pCaoloc.programme?.floor, null);
    await waitFor('upstream relay torn down', async () => {
      const [t, l, c] = await Promise.all([trangdinh.stats(ORG), langson.stats(ORG), centre.stats(ORG)]);
      const up = (s: StatsRes) => s.streams.filter((x) => x.hop === 'pipe' && floorIds.includes(x.producerId)).length;
      return up(t) === 0 && up(l) === 0 && up(c) === 0;
    });
    // the contribution keeps arriving locally at the district, it just stays there
    const t = await trangdinh.stats(ORG);
    assert.ok(t.streams.some((x) => x.hop === 'source' && x.site === 'ls-trangdinh' && x.packets > 0));
    await feed.stop();
  });

  test('a district node restart: the commune gets media again by itself', async () => {
    const joinsBefore = pCaoloc.joins;
    await caoloc.stop('SIGKILL');
    await waitFor('langson noticed', async () => !(await langson.health()).children.some((c) => c.nodeId === 'd-caoloc'));
    await caoloc.start();
    await waitFor('rejoined', () => pCaoloc.joins > joinsBefore, 30_000);
    await receiving(pCaoloc, sourceIds, 40);
    const sk = await caoloc.stats(ORG);
    assert.ok(packetsOf(sk, (x) => x.hop === 'pipe' && x.direction === 'in' && x.peer === 'langson') > 0);
  });

  test('a province node killed: both districts go to the centre meanwhile, and back when it restarts; their communes get media each time', async () => {
    const joins = [pTrangdinh.joins, pCaoloc.joins];
    let versions = [pTrangdinh.programme!.version, pCaoloc.programme!.version];
    await langson.stop('SIGKILL');
    // the nearest live ancestor takes the districts (they learned it when they registered)
    await waitFor('districts attached to the centre', async () =>
      (await centre.health()).children.map((c) => c.nodeId).sort().join() === 'd-caoloc,d-trangdinh', 20_000);
    // fresh consumers (the programme went empty and came back), receiving again
    await waitFor('programme pushed again', () => pTrangdinh.programme!.version > versions[0]! + 1 && pCaoloc.programme!.version > versions[1]! + 1);
    await receiving(pTrangdinh, sourceIds, 40);
    await receiving(pCaoloc, sourceIds, 40);
    versions = [pTrangdinh.programme!.version, pCaoloc.programme!.version];
    await langson.start();
    await waitFor('districts re-registered', async () => (await langson.health()).children.length === 2, 30_000);
    assert.deepEqual((await centre.health()).children.map((c) => c.nodeId), ['langson']);
    await waitFor('programme pushed again', () => pTrangdinh.programme!.version > versions[0]! + 1 && pCaoloc.programme!.version > versions[1]! + 1);
    await receiving(pTrangdinh, sourceIds, 40);
    await receiving(pCaoloc, sourceIds, 40);
    // the halls kept their district node: no re-join was needed, only a re-consume
    assert.deepEqual([pTrangdinh.joins, pCaoloc.joins], joins);
  });
});
