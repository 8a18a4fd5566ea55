// `./diemcau demo` as a whole: the launcher starts the cascade (and the control
// service) over https with its own CA, prints `role site url` lines, writes the same links to
// --links-out, every hall link joins its site on the node it names, and
// SIGTERM stops every child.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io } from 'socket.io-client';
import { Redis } from 'ioredis';
import { HALL_NAMESPACE, HallEvents, JoinRes, MediaRoutes, NodeHealth, TransportInfo } from '../../signaling/media.js';
import { REPO_ROOT } from '../../infra/proc.js';
import { trustCa } from '../../infra/tls.js';
import { ensureClientBuilt } from './harness.js';

interface Link { role: string; site: string; url: string }

/** The link's invitation exchanged at the control service it names for a short-lived media token. */
async function mediaToken(link: Link): Promise<string> {
  const u = new URL(link.url);
  const control = u.searchParams.get('control');
  assert.ok(control, `${link.role} ${link.site} names the control service`);
  const invitation = u.searchParams.get('token')!;
  const conf = JSON.parse(Buffer.from(invitation.split('.')[1]!, 'base64url').toString()).conf as string;
  const r = await fetch(`${control}/api/conferences/${conf}/media-token`, { method: 'POST', headers: { authorization: `Bearer ${invitation}`, 'content-type': 'application/json' }, body: '{}' });
  const j = await r.json() as { ok: boolean; data: { token: string } };
  assert.ok(j.ok, JSON.stringify(j));
  return j.data.token;
}

/** The demo's nodes take no invitation: a handshake with one is refused, with a sentence. */
async function refusesInvitation(link: Link): Promise<void> {
  const u = new URL(link.url);
  const socket = io(`${u.origin}${HALL_NAMESPACE}`, { auth: { token: u.searchParams.get('token') }, transports: ['websocket'], reconnection: false });
  try {
    const err = await new Promise<Error & { data?: { code?: string; message?: string } }>((res, rej) => { socket.once('connect', () => rej(new Error('an invitation was accepted'))); socket.once('connect_error', res); });
    assert.equal(err.data?.code, 'UNAUTHORIZED');
    assert.match(err.data?.message ?? '', /mã truy cập ngắn hạn/);
  } finally {
    socket.close();
  }
}

async function joins(link: Link, role: 'hall' | 'studio' | 'contributor'): Promise<unknown> {
  const u = new URL(link.url);
  const socket = io(`${u.origin}${HALL_NAMESPACE}`, { auth: { token: await mediaToken(link) }, transports: ['websocket'], reconnection: false });
  try {
    await new Promise<void>((res, rej) => { socket.once('connect', () => res()); socket.once('connect_error', rej); });
    const ack = await socket.timeout(10_000).emitWithAck(HallEvents.join, { site: link.site, role });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    if (role === 'hall') {
      // the demo's coturn: every transport comes with short-lived TURN credentials (TLS first)
      const t = await socket.timeout(10_000).emitWithAck(HallEvents.createTransport, { direction: 'recv' });
      assert.equal(t.ok, true, JSON.stringify(t));
      const ice = TransportInfo.parse(t.data).iceServers?.[0];
      assert.match(ice?.urls[0] ?? '', /^turns:127\.0\.0\.1:\d+\?transport=tcp$/);
      assert.match(ice?.username ?? '', /^\d+:/);
    }
    return JoinRes.parse(ack.data);
  } finally {
    socket.close();
  }
}

test('demo launcher: links, working tokens, clean stop', { timeout: 180_000 }, async () => {
  await ensureClientBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'diemcau-demo-'));
  const prefix = `test-demo-${randomBytes(4).toString('hex')}:`;
  const linksFile = join(dir, 'links.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/demo.ts', '--links-out', linksFile, '--media-port', '0', '--control-port', '0'], {
    cwd: REPO_ROOT, env: { ...process.env, REDIS_PREFIX: prefix, DATA_DIR: join(dir, 'data') }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await new Promise<void>((res, rej) => {
      const t = setInterval(() => { if (out.includes('ready')) { clearInterval(t); res(); } }, 100);
      void exited.then((code) => { clearInterval(t); rej(new Error(`demo exited early (${code}): ${out}`)); });
    });
    const links = JSON.parse(readFileSync(linksFile, 'utf8')) as Link[];
    // TLS by default: every page and socket is https/wss under the demo's own CA, which this test trusts as a person would
    for (const l of links) assert.match(l.url, /^https:\/\//, `${l.role} ${l.site} over https`);
    assert.match(out, /Manage certificates/);
    trustCa(resolve(REPO_ROOT, '.cache/tls/ca.pem'));
    const lines = out.split('\n').filter((l) => /^\S+ \S+ http/.test(l));
    assert.deepEqual(lines, links.map((l) => `${l.role} ${l.site} ${l.url}`), 'stdout lines match --links-out');
    const want = ['studio tw', 'hall ls', 'hall ls-trangdinh', 'hall ls-trangdinh-01', 'hall ls-caoloc-01', 'contributor ls-caoloc'];
    for (const w of want) assert.ok(links.some((l) => `${l.role} ${l.site}` === w), `link for ${w}`);

    for (const l of links.filter((x) => x.role === 'hall')) {
      const page = await fetch(l.url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="overlay">/);
      // The overlay (maket, agenda) reaches the control service named by the link.
      const control = new URL(l.url).searchParams.get('control');
      assert.ok(control, `hall ${l.site} link names the control service`);
      assert.equal((await fetch(`${control}/healthz`)).status, 200);
      const joined = (await joins(l, 'hall')) as { site: string; nodeId: string };
      assert.equal(joined.site, l.site);
    }
    // Communes are served by their district's node; the province's hall by the province node.
    const nodeOf = async (l: Link) => NodeHealth.parse(await (await fetch(`${new URL(l.url).origin}${MediaRoutes.health}`)).json());
    const byKey = (k: string) => links.find((l) => `${l.role} ${l.site}` === k)!;
    assert.equal((await nodeOf(byKey('hall ls-trangdinh-01'))).nodeId, 'd-trangdinh');
    assert.equal((await nodeOf(byKey('hall ls-caoloc-01'))).nodeId, 'd-caoloc');
    assert.equal((await nodeOf(byKey('hall ls'))).nodeId, 'langson');
    const centre = await nodeOf(byKey('studio tw'));
    assert.equal(centre.nodeId, 'centre');
    assert.deepEqual(centre.children.map((c) => c.nodeId), ['langson']);
    // The control service's apps, when built, answer on their links too.
    for (const l of links.filter((x) => ['organizer', 'technician', 'checkin'].includes(x.role))) {
      assert.equal((await fetch(l.url)).status, 200, `${l.role} ${l.site}`);
    }
    await refusesInvitation(byKey('hall ls-trangdinh-01'));
    await joins(byKey('studio tw'), 'studio');
    await joins(byKey('contributor ls-caoloc'), 'contributor');

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    for (const l of links) {
      await assert.rejects(fetch(new URL(l.url).origin, { signal: AbortSignal.timeout(2000) }), `${l.role} ${l.site} stopped`);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
});
