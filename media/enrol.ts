// A media node that enrols itself (signaling/media-nodes.ts): started with its
// id, the control URL and a one-time code, it trades the code for its own
// credential (kept in <data dir>/credential.json, mode 0600, so a restart
// needs no code), then at every start gets control's public keys, its parent
// and its sites with that credential. Control later pushes its sites and fresh
// node tokens over the control link (link:sites); this holds the newest token.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { EnrolRes, MediaNodeRoutes, NodeCredential, NodeSetup } from '../signaling/media-nodes.js';
import { verifyToken, loadKeyring, type Keyring } from '../signaling/token.js';

export interface EnrolOptions {
  nodeId: string;
  controlUrl: string;
  /** One-time enrolment code; used only when it differs from the one the stored credential came from. */
  code?: string;
  /** Where the credential file lives (default .cache/media-node/<nodeId> under the working directory). */
  dataDir: string;
  log: Logger;
  /** Retry delay while control is unreachable or the parent has not said where it listens (ms). Default 1000. */
  retryMs?: number;
}

/** The node's own proof of who it is, and what it needs to run. */
export interface Enrolment {
  setup: NodeSetup;
  keyring: Keyring;
  /** The newest node token (from setup, then from link:sites). */
  token(): string;
  setToken(token: string): void;
  /** Called with each new token (the parent link sends it up). */
  onToken(fn: (token: string) => void): void;
  /** Stops the token refresh. Idempotent. */
  close(): void;
}

/** A token this close to its expiry is replaced from the setup route (control's link may be down, the parent still checks it). */
const REFRESH_BEFORE_MS = 5 * 60_000;

const CredentialFile = z.object({ nodeId: z.string(), credential: NodeCredential, codeSha256: z.string().optional() });

export class EnrolError extends Error {}

async function call<T extends z.ZodType>(base: string, path: string, res: T, init: { body?: unknown; credential?: string }): Promise<z.infer<T>> {
  const r = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.credential ? { authorization: `Bearer ${init.credential}` } : {}) },
    body: JSON.stringify(init.body ?? {}),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await r.json().catch(() => null)) as { ok?: boolean; data?: unknown; error?: { code: string; message: string } } | null;
  if (!json?.ok) throw Object.assign(new EnrolError(json?.error?.message ?? `control answered ${r.status}`), { status: r.status });
  return res.parse(json.data);
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Enrols if needed, then fetches the setup; retries while control is unreachable. Refusals throw EnrolError. */
export async function enrolNode(o: EnrolOptions): Promise<Enrolment> {
  const file = join(o.dataDir, 'credential.json');
  const retryMs = o.retryMs ?? 1000;
  let stored = existsSync(file) ? CredentialFile.safeParse(JSON.parse(readFileSync(file, 'utf8'))).data ?? null : null;
  if (stored && stored.nodeId !== o.nodeId) stored = null;
  const retrying = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (let tries = 0; ; tries++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof EnrolError) throw err;
        if (tries % 10 === 0) o.log.warn({ control: o.controlUrl, err: String(err) }, `${what}: control not reachable yet, retrying`);
        await wait(retryMs);
      }
    }
  };
  if (o.code && (!stored || stored.codeSha256 !== sha(o.code))) {
    const res = await retrying('enrolment', () => call(o.controlUrl, MediaNodeRoutes.enrol.path, EnrolRes, { body: { nodeId: o.nodeId, code: o.code } }));
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify({ nodeId: o.nodeId, credential: res.credential, codeSha256: sha(o.code) }), { mode: 0o600 });
    chmodSync(file, 0o600);
    stored = { nodeId: o.nodeId, credential: res.credential, codeSha256: sha(o.code) };
    o.log.info({ file }, 'enrolled with the control service; credential stored');
  }
  if (!stored) throw new EnrolError(`Máy chủ "${o.nodeId}" chưa đăng ký: hãy khởi động với mã đăng ký (ENROL_CODE) người quản trị cấp. / Node "${o.nodeId}" is not enrolled: start it with the enrolment code (ENROL_CODE) the operator gave.`);
  const credential = stored.credential;
  let said = false;
  const setup = await retrying('setup', async () => {
    const s = await call(o.controlUrl, MediaNodeRoutes.setup.path, NodeSetup, { credential });
    // a child must know where its parent listens before it starts; the parent reports it when it links
    if (s.parent && !s.parent.url) {
      if (!said) o.log.warn({ parent: s.parent.nodeId }, 'waiting for the parent node to link to the control service');
      said = true;
      throw new Error('parent url not known yet');
    }
    return s;
  });
  const keyring = loadKeyring({ publicKeys: setup.publicKeys });
  let token = setup.token;
  const listeners: ((t: string) => void)[] = [];
  const expiry = (t: string) => verifyToken(keyring, t).exp * 1000;
  // control pushes fresh tokens over its link (link:sites); without that link, the setup route does
  const refresh = setInterval(() => {
    if (expiry(token) - Date.now() > REFRESH_BEFORE_MS) return;
    call(o.controlUrl, MediaNodeRoutes.setup.path, NodeSetup, { credential })
      .then((s) => self.setToken(s.token))
      .catch((err) => o.log.warn({ err: String(err) }, 'node token refresh failed; retried in a minute'));
  }, 60_000);
  refresh.unref();
  const self: Enrolment = {
    setup,
    keyring,
    token: () => token,
    setToken(t) {
      // only a token control signed for this node replaces the current one
      const claims = verifyToken(keyring, t);
      if (claims.role !== 'node' || claims.site !== o.nodeId) throw new EnrolError('token is not this node\'s');
      if (t === token) return;
      token = t;
      for (const fn of listeners) fn(t);
    },
    onToken: (fn) => { listeners.push(fn); },
    close: () => clearInterval(refresh),
  };
  return self;
}
