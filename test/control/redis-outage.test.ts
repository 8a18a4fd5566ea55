// Redis goes down for longer than the ~73 s that used to stop the control
// service (an unhandled rejection of the socket.io adapter's publish): the
// service keeps running, refuses writes with a clear UNAVAILABLE (nothing is
// acknowledged and lost), and resumes by itself when Redis is back. A private
// redis-server (append-only file, so a restart keeps the data) and the control
// service as its own process, as in production.
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { ControlEvents } from '../../signaling/control.js';
import { freePort, Service } from '../../infra/proc.js';
import { waitFor as poll } from '../support/wait.js';
import { signToken } from '../../signaling/token.js';
import { connect, emit } from './helpers.js';

const CONF = 'ls-135';
const SITE = 'ls-trangdinh-01';
const SECRET = randomBytes(16).toString('hex');
/** Longer than the ~73 s after which the old code exited. */
const OUTAGE_MS = Number(process.env.REDIS_OUTAGE_MS ?? 80_000);

let dir: string;
let redisPort: number;
let redis: ChildProcess | null = null;
let control: Service;
let base = '';
let exited: string | null = null;

function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
  return poll('redis up', () => new Promise<boolean>((res) => {
    const c = connectTcp(redisPort, '127.0.0.1', () => { c.end(); res(true); });
    c.once('error', () => res(false));
  }), 10_000, 100).then(() => undefined);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'diemcau-redis-'));
  redisPort = await freePort();
  await startRedis();
  const port = await freePort();
  let out = '';
  control = new Service({
    name: 'control', entry: 'server/main.ts', args: ['--demo'], logFile: 'test-artifacts/redis-outage-control.log',
    env: { TOKEN_SECRET: SECRET, REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PREFIX: 'outage:', CONTROL_PORT: String(port), DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn' },
    onOutput: (b) => { out += b.toString(); },
    onUnexpectedExit: (code, sig) => { exited = `exit ${code} ${sig}\n${out.slice(-2000)}`; },
  });
  control.start();
  base = await poll('control listening', async () => /control listening (\S+)/.exec(out)?.[1] ?? null, 30_000, 100);
}, 60_000);

afterAll(async () => {
  await control?.stop();
  redis?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('Redis down for longer than a minute: no crash, writes refused clearly, everything back by itself', { timeout: OUTAGE_MS + 90_000 }, async () => {
  const techToken = signToken(SECRET, { role: 'technician', conf: CONF, site: SITE });
  const orgToken = signToken(SECRET, { role: 'organizer', conf: CONF });
  const sock: Socket = await connect(base, techToken, 'console', { reconnection: true, reconnectionDelay: 500, reconnectionDelayMax: 2000 });
  await emit(sock, ControlEvents.subscribe, { conf: CONF });
  const ok = await emit(sock, ControlEvents.headcount, { site: SITE, group: 'xa-1', present: 11 });
  assert.ok(ok.ok, JSON.stringify(ok));

  redis!.kill('SIGKILL');
  await new Promise<void>((r) => redis!.once('exit', () => r()));
  const downAt = Date.now();
  // a write during the outage: refused with UNAVAILABLE and a sentence, never acknowledged
  const refused = await poll('a write refused as UNAVAILABLE', async () => {
    if (!sock.connected) return null;
    const r = await emit(sock, ControlEvents.headcount, { site: SITE, group: 'xa-1', present: 12 }, 15_000).catch(() => null);
    return r && !r.ok ? r : null;
  }, 30_000, 500);
  assert.equal(!refused.ok && refused.error.code, 'UNAVAILABLE');
  assert.match(!refused.ok ? refused.error.message : '', /thử lại/);
  const http = await fetch(`${base}/api/conferences/${CONF}/snapshot`, { headers: { authorization: `Bearer ${orgToken}` } });
  assert.equal(http.status, 503);

  // the outage lasts past the point where the old code exited; the service must still be there
  while (Date.now() - downAt < OUTAGE_MS) {
    assert.equal(exited, null, `control exited during the outage: ${exited}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(exited, null);
  assert.ok([200, 503].includes((await fetch(`${base}/healthz`)).status), 'still answering');

  await startRedis();
  // back by itself: the refused write was never stored, the earlier one was, and writes work again
  const back = await poll('writes accepted again', async () => {
    if (!sock.connected) return null;
    const r = await emit(sock, ControlEvents.headcount, { site: SITE, group: 'xa-2', present: 5 }, 5000).catch(() => null);
    return r?.ok ? r : null;
  }, 60_000, 500);
  assert.ok(back.ok);
  const att = await (await fetch(`${base}/api/conferences/${CONF}/attendance/${SITE}`, { headers: { authorization: `Bearer ${orgToken}` } })).json() as { data: { present: Record<string, number> } };
  assert.equal(att.data.present['xa-1'], 11, 'the write acknowledged before the outage is kept; the refused one never applied');
  assert.equal(att.data.present['xa-2'], 5);
  assert.equal(exited, null);
  sock.close();
});
