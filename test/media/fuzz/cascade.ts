// The cascade under test, shared by every fuzz test of one file: a centre,
// langson below it, binhgia below a fake parent, a source relayed down the
// tree (and one of another conference), and the clients aimed at them. Set
// up once, in order, by startCascade; the bindings below are read live.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { HALL_NAMESPACE, HallEvents, NODE_NAMESPACE, NodeEvents, type HallRole } from '../../../signaling/media.js';
import { NodeProc, waitFor } from '../procs.js';
import { Client, FakeParent } from './clients.js';
import { ORG, OTHER, base, nodeTok, tok } from './config.js';
import { request } from './http.js';
import { snapshot, type Snapshot } from './state.js';
import { assertOkAck } from './tally.js';

export const centre = new NodeProc({ ...base, nodeId: 'centre', sites: ['tw'] }, 'fuzz-centre');
export let langson: NodeProc;
export let binhgia: NodeProc;
export const parent = new FakeParent();
export const nodes = () => [centre, langson, binhgia];
export type NodeName = 'centre' | 'langson' | 'binhgia';
export const N = (name: NodeName): NodeProc => ({ centre, langson, binhgia })[name];
export let before: Snapshot;
export let ingestId = '';
export let sourceIds: string[] = [];
export let pipeConsumerIds: string[] = [];
export const outputAt = new Map<string, number>();
export const clients: Client[] = [];
export const fuzzNodeIds = new Set<string>();

const client = (...args: ConstructorParameters<typeof Client>) => {
  const c = new Client(...args);
  clients.push(c);
  return c;
};
const joined = (site: string, role: HallRole, transports: ('send' | 'recv')[]) => async (c: Client) => {
  assertOkAck(await c.ack(HallEvents.join, { site, role }), `${c.name} join`);
  for (const direction of transports) {
    c.ids[direction] = assertOkAck<{ id: string }>(await c.ack(HallEvents.createTransport, { direction }), `${c.name} transport`).id;
  }
};
/** A child-node client: answers what a parent sends it with refusals, so nothing is set up towards it. */
export const nodeListen = (s: Socket) => {
  const no = (_p: unknown, ack: unknown) => typeof ack === 'function' && ack({ ok: false, error: { code: 'UNAVAILABLE', message: 'no media on this link' } });
  s.on(NodeEvents.pipeOffer, no);
  s.on(NodeEvents.producerAdded, no);
  s.on(NodeEvents.producerClosed, (_p: unknown, ack: unknown) => typeof ack === 'function' && ack({ ok: true, data: {} }));
  s.on(NodeEvents.programme, (_p: unknown, ack: unknown) => typeof ack === 'function' && ack({ ok: true, data: {} }));
};
const register = async (c: Client) => {
  const nodeId = `fuzz-${randomBytes(4).toString('hex')}`;
  fuzzNodeIds.add(nodeId);
  assertOkAck(await c.ack(NodeEvents.register, { nodeId, sites: ['fz-01'] }), `${c.name} register`);
};

export let hall: Record<'lsHall' | 'lsConsole' | 'lsFresh' | 'lsOtherConf' | 'lsTechTw' | 'lsPart' | 'twStudio' | 'twTech', Client>;
export let nodeWire: Record<'centreAnon' | 'langsonAnon' | 'centreReg', Client>;

/** Starts the nodes, the source relays and the clients; takes the state hash compared at the end. */
export async function startCascade(): Promise<void> {
  await Promise.all([centre.start(), parent.start()]);
  langson = new NodeProc({ ...base, nodeId: 'langson', sites: ['ls', 'ls-01'], parent: centre.url }, 'fuzz-langson');
  binhgia = new NodeProc({ ...base, nodeId: 'binhgia', sites: ['ls-bg'], parent: parent.url }, 'fuzz-binhgia');
  await Promise.all([langson.start(), binhgia.start()]);
  await waitFor('langson registered at the centre', async () => (await langson.health()).parent?.state === 'connected');
  await waitFor('binhgia registered at its parent', async () => (await binhgia.health()).parent?.state === 'connected' && parent.child);

  // a source at the centre, relayed to langson: producers, pipe consumers and pipe producers to break
  const ingest = await centre.ingest(ORG, { site: 'tw' });
  ingestId = ingest.id;
  sourceIds = ingest.streams.map((s) => s.producerId).sort();
  await waitFor('the source relayed to langson', async () => {
    const [c, l] = await Promise.all([centre.stats(ORG), langson.stats(ORG)]);
    pipeConsumerIds = c.streams.filter((x) => x.hop === 'pipe' && x.direction === 'out').map((x) => x.id);
    return pipeConsumerIds.length === 2 && l.streams.filter((x) => x.hop === 'pipe' && x.direction === 'in').length === 2;
  });
  // a second conference with its own source, so "another conference" has real ids
  await request(centre, { path: '/ingest', token: tok('organizer', undefined, OTHER), body: { site: 'tw', streams: [{ kind: 'audio' }] } }).then((r) => assert.equal(r.status, 201, r.text));
  await waitFor('the other conference relayed to langson', async () => (await langson.health()).conferences.some((c) => c.conf === OTHER && c.producers === 1));

  before = await snapshot(nodes());
  for (const n of nodes()) outputAt.set(n.nodeId, n.output.length);

  const H = HALL_NAMESPACE;
  hall = {
    lsHall: client('langson hall ls-01', langson.url, H, () => tok('viewer', 'ls-01'), joined('ls-01', 'hall', ['recv'])),
    lsConsole: client('langson console ls', langson.url, H, () => tok('technician', 'ls'), joined('ls', 'console', ['recv'])),
    lsFresh: client('langson viewer ls-01 (not joined)', langson.url, H, () => tok('viewer', 'ls-01')),
    lsOtherConf: client(`langson viewer ls-01 of ${OTHER} (not joined)`, langson.url, H, () => tok('viewer', 'ls-01', OTHER)),
    lsTechTw: client('langson technician of tw (not joined)', langson.url, H, () => tok('technician', 'tw')),
    lsPart: client('langson participant ls (not joined)', langson.url, H, () => tok('participant', 'ls')),
    twStudio: client('centre studio', centre.url, H, () => ORG, joined('tw', 'studio', ['send', 'recv'])),
    twTech: client('centre technician tw (not joined)', centre.url, H, () => tok('technician', 'tw')),
  };
  nodeWire = {
    centreAnon: client('centre /node (not registered)', centre.url, NODE_NAMESPACE, nodeTok, undefined, nodeListen),
    langsonAnon: client('langson /node (not registered)', langson.url, NODE_NAMESPACE, nodeTok, undefined, nodeListen),
    centreReg: client('centre /node (registered, fresh id)', centre.url, NODE_NAMESPACE, nodeTok, register, nodeListen),
  };
}

/** Closes the clients and the fake parent, and stops the nodes. */
export async function stopCascade(): Promise<void> {
  for (const c of clients) c.close();
  await parent.close();
  for (const n of [binhgia, langson, centre]) await n?.stop();
}
