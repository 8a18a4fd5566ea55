// The node-to-node channel: the `/node` namespace children connect to (this
// node's own connection to its parent, with failover, is parent-link.ts).
// A child proves its id with a token: an enrolled child with one control
// signed (checked with control's public keys; it names the child and the
// sites of its subtree), a child started from a config with NODE_SECRET.
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import { AppError } from '../signaling/common.js';
import { NodeEvents, NodeIdentifyReq, NodeTokenReq } from '../signaling/media.js';
import { verifyToken, type TokenClaims, type TokenKey } from '../signaling/token.js';
import type { Cascade } from './cascade.js';
import { Link, type Wire } from './link.js';
import type { Revocations } from './revocations.js';

export interface NodeChannelAuth {
  /** Control's public keys (enrolled nodes) or the shared NODE_SECRET. */
  key: TokenKey;
  /** Token ids control revoked (a revoked node's generation): refused, and their links closed. */
  revocations?: Revocations;
  /** This node's own control-signed token (enrolled), shown to a registered child that asks. */
  self?: { nodeId: string; token: () => string };
}

/** The node a child token stands for; throws with the reason. */
export function childClaims(auth: NodeChannelAuth, raw: unknown): TokenClaims {
  const claims = verifyToken(auth.key, String(raw ?? ''));
  if (claims.role !== 'node' || !claims.site) throw new Error('not a node token');
  if (typeof auth.key !== 'string' && !claims.sites) throw new Error('not a node token');
  if (auth.revocations?.has(claims.jti)) throw new Error('this node was revoked');
  return claims;
}

/** Accepts child nodes that present a valid node token. */
export function attachNodeNamespace(nsp: Namespace, cascade: Cascade, auth: NodeChannelAuth, log: Logger): void {
  const enrolled = typeof auth.key !== 'string';
  nsp.use((socket, next) => {
    let reason = '';
    try {
      socket.data.claims = childClaims(auth, socket.handshake.auth?.token);
    } catch (err) {
      reason = (err as Error).message;
    }
    if (!reason) return next();
    log.warn({ from: socket.handshake.address, reason }, enrolled ? 'node connection refused: no valid node token from the control service' : 'node connection refused: bad NODE_SECRET');
    const e = new Error(`UNAUTHORIZED: node token rejected (${reason})`) as Error & { data?: unknown };
    e.data = { code: 'UNAUTHORIZED', message: 'node token rejected' };
    next(e);
  });
  // a revoked node's links close at once
  auth.revocations?.on('revoked', (jtis) => {
    for (const s of nsp.sockets.values()) {
      const c = s.data.claims as TokenClaims | undefined;
      if (c && jtis.includes(c.jti)) {
        log.warn({ child: c.site }, 'child node revoked by the control service: link closed');
        s.disconnect(true);
      }
    }
  });
  nsp.on('connection', (socket) => {
    const link = new Link('child', socket as unknown as Wire, log);
    const claims = socket.data.claims as TokenClaims;
    // the id its control-signed token proves; register must name the same one (a NODE_SECRET holder
    // can sign any id, so there the token proves nothing about the id)
    if (enrolled) link.provenId = claims.site!;
    if (claims.sites) link.subtree = new Set(claims.sites);
    cascade.attach(link);
    // a fresh token from the child (its subtree changed, or the old one nears expiry)
    link.handle(NodeEvents.token, NodeTokenReq, (m) => {
      let next: TokenClaims;
      try {
        next = childClaims(auth, m.token);
      } catch (err) {
        throw new AppError('UNAUTHORIZED', (err as Error).message);
      }
      if (enrolled && next.site !== link.provenId) {
        log.warn({ child: link.provenId, presented: next.site }, 'child node presented another node\'s token: link closed');
        setImmediate(() => socket.disconnect(true));
        throw new AppError('FORBIDDEN', 'token is for another node');
      }
      socket.data.claims = next;
      if (next.sites) link.subtree = new Set(next.sites);
      return {};
    });
    link.handle(NodeEvents.identify, NodeIdentifyReq, () => {
      if (link.peerId === '?') throw new AppError('FORBIDDEN', 'register first');
      if (!auth.self) throw new AppError('NOT_FOUND', 'this node was started from a config: it has no control-signed token');
      return { nodeId: auth.self.nodeId, token: auth.self.token() };
    });
    socket.on('disconnect', (why) => {
      if (link.peerId !== '?') log.info({ child: link.peerId, why }, 'child node left');
      link.close();
    });
  });
}
