// Routes a media node calls on control (signaling/recording.ts NodeRoutes),
// authenticated with the node's bearer token exactly as its socket is
// (verifyNodeToken in media-link.ts); people's tokens are refused.
//
// PUT /api/media/recordings/<conf>/segments/<run>-<index>   (index as is or zero-padded: r1-7, r1-00007)
//   Authorization: Bearer <node token>
//   x-segment: <SegmentMeta as JSON>
//   body: the segment file (WebM), Content-Length = x-segment.bytes
// 201 { ok, data: { stored: true, segment } } first time; 200 { stored: false } for the same
// run + index again (nothing new kept). 400 bad header or name, 401/403 token, 404 unknown
// recording, 409 size or sha256 mismatch (nothing kept), 413 too large, 503 control's disk is
// nearly full (send it again later).
import express, { type Request, type Response, type Router } from 'express';
import { AppError, httpStatus, parseOrThrow, toErrorBody } from '../../signaling/common.js';
import { NodeRoutes, SegmentMeta } from '../../signaling/recording.js';
import type { Ctx } from '../context.js';
import { authNode } from '../media-link.js';
import { receiveSegment } from '../recordings/segments.js';

function sendError(ctx: Ctx, req: Request, res: Response, err: unknown) {
  const body = toErrorBody(err);
  if (body.code === 'INTERNAL') ctx.log.error({ err }, 'node request failed');
  else ctx.log.warn({ path: req.path, code: body.code, message: body.message }, 'node request refused');
  if (res.headersSent) return void res.destroy();
  // the body is not read on a refusal: close the connection rather than drain a large upload
  res.setHeader('Connection', 'close');
  res.status(httpStatus[body.code]).json({ ok: false, error: body });
}

function parseHeader(raw: string | string[] | undefined): SegmentMeta {
  if (typeof raw !== 'string') throw new AppError('BAD_REQUEST', 'header x-segment (the segment metadata as JSON) is required');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError('BAD_REQUEST', 'header x-segment is not JSON');
  }
  return parseOrThrow(SegmentMeta, json);
}

export function nodeRouter(ctx: Ctx): Router {
  const r = express.Router();
  const def = NodeRoutes.uploadSegment;
  r.put(def.path, async (req: Request, res: Response) => {
    const endTimer = ctx.metrics.httpDuration.startTimer({ route: 'uploadSegment' });
    try {
      const h = req.headers.authorization;
      const node = await authNode(ctx, h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined);
      const params = parseOrThrow(def.params, req.params);
      const meta = parseHeader(req.headers['x-segment']);
      const len = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : null;
      const out = await receiveSegment(ctx, { node, conf: params.conf, segment: params.segment, meta, body: req, contentLength: Number.isFinite(len) ? len : null });
      res.status(out.stored ? 201 : 200).json({ ok: true, data: out });
    } catch (err) {
      sendError(ctx, req, res, err);
    } finally {
      endTimer();
      ctx.metrics.httpRequests.inc({ route: 'uploadSegment', method: 'put', status: String(res.statusCode) });
    }
  });
  return r;
}
