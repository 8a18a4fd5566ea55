// Shared fixtures of the control tests: a service on a free port with its own
// Redis prefix and data dir, HTTP/socket helpers, a small site tree.
import { createHash, randomBytes } from 'node:crypto';
import { proofRange } from '../../signaling/receipt-proof.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { deletePrefix } from '../support/redis.js';
import { io as ioClient, type Socket } from 'socket.io-client';
import { startControl, type ControlHandle, type ControlOptions } from '../../server/app.js';
import { CONTROL_NAMESPACE, type ConferenceInput, type DelegateGroup, type SiteInput } from '../../signaling/control.js';
import type { Ack } from '../../signaling/common.js';
import { signToken } from '../../signaling/token.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SECRET = `test-${randomBytes(8).toString('hex')}`;

export function uniquePrefix(name: string) {
  return `t-${name}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
}

export interface Env {
  prefix: string;
  dataDir: string;
  start(extra?: Partial<ControlOptions>): Promise<ControlHandle>;
  cleanup(): Promise<void>;
}

/** One test run's Redis prefix + data dir; start() may be called several times (instances, restarts). */
export function testEnv(name: string, base: Partial<ControlOptions> = {}): Env {
  const prefix = uniquePrefix(name);
  const dataDir = `.cache/test-data/${prefix.replace(/:$/, '')}`;
  const handles: ControlHandle[] = [];
  return {
    prefix,
    dataDir,
    async start(extra = {}) {
      const h = await startControl({ port: 0, redisUrl: REDIS_URL, redisPrefix: prefix, tokenSecret: SECRET, dataDir, logLevel: 'warn', ...base, ...extra });
      handles.push(h);
      return h;
    },
    async cleanup() {
      for (const h of handles) await h.close();
      await deletePrefix(prefix);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export { deletePrefix };

export const token = (role: 'organizer' | 'technician' | 'participant' | 'viewer', conf: string, site?: string) =>
  signToken(SECRET, { role, conf, ...(site ? { site } : {}) });

export interface Res<T = any> { status: number; body: Ack<T> & Record<string, any>; headers: Headers }

export async function api<T = any>(base: string, tok: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  const h: Record<string, string> = { ...headers };
  if (tok) h.authorization = `Bearer ${tok}`;
  let payload: BodyInit | undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) payload = body as BodyInit;
  else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] ??= 'application/json'; }
  const r = await fetch(base + path, { method, headers: h, body: payload });
  const text = await r.text();
  let parsed: any;
  try { parsed = JSON.parse(text); } catch { parsed = { raw: text }; }
  return { status: r.status, body: parsed, headers: r.headers };
}

export function connect(base: string, tok: string, client?: string, opts: Record<string, unknown> = {}): Promise<Socket> {
  const s = ioClient(base + CONTROL_NAMESPACE, { auth: { token: tok, ...(client ? { client } : {}) }, transports: ['websocket'], forceNew: true, reconnection: false, ...opts });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => { s.close(); reject(e); });
  });
}

export function emit<T = any>(s: Socket, event: string, payload: unknown, timeoutMs = 5000): Promise<Ack<T>> {
  return s.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

export function waitFor<T>(s: Socket, event: string, pred: (p: T) => boolean, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { s.off(event, on); reject(new Error(`timeout waiting for ${event}`)); }, timeoutMs);
    const on = (p: T) => { if (pred(p)) { clearTimeout(t); s.off(event, on); resolve(p); } };
    s.on(event, on);
  });
}


// ---------------------------------------------------------------- fixture conference

export const CONF = 'hn-test';
export const conferenceInput: ConferenceInput = {
  title: 'Hội nghị thử nghiệm', planNumber: '1-KH/TEST', date: '2030-01-15', plannedStart: '2030-01-15T08:00:00+07:00',
  plannedDurationMin: 180, maket: ['HỘI NGHỊ', '*'], rootSite: 'root', reportsTo: 'Cấp trên', reportDeadline: '2030-01-20T17:00:00+07:00',
};
export const groups: DelegateGroup[] = [
  { id: 'p-a', level: 'province', name: 'Tỉnh A', order: 1 },
  { id: 'd-a', level: 'district', name: 'Huyện A', order: 1 },
  { id: 'd-b', level: 'district', name: 'Huyện B', order: 2 },
  { id: 'c-a', level: 'commune', name: 'Xã A', order: 1 },
  { id: 'c-b', level: 'commune', name: 'Xã B', order: 2 },
];

/** root (centre) → prov → districts d01..dNN → communes dNN-cMM */
export function treeSites(districts: number, communesPer: number): SiteInput[] {
  const out: SiteInput[] = [
    { id: 'root', parent: null, level: 'centre', name: 'Trung ương', mediaNode: 'centre' },
    { id: 'prov', parent: 'root', level: 'province', name: 'Tỉnh', mediaNode: 'p' },
  ];
  for (let d = 1; d <= districts; d++) {
    const did = `d${String(d).padStart(2, '0')}`;
    out.push({ id: did, parent: 'prov', level: 'district', name: `Huyện ${d}`, mediaNode: 'p' });
    for (let c = 1; c <= communesPer; c++) out.push({ id: `${did}-c${String(c).padStart(2, '0')}`, parent: did, level: 'commune', name: `Xã ${d}.${c}`, mediaNode: 'p' });
  }
  return out;
}

/** Creates the fixture conference over the REST API (exercising it). */
export async function setupConference(base: string, districts = 2, communesPer = 3) {
  const org = token('organizer', CONF);
  const ok = (r: Res) => { if (!r.body.ok) throw new Error(`${r.status} ${JSON.stringify(r.body)}`); return r.body.data; };
  ok(await api(base, org, 'PUT', `/api/conferences/${CONF}`, conferenceInput));
  ok(await api(base, org, 'PUT', `/api/conferences/${CONF}/groups`, { groups }));
  const sites = treeSites(districts, communesPer);
  for (const s of sites) ok(await api(base, org, 'PUT', `/api/conferences/${CONF}/sites/${s.id}`, s));
  return { org, sites };
}

/** Starts `server/main.ts` as a child process (so a test can SIGKILL it) and resolves with its URL. */
export function spawnControl(env: Record<string, string>): { child: ChildProcess; ready: Promise<{ child: ChildProcess; url: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, REDIS_URL, TOKEN_SECRET: SECRET, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error('control did not start')), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /control listening (\S+)/.exec(out);
      if (m) { clearTimeout(t); resolve({ child, url: m[1]! }); }
    });
    child.once('exit', (code) => reject(new Error(`control exited ${code}`)));
  });
  return { child, ready };
}

/**
 * A receipt as a site's console makes it: the file's sha256 and the proof of possession over the
 * site's challenge (read with `siteToken`, a token of that site; signaling/receipt-proof.ts).
 */
export async function receiptFor(base: string, siteToken: string, conf: string, material: string, bytes: Buffer | string): Promise<{ sha256: string; proof: string }> {
  const buf = Buffer.from(bytes);
  const list = (await api(base, siteToken, 'GET', `/api/conferences/${conf}/materials`)).body.data as { id: string; challenge?: string }[];
  const challenge = list.find((m) => m.id === material)?.challenge ?? '';
  const range = proofRange(challenge, buf.length);
  const proof = createHash('sha256').update(challenge).update(range ? buf.subarray(range.start, range.end + 1) : Buffer.alloc(0)).digest('hex');
  return { sha256: createHash('sha256').update(buf).digest('hex'), proof };
}
