// Short-lived TURN credentials for halls behind firewalls (coturn's shared-secret
// "TURN REST" scheme, `use-auth-secret`): username = "<expiry>:<site>",
// password = base64(HMAC-SHA1(secret, username)). The node hands them out with
// each transport; coturn checks them with the same secret, no user database.
import { createHmac } from 'node:crypto';
import type { IceServer } from '../signaling/media.js';

export interface TurnOptions {
  /** e.g. ["turns:turn.example.vn:443?transport=tcp", "turn:turn.example.vn:3478"] */
  urls: string[];
  secret: string;
  /** Credential lifetime (s). */
  ttlSeconds: number;
}

export function turnCredentials(o: TurnOptions, site: string, now = Date.now()): IceServer {
  const username = `${Math.floor(now / 1000) + o.ttlSeconds}:${site}`;
  const credential = createHmac('sha1', o.secret).update(username).digest('base64');
  return { urls: o.urls, username, credential };
}
