// The node-to-node channel: the `/node` namespace children connect to (this
// node's own connection to its parent, with failover, is parent-link.ts).
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { verifyToken } from '../signaling/token.js';
import type { Cascade } from './cascade.js';
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
