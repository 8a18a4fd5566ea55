// Operator and organizer accounts: password hashes, one-time sign-in links,
// sessions. Used by the control service and by the `./diemcau admin` command
// (which has only Redis, so these functions need nothing more than redis, keys, opts).
//
// Passwords are hashed with scrypt from Node's own crypto module: a memory-hard
// function that OWASP lists for password storage, already in the runtime, so no
// native add-on (argon2, bcrypt) to build on every control host.
//
// Sessions are random bearer tokens (`ses_…`) kept server-side in Redis with a
// fixed lifetime, not cookies: the /api answers any origin (hall pages on media
// nodes call it), which is safe only while no credential rides along by itself;
// a bearer token is sent only by our own page, and ending a session is one DEL.
// Redis holds only the SHA-256 of session tokens and link codes, never the secrets.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../../signaling/common.js';
import type { AccountInfo, AccountRole, Session } from '../../signaling/accounts.js';
import type { Ctx } from '../context.js';

export type AcctCtx = Pick<Ctx, 'redis' | 'keys' | 'opts'>;

export interface Account {
  username: string;
  role: AccountRole;
  createdAt: number;
  /** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`; absent until the first sign-in sets it. */
  hash?: string;
  passwordSetAt?: number;
  /** Locked by an operator: no sign-in, session or sign-in link until unlocked. */
  lockedAt?: number;
  lockedBy?: string;
}

export interface SessionRecord { username: string; role: AccountRole; createdAt: number; expiresAt: number }

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// ---------------------------------------------------------------- passwords

/** N = 2^15, r = 8 (32 MiB, about 0.1 s per hash on one core of the control host). */
const SCRYPT = { logN: 15, r: 8, p: 1, keylen: 64 };

function scrypt(password: string, salt: Buffer, logN: number, r: number, p: number, keylen: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.logN, SCRYPT.r, SCRYPT.p, SCRYPT.keylen);
  return ['scrypt', SCRYPT.logN, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, logN, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p), want.length);
  return timingSafeEqual(got, want);
}

/** A hash to check unknown usernames against, so a wrong name takes as long as a wrong password. */
let decoy: Promise<string> | null = null;

// ---------------------------------------------------------------- accounts

export async function getAccount(ctx: AcctCtx, username: string): Promise<Account | null> {
  const s = await ctx.redis.get(ctx.keys.account(username));
  return s === null ? null : (JSON.parse(s) as Account);
}

export const accountInfo = (a: Account): AccountInfo => ({
  username: a.username, role: a.role, createdAt: a.createdAt, passwordSet: !!a.hash,
  ...(a.lockedAt ? { lockedAt: a.lockedAt, lockedBy: a.lockedBy } : {}),
});

export const ACCOUNT_LOCKED = 'Tài khoản này đã bị khoá. Hãy liên hệ người quản trị của đơn vị để được mở khoá. / This account is locked. Ask your administrator to unlock it.';

/** Creates an account without a password; CONFLICT if the name is taken. */
export async function createAccount(ctx: AcctCtx, username: string, role: AccountRole): Promise<Account> {
  const a: Account = { username, role, createdAt: Date.now() };
  const ok = await ctx.redis.set(ctx.keys.account(username), JSON.stringify(a), 'NX');
  if (!ok) throw new AppError('CONFLICT', `Tài khoản "${username}" đã có; hãy chọn tên khác, hoặc cấp liên kết đăng nhập mới cho tài khoản đó. / The account "${username}" already exists; pick another name or issue a new sign-in link for it.`);
  await ctx.redis.sadd(ctx.keys.accounts, username);
  return a;
}

export async function listAccounts(ctx: AcctCtx): Promise<Account[]> {
  const names = (await ctx.redis.smembers(ctx.keys.accounts)).sort();
  const out: Account[] = [];
  for (const n of names) { const a = await getAccount(ctx, n); if (a) out.push(a); }
  return out;
}

// ---------------------------------------------------------------- one-time sign-in links

