// Browser-path media at Node level: a studio producing VP8 simulcast (3 layers)
// over /hall at the root, halls consuming it two hops down with a preferred
// layer, TCP fallback, the technician's media:stats, and a contributor taking
// the floor via the organizer's socket event.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { io } from 'socket.io-client';
import { HALL_NAMESPACE, HallEvents, type Programme, type StatsRes } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { call, HallPeer, ProducerPeer } from './peer.js';
import { NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const tok = (role: 'organizer' | 'technician' | 'viewer' | 'participant', site?: string) =>
  signToken(TOKEN_SECRET, { role, conf: CONF, ...(site ? { site } : {}) });
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1 };

describe('studio simulcast and contributor floor through the cascade', { timeout: 180_000 }, () => {
  const centre = new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] }, 'studio-centre');
  let langson: NodeProc;
  let district: NodeProc;
  let studio: ProducerPeer;
  let contributor: ProducerPeer | undefined;
  const peers: HallPeer[] = [];

  beforeAll(async () => {
    await centre.start();
    langson = await new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url }, 'studio-langson').start();
    district = await new NodeProc({ ...base, nodeId: 'd-vanquan', sites: ['ls-vanquan', 'ls-vanquan-01', 'ls-vanquan-02'], parent: langson.url }, 'studio-vanquan').start();
    await waitFor('chain registered', async () => (await langson.health()).children.length === 1 && (await centre.health()).children.length === 1);
    studio = await ProducerPeer.start({ url: centre.url, token: tok('organizer'), site: 'tw', role: 'studio', simulcast: true });
  });

  afterAll(async () => {
    for (const p of peers) await p.close();
    await contributor?.close();
    await studio?.close();
    for (const n of [district, langson, centre]) await n?.stop();
  });

  test('only an organizer may be the studio', async () => {
    const s = io(new URL(HALL_NAMESPACE, district.url).toString(), { auth: { token: tok('viewer', 'ls-vanquan-01') }, transports: ['websocket'] });
    try {
      await assert.rejects(call(s, HallEvents.join, { site: 'ls-vanquan-01', role: 'studio' }), /FORBIDDEN/);
      await assert.rejects(call(s, HallEvents.join, { site: 'ls-vanquan-02', role: 'hall' }), /FORBIDDEN/);
      await assert.rejects(call(s, HallEvents.join, { site: 'tw', role: 'hall' }), /NOT_FOUND|FORBIDDEN/);
    } finally {
      s.close();
    }
  });

  test('a commune consumes the studio simulcast two hops down, picks a layer, and UDP-less halls use TCP', async () => {
    const udp = new HallPeer({ url: district.url, token: tok('viewer', 'ls-vanquan-01'), site: 'ls-vanquan-01' });
    const tcp = new HallPeer({ url: district.url, token: tok('viewer', 'ls-vanquan-02'), site: 'ls-vanquan-02', forceTcp: true }).startPlaybackReports();
    peers.push(udp, tcp);
    for (const p of [udp, tcp]) {
      await waitFor(`${p.o.site} decoding the studio`, async () => {
        if (p.programme?.source !== 'tw') return false;
        const v = (await p.inbound()).find((x) => x.kind === 'video');
        return v && (v.framesDecoded ?? 0) > 10;
      }, 45_000);
    }
    const tech = tok('technician', 'ls-vanquan');
    const hallVideo = async (site: string) => (await district.stats(tech)).streams.find((x) => x.hop === 'hall' && x.kind === 'video' && x.site === site);
    // every layer travels the pipes; the hall consumer is a simulcast consumer
    const pipeIn = (await district.stats(tech)).streams.find((x) => x.hop === 'pipe' && x.kind === 'video');
    assert.ok(pipeIn && pipeIn.packets > 0);
    // the studio sends several layers (libwebrtc may hold the top one back on a busy machine)
    const src = await waitFor('studio layers', async () => {
      const v = (await centre.stats(tok('organizer'))).streams.find((x) => x.hop === 'source' && x.kind === 'video');
      return v && (v.spatialLayer ?? 0) >= 1 ? v : false;
    });
    assert.ok(src.packets > 0);
    const vc = udp.consumers.find((c) => c.kind === 'video')!;
    assert.equal(vc.rtpParameters.encodings?.length, 1);
    // the hall asks for the lowest layer for its poor link
    await call(udp.socket, HallEvents.setPreferredLayers, { consumerId: vc.id, spatialLayer: 0 });
    await waitFor('spatial layer 0 at the hall', async () => (await hallVideo('ls-vanquan-01'))?.spatialLayer === 0, 20_000);
    await call(udp.socket, HallEvents.setPreferredLayers, { consumerId: vc.id, spatialLayer: 2 });
    await waitFor('higher layer back', async () => ((await hallVideo('ls-vanquan-01'))?.spatialLayer ?? 0) > 0, 30_000);

    // the technician's console gets the same figures over the socket, with each hall's fps as its page reports it
    const consoleSock = io(new URL(HALL_NAMESPACE, district.url).toString(), { auth: { token: tech }, transports: ['websocket'] });
    try {
      await call(consoleSock, HallEvents.join, { site: 'ls-vanquan', role: 'console' });
      const s = await waitFor('console stats with fps', async () => {
        const r = await call<StatsRes>(consoleSock, HallEvents.stats, {});
        const v = r.streams.find((x) => x.hop === 'hall' && x.kind === 'video' && x.site === 'ls-vanquan-02');
        return v && v.fps !== undefined && v.fps > 0 ? r : false;
      }, 15_000, 500);
      assert.equal(s.nodeId, 'd-vanquan');
      const v = s.streams.find((x) => x.hop === 'hall' && x.kind === 'video' && x.site === 'ls-vanquan-02')!;
      assert.ok(v.bitrate > 0 && v.packets > 0);
    } finally {
      consoleSock.close();
    }
  });

  test('a contributor takes the floor by the organizer socket event and every hall switches', async () => {
    const hall = peers[0]!;
    contributor = await ProducerPeer.start({ url: district.url, token: tok('technician', 'ls-vanquan'), site: 'ls-vanquan', role: 'contributor', width: 640, height: 360 });
    const organizer = io(new URL(HALL_NAMESPACE, centre.url).toString(), { auth: { token: tok('organizer') }, transports: ['websocket'] });
    try {
      const pushes: Programme[] = [];
      await call(organizer, HallEvents.join, { site: 'tw', role: 'console' });
      organizer.on(HallEvents.programme, (p: Programme) => pushes.push(p));
      await call(organizer, HallEvents.setFloor, { site: 'ls-vanquan' });
      await waitFor('the root sees the floor media', () => pushes.some((p) => p.source === 'ls-vanquan' && p.producers.length === 2), 20_000);
      await waitFor('hall decodes the contributor', async () => {
        if (hall.programme?.source !== 'ls-vanquan') return false;
        const v = (await hall.inbound()).find((x) => x.kind === 'video');
        return v && (v.framesDecoded ?? 0) > 10;
      }, 30_000);
      await call(organizer, HallEvents.setFloor, { site: null });
      await waitFor('back to the studio', () => hall.programme?.source === 'tw' && hall.programme.floor === null, 20_000);
      await waitFor('no floor media left above the district', async () => {
        const s = await langson.stats(tok('organizer'));
        return !s.streams.some((x) => x.hop === 'pipe' && x.direction === 'in' && x.peer === 'd-vanquan');
      });
    } finally {
      organizer.close();
    }
  });
});
