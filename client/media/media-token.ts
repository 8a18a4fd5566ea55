// The page's short-lived media token (signaling/media-token.ts): exchanged at
// the control service for the invitation the page was opened with, and again
// before it expires; sockets to media nodes take each fresh one (handshake on
// every reconnect, and `media:token:refresh` on an open socket). The invitation
// itself never goes to a media node when a control service is known.
import { MEDIA_TOKEN_REFRESH_S, MediaTokenRes } from '../../signaling/media-token.js';

/** What a media socket needs: the token to present now, and word of a fresh one. */
export interface TokenSource {
  readonly current: string;
  onChange(fn: (token: string) => void): () => void;
}

export class TokenExchangeError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const RETRY_MS = 10_000;
const REFUSED = new Set(['UNAUTHORIZED', 'FORBIDDEN']);

/**
 * Starts as the invitation itself and becomes a media token at the first exchange (so a page whose
 * control service is away for a moment still tries its node, and moves to media tokens as soon as
 * control answers: the node takes the fresh token on the open socket, same link).
 */
export class MediaTokens implements TokenSource {
  private token: string;
  private exp = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly listeners = new Set<(token: string) => void>();
  /** Why the control service refused the exchange (the link is revoked or expired), if it did. */
  refused: TokenExchangeError | null = null;

  constructor(private readonly o: { controlUrl: string; invitation: string; conf: string }) {
    this.token = o.invitation;
  }

  /** Exchanges now (then before every expiry, or every 10 s while control is away); true once a media token is held. */
  begin(): Promise<boolean> {
    return this.attempt();
  }

  get current(): string {
    return this.token;
  }

  onChange(fn: (token: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async attempt(): Promise<boolean> {
    if (this.closed) return false;
    try {
      await this.exchange();
    } catch (err) {
      const e = err instanceof TokenExchangeError ? err : new TokenExchangeError('UNAVAILABLE', String(err));
      // a revoked link gets nothing more; a control service away is asked again
      if (REFUSED.has(e.code)) this.refused = e;
      else this.schedule(RETRY_MS);
      return false;
    }
    for (const fn of this.listeners) fn(this.token);
    this.schedule(Math.max(5_000, (this.exp - MEDIA_TOKEN_REFRESH_S) * 1000 - Date.now()));
    return true;
  }

  private async exchange(): Promise<void> {
    const base = this.o.controlUrl.replace(/\/+$/, '');
    let r: Response;
    try {
      r = await fetch(`${base}/api/conferences/${encodeURIComponent(this.o.conf)}/media-token`, {
        method: 'POST', headers: { authorization: `Bearer ${this.o.invitation}`, 'content-type': 'application/json' }, body: '{}',
      });
    } catch (err) {
      throw new TokenExchangeError('NETWORK', (err as Error).message);
    }
    const j = (await r.json().catch(() => null)) as { ok?: boolean; data?: unknown; error?: { code?: string; message?: string } } | null;
    if (!j?.ok) throw new TokenExchangeError(j?.error?.code ?? 'UNAVAILABLE', j?.error?.message ?? `HTTP ${r.status}`);
    const res = MediaTokenRes.parse(j.data);
    this.token = res.token;
    this.exp = res.exp;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), ms);
  }
}

/** The conference a link is for, read from its token (the services check the signature). */
export function confOfToken(token: string): string | null {
  try {
    const parts = token.split('.');
    const body = (parts.length === 3 ? parts[1] : parts[0]) ?? '';
    const bytes = Uint8Array.from(atob(body.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const c = JSON.parse(new TextDecoder().decode(bytes)) as { conf?: unknown };
    return typeof c.conf === 'string' ? c.conf : null;
  } catch {
    return null;
  }
}
