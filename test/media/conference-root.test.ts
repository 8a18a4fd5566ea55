// A conference roots at the media node of its root site: a provincial
// conference (root site `ls`, on the province node `langson`, which has the
// centre as its parent) runs entirely inside the province's subtree. Its source
// is ingested at the province, its floor is switched there by the control
// service, a commune two hops down plays it with the centre node stopped, and
// the centre never holds any of it. A national conference runs at the same
// time on the same nodes: each hall plays only its own conference, and a node
// that serves no site of a conference never gets any of it. Real control
// service and media nodes.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../infra/proc.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import { startControl, type ControlHandle } from '../../server/app.js';
import { signToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { HallPeer } from './peer.js';
import { FfmpegFeed, NodeProc, waitFor } from './procs.js';

const CONF = 'ls-tinh';
const NATIONAL = 'hn-qg';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-confroot-${randomBytes(4).toString('hex')}:`;
const tok = (role: 'organizer' | 'technician' | 'viewer', site?: string, conf = CONF) => signToken(TOKEN_SECRET, { role, conf, ...(site ? { site } : {}) });
const ORG = tok('organizer');
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' };

describe('a provincial conference roots at the province node', { timeout: 240_000 }, () => {
  let control: ControlHandle;
  let centre: NodeProc, langson: NodeProc, trangdinh: NodeProc, caoloc: NodeProc, vanlang: NodeProc;
  let hall: HallPeer;
  let nationalHall: HallPeer;
  let sourceIds: string[] = [];
  const feeds: FfmpegFeed[] = [];

  const api = async (method: string, path: string, body?: unknown, conf = CONF) => {
    const r = await fetch(`${control.url}/api/conferences/${conf}${path}`, {
      method, headers: { authorization: `Bearer ${tok('organizer', undefined, conf)}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
    return r.json();
  };
  async function playing(ids: string[], what: string, peer = hall) {
    const before = (await peer.inbound()).find((x) => x.kind === 'video')?.framesDecoded ?? 0;
    return waitFor(what, async () => {
      if (peer.programmeIds.slice().sort().join() !== [...ids].sort().join()) return false;
      const v = (await peer.inbound()).find((x) => x.kind === 'video');
      return !!v && (v.framesDecoded ?? 0) > before + 5;
    }, 40_000);
  }

  beforeAll(async () => {
    const port = await freePort();
    const controlUrl = `http://127.0.0.1:${port}`;
    control = await startControl({ port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
    await api('PUT', '', {
      title: 'Hội nghị cấp tỉnh', planNumber: '1-KH/TU', date: '2030-03-01', plannedStart: '2030-03-01T08:00:00+07:00', plannedDurationMin: 120,
      maket: ['TỈNH UỶ LẠNG SƠN', 'HỘI NGHỊ'], rootSite: 'ls', reportsTo: 'Ban Thường vụ Tỉnh uỷ', reportDeadline: '2030-03-05T17:00:00+07:00',
    });
    for (const s of [
      { id: 'ls', parent: null, level: 'province', name: 'Tỉnh Lạng Sơn', mediaNode: 'langson' },
      { id: 'ls-trangdinh', parent: 'ls', level: 'district', name: 'Huyện Tràng Định', mediaNode: 'd-trangdinh' },
      { id: 'ls-trangdinh-01', parent: 'ls-trangdinh', level: 'commune', name: 'Xã Tràng Định 01', mediaNode: 'd-trangdinh' },
      { id: 'ls-caoloc', parent: 'ls', level: 'district', name: 'Huyện Cao Lộc', mediaNode: 'd-caoloc' },
    ]) await api('PUT', `/sites/${s.id}`, s);
    // the national conference at the same time, on the same nodes
    await api('PUT', '', {
      title: 'Hội nghị toàn quốc', planNumber: '2-KH/TW', date: '2030-03-01', plannedStart: '2030-03-01T08:00:00+07:00', plannedDurationMin: 120,
      maket: ['HỘI NGHỊ TOÀN QUỐC'], rootSite: 'tw', reportsTo: 'Ban Bí thư', reportDeadline: '2030-03-05T17:00:00+07:00',
    }, NATIONAL);
    for (const s of [
      { id: 'tw', parent: null, level: 'centre', name: 'Trung ương', mediaNode: 'centre' },
      { id: 'ls', parent: 'tw', level: 'province', name: 'Tỉnh Lạng Sơn', mediaNode: 'langson' },
      { id: 'ls-vanlang', parent: 'ls', level: 'district', name: 'Huyện Văn Lãng', mediaNode: 'd-vanlang' },
    ]) await api('PUT', `/sites/${s.id}`, s, NATIONAL);

    centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'], controlUrl, listenPort: await freeUdpTcpPort('127.0.0.1') }, 'confroot-centre').start();
    langson = await new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, controlUrl }, 'confroot-langson').start();
    trangdinh = new NodeProc({ ...base, nodeId: 'd-trangdinh', sites: ['ls-trangdinh', 'ls-trangdinh-01'], parent: langson.url, controlUrl }, 'confroot-trangdinh');
    caoloc = new NodeProc({ ...base, nodeId: 'd-caoloc', sites: ['ls-caoloc'], parent: langson.url, controlUrl }, 'confroot-caoloc');
    vanlang = new NodeProc({ ...base, nodeId: 'd-vanlang', sites: ['ls-vanlang'], parent: langson.url, controlUrl }, 'confroot-vanlang');
    await Promise.all([trangdinh.start(), caoloc.start(), vanlang.start()]);
    await waitFor('districts registered', async () => (await langson.health()).children.length === 3);
  });

  afterAll(async () => {
    await hall?.close();
    await nationalHall?.close();
    for (const f of feeds) await f.stop();
    for (const n of [vanlang, caoloc, trangdinh, langson, centre]) await n?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
  });

  test('each node learns from control which conferences it roots and which its subtree needs', async () => {
    await waitFor('langson to root ls-tinh', async () => (await langson.health()).rootOf.includes(CONF), 10_000, 100);
    for (const n of [centre, trangdinh, caoloc, vanlang]) assert.deepEqual((await n.health()).rootOf, [], `${n.nodeId} roots nothing`);
    const want: Record<string, string[]> = { centre: [NATIONAL], langson: [NATIONAL, CONF], 'd-trangdinh': [CONF], 'd-caoloc': [CONF], 'd-vanlang': [NATIONAL] };
    for (const n of [centre, langson, trangdinh, caoloc, vanlang]) {
      await waitFor(`${n.nodeId} to carry ${want[n.nodeId]}`, async () => JSON.stringify((await n.health()).carries) === JSON.stringify([...want[n.nodeId]!].sort()), 15_000, 100);
    }
  });

  test('from rehearsal on, the conference is open on every node that serves it, before any hall joins', async () => {
    const holds = async (n: NodeProc) => (await n.health()).conferences.some((c) => c.conf === CONF);
    for (const n of [centre, langson, trangdinh, caoloc, vanlang]) assert.equal(await holds(n), false, `${n.nodeId} holds nothing of a draft`);
    await api('POST', '/state', { state: 'rehearsal' });
    for (const n of [langson, trangdinh, caoloc]) await waitFor(`${n.nodeId} to open ${CONF}`, () => holds(n), 10_000, 100);
    for (const n of [centre, vanlang]) assert.equal(await holds(n), false, `${n.nodeId} serves no site of ${CONF}`);
  });

  test('two conferences at once: each hall plays its own, and no node gets a conference it serves no site of', async () => {
    const source = await langson.ingest(ORG, { site: 'ls' });
    feeds.push(new FfmpegFeed(source, { size: '320x180' }).start());
    sourceIds = source.streams.map((s) => s.producerId);
    const national = await centre.ingest(tok('organizer', undefined, NATIONAL), { site: 'tw' });
    feeds.push(new FfmpegFeed(national, { pattern: 'rgbtestsrc', size: '320x180', tone: 880 }).start());
    hall = new HallPeer({ url: trangdinh.url, token: tok('viewer', 'ls-trangdinh-01'), site: 'ls-trangdinh-01' });
    nationalHall = new HallPeer({ url: vanlang.url, token: tok('viewer', 'ls-vanlang', NATIONAL), site: 'ls-vanlang' });
    await playing(sourceIds, 'the commune playing the province');
    await playing(national.streams.map((s) => s.producerId), 'Văn Lãng playing the national conference', nationalHall);
    const confsOf = async (n: NodeProc) => (await n.health()).conferences.map((c) => c.conf).sort();
    assert.deepEqual(await confsOf(vanlang), [NATIONAL], 'Văn Lãng holds nothing of the provincial conference');
    assert.deepEqual(await confsOf(trangdinh), [CONF], 'Tràng Định holds nothing of the national conference');
    assert.deepEqual(await confsOf(centre), [NATIONAL], 'the centre holds nothing of the provincial conference');
  });

  test('with the centre stopped, the province\'s source and a district\'s floor reach a commune', async () => {
    await centre.stop('SIGKILL');
    await playing(sourceIds, 'the commune still playing the province');

    const contribution = await caoloc.ingest(tok('technician', 'ls-caoloc'), { site: 'ls-caoloc' });
    feeds.push(new FfmpegFeed(contribution, { pattern: 'smptebars', size: '320x180', tone: 660 }).start());
    await api('POST', '/floor/grant', { site: 'ls-caoloc' });
    await waitFor('the province node to give Cao Lộc the floor', async () =>
      (await langson.health()).conferences.find((c) => c.conf === CONF)?.floor === 'ls-caoloc', 10_000, 100);
    await playing(contribution.streams.map((s) => s.producerId), 'the commune playing Cao Lộc');
    assert.equal(hall.programme?.floor, 'ls-caoloc');
  });

  test('the centre comes back and holds nothing of the provincial conference', async () => {
    await centre.start();
    await waitFor('langson registered with the centre again', async () => (await langson.health()).parent?.state === 'connected', 30_000);
    await waitFor('the centre to see langson', async () => (await centre.health()).children.length === 1, 30_000);
    // a few relay rounds: nothing of ls-tinh goes up
    await new Promise((r) => setTimeout(r, 3000));
    const h = await centre.health();
    assert.ok(!h.conferences.some((c) => c.conf === CONF), 'no session of ls-tinh at the centre');
    assert.equal(hall.programme?.floor, 'ls-caoloc', 'the commune still plays the floor');
  });
});
