// The service is killed mid-conference (SIGKILL) and started again on the same
// port: every accepted attendance record, receipt, check-in and agenda state
// is still there, the attendance stream rebuilds the counts, and a client
// reconnects and resyncs by itself.
import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { io as ioClient, type Socket } from 'socket.io-client';
import { CONTROL_NAMESPACE, ControlEvents, type Snapshot } from '../../signaling/control.js';
import type { Ack } from '../../signaling/common.js';
import { waitFor as poll } from '../support/wait.js';
import { api, CONF, receiptFor, deletePrefix, emit, REDIS_URL, setupConference, spawnControl, token, uniquePrefix } from './helpers.js';

const prefix = uniquePrefix('restart');
const dataDir = `.cache/test-data/${prefix.replace(/:$/, '')}`;
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await deletePrefix(prefix);
  const { rm } = await import('node:fs/promises');
  await rm(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function startChild(port: number): Promise<{ child: ChildProcess; url: string }> {
  const started = spawnControl({ CONTROL_PORT: String(port), REDIS_PREFIX: prefix, DATA_DIR: dataDir, HEARTBEAT_TTL_MS: '1500',
    DELIVERY_ATTEMPTS: '50', DELIVERY_BACKOFF_MS: '200', RECEIPT_TIMEOUT_MS: '500' });
  children.push(started.child);
  return started.ready;
}

test('killed mid-conference: nothing accepted is lost, clients resync', async () => {
  const port = await freePort();
  let { child, url } = await startChild(port);
  const { org, sites } = await setupConference(url, 3, 4);
  const p = (path: string) => `/api/conferences/${CONF}${path}`;
  assert.equal((await api(url, org, 'POST', p('/state'), { state: 'live' })).status, 200);
  assert.equal((await api(url, org, 'PUT', p('/agenda'), { items: [
    { id: 'a1', title: 'Khai mạc', presenter: 'Ban Tổ chức', plannedStart: '2030-01-15T08:00:00+07:00', plannedDurationMin: 10 },
    { id: 'a2', title: 'Báo cáo', presenter: 'Ban Tuyên giáo', plannedStart: '2030-01-15T08:10:00+07:00', plannedDurationMin: 30 },
  ] })).status, 200);
  assert.equal((await api(url, org, 'POST', p('/agenda/a1/start'))).status, 200);

  // a hall console that resubscribes on every (re)connect
  const tech = token('technician', CONF, 'd01-c01');
  const snaps: Snapshot[] = [];
  const sock = ioClient(url + CONTROL_NAMESPACE, { auth: { token: tech, client: 'console' }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 300 });
  sockets.push(sock);
  sock.on('connect', async () => {
    const r = (await sock.emitWithAck(ControlEvents.subscribe, { conf: CONF })) as Ack<Snapshot>;
    if (r.ok) snaps.push(r.data);
  });

  const accepted = new Map<string, Record<string, number>>();
  for (const [i, s] of sites.filter((x) => x.level === 'commune' || x.level === 'district').entries()) {
    const present: Record<string, number> = s.level === 'commune' ? { 'c-a': i + 1, 'c-b': i * 2 } : { 'd-a': i + 3 };
    const r = await api(url, token('technician', CONF, s.id), 'PUT', p(`/attendance/${s.id}`), { present });
    assert.equal(r.status, 200);
    accepted.set(s.id, present);
  }
  const text = 'Kết luận 57 — bản thử';
  const sha = createHash('sha256').update(text).digest('hex');
  const up = await api(url, org, 'POST', p('/materials?id=tl-x&title=KL57&filename=kl57.txt&targets=d01-c01,d01-c02,d02-c01'), text, { 'content-type': 'text/plain' });
  assert.equal(up.status, 201);
  for (const s of ['d01-c01', 'd01-c02']) {
    const t = token('technician', CONF, s);
    const proof = await receiptFor(url, t, CONF, 'tl-x', text);
    assert.equal(proof.sha256, sha);
    const r = await api(url, t, 'POST', p('/materials/tl-x/receipts'), { site: s, version: 1, ...proof });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const ci = await api(url, token('participant', CONF, 'd02-c01'), 'POST', p('/checkins'), { site: 'd02-c01', group: 'c-a', name: 'Nguyễn Văn A' });
  assert.equal(ci.status, 200);
  const before = (await api(url, org, 'GET', p('/rollups'))).body.data;
  await poll('the console\'s first snapshot', async () => snaps.length >= 1, 10_000, 20);

  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  ({ child, url } = await startChild(port));

  // same answers from the new process
  assert.deepEqual((await api(url, org, 'GET', p('/rollups'))).body.data.map((r: any) => ({ ...r, online: 0 })), before.map((r: any) => ({ ...r, online: 0 })));
  for (const [site, present] of accepted) {
    assert.deepEqual((await api(url, org, 'GET', p(`/attendance/${site}`))).body.data.present, present);
  }
  const dl = (await api(url, org, 'GET', p('/materials/tl-x/deliveries'))).body.data;
  assert.deepEqual(dl.deliveries.filter((d: any) => d.state === 'delivered').map((d: any) => d.site).sort(), ['d01-c01', 'd01-c02']);
  const cis = (await api(url, org, 'GET', p('/checkins'))).body.data;
  assert.equal(cis.length, 1);
  assert.equal(cis[0].name, 'Nguyễn Văn A');
  const agenda = (await api(url, org, 'GET', p('/agenda'))).body.data;
  assert.equal(agenda.current, 'a1');
  assert.equal(agenda.items[0].state, 'running');

  // the console reconnected and resubscribed by itself, with the data intact
  await poll('the console to resubscribe after the restart', async () => snaps.length >= 2, 10_000, 50);
  assert.deepEqual(snaps.at(-1)!.attendance[0]!.present, accepted.get('d01-c01'));
  assert.equal(snaps.at(-1)!.agenda.current, 'a1');

  // the dead instance's connection is swept: the site counts once
  const pres = await poll('the dead instance\'s connection to be swept', async () => {
    const x = (await api(url, org, 'GET', p('/presence'))).body.data.find((y: any) => y.site === 'd01-c01');
    return x?.connections === 1 && x;
  }, 8000, 200);
  assert.equal(pres.connections, 1);
  assert.equal(pres.online, true);

  // the attendance stream rebuilds the same counts
  const r = new Redis(REDIS_URL);
  const entries = await r.xrange(`${prefix}stream:${CONF}:attendance`, '-', '+');
  await r.quit();
  const rebuilt = new Map<string, Record<string, number>>();
  for (const [, fields] of entries) {
    const f: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    if (f.kind !== 'p') continue;
    rebuilt.set(f.site!, { ...rebuilt.get(f.site!), ...JSON.parse(f.counts!) });
  }
  assert.deepEqual(rebuilt, accepted);

  // a write after restart still works
  const w = await emit(sock, ControlEvents.headcount, { site: 'd01-c01', group: 'c-a', present: 99 });
  assert.ok(w.ok);
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
});
