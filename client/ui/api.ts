// REST client for the control service: every call goes through the shared
// route table (signaling/control-routes.ts), payloads are checked before they
// leave and answers are checked on arrival. Uploads and downloads report progress.
import { takeLinkToken } from '../media/link-token.js';
import type { z } from 'zod';
import { ControlRoutes, routePath, type ControlRouteName, type RouteRes } from '../../signaling/control-routes.js';
import { ErrorBody } from '../../signaling/common.js';
import { UiError } from './errors.js';

export interface ApiOptions {
  /** Control service origin; '' = this page's origin. */
  base?: string;
  /** Bearer token from the invitation link. */
  token: string;
}

export interface CallArgs {
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

/** Progress of a long transfer: bytes done of total (total 0 when unknown). */
export type OnProgress = (done: number, total: number) => void;

export class ControlApi {
  readonly base: string;
  constructor(readonly opts: ApiOptions) {
    this.base = (opts.base ?? '').replace(/\/+$/, '');
  }

  url(path: string, query?: Record<string, string | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, v);
    const qs = q.toString();
    return `${this.base}${path}${qs ? `?${qs}` : ''}`;
  }

  /** Calls a named route; resolves with `Ack.data` checked against the route's response schema. */
  async call<K extends ControlRouteName>(name: K, args: CallArgs = {}): Promise<RouteRes<K>> {
    const def = ControlRoutes[name] as (typeof ControlRoutes)[ControlRouteName] & { body?: z.ZodType };
    const res = await sendChecked(name, def, this.url(routePath(name, args.params ?? {}), args.query), this.opts.token, args.body);
    return checkAnswer(name, def.res, await this.unwrap(res, name)) as RouteRes<K>;
  }

  /** Fetches a non-JSON route (exports) as a Blob. */
  async blob(path: string, query?: Record<string, string>): Promise<Blob> {
    let res: Response;
    try {
      res = await fetch(this.url(path, query), { headers: { authorization: `Bearer ${this.opts.token}` } });
    } catch (err) {
      throw new UiError('NETWORK', (err as Error).message);
    }
    if (!res.ok) await this.unwrap(res, path);
    return res.blob();
  }

  /** Uploads a file as the raw request body with upload progress (XHR: fetch has none). */
  upload<K extends ControlRouteName>(name: K, args: { params: Record<string, string>; query: Record<string, string> }, file: Blob, onProgress?: OnProgress): Promise<RouteRes<K>> {
    const def = ControlRoutes[name];
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(def.method.toUpperCase(), this.url(routePath(name, args.params), args.query));
      xhr.setRequestHeader('authorization', `Bearer ${this.opts.token}`);
      xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
      xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
      xhr.onerror = () => reject(new UiError('NETWORK', 'upload failed'));
      xhr.onload = () => {
        let json: unknown = null;
        try { json = JSON.parse(xhr.responseText); } catch { /* handled below */ }
        const a = json as { ok?: boolean; data?: unknown; error?: unknown } | null;
        if (xhr.status < 300 && a?.ok) {
          const checked = def.res.safeParse(a.data);
          if (checked.success) return resolve(checked.data as RouteRes<K>);
          return reject(new UiError('INTERNAL', `${name}: answer does not match its schema`));
        }
        reject(errorFrom(xhr.status, a?.error, name));
      };
      xhr.send(file);
    });
  }

  /** Downloads with progress; resolves with the bytes. */
  async download(path: string, onProgress?: OnProgress, expectedSize = 0): Promise<ArrayBuffer> {
    let res: Response;
    try {
      res = await fetch(this.url(path), { headers: { authorization: `Bearer ${this.opts.token}` }, cache: 'no-store' });
    } catch (err) {
      throw new UiError('NETWORK', (err as Error).message);
    }
    if (!res.ok) await this.unwrap(res, path);
    const total = Number(res.headers.get('content-length')) || expectedSize;
    if (!res.body) return res.arrayBuffer();
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let done = 0;
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try { r = await reader.read(); } catch (err) { throw new UiError('NETWORK', (err as Error).message); }
      if (r.done) break;
      chunks.push(r.value);
      done += r.value.byteLength;
      onProgress?.(done, total);
    }
    const out = new Uint8Array(done);
    let at = 0;
    for (const c of chunks) { out.set(c, at); at += c.byteLength; }
    return out.buffer;
  }

  private async unwrap(res: Response, what: string): Promise<unknown> {
    let json: unknown = null;
    try { json = await res.json(); } catch { /* not JSON */ }
    const a = json as { ok?: boolean; data?: unknown; error?: unknown } | null;
    if (res.ok && a?.ok) return a.data;
    throw errorFrom(res.status, a?.error, what);
  }
}

function errorFrom(status: number, error: unknown, what: string): UiError {
  const body = ErrorBody.safeParse(error);
  if (body.success) return new UiError(body.data.code, `${what}: ${body.data.message}`, status);
  if (status === 0) return new UiError('NETWORK', what, status);
  return new UiError(status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : status === 413 ? 'TOO_LARGE' : 'INTERNAL', `${what}: HTTP ${status}`, status);
}

/**
 * Sends one call of a route table (control or account routes): the body checked against the
 * route's schema before it leaves; a network failure is a NETWORK error.
 */
export async function sendChecked(name: string, def: { method: string; body?: z.ZodType }, url: string, token: string | null | undefined, input: unknown): Promise<Response> {
  let body: string | undefined;
  if (def.body) {
    const parsed = def.body.safeParse(input ?? {});
    if (!parsed.success) throw new UiError('BAD_REQUEST', `${name}: ${parsed.error.message}`);
    body = JSON.stringify(parsed.data);
  }
  try {
    return await fetch(url, {
      method: def.method.toUpperCase(),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
    });
  } catch (err) {
    throw new UiError('NETWORK', (err as Error).message);
  }
}

/** An answer's data checked against the route's response schema. */
export function checkAnswer(name: string, schema: z.ZodType, data: unknown): unknown {
  const checked = schema.safeParse(data);
  if (!checked.success) throw new UiError('INTERNAL', `${name}: answer does not match its schema`);
  return checked.data;
}

/** The token and site carried by an invitation link (`?token=...&site=...`). */
export function linkParams(): { token: string | null; site: string | null; controlUrl: string } {
  const q = new URLSearchParams(location.search);
  return { token: takeLinkToken(), site: q.get('site'), controlUrl: q.get('control') ?? '' };
}
