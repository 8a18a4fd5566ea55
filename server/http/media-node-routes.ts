// Binds the MediaNodeRoutes table (signaling/media-nodes.ts) to Express: the
// operator's node list, "add a media node", new code and revoke (signed-in
// operator), and the node's own enrol (one-time code, rate-limited per
// address) and setup (its credential) routes.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AppError, httpStatus, parseOrThrow, toErrorBody } from '../../signaling/common.js';
import { MediaNodeRoutes, type MediaNodeRouteDef, type MediaNodeRouteName } from '../../signaling/media-nodes.js';
import type { Ctx } from '../context.js';
import { setupOf } from '../media-nodes/assign.js';
import { checkCredential, createNode, enrol, issueCode, revokeNode } from '../media-nodes/store.js';
import { announceRevoked } from '../revocation.js';
import { sessionOf } from '../store/accounts.js';

interface In { params: any; body: any; auth: string | undefined }
type Handler = (i: In) => Promise<unknown>;

const OPERATOR_ONLY = 'Chỉ người quản trị mới quản lý được máy chủ truyền hình. Hãy đăng nhập bằng tài khoản quản trị. / Only an operator manages media nodes; sign in as an operator.';

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** The node's tokens of the ended generation stop working everywhere, and its links close. */
async function voidTokens(ctx: Ctx, jti: string): Promise<void> {
  await ctx.redis.sadd(ctx.keys.revoked, jti);
  await announceRevoked(ctx, [jti]);
}

export function mediaNodeRouter(ctx: Ctx): Router {
  // wrong codes per address: guessing a 24-byte code is hopeless, this keeps the logs quiet too
  const limiter = new RateLimiterRedis({ storeClient: ctx.redis, keyPrefix: `${ctx.keys.prefix}mnode:rl`, points: 20, duration: 600 });
  const h: Record<MediaNodeRouteName, Handler> = {
    list: async () => ctx.mediaLink!.sites.list(),
    create: async ({ body }) => {
      const out = await createNode(ctx, body.id, body.name);
      ctx.log.info({ nodeId: body.id }, 'media node added; enrolment code issued');
      return out;
    },
    newCode: async ({ params }) => issueCode(ctx, params.node),
    revoke: async ({ params }) => {
      await voidTokens(ctx, await revokeNode(ctx, params.node));
      ctx.log.warn({ nodeId: params.node }, 'media node revoked by an operator');
      return { nodeId: params.node, revoked: true };
    },
    enrol: async ({ body }) => {
      const { credential, voided } = await enrol(ctx, body.nodeId, body.code);
      if (voided) await voidTokens(ctx, voided);
      ctx.log.info({ nodeId: body.nodeId, reenrolled: !!voided }, 'media node enrolled');
      return { nodeId: body.nodeId, credential };
    },
    setup: async ({ auth }) => setupOf(ctx, await checkCredential(ctx, auth)),
  };

  const r = express.Router();
  const json = express.json({ limit: '16kb' });
  for (const [name, def] of Object.entries(MediaNodeRoutes) as [MediaNodeRouteName, MediaNodeRouteDef][]) {
    const mw = def.method === 'post' ? [json] : [];
    r[def.method](def.path, ...mw, async (req: Request, res: Response) => {
      const ip = req.socket.remoteAddress ?? '-';
      try {
        if (def.access === 'operator') {
          const s = await sessionOf(ctx, bearer(req));
          if (s.role !== 'operator') throw new AppError('FORBIDDEN', OPERATOR_ONLY);
        }
        if (def.access === 'code') {
          const used = await limiter.get(ip);
          if (used && used.consumedPoints >= 20) throw new AppError('RATE_LIMITED', 'Nhập sai mã đăng ký quá nhiều lần; hãy chờ 10 phút rồi thử lại. / Too many wrong enrolment codes; wait 10 minutes and try again.');
        }
        const params = def.params ? parseOrThrow(def.params, req.params) : {};
        const body = def.body ? parseOrThrow(def.body, req.body ?? {}) : undefined;
        const out = await h[name]({ params, body, auth: bearer(req) }).catch(async (err) => {
          if (def.access === 'code' && toErrorBody(err).code === 'UNAUTHORIZED') await limiter.consume(ip).catch(() => undefined);
          throw err;
        });
        res.json({ ok: true, data: out });
      } catch (err) {
        const body = toErrorBody(err);
        if (body.code === 'INTERNAL') ctx.log.error({ err }, 'media node request failed');
        else if (def.access !== 'operator') ctx.log.warn({ route: name, from: ip, code: body.code }, 'media node request refused');
        res.status(httpStatus[body.code]).json({ ok: false, error: body });
      }
    });
  }
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    const ae = e?.type === 'entity.too.large' ? new AppError('TOO_LARGE', 'body too large') : new AppError('BAD_REQUEST', 'Dữ liệu gửi lên không phải JSON hợp lệ; hãy gửi lại. / The body is not valid JSON; send it again.');
    res.status(httpStatus[ae.code]).json({ ok: false, error: toErrorBody(ae) });
  });
  return r;
}
