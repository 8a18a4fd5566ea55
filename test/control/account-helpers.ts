// Accounts in tests, the way people get them: the operator from the real
// `./diemcau admin create-operator` command (its one-time link), organizers
// added by an operator; each sets a password through the link and signs in.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../server/config.js';
import type { Session } from '../../signaling/accounts.js';
import { api, REDIS_URL } from './helpers.js';

const run = promisify(execFile);
export const PASSWORD = 'mat-khau-thu-nghiem-2026';

/** Runs `./diemcau admin …` against the test's Redis prefix; resolves with stdout (rejects on a non-zero exit). */
export async function admin(prefix: string, base: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(resolve(REPO_ROOT, 'diemcau'), ['admin', ...args], {
    cwd: REPO_ROOT, env: { ...process.env, REDIS_URL, REDIS_PREFIX: prefix, PUBLIC_URL: base }, timeout: 60_000,
  });
  return stdout;
}

/** The one-time link the command printed, and its code. */
export function linkIn(stdout: string): { url: string; code: string } {
  const m = /(https?:\/\/\S+\/admin\.html#setup=([A-Za-z0-9_-]+))/.exec(stdout);
  if (!m) throw new Error(`no sign-in link in: ${stdout}`);
  return { url: m[1]!, code: m[2]! };
}

function data<T>(r: { status: number; body: any }, what: string): T {
  if (!r.body.ok) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data as T;
}

export async function setPassword(base: string, code: string, password = PASSWORD): Promise<Session> {
  return data<Session>(await api(base, null, 'POST', '/api/account/setup', { code, password }), 'setup');
}

export async function signIn(base: string, username: string, password = PASSWORD): Promise<Session> {
  return data<Session>(await api(base, null, 'POST', '/api/account/sign-in', { username, password }), `sign-in ${username}`);
}

/** An operator through the command and its link; resolves with a signed-in session. */
export async function createOperator(prefix: string, base: string, username: string): Promise<Session> {
  return setPassword(base, linkIn(await admin(prefix, base, 'create-operator', username)).code);
}

/** An organizer of `conf`, added by the operator, signed in through its link. */
export async function createOrganizer(base: string, operator: Session, conf: string, username: string): Promise<Session> {
  const e = data<{ setupPath?: string }>(await api(base, operator.token, 'POST', `/api/account/conferences/${conf}/organizers`, { username }), `add ${username}`);
  if (!e.setupPath) return signIn(base, username);
  return setPassword(base, e.setupPath.split('#setup=')[1]!);
}
