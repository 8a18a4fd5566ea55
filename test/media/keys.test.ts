// People's tokens signed with an Ed25519 key only the control host holds: a
// media node checks them with public keys, so reading a district server's files
// gives no power to sign (the old shared TOKEN_SECRET did: anyone could sign an
// organizer token). Keys carry an id and rotate without invalidating every link
// at once. Real control service (keyring mode, node secret for the nodes'
// channel) and a real media node configured with public keys only.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { freePort } from '../../infra/proc.js';
import { startControl, type ControlHandle } from '../../server/app.js';
import { HALL_NAMESPACE, HallEvents } from '../../signaling/media.js';
import { generateKeyring, loadKeyring, signToken, verifyToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { call } from './peer.js';
import { NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const SITE = 'ls-trangdinh-01';
const PREFIX = `t-keys-${randomBytes(4).toString('hex')}:`;
const NODE_SECRET = randomBytes(16).toString('hex');
const k1 = generateKeyring('k1');
const k2 = generateKeyring('k2');

describe('tokens signed on the control host only, checked with public keys', { timeout: 120_000 }, () => {
  let control: ControlHandle;
  let node: NodeProc;

  const joins = async (url: string, token: string): Promise<string> => {
    const s = io(new URL(HALL_NAMESPACE, url).toString(), { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    try {
      await new Promise<void>((res, rej) => { s.once('connect', () => res()); s.once('connect_error', rej); });
      await call(s, HallEvents.join, { site: SITE, role: 'hall' });
      return 'joined';
    } catch (err) {
      return String((err as { data?: { code?: string } }).data?.code ?? (err as Error).message);
    } finally {
      s.close();
    }
  };

  beforeAll(async () => {
    const port = await freePort();
    control = await startControl({
      port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`, demo: true, logLevel: 'warn',
      tokenSecret: randomBytes(16).toString('hex'), tokenKeys: k1.signing, nodeSecret: NODE_SECRET,
    });
    node = await new NodeProc({
      nodeSecret: NODE_SECRET, tokenPublicKeys: k1.public.publicKeys, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1',
      nodeId: 'd-trangdinh', sites: ['ls-trangdinh', SITE], controlUrl: control.url,
    }, 'keys-trangdinh').start();
  });

  afterAll(async () => {
    await node?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
  });

  test('an invitation from control plays on a node that holds only the public key; the node links to control with its node secret', async () => {
    const org = signToken(loadKeyring(k1.signing), { role: 'organizer', conf: CONF });
    const r = await fetch(`${control.url}/api/conferences/${CONF}/invitations`, {
      method: 'POST', headers: { authorization: `Bearer ${org}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'viewer', site: SITE }),
    });
    assert.equal(r.status, 200);
    const { token } = ((await r.json()) as { data: { token: string } }).data;
    assert.equal(token.split('.').length, 3, 'header.body.signature');
    assert.equal(await joins(node.url, token), 'joined');
    await waitFor('the node linked to control', async () => (await node.health()).control?.state === 'connected', 15_000);
  });

  test('what a district server\'s files gave before cannot sign a token any more', async () => {
    // an HMAC token with any secret, a token from another Ed25519 key, a tampered signature
    const hmac = signToken(randomBytes(16).toString('hex'), { role: 'organizer', conf: CONF });
    assert.equal(await joins(node.url, hmac), 'UNAUTHORIZED');
    const stranger = signToken(loadKeyring(generateKeyring('k1').signing), { role: 'organizer', conf: CONF });
    assert.equal(await joins(node.url, stranger), 'UNAUTHORIZED', 'same kid, other key');
    const good = signToken(loadKeyring(k1.signing), { role: 'viewer', conf: CONF, site: SITE });
    const [h, b, sig] = good.split('.') as [string, string, string];
    const padded = `${h}.${b}.${sig}=`;
    assert.equal(await joins(node.url, padded), 'UNAUTHORIZED', 'strict base64url');
    // and control refuses them too
    const me = await fetch(`${control.url}/api/me`, { headers: { authorization: `Bearer ${hmac}` } });
    assert.equal(me.status, 401);
    // a public keyring cannot sign at all
    assert.throws(() => signToken(loadKeyring(k1.public), { role: 'organizer', conf: CONF }), /cannot sign/);
  });

  test('keys rotate: old links keep working until their key is retired', () => {
    const t1 = signToken(loadKeyring(k1.signing), { role: 'viewer', conf: CONF, site: SITE });
    // the control host signs with k2 and still knows k1; nodes learn k2 before it is used
    const rotated = loadKeyring({ kid: 'k2', privateKey: k2.signing.privateKey, publicKeys: { ...k1.public.publicKeys } });
    const t2 = signToken(rotated, { role: 'viewer', conf: CONF, site: SITE });
    const nodeKeys = loadKeyring({ publicKeys: { ...k1.public.publicKeys, ...k2.public.publicKeys } });
    assert.equal(verifyToken(nodeKeys, t1).site, SITE);
    assert.equal(verifyToken(nodeKeys, t2).site, SITE);
    assert.equal(verifyToken(rotated, t1).site, SITE, 'control still accepts links of the old key');
    // k1 retired: its links end, k2's go on
    const retired = loadKeyring({ publicKeys: { ...k2.public.publicKeys } });
    assert.throws(() => verifyToken(retired, t1), /does not know/);
    assert.equal(verifyToken(retired, t2).site, SITE);
  });
});
