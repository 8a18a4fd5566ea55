// Control without a single point of failure: two control instances (their own
// processes) behind a TCP load balancer, on Redis behind Sentinel (a primary,
// a replica, three sentinels), every site write waiting for one replica
// (REDIS_WAIT_REPLICAS=1). Sites keep writing headcounts while (1) one control
// instance is killed and (2) the Redis primary is killed: the sites come back
// through the other instance, control carries on after the promotion (socket.io
// adapter and bullmq included), and no write that was acknowledged is lost.
// Asserts on the data; the times are logged (bench/p8-sentinel.ts measures them).
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { io as ioClient, type Socket } from 'socket.io-client';
import { ControlClient } from '../../client/ui/control-client.js';
import { freePort, Service } from '../../infra/proc.js';
import { CONTROL_NAMESPACE, ControlEvents, ControlPushes, type ReportReminder } from '../../signaling/control.js';
import { startBalancer, type Balancer } from '../support/tcp-balancer.js';
import { startSentinelGroup, type SentinelGroup } from '../support/sentinel.js';
import { waitFor as poll } from '../support/wait.js';
import { api, CONF, conferenceInput, connect, emit, SECRET, setupConference, token, waitFor } from './helpers.js';

const PREFIX = `t-failover-${randomBytes(3).toString('hex')}:`;
const DATA = `.cache/test-data/${PREFIX.slice(0, -1)}`;

let group: SentinelGroup;
let balancer: Balancer;
const ports: number[] = [];
const control: Service[] = [];
const sockets: Socket[] = [];
const pages: ControlClient[] = [];

const output: string[] = [];

function startInstance(i: number): Promise<string> {
  output[i] = '';
  const s = control[i] ?? new Service({
    name: `control-${i}`, entry: 'server/main.ts', logFile: `test-artifacts/failover-control-${i}.log`,
    env: {
      ...group.env, TOKEN_SECRET: SECRET, REDIS_PREFIX: PREFIX, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '1000',
      CONTROL_PORT: String(ports[i]), DATA_DIR: `${DATA}-${i}`, LOG_LEVEL: 'warn',
    },
    onOutput: (b) => { output[i] += b.toString(); },
  });
  control[i] = s;
  s.start();
  return poll(`control ${i} listening`, async () => /control listening (\S+)/.exec(output[i]!)?.[1] ?? null, 30_000, 100);
}

/** A commune's console that keeps writing rising headcounts and remembers what was acknowledged. */
interface Writer { site: string; sock: Socket; sent: number; acked: number; lastAckAt: number; running: boolean; loop?: Promise<void> }
const writers: Writer[] = [];

function run(w: Writer) {
  w.running = true;
  w.loop = (async () => {
    while (w.running) {
      const value = ++w.sent;
      // 4 writes a second per console: under the per-link write limit
      const pace = new Promise((r) => setTimeout(r, 250));
      if (w.sock.connected) {
        const r = await emit(w.sock, ControlEvents.headcount, { site: w.site, group: 'c-a', present: value }, 3000).catch(() => null);
        if (r?.ok) { w.acked = value; w.lastAckAt = Date.now(); }
      }
      await pace;
    }
  })();
}
async function stopAll() {
  for (const w of writers) w.running = false;
  await Promise.all(writers.map((w) => w.loop));
}

/** Every acknowledged value is stored (a later, unacknowledged one may be too: a refused write can still have landed). */
async function assertNothingLost(base: string, org: string) {
  for (const w of writers) {
    const r = await api(base, org, 'GET', `/api/conferences/${CONF}/attendance/${w.site}`);
    assert.ok(r.body.ok, JSON.stringify(r.body));
    const stored = r.body.data.present['c-a'] as number;
    assert.ok(w.acked > 0, `${w.site} had a write acknowledged`);
    assert.ok(stored >= w.acked && stored <= w.sent, `${w.site}: stored ${stored}, acknowledged ${w.acked}, sent ${w.sent}`);
  }
}

beforeAll(async () => {
  group = await startSentinelGroup();
  ports.push(await freePort(), await freePort());
  await Promise.all([startInstance(0), startInstance(1)]);
  balancer = await startBalancer(ports);
}, 90_000);

afterAll(async () => {
  await stopAll();
  for (const p of pages) p.close();
  for (const s of sockets) s.close();
  await balancer?.close();
  for (const c of control) await c.stop();
  await group?.close();
  for (let i = 0; i < 2; i++) await rm(`${DATA}-${i}`, { recursive: true, force: true });
});

