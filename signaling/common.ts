// Request/acknowledge envelope shared by every socket event and REST route.
import { z } from 'zod';

export const ErrorCode = z.enum([
  'BAD_REQUEST', // payload failed its schema
  'UNAUTHORIZED', // no / invalid / expired / revoked token
  'FORBIDDEN', // valid token, wrong role or scope
  'NOT_FOUND',
  'CONFLICT', // state does not allow it (e.g. agenda item already ended)
  'TOO_LARGE',
  'UNSUPPORTED',
  'RATE_LIMITED', // too many failed sign-ins; wait (Retry-After) and try again
  'UNAVAILABLE', // a dependency (node, redis) is not reachable right now
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** zod issues when code is BAD_REQUEST */
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export class AppError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly issues?: ErrorBody['issues']) {
    super(message);
    this.name = 'AppError';
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

export const httpStatus: Record<ErrorCode, number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409,
  TOO_LARGE: 413, UNSUPPORTED: 415, RATE_LIMITED: 429, UNAVAILABLE: 503, INTERNAL: 500,
};

/** Parses `input` with `schema`, throwing a BAD_REQUEST AppError that lists the issues. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
  // the first problem, named by its field, in a sentence a person can act on; all of them in `issues`
  const first = issues[0];
  const where = first?.path.length ? `"${first.path.join('.')}"` : 'dữ liệu / the data';
  const more = issues.length > 1 ? ` (+${issues.length - 1})` : '';
  throw new AppError(
    'BAD_REQUEST',
    `Dữ liệu gửi lên chưa đúng ở ${where}: ${first?.message ?? 'không hợp lệ'}${more}; hãy sửa rồi gửi lại. / The data sent is wrong at ${where}: ${first?.message ?? 'invalid'}${more}; correct it and send again.`,
    issues,
  );
}

/** The data store cannot be reached (ioredis gave up on a command, or the link is closed). */
function storeDown(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string } | null;
  if (!e) return false;
  return e.name === 'MaxRetriesPerRequestError' || e.code === 'ECONNREFUSED' || /Connection is closed|Stream isn't writeable|enableOfflineQueue/.test(e.message ?? '');
}

export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  // nothing was stored: say so, and that trying again later works
  if (storeDown(err)) return { code: 'UNAVAILABLE', message: 'Máy chủ dữ liệu tạm thời không truy cập được, chưa có gì được ghi; hãy thử lại sau ít phút. / The data store is unreachable for now and nothing was saved; try again in a few minutes.' };
  return { code: 'INTERNAL', message: 'internal error' };
}

/**
 * Requests that Node's HTTP parser refuses before any route sees them (a URL or
 * headers over the size limit, a malformed request line) get the same typed
 * error envelope as every route, instead of a bare status line.
 */
export function answerClientErrors(server: import('node:http').Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: import('node:stream').Duplex) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) { socket.destroy(); return; }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify({ ok: false, error: tooLarge
      ? { code: 'TOO_LARGE', message: 'Địa chỉ hoặc tiêu đề yêu cầu quá dài; hãy rút ngắn rồi gửi lại. / The request line or headers are too long; shorten them and retry.' }
      : { code: 'BAD_REQUEST', message: 'Yêu cầu HTTP không đúng định dạng. / The HTTP request is malformed.' } });
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
