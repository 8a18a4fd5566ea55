// GET /l/<code>: the short link printed on the invitation sheet redirects to
// the full invitation link. A wrong, expired or revoked code gets a sentence
// saying what to do (an HTML page for a browser, the typed error envelope
// otherwise); wrong codes are counted per address so nobody can guess codes.
import express, { type Request, type Response, type Router } from 'express';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AppError, httpStatus, toErrorBody } from '../../signaling/common.js';
import { ShortParams } from '../../signaling/setup.js';
import type { Ctx } from '../context.js';
import { isRevoked, resolveShort } from '../store/short-links.js';

/** Wrong codes an address may try in a window before it waits. */
const MISSES = 30;
const WINDOW_S = 600;

const NOT_FOUND = 'Mã liên kết không đúng hoặc đã hết hạn. Hãy gõ lại đúng 8 ký tự trên phiếu (không có chữ o, l, i và số 0, 1), hoặc xin Ban tổ chức phiếu mới. / The link code is wrong or has expired. Type the 8 characters on the sheet again, or ask the organisers for a new sheet.';
const REVOKED = 'Liên kết này đã bị Ban tổ chức thu hồi; hãy xin Ban tổ chức liên kết mới. / This link was revoked by the organisers; ask them for a new one.';

function page(message: string): string {
  const [vi, en] = message.split(' / ');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Điểm Cầu</title><style>body{font-family:system-ui,sans-serif;max-width:36em;margin:12vh auto;padding:0 1em;color:#222}h1{color:#b71c1c;font-size:1.4em}p.en{color:#666}</style></head>
<body><h1>Điểm Cầu</h1><p>${vi ?? message}</p>${en ? `<p class="en" lang="en">${en}</p>` : ''}</body></html>`;
}

export function shortLinkRouter(ctx: Ctx): Router {
  const r = express.Router();
  const misses = new RateLimiterRedis({ storeClient: ctx.redis, keyPrefix: ctx.keys.shortLimit, points: MISSES, duration: WINDOW_S });
  r.get('/l/:code', async (req: Request, res: Response) => {
    const ip = req.ip ?? req.socket.remoteAddress ?? '?';
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    try {
      const seen = await misses.get(ip);
      if (seen && seen.consumedPoints >= MISSES) {
        const min = Math.max(1, Math.ceil(seen.msBeforeNext / 60_000));
        throw new AppError('RATE_LIMITED', `Đã gõ sai mã quá nhiều lần; hãy chờ ${min} phút rồi thử lại. / Too many wrong codes; wait ${min} min and try again.`);
      }
      const parsed = ShortParams.safeParse(req.params);
      const rec = parsed.success ? await resolveShort(ctx, parsed.data.code) : null;
      if (!rec) {
        await misses.consume(ip).catch(() => undefined);
        throw new AppError(parsed.success ? 'NOT_FOUND' : 'BAD_REQUEST', NOT_FOUND);
      }
      if (await isRevoked(ctx, rec.jti)) throw new AppError('UNAUTHORIZED', REVOKED);
      res.redirect(302, rec.path);
    } catch (err) {
      const body = toErrorBody(err);
      if (body.code === 'INTERNAL') ctx.log.error({ err }, 'short link failed');
      res.status(httpStatus[body.code]);
      if (req.accepts(['json', 'html']) === 'html') res.type('html').send(page(body.message));
      else res.json({ ok: false, error: body });
    }
  });
  return r;
}
