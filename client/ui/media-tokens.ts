// The control apps' media tokens: one source per app session, exchanged at the
// control service that serves the app (client/media/media-token.ts; until the
// first exchange succeeds it offers the invitation, and keeps trying).
import { MediaTokens, type TokenSource } from '../media/media-token.js';
import type { AppSession } from './app.js';

const sources = new WeakMap<AppSession, Promise<TokenSource>>();

export function mediaTokensOf(s: AppSession): Promise<TokenSource> {
  let p = sources.get(s);
  if (!p) {
    const tokens = new MediaTokens({ controlUrl: s.api.base, invitation: s.token, conf: s.conf });
    p = tokens.begin().then(() => tokens);
    sources.set(s, p);
  }
  return p;
}
