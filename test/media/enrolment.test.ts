// Media nodes that enrol themselves: an operator adds each node and gets a
// one-time code; each node starts with only its id, the control URL and that
// code, and gets its credential, keys, parent and sites from control. Then the
// attacks on it: a used, expired or wrong code; a node presenting another
// node's id; a child announcing a site outside its subtree; a revoked node; a
// parent that cannot prove its own id.
// Real control service (demo conference, Ed25519 keys), real Redis, real media
// node processes; the rogues are plain socket.io clients.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { freePort } from '../../infra/proc.js';
import { startControl, type ControlHandle } from '../../server/app.js';
import { makeKeys } from '../../server/keys.js';
import { issueCode } from '../../server/media-nodes/store.js';
import type { EnrolCodeRes, MediaNodeEntry, NodeSetup } from '../../signaling/media-nodes.js';
import { NODE_NAMESPACE, NodeEvents } from '../../signaling/media.js';
import { generateKeyring, loadKeyring, signToken } from '../../signaling/token.js';
import type { Session } from '../../signaling/accounts.js';
import { createOperator } from '../control/account-helpers.js';
import { api } from '../control/helpers.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { NodeProc, REPO_ROOT, waitFor } from './procs.js';

const CONF = 'ls-135';
const PREFIX = `t-enrol-${randomBytes(4).toString('hex')}:`;
const DATA = join(REPO_ROOT, '.cache', 'test-data', PREFIX.slice(0, -1));
const keys = generateKeyring('t-enrol');
const signer = loadKeyring(keys.signing);
type Ack = { ok: boolean; data?: any; error?: { code: string; message: string } };

