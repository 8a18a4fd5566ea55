// Revoked tokens reach every place that honours them: the control sockets using
// them are told and closed (every instance, through the socket.io adapter), and
// every media node refuses them and closes their sockets and ingests (through
// each instance's control ↔ media channel, signaled over the bus).
import { ControlPushes } from '../signaling/control.js';
import type { Ctx } from './context.js';
import { rooms } from './context.js';

/** After `sadd revoked`: tell the sockets and the media nodes. */
export async function announceRevoked(ctx: Ctx, jtis: string[]): Promise<void> {
  if (!jtis.length) return;
  for (const jti of jtis) {
    ctx.nsp?.to(rooms.jti(jti)).emit(ControlPushes.revoked, { jti });
    const room = ctx.nsp?.in(rooms.jti(jti));
    setTimeout(() => room?.disconnectSockets(true), 50).unref();
  }
  await ctx.bus.publish(ctx.keys.revokeChannel, JSON.stringify(jtis));
}