/** A new one-time link code for `username` (any earlier unused one stops working). */
export async function issueSetupCode(ctx: AcctCtx, username: string): Promise<{ code: string; path: string; expiresAt: number }> {
  const code = randomBytes(24).toString('base64url');
  const ttl = ctx.opts.accounts.setupTtlMs;
  const old = await ctx.redis.get(ctx.keys.setupOf(username));
  const m = ctx.redis.multi();
  if (old) m.del(ctx.keys.setupCode(old));
  await m.set(ctx.keys.setupCode(sha256(code)), username, 'PX', ttl).set(ctx.keys.setupOf(username), sha256(code), 'PX', ttl).exec();
  return { code, path: `/admin.html#setup=${code}`, expiresAt: Date.now() + ttl };
}

const LINK_USED = 'Liên kết đăng nhập lần đầu này đã được dùng hoặc đã hết hạn. Hãy xin người quản trị một liên kết mới. / This first sign-in link was already used or has expired. Ask the administrator for a new one.';

export async function checkSetupCode(ctx: AcctCtx, code: string): Promise<Account> {
  const username = await ctx.redis.get(ctx.keys.setupCode(sha256(code)));
  const a = username ? await getAccount(ctx, username) : null;
  if (!a || a.lockedAt) throw new AppError('UNAUTHORIZED', LINK_USED);
  return a;
}

/** Uses the link up (atomically: a second use fails), sets the password, ends older sessions, opens one. */
export async function completeSetup(ctx: AcctCtx, code: string, password: string): Promise<Session> {
  const hashed = await hashPassword(password);
  const username = await ctx.redis.getdel(ctx.keys.setupCode(sha256(code)));
  const a = username ? await getAccount(ctx, username) : null;
  if (!a || a.lockedAt) throw new AppError('UNAUTHORIZED', LINK_USED);
  const next: Account = { ...a, hash: hashed, passwordSetAt: Date.now() };
  await ctx.redis.multi().set(ctx.keys.account(a.username), JSON.stringify(next)).del(ctx.keys.setupOf(a.username)).exec();
  await endAllSessions(ctx, a.username);
  return openSession(ctx, next);
}

// ---------------------------------------------------------------- sign-in and sessions

export const WRONG_PASSWORD = 'Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra rồi nhập lại. / Wrong username or password. Check them and try again.';

/** The account if the password matches; null otherwise (same time either way). */
export async function checkPassword(ctx: AcctCtx, username: string, password: string): Promise<Account | null> {
  const a = await getAccount(ctx, username);
  if (!a?.hash) {
    decoy ??= hashPassword(randomBytes(12).toString('hex'));
    await verifyPassword(password, await decoy);
    return null;
  }
  return (await verifyPassword(password, a.hash)) ? a : null;
}

export async function openSession(ctx: AcctCtx, a: Account): Promise<Session> {
  const token = `ses_${randomBytes(32).toString('base64url')}`;
  const now = Date.now();
  const ttl = ctx.opts.accounts.sessionTtlMs;
  const rec: SessionRecord = { username: a.username, role: a.role, createdAt: now, expiresAt: now + ttl };
  const h = sha256(token);
  await ctx.redis.multi()
    .set(ctx.keys.session(h), JSON.stringify(rec), 'PX', ttl)
    .sadd(ctx.keys.sessionsOf(a.username), h)
    .pexpire(ctx.keys.sessionsOf(a.username), ttl)
    .exec();
  return { token, username: a.username, role: a.role, expiresAt: rec.expiresAt };
}

export const SIGN_IN_AGAIN = 'Phiên đăng nhập đã hết hạn hoặc đã đăng xuất. Hãy đăng nhập lại. / The session has expired or was signed out. Sign in again.';

export interface SessionAuth extends SessionRecord { hash: string }

