// Attacks on the node-to-node channel by a holder of the shared node secret (a
// copied district server config): it registers as a live node, switches the
// floor with no organizer, opens sessions for made-up conferences, and sends a
// "source" up to take over the programme. Each must be refused, logged, and
// change nothing. Real control service (demo conference) and media nodes; the
// rogue is a plain socket.io client speaking the node protocol.
//
// Failed on the old code: the duplicate id (it silently replaced the live
// node), the floor set from below with no organizer, the made-up conference's
// session, and the source announced from below.
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { freePort } from '../../infra/proc.js';
import { startControl, type ControlHandle } from '../../server/app.js';
import { NODE_NAMESPACE, NodeEvents } from '../../signaling/media.js';
import { signToken } from '../../signaling/token.js';
import { deletePrefix, REDIS_URL } from '../support/redis.js';
import { NodeProc, waitFor } from './procs.js';

const CONF = 'ls-135';
const TOKEN_SECRET = randomBytes(16).toString('hex');
const NODE_SECRET = randomBytes(16).toString('hex');
const PREFIX = `t-nodetrust-${randomBytes(4).toString('hex')}:`;
const base = { tokenSecret: TOKEN_SECRET, nodeSecret: NODE_SECRET, workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1' };
const nodeToken = () => signToken(NODE_SECRET, { role: 'node', conf: '*', site: 'rogue', ttlSeconds: 600 });

type Ack = { ok: boolean; data?: any; error?: { code: string; message: string } };

describe('a holder of the node secret cannot take over the cascade', { timeout: 120_000 }, () => {
  let control: ControlHandle;
  let centre: NodeProc;
  let langson: NodeProc;
  const rogues: Socket[] = [];

  const rogue = async (): Promise<Socket> => {
    const s = io(new URL(NODE_NAMESPACE, centre.url).toString(), { auth: { token: nodeToken() }, transports: ['websocket'], reconnection: false, forceNew: true });
    rogues.push(s);
    await new Promise<void>((res, rej) => { s.once('connect', () => res()); s.once('connect_error', rej); });
    // answers the parent's pipe offers like a node would (an endpoint nobody reads)
    const port = await freePort();
    s.on(NodeEvents.pipeOffer, (m: { endpoint: { srtpParameters?: unknown } }, ack: (a: Ack) => void) =>
      ack({ ok: true, data: { endpoint: { ip: '127.0.0.1', port, srtpParameters: m.endpoint.srtpParameters } } }));
    return s;
  };
  const ask = (s: Socket, event: string, payload: unknown) => s.timeout(10_000).emitWithAck(event, payload) as Promise<Ack>;
  const confAtCentre = async (conf: string) => (await centre.health()).conferences.find((c) => c.conf === conf);

  beforeAll(async () => {
    const port = await freePort();
    control = await startControl({ port, redisUrl: REDIS_URL, redisPrefix: PREFIX, dataDir: `.cache/test-data/${PREFIX.slice(0, -1)}`, demo: true, logLevel: 'warn', tokenSecret: TOKEN_SECRET });
    centre = await new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'], controlUrl: control.url }, 'nodetrust-centre').start();
    langson = await new NodeProc({ ...base, nodeId: 'langson', sites: ['ls'], parent: centre.url, controlUrl: control.url }, 'nodetrust-langson').start();
    await waitFor('langson registered', async () => (await centre.health()).children.some((c) => c.nodeId === 'langson'), 15_000);
    // control has told the centre which conferences exist for it
    await waitFor('the centre told its conferences', async () => (await centre.health()).carries !== null, 15_000);
  });

  afterAll(async () => {
    for (const s of rogues) s.close();
    await langson?.stop();
    await centre?.stop();
    await control?.close();
    await deletePrefix(PREFIX);
  });

  test('registering with the id of a live node is refused; the live node keeps its link', async () => {
    const s = await rogue();
    const r = await ask(s, NodeEvents.register, { nodeId: 'langson', sites: ['ls'] });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'CONFLICT');
    const h = await centre.health();
    assert.ok(h.children.some((c) => c.nodeId === 'langson'), 'langson still linked');
    assert.equal((await langson.health()).parent?.state, 'connected');
  });

  test('the floor cannot be switched from below without an organizer\'s own token', async () => {
    const s = await rogue();
    assert.ok((await ask(s, NodeEvents.register, { nodeId: 'rogue-1', sites: ['rogue-site'] })).ok);
    const before = (await confAtCentre(CONF))?.floor ?? null;
    const junk = await ask(s, NodeEvents.floorSet, { conf: CONF, site: 'ls', contribution: null, token: 'not-a-token' });
    assert.equal(junk.ok, false);
    assert.equal(junk.error?.code, 'UNAUTHORIZED');
    // a hall's token is a real token, but not an organizer's
    const viewer = signToken(TOKEN_SECRET, { role: 'viewer', conf: CONF, site: 'ls' });
    const notOrg = await ask(s, NodeEvents.floorSet, { conf: CONF, site: 'ls', contribution: null, token: viewer });
    assert.equal(notOrg.error?.code, 'FORBIDDEN');
    assert.equal((await confAtCentre(CONF))?.floor ?? null, before, 'the floor did not move');
  });

  test('no session for a conference control never named', async () => {
    const s = await rogue();
    assert.ok((await ask(s, NodeEvents.register, { nodeId: 'rogue-2', sites: ['rogue-site'] })).ok);
    for (let i = 0; i < 5; i++) {
      const r = await ask(s, NodeEvents.pipeRequest, { conf: `made-up-${i}` });
      assert.equal(r.error?.code, 'NOT_FOUND');
    }
    assert.ok(!(await centre.health()).conferences.some((c) => c.conf.startsWith('made-up')));
  });

  test('a "source" (or any media of a site without the floor) sent up from below is refused', async () => {
    const s = await rogue();
    assert.ok((await ask(s, NodeEvents.register, { nodeId: 'rogue-3', sites: ['rogue-site'] })).ok);
    // a pipe for the real conference, as any child gets
    const pipe = await ask(s, NodeEvents.pipeRequest, { conf: CONF });
    assert.ok(pipe.ok, JSON.stringify(pipe));
    const rtpParameters = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [] }], encodings: [{ ssrc: 1234 }], rtcp: { cname: 'x' } };
    await waitFor('the pipe ready at the centre', async () => {
      const r = await ask(s, NodeEvents.producerAdded, { conf: CONF, producerId: randomUUID(), kind: 'video', rtpParameters, paused: false, site: 'tw', tag: 'source', contribution: null });
      return r.error?.code === 'FORBIDDEN' ? r : null;
    }, 10_000, 200);
    const notFloor = await ask(s, NodeEvents.producerAdded, { conf: CONF, producerId: randomUUID(), kind: 'video', rtpParameters, paused: false, site: 'ls', tag: 'contributor', contribution: 'c-x' });
    assert.equal(notFloor.error?.code, 'FORBIDDEN', 'ls does not hold the floor');
    assert.equal((await confAtCentre(CONF))?.producers ?? 0, 0, 'nothing of the rogue reached the centre');
  });
});