test('one control instance dies: its sites are back on the other and no acknowledged write is lost', async () => {
  const { org, sites } = await setupConference(balancer.url, 4, 5);
  for (const s of sites.filter((x) => x.level === 'commune')) {
    const sock = ioClient(balancer.url + CONTROL_NAMESPACE, {
      auth: { token: token('technician', CONF, s.id), client: 'console' }, transports: ['websocket'], forceNew: true,
      reconnectionDelay: 200, reconnectionDelayMax: 1000,
    });
    sockets.push(sock);
    writers.push({ site: s.id, sock, sent: 0, acked: 0, lastAckAt: 0, running: false });
  }
  await poll('consoles connected', async () => writers.every((w) => w.sock.connected), 20_000);
  const spread = balancer.connections();
  assert.ok(spread.get(ports[0]!)! > 0 && spread.get(ports[1]!)! > 0, `sockets on both instances: ${[...spread.values()]}`);
  writers.forEach(run);
  await poll('writes acknowledged', async () => writers.every((w) => w.acked >= 3), 20_000);

  const tKill = Date.now();
  process.kill(control[0]!.pid!, 'SIGKILL');
  await poll('every site writing again through the other instance', async () => writers.every((w) => w.lastAckAt > tKill + 300), 60_000, 50);
  console.log(`control instance killed: every site acknowledged again after ${Math.max(...writers.map((w) => w.lastAckAt)) - tKill} ms (slowest site's first write after the kill: ≤ that)`);
  assert.equal(balancer.connections().get(ports[0]!), 0);
  await stopAll();
  await assertNothingLost(balancer.url, org);
}, 120_000);

test('the Redis primary dies mid-burst: control follows the promotion (adapter, bullmq) and no acknowledged write is lost', async () => {
  const a = await startInstance(0);
  const b = `http://127.0.0.1:${ports[1]}`;
  const org = token('organizer', CONF);
  // an organizer on instance A sees what a console writes on instance B only through the Redis adapter
  const orgA = await connect(a, org, 'organizer', { reconnectionDelay: 200, reconnection: true });
  sockets.push(orgA);
  orgA.on('connect', () => void emit(orgA, ControlEvents.subscribe, { conf: CONF }));
  assert.ok((await emit(orgA, ControlEvents.subscribe, { conf: CONF })).ok);
  // and the organizer page's own client on A (client/ui/control-client.ts)
  const page = new ControlClient({ base: a, token: org, client: 'organizer', conf: CONF }).start();
  pages.push(page);
  await poll('organizer page online', async () => page.connection.value === 'online', 10_000);
  const techB = await connect(b, token('technician', CONF, 'd01-c01'), 'console', { reconnectionDelay: 200, reconnection: true });
  sockets.push(techB);

  writers.forEach(run);
  await poll('writes acknowledged', async () => writers.every((w) => w.acked >= w.sent - 1 && w.lastAckAt > Date.now() - 1000), 20_000);
  await new Promise((r) => setTimeout(r, 1000));
  const before = await group.primaryPort();
  const tKill = Date.now();
  await group.killPrimary();
  const now = await group.promoted(before, 60_000);
  const tPromoted = Date.now();
  await poll('every site writing again after the promotion', async () => writers.every((w) => w.lastAckAt > tPromoted), 60_000, 50);
  const tBack = Math.max(...writers.map((w) => w.lastAckAt));
  console.log(`Redis primary killed: promoted ${before} → ${now} after ${tPromoted - tKill} ms; every site acknowledged again ${tBack - tPromoted} ms after the promotion`);
  await stopAll();
  await assertNothingLost(b, org);

  // one write on B reaches the organizer page on A: through the Redis adapter once A's pub/sub
  // subscription is back, or, if the push was published before that (pub/sub keeps nothing), by
  // the page noticing a sequence number no push brought and reading its snapshot again
  assert.ok((await emit(techB, ControlEvents.headcount, { site: 'd01-c01', group: 'c-b', present: 100 }, 10_000)).ok);
  const tWrite = Date.now();
  await poll('the write on B shown on the organizer page on A', async () => page.store.attendance.value.get('d01-c01')?.present['c-b'] === 100, 30_000, 50);
  console.log(`after the failover a write on B was on the organizer page on A ${Date.now() - tWrite} ms later (re-reads of its snapshot: ${page.resyncs.value})`);
  // every acknowledged figure is on the page as stored
  // (a request refused as UNAVAILABLE while a connection still finds its way to the new primary is
  // asked again, as the apps do)
  const answered = async (method: string, path: string, body?: unknown) => poll(`${method} ${path} answered`, async () => {
    const r = await api(b, org, method, path, body);
    return r.body.ok ? r.body : undefined;
  }, 15_000, 200);
  for (const w of writers) {
    const stored = (await answered('GET', `/api/conferences/${CONF}/attendance/${w.site}`)).data.present['c-a'];
    await poll(`${w.site} on the page as stored`, async () => page.store.attendance.value.get(w.site)?.present['c-a'] === stored, 15_000, 50);
  }
  // bullmq follows: a report deadline due now schedules a reminder job that a worker runs at once
  const reminder = waitFor<ReportReminder>(orgA, ControlPushes.reportReminder, (r) => r.conference === CONF, 15_000);
  const soon = new Date(Date.now() + 3600_000 + 7 * 3600_000).toISOString().replace('Z', '+07:00');
  await answered('PUT', `/api/conferences/${CONF}`, { ...conferenceInput, reportDeadline: soon });
  await reminder;
}, 180_000);
