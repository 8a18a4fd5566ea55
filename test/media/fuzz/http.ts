// HTTP against a node: one request helper (JSON or raw bodies, bearer tokens)
// and the refusal check every malformed or out-of-scope request goes through.
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ErrorBody, httpStatus, type ErrorCode } from '../../../signaling/common.js';
import type { NodeProc } from '../procs.js';
import { toJson } from './json.js';
import { refusedWith, sent, tally } from './tally.js';

export type HttpReq = { method?: 'GET' | 'POST' | 'DELETE'; path: string; token?: string | undefined; body?: unknown; raw?: string; headers?: Record<string, string> };
type HttpRes = { status: number; text: string; json: unknown };

export async function request(node: NodeProc, r: HttpReq): Promise<HttpRes> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.token !== undefined) headers.authorization = `Bearer ${r.token}`;
  let body: string | undefined;
  if (r.raw !== undefined) body = r.raw;
  else if (r.body !== undefined) {
    body = toJson(r.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${node.url}${r.path}`, { method: r.method ?? (body !== undefined ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

const HttpError = z.object({ error: ErrorBody });

export async function refuseHttp(node: NodeProc, r: HttpReq, expect: readonly ErrorCode[], label: string): Promise<void> {
  sent('http');
  const res = await request(node, r);
  const what = `${r.method ?? (r.body !== undefined || r.raw !== undefined ? 'POST' : 'GET')} ${r.path.slice(0, 120)} at ${node.nodeId} (${label})`;
  if (res.status >= 500) tally.http5xx++;
  assert.ok(res.status >= 400 && res.status < 500, `${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const body = HttpError.safeParse(res.json);
  assert.ok(body.success, `${what}: untyped ${res.status} answer ${res.text.slice(0, 300)}`);
  const code = body.data.error.code;
  assert.equal(res.status, httpStatus[code], `${what}: status ${res.status} for ${code}`);
  assert.ok(expect.includes(code), `${what}: ${code} (${body.data.error.message}), expected ${expect.join('|')}`);
  refusedWith(code);
}
