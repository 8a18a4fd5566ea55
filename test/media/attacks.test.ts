// Attacks on a media node with the links a deployment hands out (security
// issue): each test is what an attacker holding such a link would try, and
// what must happen instead. Real control service (demo conference, real
// Redis) and a real media node linked to it.
//
// Failed on the old code: the check-in link contributing, the revoked link
// still open on the node (and its ingest still running), the expired token's
// socket never closed, the transport burst past the cap, unlimited sockets
// and ingests per link, RTCP sent to an address the caller names.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort } from '../../infra/proc.js';
import { HALL_NAMESPACE, HallEvents } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { MAX_SOCKETS_PER_TOKEN } from '../../media/hall.js';
import { MAX_INGESTS } from '../../media/http.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { call } from './peer.js';
import { NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const SITE = 'ls-trangdinh-01';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-attack-${randomBytes(4).toString('hex')}:`;
const ORG = signToken(TOKEN_SECRET, { role: 'organizer', conf: CONF });

describe('attacks with the links a deployment hands out', { timeout: 180_000 }, () => {
  let control: ControlHandle;
  let node: NodeProc;
  const sockets: Socket[] = [];

  /** An invitation issued by control (so it can be revoked there). */
  const invite = async (role: 'viewer' | 'technician' | 'participant', site = SITE) => {
    const r = await fetch(`${control.url}/api/conferences/${CONF}/invitations`, {
      method: 'POST', headers: { authorization: `Bearer ${ORG}`, 'content-type': 'application/json' }, body: JSON.stringify({ role, site }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    return ((await r.json()) as { data: { jti: string; token: string } }).data;
  };
  const revoke = async (jti: string) => {
    const r = await fetch(`${control.url}/api/conferences/${CONF}/invitations/${jti}`, { method: 'DELETE', headers: { authorization: `Bearer ${ORG}` } });
    assert.equal(r.status, 200, await r.clone().text());
  };
  /** A socket to the node's /hall namespace; resolves once connected or refused. */
  const open = async (token: string): Promise<{ socket: Socket; error?: { code?: string } }> => {
    const socket = io(new URL(HALL_NAMESPACE, node.url).toString(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    return new Promise((res) => {
      socket.once('connect', () => res({ socket }));
      socket.once('connect_error', (err: Error & { data?: { code?: string } }) => res({ socket, error: err.data ?? { code: err.message } }));
    });
  };

  beforeAll(async () => {
    const port = await freePort();
    control = await startControl({ port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
    node = await new NodeProc({
      tokenSecret: TOKEN_SECRET, nodeSecret: randomBytes(16).toString('hex'), workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1',
      nodeId: 'd-trangdinh', sites: ['ls-trangdinh', SITE], controlUrl: control.url,
    }, 'attack-trangdinh').start();
    await waitFor('the node linked to control', async () => (await node.health()).control?.state === 'connected', 15_000);
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await node?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
  });

  test('a check-in (participant) link can neither contribute nor ingest', async () => {
    const part = await invite('participant');
    const { socket, error } = await open(part.token);
    assert.equal(error, undefined);
    await assert.rejects(call(socket, HallEvents.join, { site: SITE, role: 'contributor' }), /FORBIDDEN/);
    await assert.rejects(call(socket, HallEvents.join, { site: SITE, role: 'console' }), /FORBIDDEN/);
    const r = await node.post('/ingest', part.token, { site: SITE });
    assert.equal(r.status, 403);
    socket.close();
  });

  test('a revoked link is closed on the media node within seconds, refused after, and its ingest stops', async () => {
    const hall = await invite('viewer');
    const tech = await invite('technician', 'ls-trangdinh');
    const { socket } = await open(hall.token);
    await call(socket, HallEvents.join, { site: SITE, role: 'hall' });
    const ingest = await node.ingest(tech.token, { site: 'ls-trangdinh', tag: 'contributor' });
    const portsBefore = (await node.health()).objects.portsInUse;
    const closed = new Promise<number>((res) => socket.once('disconnect', () => res(Date.now())));
    const t0 = Date.now();
    await revoke(hall.jti);
    await revoke(tech.jti);
    const dt = (await closed) - t0;
    console.log(`[attacks] revoked → hall socket closed on the media node in ${dt} ms`);
    assert.ok(dt < 5000, `closed within 5 s (${dt} ms)`);
    // refused from now on, on the socket and over HTTP
    const again = await open(hall.token);
    assert.equal(again.error?.code, 'UNAUTHORIZED');
    const stats = await fetch(`${node.url}/stats`, { headers: { authorization: `Bearer ${tech.token}` } });
    assert.equal(stats.status, 401);
    await waitFor('the revoked technician\'s ingest closed', async () => (await node.health()).objects.portsInUse < portsBefore, 5000, 100);
    assert.ok(ingest.id);
  });

  test('a node that links to control after a revocation refuses the link too', async () => {
    const hall = await invite('viewer');
    await node.stop();
    await revoke(hall.jti);
    await node.start();
    await waitFor('the node linked to control again', async () => (await node.health()).control?.state === 'connected', 15_000);
    await waitFor('the revoked link refused', async () => (await open(hall.token)).error?.code === 'UNAUTHORIZED', 5000, 200);
  });

  test('a socket whose token expires is closed', async () => {
    const short = signToken(TOKEN_SECRET, { role: 'viewer', conf: CONF, site: SITE, ttlSeconds: 3 });
    const { socket, error } = await open(short);
    assert.equal(error, undefined);
    await call(socket, HallEvents.join, { site: SITE, role: 'hall' });
    await waitFor('the expired socket closed', () => socket.disconnected, 8000, 100);
  });

  test('a burst of transport requests cannot pass the per-socket cap', async () => {
    const { socket } = await open((await invite('viewer')).token);
    await call(socket, HallEvents.join, { site: SITE, role: 'hall' });
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => call(socket, HallEvents.createTransport, { direction: 'recv' })));
    const made = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(made, 4, `4 transports at most, got ${made}`);
    socket.close();
  });

  test('one link opens a few sockets, not a flood', async () => {
    const { token } = await invite('viewer');
    const tries = await Promise.all(Array.from({ length: MAX_SOCKETS_PER_TOKEN + 4 }, () => open(token)));
    const ok = tries.filter((t) => !t.error).length;
    assert.equal(ok, MAX_SOCKETS_PER_TOKEN);
    assert.ok(tries.filter((t) => t.error).every((t) => t.error?.code === 'RATE_LIMITED'));
    for (const t of tries) t.socket.close();
    // closing them frees the slots
    await waitFor('a slot free again', async () => !(await open(token)).error, 5000, 200);
  });

  test('ingests per link are limited, and RTCP never goes to an address the caller merely names', async () => {
    const tech = await invite('technician', 'ls-trangdinh');
    for (let i = 0; i < MAX_INGESTS.site; i++) await node.ingest(tech.token, { site: 'ls-trangdinh', tag: 'contributor' });
    const more = await node.post('/ingest', tech.token, { site: 'ls-trangdinh', tag: 'contributor' });
    assert.equal(more.status, 429);
    const other = await invite('technician', 'ls-trangdinh');
    const elsewhere = await node.post('/ingest', other.token, { site: 'ls-trangdinh', tag: 'contributor', streams: [{ kind: 'video', remote: { ip: '127.0.0.9', port: 5004 } }] });
    assert.equal(elsewhere.status, 403);
  });
});
