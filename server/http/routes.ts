// Binds the ControlRoutes table to Express: token → role check → zod parse of
// params/query/body → handler → Ack JSON (or a raw export / download).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AppError, httpStatus, parseOrThrow, toErrorBody } from '../../signaling/common.js';
import { ControlRoutes, type ControlRouteName, type RouteDef } from '../../signaling/control-routes.js';
import { assertConf, assertRole, authenticate, isWide, type Auth } from '../auth.js';
import type { BlobStore } from '../blobstore.js';
import type { Ctx } from '../context.js';
import { handlers, Raw } from '../handlers.js';
import { getMaterial, targetsSite, uploadMaterial } from '../store/materials.js';
import { FileOut, sendFile, sendMaterial } from './download.js';

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const q = (req.query as Record<string, unknown>).token;
  return typeof q === 'string' ? q : undefined;
}

function sendError(ctx: Ctx, res: Response, err: unknown) {
  const body = toErrorBody(err);
  if (body.code === 'INTERNAL') ctx.log.error({ err }, 'request failed');
  if (!res.headersSent) res.status(httpStatus[body.code]).json({ ok: false, error: body });
  else res.destroy();
}

export function controlRouter(ctx: Ctx, blobs: BlobStore): Router {
  const r = express.Router();
  const json = express.json({ limit: '16mb' });
  for (const [name, def] of Object.entries(ControlRoutes) as [ControlRouteName, RouteDef][]) {
    const mw = def.rawBody ? [] : ['post', 'put', 'patch'].includes(def.method) ? [json] : [];
    // the token first: a body (up to 16 MB) is parsed only for an authenticated caller
    const authFirst = async (req: Request, res: Response, next: NextFunction) => {
      try {
        (req as Request & { auth?: Auth }).auth = await authenticate(ctx, bearer(req));
        next();
      } catch (err) {
        sendError(ctx, res, err);
      }
    };
    r[def.method](def.path, authFirst, ...mw, async (req: Request, res: Response) => {
      const endTimer = ctx.metrics.httpDuration.startTimer({ route: name });
      try {
        const auth: Auth = (req as Request & { auth: Auth }).auth;
        assertRole(auth, def.roles);
        if (def.method !== 'get') await ctx.limits?.consume(auth, name === 'checkIn' || name === 'checkOut' ? 'checkin' : 'write');
        const params = def.params ? parseOrThrow(def.params, req.params) : {};
        const query = def.query ? parseOrThrow(def.query, req.query) : {};
        if (name === 'uploadMaterial') {
          assertConf(auth, (params as { conf: string }).conf);
          const q = query as { id?: string; title: string; filename: string; targets: string };
          const len = Number(req.headers['content-length'] ?? 0);
          if (len > ctx.opts.maxUploadBytes) throw new AppError('TOO_LARGE', `file is larger than ${ctx.opts.maxUploadBytes} bytes`);
          const m = await uploadMaterial(ctx, blobs, (params as { conf: string }).conf, { ...q, mime: req.headers['content-type'] ?? '' }, req);
          res.status(201).json({ ok: true, data: m });
        } else if (name === 'downloadMaterial') {
          const { conf, material } = params as { conf: string; material: string };
          assertConf(auth, conf);
          const m = await getMaterial(ctx, conf, material);
          if (!isWide(auth) && !(auth.site && targetsSite(m, auth.site))) throw new AppError('FORBIDDEN', 'material is not for this site');
          await sendMaterial(req, res, m, blobs);
        } else {
          const body = def.body ? parseOrThrow(def.body, req.body ?? {}) : undefined;
          const out = await handlers[name](ctx, auth, { params, query, body });
          if (out instanceof FileOut) {
            await sendFile(req, res, out);
          } else if (out instanceof Raw) {
            res.setHeader('Content-Type', out.contentType);
            if (out.filename) res.setHeader('Content-Disposition', `attachment; filename="${out.filename}"`);
            res.send(out.body);
          } else {
            res.json({ ok: true, data: out });
          }
        }
      } catch (err) {
        sendError(ctx, res, err);
      } finally {
        const seconds = endTimer();
        const lvl = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug';
        ctx.log[lvl]({ route: name, method: def.method, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
        ctx.metrics.httpRequests.inc({ route: name, method: def.method, status: String(res.statusCode) });
      }
    });
  }
  // malformed JSON and other body-parser failures
  r.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') return sendError(ctx, res, new AppError('TOO_LARGE', 'body too large'));
    if (e?.status && e.status < 500) return sendError(ctx, res, new AppError('BAD_REQUEST', 'malformed request body'));
    sendError(ctx, res, err);
  });
  r.use('/api', (_req: Request, res: Response) => sendError(ctx, res, new AppError('NOT_FOUND', 'no such route')));
  return r;
}
