// A material delivery that was running on an instance killed with SIGKILL is
// taken over by a live instance once the job's lock expires (the lock and the
// stalled check are configurable; short here so the test is quick): the site
// is notified again by the live instance, its receipt marks the site delivered.
import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { ControlEvents, ControlPushes, type Delivery, type Material, type MaterialNotify } from '../../signaling/control.js';
import { waitFor as poll } from '../support/wait.js';
import { api, CONF, receiptFor, connect, emit, setupConference, spawnControl, testEnv, token, waitFor } from './helpers.js';

const LOCK_MS = 2000;
const STALLED_MS = 1000;
const env = testEnv('takeover');
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await env.cleanup();
});

function startChild(): Promise<{ child: ChildProcess; url: string }> {
  const started = spawnControl({ CONTROL_PORT: '0', REDIS_PREFIX: env.prefix, DATA_DIR: env.dataDir,
    DELIVERY_ATTEMPTS: '1', RECEIPT_TIMEOUT_MS: '60000', DELIVERY_LOCK_MS: String(LOCK_MS), DELIVERY_STALLED_MS: String(STALLED_MS) });
  children.push(started.child);
  return started.ready;
}

test('a delivery job of a killed instance is taken over by a live one', { timeout: 60_000 }, async () => {
  const { child, url } = await startChild();
  const { org } = await setupConference(url, 1, 2);
  const text = 'Tài liệu chuyển giao — nội dung thử.\n'.repeat(20);
  const sha = createHash('sha256').update(text).digest('hex');
  const up = await api<Material>(url, org, 'POST', `/api/conferences/${CONF}/materials?id=tl-k&title=${encodeURIComponent('Tài liệu')}&filename=tl.md&targets=d01-c01`, text, { 'content-type': 'text/markdown' });
  assert.equal(up.status, 201, JSON.stringify(up.body));

  // the only instance has picked the job up and is waiting for the receipt
  const stateOn = async (base: string) => {
    const r = await api<{ deliveries: Delivery[] }>(base, org, 'GET', `/api/conferences/${CONF}/materials/tl-k/deliveries`);
    return r.body.data?.deliveries.find((d: Delivery) => d.site === 'd01-c01');
  };
  await poll('the first instance to notify the site', async () => (await stateOn(url))?.state === 'notified', 10_000, 100);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));

  const live = await env.start({ delivery: { attempts: 1, receiptTimeoutMs: 60_000, lockMs: LOCK_MS, stalledIntervalMs: STALLED_MS } });
  const tech = await connect(live.url, token('technician', CONF, 'd01-c01'), 'console');
  sockets.push(tech);
  const notified = waitFor<MaterialNotify>(tech, ControlPushes.materialNotify, (n) => n.material.id === 'tl-k', 30_000);
  assert.ok((await emit(tech, ControlEvents.subscribe, { conf: CONF })).ok);
  const n = await notified;
  assert.equal(n.site, 'd01-c01');
  const proof = await receiptFor(live.url, token('technician', CONF, 'd01-c01'), CONF, 'tl-k', text);
  assert.equal(proof.sha256, sha);
  const rec = await emit<Delivery>(tech, ControlEvents.receipt, { site: 'd01-c01', material: 'tl-k', version: 1, ...proof });
  assert.ok(rec.ok, JSON.stringify(rec));
  assert.equal((await stateOn(live.url))?.state, 'delivered');
});
