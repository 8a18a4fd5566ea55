// Binds the AccountRoutes table (signaling/accounts.ts) to Express: session →
// zod parse of params/body → access (operator / organizer of that conference)
// → handler → Ack JSON. Sign-in is rate-limited per username and per client
// address with rate-limiter-flexible on the same Redis (shared by every instance).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import { AccountRoutes, type AccountRouteDef, type AccountRouteName, type Session } from '../../signaling/accounts.js';
import { AppError, httpStatus, parseOrThrow, toErrorBody } from '../../signaling/common.js';
import { signToken, verifyToken } from '../../signaling/token.js';
import type { Ctx } from '../context.js';
import { announceRevoked } from '../revocation.js';
import {
  accountInfo, checkPassword, checkSetupCode, completeSetup, createAccount, endSession, getAccount, issueSetupCode, listAccounts, openSession,
  rememberToken, sessionOf, setLocked, ACCOUNT_LOCKED, WRONG_PASSWORD, type SessionAuth,
} from '../store/accounts.js';
import * as list from '../store/conference-list.js';
import { changePassword, endOtherSessions, WRONG_CURRENT } from '../store/password-change.js';
import { getConference } from '../store/conference.js';

interface In { params: any; body: any; session: SessionAuth | null; ip: string }
type Handler = (i: In) => Promise<unknown>;

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** Tells open sockets of revoked organizer tokens and closes them (every instance). */
function dropSockets(ctx: Ctx, jtis: string[]) {
  void announceRevoked(ctx, jtis).catch((err) => ctx.log.warn({ err: String(err) }, 'revocation not announced to the media nodes'));
}

function limiters(ctx: Ctx) {
  const o = ctx.opts.accounts;
  const make = (name: string, points: number, ms: number) =>
    new RateLimiterRedis({ storeClient: ctx.redis, keyPrefix: `${ctx.keys.signInLimit}:${name}`, points, duration: Math.max(1, Math.ceil(ms / 1000)) });
  return { user: make('user', o.failsPerUser, o.userWindowMs), ip: make('ip', o.failsPerIp, o.ipWindowMs) };
}

function tooMany(ms: number): AppError {
  const min = Math.max(1, Math.ceil(ms / 60_000));
  return Object.assign(new AppError('RATE_LIMITED', `Đăng nhập sai quá nhiều lần. Hãy chờ ${min} phút rồi thử lại, hoặc nhờ người quản trị cấp liên kết đăng nhập mới. / Too many failed sign-ins. Wait ${min} min and try again, or ask the administrator for a new sign-in link.`), { retryMs: ms });
}