describe('media nodes enrol themselves and each proves its own id', { timeout: 180_000 }, () => {
  let control: ControlHandle;
  let operator: Session;
  const nodes = new Map<string, NodeProc>();
  const codes = new Map<string, EnrolCodeRes>();
  const rogues: Socket[] = [];
  const redis = new Redis(REDIS_URL);

  const addNode = async (id: string, name: string): Promise<EnrolCodeRes> => {
    const r = await api(control.url, operator.token, 'POST', '/api/media-nodes', { id, name });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    codes.set(id, r.body.data);
    return r.body.data;
  };
  /** A node started with only its id, the control URL and its code (port and address stay local). */
  const startNode = (id: string, code: string) => new NodeProc({ nodeId: id, controlUrl: control.url, enrolCode: code, dataDir: join(DATA, id), workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' }, `enrol-${id}`);
  const credentialOf = (id: string) => (JSON.parse(readFileSync(join(DATA, id, 'credential.json'), 'utf8')) as { credential: string }).credential;
  const setupOf = async (id: string): Promise<NodeSetup> => (await api(control.url, credentialOf(id), 'POST', '/api/media-nodes/setup', {})).body.data;
  const list = async (): Promise<MediaNodeEntry[]> => (await api(control.url, operator.token, 'GET', '/api/media-nodes')).body.data;
  const rogue = async (url: string, token: string): Promise<Socket> => {
    const s = io(new URL(NODE_NAMESPACE, url).toString(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    rogues.push(s);
    await new Promise<void>((res, rej) => { s.once('connect', () => res()); s.once('connect_error', rej); });
    const port = await freePort();
    s.on(NodeEvents.pipeOffer, (m: { endpoint: { srtpParameters?: unknown } }, ack: (a: Ack) => void) =>
      ack({ ok: true, data: { endpoint: { ip: '127.0.0.1', port, srtpParameters: m.endpoint.srtpParameters } } }));
    return s;
  };
  const ask = (s: Socket, event: string, payload: unknown) => s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack>;
  const organizer = signToken(signer, { role: 'organizer', conf: CONF, ttlSeconds: 3600 });

  beforeAll(async () => {
    rmSync(DATA, { recursive: true, force: true });
    const port = await freePort();
    control = await startControl({ port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: join(DATA, 'control'), demo: true, logLevel: 'warn', tokenSecret: randomBytes(16).toString('hex'), tokenKeys: keys.signing });
    operator = await createOperator(PREFIX, control.url, 'vanhanh');
    for (const [id, name] of [['centre', 'Trung ương'], ['langson', 'Lạng Sơn'], ['d-trangdinh', 'Tràng Định'], ['d-caoloc', 'Cao Lộc']]) {
      const c = await addNode(id!, name!);
      const n = startNode(id!, c.code);
      nodes.set(id!, n);
      await n.start(60_000);
    }
    await waitFor('every child linked to its parent', async () => {
      const hs = await Promise.all(['langson', 'd-trangdinh', 'd-caoloc'].map((id) => nodes.get(id)!.health()));
      return hs.every((h) => h.parent?.state === 'connected');
    }, 30_000);
  });

  afterAll(async () => {
    for (const s of rogues) s.close();
    for (const id of ['d-vanlang', 'd-caoloc', 'd-trangdinh', 'langson', 'centre']) await nodes.get(id)?.stop();
    await control?.close();
    redis.disconnect();
    await deletePrefix(PREFIX);
    rmSync(DATA, { recursive: true, force: true });
  });

  test('each node gets its own credential (a 0600 file), its parent and its sites from control', async () => {
    const langson = await nodes.get('langson')!.health();
    assert.equal(langson.parent?.nodeId, 'centre');
    assert.ok(langson.sites.includes('ls') && langson.sites.includes('ls-tpls-01'));
    assert.ok(!langson.sites.includes('ls-trangdinh-01'), 'a district commune is served by its district node');
    assert.ok((await nodes.get('d-trangdinh')!.health()).sites.includes('ls-trangdinh-01'));
    assert.deepEqual((await nodes.get('centre')!.health()).sites, ['tw']);
    for (const id of nodes.keys()) assert.equal(statSync(join(DATA, id, 'credential.json')).mode & 0o777, 0o600);
    assert.notEqual(credentialOf('langson'), credentialOf('d-trangdinh'));
    // the operator's list: online, parent link up, load reported
    await waitFor('load in the node list', async () => (await list()).every((n) => n.online && n.cpuPercent !== null && n.memoryMb !== null));
    const rows = await list();
    assert.equal(rows.find((n) => n.id === 'centre')!.parentUp, null);
    assert.equal(rows.find((n) => n.id === 'langson')!.parentUp, true);
    assert.ok(rows.find((n) => n.id === 'langson')!.memoryMb! > 10);
  });

  test('a used, expired or wrong code is refused and changes nothing', async () => {
    const before = await redis.get(makeKeys(PREFIX).mediaNode('langson'));
    const used = await api(control.url, null, 'POST', '/api/media-nodes/enrol', { nodeId: 'langson', code: codes.get('langson')!.code });
    assert.equal(used.status, 401);
    assert.match(used.body.error.message, /đã được dùng hoặc đã hết hạn/);
    const wrong = await api(control.url, null, 'POST', '/api/media-nodes/enrol', { nodeId: 'langson', code: randomBytes(24).toString('base64url') });
    assert.equal(wrong.status, 401);
    // a live code of one node does not enrol another, and stays usable
    const fresh = await api(control.url, operator.token, 'POST', '/api/media-nodes/d-caoloc/code');
    assert.equal(fresh.status, 200);
    const other = await api(control.url, null, 'POST', '/api/media-nodes/enrol', { nodeId: 'langson', code: fresh.body.data.code });
    assert.equal(other.status, 401);
    // expired: a code made to last 50 ms
    const ctx = { redis, keys: makeKeys(PREFIX) };
    const short = await issueCode(ctx, 'langson', 50);
    await new Promise((r) => setTimeout(r, 200));
    const expired = await api(control.url, null, 'POST', '/api/media-nodes/enrol', { nodeId: 'langson', code: short.code });
    assert.equal(expired.status, 401);
    const bad = await api(control.url, null, 'POST', '/api/media-nodes/enrol', { nodeId: 'langson', code: 'x' });
    assert.equal(bad.status, 400);
    // langson's credential, generation and link are untouched
    const after = JSON.parse((await redis.get(makeKeys(PREFIX).mediaNode('langson')))!);
    assert.equal(after.gen, JSON.parse(before!).gen);
    assert.equal(after.credHash, JSON.parse(before!).credHash);
    assert.equal((await nodes.get('langson')!.health()).parent?.state, 'connected');
    // a node started with a used code stops with the reason
    const n = startNode('spare', codes.get('d-caoloc')!.code);
    await assert.rejects(n.start(30_000), /đã được dùng hoặc đã hết hạn|already used or expired/);
  });

  test('a node cannot present another node\'s id, nor a shared-secret token', async () => {
    const centre = nodes.get('centre')!.url;
    // d-trangdinh's own valid token, registering as langson at the centre
    const s = await rogue(centre, (await setupOf('d-trangdinh')).token);
    const r = await ask(s, NodeEvents.register, { nodeId: 'langson', sites: ['ls'] });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'FORBIDDEN');
    // a token signed with a guessed node secret is refused at the handshake
    const forged = signToken(randomBytes(16).toString('hex'), { role: 'node', conf: '*', site: 'langson', ttlSeconds: 600 });
    await assert.rejects(rogue(centre, forged), /UNAUTHORIZED/);
    // a person's token signed by control is no node token
    await assert.rejects(rogue(centre, organizer), /UNAUTHORIZED/);
    // a token naming itself: langson already linked, so a duplicate is refused and langson stays
    const dup = await rogue(centre, (await setupOf('langson')).token);
    const d = await ask(dup, NodeEvents.register, { nodeId: 'langson', sites: ['ls'] });
    assert.equal(d.error?.code, 'CONFLICT');
    assert.equal((await nodes.get('langson')!.health()).parent?.state, 'connected');
  });

  test('a child cannot send up media of a site outside its subtree', async () => {
    const langson = nodes.get('langson')!.url;
    // d-trangdinh's valid token (its link is taken by the real node: the rogue uses d-caoloc's)
    const s = await rogue(langson, (await setupOf('d-caoloc')).token);
    // the real d-caoloc holds the id: drop it for this test by using the register refusal path first
    const reg = await ask(s, NodeEvents.register, { nodeId: 'd-caoloc', sites: ['ls-caoloc'] });
    assert.equal(reg.error?.code, 'CONFLICT');
    s.close();
    await nodes.get('d-caoloc')!.stop();
    await waitFor('d-caoloc gone', async () => !(await nodes.get('langson')!.health()).children.some((c) => c.nodeId === 'd-caoloc'));
    const s2 = await rogue(langson, (await setupOf('d-caoloc')).token);
    assert.ok((await ask(s2, NodeEvents.register, { nodeId: 'd-caoloc', sites: ['ls-caoloc', 'ls-trangdinh-01'] })).ok);
    // the floor goes to a Tràng Định commune: a Cao Lộc node sending that site's contribution is refused
    const g = await api(control.url, organizer, 'POST', `/api/conferences/${CONF}/floor/grant`, { site: 'ls-trangdinh-01' });
    assert.equal(g.status, 200, JSON.stringify(g.body));
    assert.ok((await ask(s2, NodeEvents.pipeRequest, { conf: CONF })).ok);
    const up = await ask(s2, NodeEvents.producerAdded, {
      conf: CONF, producerId: randomBytes(8).toString('hex'), kind: 'video', site: 'ls-trangdinh-01', tag: 'contributor', contribution: null, paused: false,
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1111 }] },
    });
    assert.equal(up.ok, false);
    assert.equal(up.error?.code, 'FORBIDDEN');
    assert.match(up.error!.message, /subtree/);
    await api(control.url, organizer, 'POST', `/api/conferences/${CONF}/floor/grant`, { site: null });
    s2.close();
    await nodes.get('d-caoloc')!.start(60_000);
  });

  test('re-assigning a site moves it to another node without restarting either', async () => {
    const from = nodes.get('langson')!;
    const to = nodes.get('d-trangdinh')!;
    const pids = [from.pid, to.pid];
    const r = await api(control.url, organizer, 'PATCH', `/api/conferences/${CONF}/sites/ls-tpls-01`, { mediaNode: 'd-trangdinh' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // each node hears it on its own next report (about a second)
    await waitFor('the site served by its new node', async () => (await to.health()).sites.includes('ls-tpls-01'));
    await waitFor('the site no longer served by its old node', async () => !(await from.health()).sites.includes('ls-tpls-01'));
    assert.deepEqual([from.pid, to.pid], pids);
    assert.ok((await list()).find((n) => n.id === 'd-trangdinh')!.sites.includes('ls-tpls-01'));
  });

  test('revoking a node closes its links and voids its credential', async () => {
    const r = await api(control.url, operator.token, 'POST', '/api/media-nodes/d-trangdinh/revoke');
    assert.equal(r.status, 200);
    await waitFor('the parent dropped the revoked child', async () => !(await nodes.get('langson')!.health()).children.some((c) => c.nodeId === 'd-trangdinh'));
    await waitFor('the revoked node lost control', async () => (await nodes.get('d-trangdinh')!.health()).control?.state !== 'connected');
    const h = await nodes.get('d-trangdinh')!.health();
    assert.notEqual(h.parent?.state, 'connected');
    const setup = await api(control.url, credentialOf('d-trangdinh'), 'POST', '/api/media-nodes/setup', {});
    assert.equal(setup.status, 401);
    assert.equal((await list()).find((n) => n.id === 'd-trangdinh')!.state, 'revoked');
    // it stays out (its reconnects are refused too)
    await new Promise((res) => setTimeout(res, 2000));
    assert.ok(!(await nodes.get('langson')!.health()).children.some((c) => c.nodeId === 'd-trangdinh'));
  });

  test('a child refuses a parent that cannot prove its id with a token from control', async () => {
    // a fake "langson" at the address control hands out: it registers children and shows the
    // valid token of another node (d-caoloc's)
    const http = createServer();
    const fake = new Server(http);
    const seen: string[] = [];
    const otherToken = (await setupOf('d-caoloc')).token;
    fake.of(NODE_NAMESPACE).on('connection', (s) => {
      s.onAny((event: string, _p: unknown, ack?: (a: Ack) => void) => {
        seen.push(event);
        if (event === NodeEvents.register) ack?.({ ok: true, data: { nodeId: 'langson', ancestors: [] } });
        else if (event === NodeEvents.identify) ack?.({ ok: true, data: { nodeId: 'langson', token: otherToken } });
        else ack?.({ ok: true, data: {} });
      });
    });
    await new Promise<void>((res) => http.listen(0, '127.0.0.1', () => res()));
    const fakeUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const keys = makeKeys(PREFIX);
    const realUrl = await redis.hget(keys.mediaUrls, 'langson');
    await redis.hset(keys.mediaUrls, 'langson', fakeUrl);
    try {
      // a new node serving a commune under langson: its planned parent is langson, at the fake address
      const code = await addNode('d-vanlang', 'Văn Lãng');
      assert.equal((await api(control.url, organizer, 'PATCH', `/api/conferences/${CONF}/sites/ls-vanlang-01`, { mediaNode: 'd-vanlang' })).status, 200);
      const child = startNode('d-vanlang', code.code);
      nodes.set('d-vanlang', child);
      await child.start(60_000);
      await waitFor('the fake parent asked to identify', () => seen.includes(NodeEvents.identify));
      // it goes on to the next node up (the centre), which proves its id
      await waitFor('attached to the centre', async () => {
        const h = await child.health();
        return h.parent?.state === 'connected' && h.parent.nodeId === 'centre';
      }, 30_000);
      assert.match(child.output, /parent node refused: it did not prove its id/);
      // nothing but register and identify ever reached the fake
      assert.deepEqual([...new Set(seen)].sort(), [NodeEvents.identify, NodeEvents.register].sort());
    } finally {
      if (realUrl) await redis.hset(keys.mediaUrls, 'langson', realUrl);
      fake.close();
      http.close();
    }
  });
});
