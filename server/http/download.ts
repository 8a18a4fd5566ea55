// File downloads with a strong ETag, If-None-Match and a single byte Range, so
// a hall on a poor link can resume: materials (ETag = their sha256) and files
// a handler answers with (FileOut, e.g. a recording).
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Material } from '../../signaling/control.js';
import type { BlobStore } from '../blobstore.js';

/** A handler's answer that is a file on disk, sent with Range/ETag. */
export class FileOut {
  constructor(readonly path: string, readonly size: number, readonly etag: string, readonly mime: string, readonly filename: string) {}
}

interface Sendable { size: number; etag: string; mime: string; filename: string; sha256?: string; open(range: { start: number; end: number }): Readable }

export async function sendMaterial(req: Request, res: Response, m: Material, blobs: BlobStore): Promise<void> {
  const size = await blobs.size(m.sha256);
  if (size === null) {
    res.status(404).json({ ok: false, error: { code: 'NOT_FOUND', message: 'file missing from the store' } });
    return;
  }
  await sendRanged(req, res, { size, etag: `"${m.sha256}"`, mime: m.mime, filename: m.filename, sha256: m.sha256, open: (r) => blobs.read(m.sha256, r) });
}

export function sendFile(req: Request, res: Response, f: FileOut): Promise<void> {
  return sendRanged(req, res, { size: f.size, etag: f.etag, mime: f.mime, filename: f.filename, open: (r) => createReadStream(f.path, r) });
}

async function sendRanged(req: Request, res: Response, f: Sendable): Promise<void> {
  const { size, etag } = f;
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, max-age=0, must-revalidate');
  res.setHeader('Content-Type', f.mime);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.filename)}`);
  if (f.sha256) res.setHeader('X-Content-SHA256', f.sha256);
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
  await pipeline(f.open({ start, end }), res).catch(() => res.destroy());
}
