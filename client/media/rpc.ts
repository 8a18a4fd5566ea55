// Typed request/ack over a socket.io socket: the payload is checked against
// the shared schema before it leaves, and the answer is checked on arrival,
// so a node speaking another protocol version fails loudly here rather than
// deep inside mediasoup-client.
import type { Socket } from 'socket.io-client';
import type { z } from 'zod';
import { ErrorBody, type ErrorCode } from '../../signaling/common.js';

/** An error answered by the node (or raised locally: timeout, bad answer). */
export class RpcError extends Error {
  constructor(readonly code: ErrorCode | 'TIMEOUT' | 'DISCONNECTED', message: string) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface RequestOptions {
  /** Milliseconds before giving up on the ack. Default 10 000. */
  timeoutMs?: number;
}

export async function request<Req extends z.ZodType, Res extends z.ZodType>(
  socket: Socket,
  event: string,
  reqSchema: Req,
  payload: z.input<Req>,
  resSchema: Res,
  { timeoutMs = 10_000 }: RequestOptions = {},
): Promise<z.infer<Res>> {
  const req = reqSchema.safeParse(payload);
  if (!req.success) throw new RpcError('BAD_REQUEST', `${event}: request does not match its schema`);
  if (!socket.connected) throw new RpcError('DISCONNECTED', `${event}: socket is not connected`);
  let answer: unknown;
  try {
    answer = await socket.timeout(timeoutMs).emitWithAck(event, req.data);
  } catch {
    throw new RpcError(socket.connected ? 'TIMEOUT' : 'DISCONNECTED', `${event}: no answer`);
  }
  const a = answer as { ok?: unknown; data?: unknown; error?: unknown } | null;
  if (a && a.ok === true) {
    const res = resSchema.safeParse(a.data);
    if (!res.success) throw new RpcError('INTERNAL', `${event}: answer does not match its schema`);
    return res.data;
  }
  const err = ErrorBody.safeParse(a?.error);
  if (err.success) throw new RpcError(err.data.code, `${event}: ${err.data.message}`);
  throw new RpcError('INTERNAL', `${event}: malformed answer`);
}
