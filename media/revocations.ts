// Token ids the control service revoked (signaling/control-media.ts `link:revoke`):
// refused at once on this node, and whoever holds one now — hall sockets,
// ingests — is closed. The list arrives whole on every (re)connect to control
// and one by one as organizers revoke links.
import { EventEmitter } from 'node:events';

export class Revocations extends EventEmitter<{ revoked: [string[]] }> {
  private readonly jtis = new Set<string>();

  has(jti: string): boolean {
    return this.jtis.has(jti);
  }

  /** Adds token ids; listeners hear only the new ones. */
  add(jtis: readonly string[]): void {
    const fresh = jtis.filter((j) => !this.jtis.has(j));
    for (const j of fresh) this.jtis.add(j);
    if (fresh.length) this.emit('revoked', fresh);
  }

  get size(): number {
    return this.jtis.size;
  }
}
