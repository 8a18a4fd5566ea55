// Run as its own process by exit.test.ts: a root node, a child relaying from it,
// and an orphan whose parent never answers; closes them all (twice) and then
// must leave the event loop empty so the process exits without process.exit().
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { startMediaNode } from '../../media/node.js';
import { freeUdpTcpPort } from '../../media/workers.js';
import { signToken } from '../../signaling/token.js';

const tokenSecret = randomBytes(16).toString('hex');
const nodeSecret = randomBytes(16).toString('hex');
const log = pino({ level: 'warn' }, pino.destination(2));
const base = { tokenSecret, nodeSecret, workers: 1, log, retry: { minMs: 200, maxMs: 1000 } };

const root = await startMediaNode({ ...base, nodeId: 'root', sites: ['tw'] });
const child = await startMediaNode({ ...base, nodeId: 'child', sites: ['ls', 'ls-01'], parent: root.url });
const orphan = await startMediaNode({ ...base, nodeId: 'orphan', sites: ['cb'], parent: `http://127.0.0.1:${await freeUdpTcpPort('127.0.0.1')}` });

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!ok()) throw new Error(`timed out: ${what}`);
};
await until('child registered', () => root.health().children.length === 1);
// a source at the root relayed down to the child: pipes, consumers, pipe producers exist
const org = signToken(tokenSecret, { role: 'organizer', conf: 'ls-1' });
const r = await fetch(`${root.url}/ingest`, { method: 'POST', headers: { authorization: `Bearer ${org}`, 'content-type': 'application/json' }, body: '{"site":"tw"}' });
if (r.status !== 201) throw new Error(`ingest ${r.status}`);
await until('relayed to the child', () => child.health().conferences.some((c) => c.producers === 2));
await until('orphan retrying', () => orphan.health().parent?.state !== 'connected');

const closes = [orphan.close(), child.close(), root.close(), root.close(), child.close()];
await Promise.all(closes);
await orphan.close();
console.log(`closed; conferences left: ${[root, child].map((n) => n.health().conferences.length).join(',')}`);
// anything still holding the loop is named here if the parent test times out
const t = setTimeout(() => console.log('still alive:', process.getActiveResourcesInfo().join(',')), 3000);
t.unref();