/** The live session of a bearer token, or UNAUTHORIZED. */
export async function sessionOf(ctx: AcctCtx, token: string | undefined): Promise<SessionAuth> {
  if (!token || !/^ses_[A-Za-z0-9_-]{43}$/.test(token)) throw new AppError('UNAUTHORIZED', SIGN_IN_AGAIN);
  const h = sha256(token);
  const s = await ctx.redis.get(ctx.keys.session(h));
  const rec = s ? (JSON.parse(s) as SessionRecord) : null;
  if (!rec || rec.expiresAt <= Date.now()) throw new AppError('UNAUTHORIZED', SIGN_IN_AGAIN);
  // an account removed or changed role since: the session ends with it
  const a = await getAccount(ctx, rec.username);
  if (!a || a.role !== rec.role || a.lockedAt) throw new AppError('UNAUTHORIZED', SIGN_IN_AGAIN);
  return { ...rec, hash: h };
}

/** Remembers an organizer token opened by this session, so signing out revokes it. */
export async function rememberToken(ctx: AcctCtx, s: SessionAuth, jti: string): Promise<void> {
  const key = ctx.keys.sessionTokens(s.hash);
  await ctx.redis.multi().sadd(key, jti).pexpireat(key, s.expiresAt).exec();
}

/** Ends a session; returns the organizer tokens it had opened (now revoked). */
export async function endSession(ctx: AcctCtx, hash: string, username: string): Promise<string[]> {
  const jtis = await ctx.redis.smembers(ctx.keys.sessionTokens(hash));
  const m = ctx.redis.multi().del(ctx.keys.session(hash), ctx.keys.sessionTokens(hash)).srem(ctx.keys.sessionsOf(username), hash);
  if (jtis.length) m.sadd(ctx.keys.revoked, ...jtis);
  await m.exec();
  return jtis;
}

/** Ends every session of `username`; returns the organizer tokens they had opened (now revoked). */
export async function endAllSessions(ctx: AcctCtx, username: string): Promise<string[]> {
  const jtis: string[] = [];
  for (const h of await ctx.redis.smembers(ctx.keys.sessionsOf(username))) jtis.push(...await endSession(ctx, h, username));
  return jtis;
}

// ---------------------------------------------------------------- locking

/**
 * Locks an account (its sessions end; returns the organizer tokens they had opened, now revoked, and
 * its unused sign-in link stops working) or unlocks it. An operator cannot lock their own account,
 * nor the last unlocked operator: somebody must always be able to sign in and unlock the others.
 */
export async function setLocked(ctx: AcctCtx, username: string, locked: boolean, by: string): Promise<{ account: Account; jtis: string[] }> {
  const a = await getAccount(ctx, username);
  if (!a) throw new AppError('NOT_FOUND', `Chưa có tài khoản "${username}"; hãy kiểm tra tên trong danh sách. / No account "${username}"; check the name in the list.`);
  if (!locked) {
    if (!a.lockedAt) return { account: a, jtis: [] };
    const { lockedAt: _l, lockedBy: _b, ...rest } = a;
    await ctx.redis.set(ctx.keys.account(username), JSON.stringify(rest));
    return { account: rest, jtis: [] };
  }
  if (username === by) throw new AppError('CONFLICT', 'Bạn không thể khoá tài khoản của chính mình; hãy nhờ một người quản trị khác. / You cannot lock your own account; ask another operator.');
  if (a.lockedAt) return { account: a, jtis: [] };
  if (a.role === 'operator') {
    const others = (await listAccounts(ctx)).filter((o) => o.role === 'operator' && !o.lockedAt && o.username !== username);
    if (!others.length) throw new AppError('CONFLICT', 'Đây là người quản trị cuối cùng chưa bị khoá; hãy tạo hoặc mở khoá một người quản trị khác trước. / This is the last unlocked operator; create or unlock another operator first.');
  }
  const next: Account = { ...a, lockedAt: Date.now(), lockedBy: by };
  const link = await ctx.redis.get(ctx.keys.setupOf(username));
  const m = ctx.redis.multi().set(ctx.keys.account(username), JSON.stringify(next)).del(ctx.keys.setupOf(username));
  if (link) m.del(ctx.keys.setupCode(link));
  await m.exec();
  return { account: next, jtis: await endAllSessions(ctx, username) };
}
