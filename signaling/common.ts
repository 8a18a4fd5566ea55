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
  TOO_LARGE: 413, UNSUPPORTED: 415, UNAVAILABLE: 503, INTERNAL: 500,
};

/** Parses `input` with `schema`, throwing a BAD_REQUEST AppError that lists the issues. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AppError(
    'BAD_REQUEST',
    'invalid payload',
    r.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message })),
  );
}

export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) return err.toBody();
  return { code: 'INTERNAL', message: 'internal error' };
}
