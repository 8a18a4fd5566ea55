// The state the fuzzing must not change: a hash over every node's health and
// tracked streams, taken before and after, and which nodes differ when it does.
import { createHash } from 'node:crypto';
import type { NodeProc } from '../procs.js';
import { ALL_CONFS } from './config.js';

export type Snapshot = { hash: string; state: Record<string, unknown> };

/** Health (parent link, children, conferences with floor and producer count) and every tracked stream of each node. */
export async function snapshot(nodes: NodeProc[]): Promise<Snapshot> {
  const state: Record<string, unknown> = {};
  for (const n of nodes) {
    // object counts are left out: sockets closed by the fuzzing free their transports a moment later
    const { objects: _objects, ...h } = await n.health();
    const s = await n.stats(ALL_CONFS);
    state[n.nodeId] = {
      health: {
        ...h,
        children: [...h.children].sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
        conferences: [...h.conferences].sort((a, b) => a.conf.localeCompare(b.conf)),
      },
      // identity of every producer/consumer the node tracks; no counters
      streams: s.streams.map((x) => [x.hop, x.direction, x.conf, x.site, x.kind, x.producerId, x.peer ?? '', x.id].join(' ')).sort(),
    };
  }
  return { state, hash: createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 16) };
}

/** The nodes whose part of the state differs, before → after. */
export function stateDiff(a: Snapshot, b: Snapshot): string {
  return Object.keys(a.state)
    .filter((k) => JSON.stringify(a.state[k]) !== JSON.stringify(b.state[k]))
    .map((k) => `\n  ${k} before ${JSON.stringify(a.state[k])}\n  ${k} after  ${JSON.stringify(b.state[k])}`)
    .join('');
}
