// Material download with strong ETag (the sha256), If-None-Match and a single
// byte Range, so a hall on a poor link can resume.
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Material } from '../../signaling/control.js';
import type { BlobStore } from '../blobstore.js';

export async function sendMaterial(req: Request, res: Response, m: Material, blobs: BlobStore): Promise<void> {
  const size = await blobs.size(m.sha256);
  if (size === null) {
    res.status(404).json({ ok: false, error: { code: 'NOT_FOUND', message: 'file missing from the store' } });
    return;
  }
  const etag = `"${m.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
  res.setHeader('Content-Type', m.mime);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(m.filename)}`);
  res.setHeader('X-Content-SHA256', m.sha256);
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').map((s) => s.trim().replace(/^W\//, '')).includes(etag)) {
    res.status(304).end();
    return;
  }
  let start = 0;
  let end = size - 1;
  const range = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (range && (!ifRange || ifRange === etag)) {
    const mm = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!mm || (mm[1] === '' && mm[2] === '')) {
      res.status(416).setHeader('Content-Range', `bytes */${size}`).end();
      return;
    }
    if (mm[1] === '') {
      start = Math.max(0, size - Number(mm[2]));
    } else {
      start = Number(mm[1]);
      if (mm[2] !== '') end = Math.min(end, Number(mm[2]));
    }
    if (start > end || start >= size) {
      res.status(416).setHeader('Content-Range', `bytes */${size}`).end();
      return;
    }
    res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  } else {
    res.status(200);
  }
  res.setHeader('Content-Length', String(end - start + 1));
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  // pipeline, not pipe: an aborted download closes the file (pipe leaks its descriptor)
  await pipeline(blobs.read(m.sha256, { start, end }), res).catch(() => res.destroy());
}