export function accountRouter(ctx: Ctx): Router {
  const limit = limiters(ctx);
  /** Refuses while the username or the address has used up its failures. */
  async function checkLimits(username: string | null, ip: string) {
    const [u, a] = await Promise.all([username ? limit.user.get(username) : null, limit.ip.get(ip)]);
    const over = (r: RateLimiterRes | null, max: number) => (r && r.consumedPoints >= max ? r.msBeforeNext : 0);
    const wait = Math.max(over(u, ctx.opts.accounts.failsPerUser), over(a, ctx.opts.accounts.failsPerIp));
    if (wait > 0) throw tooMany(wait);
  }
  async function failed(username: string | null, ip: string) {
    // a rejection only means the limit is now reached; the next attempt is refused by checkLimits
    await Promise.all([username ? limit.user.consume(username).catch(() => undefined) : null, limit.ip.consume(ip).catch(() => undefined)]);
  }

  const h: Record<AccountRouteName, Handler> = {
    signIn: async ({ body, ip }) => {
      await checkLimits(body.username, ip);
      const a = await checkPassword(ctx, body.username, body.password);
      if (!a) { await failed(body.username, ip); throw new AppError('UNAUTHORIZED', WRONG_PASSWORD); }
      // said only after the right password: a locked name is not told apart from a wrong one before that
      if (a.lockedAt) throw new AppError('FORBIDDEN', ACCOUNT_LOCKED);
      await limit.user.delete(body.username);
      return openSession(ctx, a);
    },
    setupCheck: async ({ body, ip }) => {
      await checkLimits(null, ip);
      try {
        const a = await checkSetupCode(ctx, body.code);
        return { username: a.username, role: a.role };
      } catch (e) { await failed(null, ip); throw e; }
    },
    setup: async ({ body, ip }) => {
      await checkLimits(null, ip);
      let s: Session;
      try { s = await completeSetup(ctx, body.code, body.password); } catch (e) { await failed(null, ip); throw e; }
      // a fresh link from the administrator lifts a lock-out of that username
      await limit.user.delete(s.username);
      return s;
    },
    signOut: async ({ session }) => {
      dropSockets(ctx, await endSession(ctx, session!.hash, session!.username));
      return { signedOut: true };
    },
    me: async ({ session: s }) => ({ username: s!.username, role: s!.role, expiresAt: s!.expiresAt }),
    listConferences: async ({ session }) => list.listFor(ctx, session!),
    createConference: async ({ body }) => list.createConference(ctx, body.id, body.conference, body.root),
    duplicateConference: async ({ params, body }) => list.duplicateConference(ctx, params.conf, body),
    archiveConference: async ({ params, body }) => list.archiveConference(ctx, params.conf, body.archived),
    listOrganizers: async ({ params }) => list.listOrganizers(ctx, params.conf),
    addOrganizer: async ({ params, body }) => list.addOrganizer(ctx, params.conf, body.username),
    removeOrganizer: async ({ params }) => {
      dropSockets(ctx, await list.removeOrganizer(ctx, params.conf, params.username));
      return { username: params.username, removed: true };
    },
    listAccounts: async () => (await listAccounts(ctx)).map(accountInfo),
    createAccount: async ({ body }) => {
      await createAccount(ctx, body.username, body.role);
      const link = await issueSetupCode(ctx, body.username);
      return { username: body.username, role: body.role, setupPath: link.path, setupExpiresAt: link.expiresAt };
    },
    accountLink: async ({ params, session }) => {
      const a = await getAccount(ctx, params.username);
      if (!a) throw new AppError('NOT_FOUND', `Chưa có tài khoản "${params.username}"; hãy kiểm tra tên trong danh sách. / No account "${params.username}"; check the name in the list.`);
      if (a.username === session!.username) throw new AppError('CONFLICT', 'Đây là tài khoản của chính bạn; hãy dùng "Đổi mật khẩu". / This is your own account; use "Change password".');
      if (a.lockedAt) throw new AppError('CONFLICT', `Tài khoản "${a.username}" đang bị khoá; hãy mở khoá trước rồi cấp liên kết mới. / The account "${a.username}" is locked; unlock it first, then issue a new link.`);
      // a forgotten password: its sessions end now, the new password is set through the link
      dropSockets(ctx, (await endOtherSessions(ctx, a.username)).jtis);
      const link = await issueSetupCode(ctx, a.username);
      return { username: a.username, role: a.role, setupPath: link.path, setupExpiresAt: link.expiresAt };
    },
    lockAccount: async ({ params, body, session }) => {
      const { account, jtis } = await setLocked(ctx, params.username, body.locked, session!.username);
      dropSockets(ctx, jtis);
      ctx.log.info({ username: params.username, locked: body.locked, by: session!.username }, 'account lock changed');
      return accountInfo(account);
    },
    changePassword: async ({ body, session, ip }) => {
      await checkLimits(session!.username, ip);
      const done = await changePassword(ctx, session!, body.oldPassword, body.newPassword);
      if (!done) { await failed(session!.username, ip); throw new AppError('FORBIDDEN', WRONG_CURRENT); }
      dropSockets(ctx, done.jtis);
      return { changed: true, endedSessions: done.ended };
    },
    openConference: async ({ params, session }) => {
      await list.assertConfAccess(ctx, session!, params.conf);
      await getConference(ctx, params.conf);
      // a normal organizer token for the organizer app, short-lived (12 h by default) and
      // revoked when the session signs out or the organizer is removed from the conference
      const token = signToken(ctx.tokenKey, { role: 'organizer', conf: params.conf, ttlSeconds: Math.ceil(ctx.opts.accounts.organizerTokenTtlMs / 1000) });
      const claims = verifyToken(ctx.tokenKey, token);
      await rememberToken(ctx, session!, claims.jti);
      return { token, exp: claims.exp, path: `/organizer.html?${new URLSearchParams({ token })}` };
    },
  };

  const r = express.Router();
  const json = express.json({ limit: '1mb' });
  for (const [name, def] of Object.entries(AccountRoutes) as [AccountRouteName, AccountRouteDef][]) {
    const mw = ['post', 'put', 'patch'].includes(def.method) ? [json] : [];
    r[def.method](def.path, ...mw, async (req: Request, res: Response) => {
      const endTimer = ctx.metrics.httpDuration.startTimer({ route: `account.${name}` });
      try {
        const session = def.access === 'public' ? null : await sessionOf(ctx, bearer(req));
        const params = def.params ? parseOrThrow(def.params, req.params) : {};
        const body = def.body ? parseOrThrow(def.body, req.body ?? {}) : undefined;
        if (def.access === 'operator' && session?.role !== 'operator') {
          throw new AppError('FORBIDDEN', 'Chỉ người quản trị mới làm được việc này. Hãy nhờ người quản trị của đơn vị. / Only an operator can do this. Ask your administrator.');
        }
        const out = await h[name]({ params, body, session, ip: req.socket.remoteAddress ?? '-' });
        res.json({ ok: true, data: out });
      } catch (err) {
        sendError(ctx, res, err);
      } finally {
        const seconds = endTimer();
        ctx.log[res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug']({ route: `account.${name}`, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
        ctx.metrics.httpRequests.inc({ route: `account.${name}`, method: def.method, status: String(res.statusCode) });
      }
    });
  }
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') return sendError(ctx, res, new AppError('TOO_LARGE', 'body too large'));
    if (e?.status && e.status < 500) return sendError(ctx, res, new AppError('BAD_REQUEST', 'Dữ liệu gửi lên không phải JSON hợp lệ; hãy gửi lại. / The body is not valid JSON; send it again.'));
    sendError(ctx, res, err);
  });
  return r;
}

function sendError(ctx: Ctx, res: Response, err: unknown) {
  const body = toErrorBody(err);
  if (body.code === 'INTERNAL') ctx.log.error({ err }, 'account request failed');
  if (res.headersSent) { res.destroy(); return; }
  if (body.code === 'RATE_LIMITED') res.setHeader('Retry-After', String(Math.max(1, Math.ceil(((err as { retryMs?: number }).retryMs ?? 60_000) / 1000))));
  res.status(httpStatus[body.code]).json({ ok: false, error: body });
}
