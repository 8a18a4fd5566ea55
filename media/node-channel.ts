// The node-to-node channel: the `/node` namespace children connect to, and this
// node's own connection to its parent (reconnecting by itself; every new
// connection re-registers and the parent re-establishes the pipes).
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { NODE_NAMESPACE, NodeEvents, NodeRegisterRes, type NodeHealth } from '../signaling/media.js';
import { signToken, verifyToken } from '../signaling/token.js';
import type { Cascade } from './cascade.js';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { Link, type Wire } from './link.js';

/** Accepts child nodes that present a token signed with NODE_SECRET. */
export function attachNodeNamespace(nsp: Namespace, cascade: Cascade, nodeSecret: string, log: Logger): void {
  nsp.use((socket, next) => {
    let reason = '';
    try {
      const claims = verifyToken(nodeSecret, String(socket.handshake.auth?.token ?? ''));
      if (claims.role !== 'node') reason = 'not a node token';
    } catch (err) {
      reason = (err as Error).message;
    }
    if (!reason) return next();
    log.warn({ from: socket.handshake.address, reason }, 'node connection refused: bad NODE_SECRET');
    const e = new Error(`UNAUTHORIZED: node secret rejected (${reason})`) as Error & { data?: unknown };
    e.data = { code: 'UNAUTHORIZED', message: 'node secret rejected' };
    next(e);
  });
  nsp.on('connection', (socket) => {
    const link = new Link('child', socket as unknown as Wire, log);
    cascade.attach(link);
    socket.on('disconnect', (why) => {
      if (link.peerId !== '?') log.info({ child: link.peerId, why }, 'child node left');
      link.close();
    });
  });
}

export type ParentConnection = { state(): NonNullable<NodeHealth['parent']>; close(): void };

export type ParentOptions = {
  nodeId: string;
  sites: string[];
  nodeSecret: string;
  cascade: Cascade;
  log: Logger;
  /** Reconnection backoff; the link is retried forever (a WAN link comes back by itself). */
  retry?: BackoffOptions;
};

export function connectParent(url: string, o: ParentOptions): ParentConnection {
  let state: NonNullable<NodeHealth['parent']>['state'] = 'connecting';
  let parentId: string | undefined;
  let failedAttempts = 0;
  let link: Link | null = null;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const rb = { ...DEFAULT_BACKOFF, ...o.retry };
  // our own retries (after a refusal or a server-side disconnect), besides socket.io's
  const backoff = new Backoff(rb);
  const token = () => signToken(o.nodeSecret, { role: 'node', conf: '*', site: o.nodeId, ttlSeconds: 3600 });
  const socket: ClientSocket = io(new URL(NODE_NAMESPACE, url).toString(), {
    auth: (cb) => cb({ token: token() }),
    transports: ['websocket'],
    // socket.io's manager: exponential with jitter, never gives up, resets once connected
    reconnection: true,
    reconnectionAttempts: Infinity,
    reconnectionDelay: rb.minMs,
    reconnectionDelayMax: rb.maxMs,
    randomizationFactor: rb.jitter,
    // a half-open WAN link: give up on a connect attempt well before socket.io's 20 s default
    timeout: 10_000,
  });

  socket.on('connect', () => {
    link?.close();
    const l = new Link('parent', socket as unknown as Wire, o.log);
    link = l;
    o.cascade.attach(l);
    l.request(NodeEvents.register, { nodeId: o.nodeId, sites: o.sites }, NodeRegisterRes)
      .then((res) => {
        if (l.closed) return;
        l.peerId = res.nodeId;
        parentId = res.nodeId;
        state = 'connected';
        failedAttempts = 0;
        backoff.reset();
        o.log.info({ parent: res.nodeId, url }, 'registered with parent node');
        o.cascade.parentReady(l);
      })
      .catch((err) => {
        o.log.error({ url, err: String(err) }, 'register with parent failed');
        socket.disconnect();
        scheduleRetry();
      });
  });
  socket.on('disconnect', (why) => {
    if (state === 'connected' && !closed) o.log.warn({ url, why }, 'parent node connection lost');
    if (state !== 'refused') state = 'disconnected';
    link?.close();
    link = null;
    if (why === 'io server disconnect') scheduleRetry();
  });
  socket.on('connect_error', (err) => {
    failedAttempts++;
    if (err.message.startsWith('UNAUTHORIZED')) {
      if (state !== 'refused') o.log.error({ url, err: err.message }, 'parent node refused this node (check NODE_SECRET)');
      state = 'refused';
    } else if (state !== 'refused') {
      state = 'connecting';
    }
    // a middleware refusal stops socket.io's own retries: keep trying, slowly
    if (!socket.active) scheduleRetry();
  });

  function scheduleRetry() {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      if (!closed && !socket.connected) socket.connect();
    }, backoff.next());
  }

  return {
    state: () => ({ url, state, failedAttempts, ...(parentId ? { nodeId: parentId } : {}) }),
    close() {
      if (closed) return;
      closed = true;
      if (retry) clearTimeout(retry);
      retry = undefined;
      link?.close();
      link = null;
      socket.removeAllListeners();
      socket.close();
    },
  };
}
