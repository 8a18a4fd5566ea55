// Short-lived sockets to a media node for what the control apps ask of it:
// reading the node's per-stream figures. (The floor goes through the control
// service, which tells the root media node; the hall video lives in client/media.)
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { HALL_NAMESPACE, HallEvents, StatsReq, StatsRes } from '../../signaling/media.js';
import { request } from '../media/rpc.js';
import { UiError } from './errors.js';
import type { TokenSource } from '../media/media-token.js';
import { REFRESH_TOKEN_EVENT } from '../../signaling/media-token.js';

/** A socket to a node's `/hall` namespace that resolves once connected. */
export function connectNode(nodeUrl: string, token: string | TokenSource, timeoutMs = 8000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const current = () => (typeof token === 'string' ? token : token.current);
    const socket = io(`${nodeUrl.replace(/\/+$/, '')}${HALL_NAMESPACE}`, { auth: (cb) => cb({ token: current() }), transports: ['websocket'], reconnection: true, timeout: timeoutMs });
    if (typeof token !== 'string') {
      const off = token.onChange((t) => { if (socket.connected) socket.timeout(5000).emit(REFRESH_TOKEN_EVENT, { token: t }, () => undefined); });
      socket.once('disconnect', (why) => { if (why === 'io client disconnect') off(); });
    }
    const timer = setTimeout(() => { socket.close(); reject(new UiError('UNAVAILABLE', `media node ${nodeUrl} did not answer`)); }, timeoutMs);
    socket.once('connect', () => { clearTimeout(timer); resolve(socket); });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') { clearTimeout(timer); socket.close(); reject(new UiError(code, err.message)); }
    });
  });
}

/** Polls a node's figures every `everyMs` until stopped. */
export function watchNodeStats(nodeUrl: string, token: string | TokenSource, onStats: (s: z.infer<typeof StatsRes>) => void, onError: (err: unknown) => void, everyMs = 2000): () => void {
  let socket: Socket | null = null;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = async () => {
    if (stopped) return;
    try {
      socket ??= await connectNode(nodeUrl, token);
      if (stopped) return;
      onStats(await request(socket, HallEvents.stats, StatsReq, {}, StatsRes));
    } catch (err) {
      onError(err);
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return () => { stopped = true; if (timer) clearTimeout(timer); socket?.close(); };
}
