// Attack: a hall QR code is an invitation valid for days; shown to a media node
// it would be worth days. A node that requires media tokens refuses it; the page
// exchanges it at control for a token of minutes (same role, conference, site),
// refused once the invitation is revoked, and revoking the invitation closes
// the sockets of every media token made from it. A token refreshed on the open
// socket keeps it past the first one's expiry; one for another link is refused;
// one invitation's media tokens share its socket cap. Real control service,
// real Redis, a real node process, socket.io over real sockets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { startControl, type ControlHandle } from '../../server/app.js';
import { freePort } from '../../infra/proc.js';
import { HALL_NAMESPACE, HallEvents } from '../../signaling/media.js';
import { MEDIA_TOKEN_TTL_S, REFRESH_TOKEN_EVENT } from '../../signaling/media-token.js';
import { signToken } from '../../signaling/token.js';
import { MAX_SOCKETS_PER_TOKEN } from '../../media/hall.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { NodeProc, sleep, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-mtok-${randomBytes(4).toString('hex')}:`;
const ORG = signToken(TOKEN_SECRET, { role: 'organizer', conf: CONF });

describe('short-lived media tokens', { timeout: 120_000 }, () => {
  let control: ControlHandle;
  let node: NodeProc;
  const sockets: Socket[] = [];

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await fetch(`${control.url}/api/conferences/${CONF}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, json: (await r.json()) as { ok: boolean; data: any; error?: { code: string; message: string } } };
  };
  const invite = async (site = 'tw') => (await api('POST', '/invitations', ORG, { role: 'viewer', site })).json.data as { token: string; jti: string };
  const exchange = async (invitation: string) => api('POST', '/media-token', invitation, {});
  /** Connects to the node's /hall; resolves with the socket, or the refusal's code and message. */
  const connect = (token: string) => new Promise<{ socket: Socket } | { code: string; message: string }>((res) => {
    const socket = io(`${node.url}${HALL_NAMESPACE}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    socket.once('connect', () => res({ socket }));
    socket.once('connect_error', (err: Error & { data?: { code: string; message: string } }) => res({ code: err.data?.code ?? '?', message: err.data?.message ?? err.message }));
  });
  const connected = async (token: string) => {
    const r = await connect(token);
    if (!('socket' in r)) throw new Error(`refused: ${r.code} ${r.message}`);
    return r.socket;
  };

  beforeAll(async () => {
    const port = await freePort();
    control = await startControl({ port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
    node = await new NodeProc({ tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, nodeId: 'centre', sites: ['tw'], controlUrl: control.url, requireMediaTokens: true }, 'mtok-centre').start();
    await waitFor('the node linked to control', async () => (await node.health()).control?.state === 'connected');
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await node?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
  });

  test('the invitation itself is refused by the node, on the socket and over HTTP, with what to do', async () => {
    const inv = await invite();
    const r = await connect(inv.token);
    assert.ok('code' in r);
    assert.equal(r.code, 'UNAUTHORIZED');
    assert.match(r.message, /mã truy cập ngắn hạn/);
    const stats = await fetch(`${node.url}/stats`, { headers: { authorization: `Bearer ${ORG}` } });
    assert.equal(stats.status, 401);
  });

  test('an exchanged media token joins; it is bound to the link and lives minutes, never past the invitation', async () => {
    const inv = await invite();
    const res = await exchange(inv.token);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const claims = JSON.parse(Buffer.from(res.json.data.token.split('.')[0], 'base64url').toString());
    assert.equal(claims.inv, inv.jti);
    assert.equal(claims.role, 'viewer');
    assert.equal(claims.site, 'tw');
    assert.ok(claims.exp - Date.now() / 1000 <= MEDIA_TOKEN_TTL_S + 1);
    const socket = await connected(res.json.data.token);
    const ack = await socket.timeout(10_000).emitWithAck(HallEvents.join, { site: 'tw', role: 'hall' });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    // an invitation with an hour left gives a token of at most that hour; one with a minute, a minute
    const short = signToken(TOKEN_SECRET, { role: 'viewer', conf: CONF, site: 'tw', ttlSeconds: 60 });
    const s = await exchange(short);
    assert.ok(s.json.data.exp <= JSON.parse(Buffer.from(short.split('.')[0]!, 'base64url').toString()).exp);
  });

  test('revoking the invitation: no new media token, and its open sockets close within 5 s', async () => {
    const inv = await invite();
    const socket = await connected((await exchange(inv.token)).json.data.token);
    const closed = new Promise<number>((r) => socket.once('disconnect', () => r(Date.now())));
    const t0 = Date.now();
    assert.equal((await api('DELETE', `/invitations/${inv.jti}`, ORG)).status, 200);
    const ms = (await closed) - t0;
    console.log(`[media-tokens] invitation revoked → media token socket closed in ${ms} ms`);
    assert.ok(ms < 5000);
    const again = await exchange(inv.token);
    assert.equal(again.status, 401);
  });

  test('a fresh token on the open socket keeps it past the first expiry; another link\'s token is refused; without one it closes', async () => {
    const inv = await invite();
    // media tokens as control makes them, with a 3 s life to see the expiry
    const soon = (exp: number, link = inv.jti) => signToken(TOKEN_SECRET, { role: 'viewer', conf: CONF, site: 'tw', inv: link, exp: Math.floor(Date.now() / 1000) + exp });
    const kept = await connected(soon(3));
    const dropped = await connected(soon(3));
    const wrong = await kept.timeout(5000).emitWithAck(REFRESH_TOKEN_EVENT, { token: soon(60, 'another-link') });
    assert.equal(wrong.ok, false);
    assert.equal(wrong.error.code, 'FORBIDDEN');
    const fresh = await kept.timeout(5000).emitWithAck(REFRESH_TOKEN_EVENT, { token: soon(60) });
    assert.equal(fresh.ok, true, JSON.stringify(fresh));
    const droppedAt = new Promise<void>((r) => dropped.once('disconnect', () => r()));
    await droppedAt;
    await sleep(1500);
    assert.equal(kept.connected, true, 'the refreshed socket outlives the first token');
  });

  test('one invitation\'s media tokens share its socket cap', async () => {
    const inv = await invite();
    for (let i = 0; i < MAX_SOCKETS_PER_TOKEN; i++) await connected((await exchange(inv.token)).json.data.token);
    const r = await connect((await exchange(inv.token)).json.data.token);
    assert.ok('code' in r);
    assert.equal(r.code, 'RATE_LIMITED');
  });
});
